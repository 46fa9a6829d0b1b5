import type { UiCatalog } from './catalog.ts';

/**
 * Words of `sumi serve`, `sumi user` and the API's errors. API errors carry a stable `code`
 * (the key without `error.`) and these words as `message`, in the language the client asks for.
 */
/**
 * What the API's input checks say where zod's own words (its locales, chosen per request) do not
 * fit: a schema gives the English, and the answer says it in the reader's language.
 */
export const schemaCheckText = {
  days: { en: 'a number of days such as 30d', ja: '30d のような日数' },
  daysRange: { en: 'between 1d and 3650d', ja: '1d から 3650d まで' },
  sourceEnv: {
    en: 'an environment variable named SUMI_..._PASSWORD or SUMI_..._SECRET',
    ja: 'SUMI_..._PASSWORD または SUMI_..._SECRET という名前の環境変数',
  },
  clientId: { en: 'an application (client) id', ja: 'アプリケーション（クライアント）ID' },
} satisfies UiCatalog;

export const serverText = {
  'error.unauthenticated': { en: 'Log in first.', ja: '先にログインしてください。' },
  'error.forbidden': {
    en: 'Your role ({role}) may not do this.',
    ja: 'あなたの役割（{role}）ではこの操作はできません。',
  },
  'error.csrf': {
    en: 'Missing or wrong x-csrf-token header: reload the page and try again.',
    ja: 'x-csrf-token ヘッダーがないか正しくありません。ページを再読み込みしてやり直してください。',
  },
  'error.login-failed': {
    en: 'Wrong username or password.',
    ja: 'ユーザー名またはパスワードが違います。',
  },
  'error.wrong-password': {
    en: 'Your current password is not right.',
    ja: '現在のパスワードが違います。',
  },
  'error.login-locked': {
    en: 'Too many failed logins: try again in {minutes, plural, one {# minute} other {# minutes}}.',
    ja: 'ログインの失敗が多すぎます。{minutes} 分後にもう一度お試しください。',
  },
  'error.not-found': { en: 'Not found: {what}.', ja: '見つかりません: {what}' },
  'error.bad-request': { en: 'Bad request: {details}', ja: 'リクエストが正しくありません: {details}' },
  'error.bad-upload': {
    en: '{name}: only .xml, .json, .gz, .zip and .eml files can be uploaded.',
    ja: '{name}: アップロードできるのは .xml、.json、.gz、.zip、.eml のファイルだけです。',
  },
  'error.upload-too-large': {
    en: 'Upload too large: at most {megabytes} MB per file.',
    ja: 'アップロードが大きすぎます。1 ファイルあたり {megabytes} MB までです。',
  },
  'error.upload-too-many-files': {
    en: 'Too many files in one upload: at most {files, plural, one {# file} other {# files}}.',
    ja: '1 回のアップロードのファイルが多すぎます。{files} ファイルまでです。',
  },
  'error.upload-too-many-fields': {
    en: 'Too many form fields beside the files: at most {fields, plural, one {# field} other {# fields}}.',
    ja: 'ファイル以外のフォームの項目が多すぎます。{fields} 項目までです。',
  },
  'error.bad-multipart': {
    en: 'The upload could not be read as multipart/form-data (cut short, or not well-formed): send the report files as the file fields of a form.',
    ja: 'アップロードを multipart/form-data として読めませんでした（途中で切れているか、形式が正しくありません）。レポートのファイルはフォームのファイル欄として送ってください。',
  },
  'error.unsupported-media-type': {
    en: 'The request body is of a type the API does not take: it takes JSON, and report files as multipart/form-data.',
    ja: 'リクエスト本文の形式を API が受け付けません。受け付けるのは JSON と、レポートのファイルを送る multipart/form-data です。',
  },
  'error.out-of-scope': {
    en: '{source}: a report for {domain}, which is not one of your domains; it was not stored.',
    ja: '{source}: あなたの担当外のドメイン {domain} のレポートのため、保存しませんでした。',
  },
  'error.tlsrpt-not-tls': {
    en: 'This address takes SMTP TLS reports (RFC 8460) only; DMARC reports go to the mailbox the DMARC record names. Nothing was stored.',
    ja: 'このアドレスが受け付けるのは SMTP TLS レポート（RFC 8460）だけです。DMARC レポートは DMARC レコードが指定するメールボックスへ送ってください。何も保存していません。',
  },
  'error.tlsrpt-no-report': {
    en: 'The request holds no SMTP TLS report: {reason} Nothing was stored.',
    ja: 'リクエストに SMTP TLS レポートがありません: {reason} 何も保存していません。',
  },
  'error.tlsrpt-domain': {
    en: 'A report for {domain}, which this server does not take SMTP TLS reports for; it was not stored.',
    ja: 'このサーバーが SMTP TLS レポートを受け付けないドメイン {domain} のレポートのため、保存しませんでした。',
  },
  'error.tlsrpt-unreadable': {
    en: 'The SMTP TLS report could not be read: {reason} It was kept in the quarantine.',
    ja: 'SMTP TLS レポートを読み取れませんでした: {reason} 隔離領域に保存しました。',
  },
  'error.tlsrpt-too-large': {
    en: 'The report is too large: at most {megabytes} MB.',
    ja: 'レポートが大きすぎます。{megabytes} MB までです。',
  },
  'error.tlsrpt-rate-limited': {
    en: 'Too many reports from this address: send again in {seconds} s.',
    ja: 'このアドレスからのレポートが多すぎます。{seconds} 秒後に送り直してください。',
  },
  'error.no-files': { en: 'No file in the upload.', ja: 'アップロードにファイルがありません。' },
  'error.bad-username': {
    en: 'Usernames are 1-64 characters of a-z, 0-9, ".", "_", "@", "-", starting with a letter or digit.',
    ja: 'ユーザー名は a-z、0-9、「.」「_」「@」「-」からなる 1〜64 文字で、英字か数字で始めてください。',
  },
  'error.username-taken': {
    en: 'User {username} exists already.',
    ja: 'ユーザー {username} は既に存在します。',
  },
  'error.bad-password': {
    en: 'Passwords are {min} to {max} characters long.',
    ja: 'パスワードは {min}〜{max} 文字にしてください。',
  },
  'error.bad-role': {
    en: 'Role: admin, analyst or viewer.',
    ja: '役割は admin、analyst、viewer のいずれかです。',
  },
  'error.last-admin': {
    en: 'The last admin cannot be deleted nor given another role.',
    ja: '最後の管理者は削除することも、ほかの役割に変えることもできません。',
  },
  'error.source-taken': {
    en: 'The mailbox {url} is an IMAP source already.',
    ja: 'メールボックス {url} は既に IMAP の取り込み元です。',
  },
  'error.setup-link-invalid': {
    en: 'This setup link is unknown, used or expired. An admin can make a new one with: sumi user add NAME --role admin',
    ja: 'このセットアップリンクは無効か、使用済みか、期限切れです。管理者は sumi user add NAME --role admin で作り直せます。',
  },
  'error.bad-domain': { en: '{domain}: not a domain name.', ja: '{domain}: ドメイン名ではありません。' },
  'error.store-unavailable': {
    en: 'The server cannot use its store now (not reachable, or refusing what this needs); its log says why. Try again later or ask its administrator.',
    ja: 'サーバーが今ストアを使えません（接続できない、または必要な操作が拒否された）。理由はサーバーのログにあります。後でもう一度試すか、管理者に連絡してください。',
  },
  'error.internal': {
    en: 'Something went wrong on the server; the log has the details.',
    ja: 'サーバーでエラーが起きました。詳細はログにあります。',
  },

  'source.url': {
    en: '{url}: give imaps://user@host/FOLDER, graph://MAILBOX/FOLDER or gmail://MAILBOX/LABEL',
    ja: '{url}: imaps://user@host/FOLDER、graph://MAILBOX/FOLDER、gmail://MAILBOX/LABEL のいずれかの形で指定してください',
  },
  'source.gmailMe': {
    en: '{url}: a service account reads the mailbox of the address given (gmail://dmarc@example.jp/LABEL), not me',
    ja: '{url}: サービスアカウントが読むのは指定したアドレスのメールボックスです。me ではなく gmail://dmarc@example.jp/LABEL のように指定してください',
  },
  'source.passwordInUrl': {
    en: 'no password in the URL: name the environment variable holding it (passwordEnv)',
    ja: 'URL にパスワードを含めないでください。パスワードを入れた環境変数の名前を passwordEnv に指定してください',
  },
  'source.googleKeyGraph': {
    en: 'a Google service account reads a mailbox over IMAP or gmail://, not graph://',
    ja: 'Google のサービスアカウントで読めるのは IMAP か gmail:// のメールボックスで、graph:// は読めません',
  },
  'source.googleKeyOrApp': {
    en: 'a service account or an application (clientId), one of the two',
    ja: 'サービスアカウントかアプリケーション（clientId）のどちらか一方を指定してください',
  },
  'source.gmailNeedsKey': {
    en: 'a gmail:// source signs in as a Google service account: give googleKeyEnv, the variable holding its JSON key',
    ja: 'gmail:// の取り込み元は Google のサービスアカウントとしてサインインします。その JSON キーを入れた環境変数の名前を googleKeyEnv に指定してください',
  },
  'source.graphNeedsApp': {
    en: 'a graph:// source signs in as an application: give clientId, secretEnv and tenant',
    ja: 'graph:// の取り込み元はアプリケーションとしてサインインします。clientId、secretEnv、tenant を指定してください',
  },
  'source.appFieldsAlone': {
    en: 'secretEnv, tenant and tokenUrl go with clientId',
    ja: 'secretEnv、tenant、tokenUrl は clientId と一緒に指定してください',
  },
  'source.noSecretEnv': {
    en: 'give the environment variable holding the application secret',
    ja: 'アプリケーションのシークレットを入れた環境変数の名前を指定してください',
  },
  'source.tenantOrTokenUrl': {
    en: 'give tenant or tokenUrl, one of the two',
    ja: 'tenant か tokenUrl のどちらか一方を指定してください',
  },
  'source.badTenant': {
    en: "{tenant}: give the tenant's domain name (contoso.onmicrosoft.com) or its id (a GUID)",
    ja: '{tenant}: テナントのドメイン名（contoso.onmicrosoft.com）またはその ID（GUID）を指定してください',
  },
  'source.graphUrlNotGraph': {
    en: 'only a graph:// source reaches Microsoft Graph: an IMAP or gmail:// source has no Graph URL',
    ja: 'Microsoft Graph に接続するのは graph:// の取り込み元だけです。IMAP や gmail:// の取り込み元には Graph の URL を指定できません',
  },
  'source.badGraphUrl': {
    en: "{url}: give Microsoft Graph's https:// base URL alone, a national cloud's such as https://graph.microsoft.us (Graph is reached over https:// only)",
    ja: '{url}: Microsoft Graph のベース URL だけを https:// で指定してください（国内クラウドなら https://graph.microsoft.us など。Graph には https:// でのみ接続します）',
  },
  'source.badTokenUrl': {
    en: '{url}: give an https:// URL naming no user (a token endpoint is asked over https:// only)',
    ja: '{url}: ユーザー名を含まない https:// の URL を指定してください（トークンエンドポイントには https:// でのみ接続します）',
  },
  'source.notFound': { en: 'mailbox source {id}', ja: 'メールボックス取得元 {id}' },
  'source.archiveIsFolder': {
    en: '{archive} is the folder read: mail moved there would be read again as new; name another folder',
    ja: '{archive} は読み取るフォルダーそのものです。移したメールが新着として再び読まれます。別のフォルダーを指定してください',
  },

  'setup.title': { en: 'Sumi: set your password', ja: 'Sumi: パスワードの設定' },
  'setup.password': {
    en: 'New password ({min} characters or more)',
    ja: '新しいパスワード（{min} 文字以上）',
  },
  'setup.submit': { en: 'Set password and log in', ja: 'パスワードを設定してログイン' },
  'setup.invalid': {
    en: 'This setup link is unknown, used or expired.',
    ja: 'このセットアップリンクは無効か、使用済みか、期限切れです。',
  },
  'web.missing.title': { en: 'Sumi: the web app is not built', ja: 'Sumi: Web アプリがビルドされていません' },
  'web.missing.body': {
    en: 'The API is running. Build the dashboard with "npm run build:web", then reload this page. API description: /api/openapi.json',
    ja: 'API は動作しています。"npm run build:web" でダッシュボードをビルドしてから、このページを再読み込みしてください。API の説明: /api/openapi.json',
  },

  'serve.description': {
    en: 'serve the dashboard and the HTTP API',
    ja: 'ダッシュボードと HTTP API を提供する',
  },
  'serve.option.listen': { en: 'address and port to listen on', ja: '待ち受けるアドレスとポート' },
  'serve.option.trustProxy': {
    en: 'trust X-Forwarded-* headers from a reverse proxy (client address, https)',
    ja: 'リバースプロキシの X-Forwarded-* ヘッダーを信頼する（クライアントのアドレス、https）',
  },
  'serve.option.noFetch': {
    en: 'do not watch the mailbox sources (IMAP, Microsoft Graph) kept in the settings (another sumi serve or a cron job does)',
    ja: '設定に保存したメールボックスの取得元（IMAP、Microsoft Graph）を監視しない（別の sumi serve や cron が行う場合）',
  },
  'serve.option.tlsrpt': {
    en: 'take SMTP TLS reports POSTed to /tlsrpt (RFC 8460 https rua) for these policy domains and their subdomains, comma-separated',
    ja: '/tlsrpt に POST された SMTP TLS レポート（RFC 8460 の https rua）を、これらのポリシードメインとそのサブドメインについて受け付ける（カンマ区切り）',
  },
  'serve.tlsrptListening': {
    en: "SMTP TLS reports for {domains} are taken at {url}; reporters post over https only: behind your https proxy, publish v=TLSRPTv1; rua=https://(its public name){path} in each domain's _smtp._tls TXT record",
    ja: '{domains} の SMTP TLS レポートを {url} で受け付けます。レポーターは https でのみ送るため、https のプロキシの後ろに置き、各ドメインの _smtp._tls の TXT レコードに v=TLSRPTv1; rua=https://（プロキシの公開名）{path} を公開してください',
  },
  'serve.badTlsrptDomain': {
    en: '--tlsrpt: "{value}" is not a domain name; give policy domains separated by commas, e.g. example.jp,example.com',
    ja: '--tlsrpt: 「{value}」はドメイン名ではありません。example.jp,example.com のようにポリシードメインをカンマ区切りで指定してください',
  },
  'serve.listening': { en: 'Sumi is serving on {url}', ja: 'Sumi は {url} で動作しています' },
  'serve.setupLink': {
    en: 'No admin has a password yet: set the password of "{username}" (admin) within {hours, plural, one {# hour} other {# hours}} at:\n  {url}',
    ja: 'パスワードを設定した管理者がまだいません。{hours} 時間以内に次の URL で「{username}」（管理者）のパスワードを設定してください:\n  {url}',
  },
  'serve.requestFailed': {
    en: '{method} {url} failed: {error}',
    ja: '{method} {url} が失敗しました: {error}',
  },
  'serve.retentionFailed': {
    en: 'The retention policy could not be applied (tried again within a day; its error is in the settings): {error}',
    ja: '保存ポリシーを適用できませんでした（1 日以内に再試行します。エラーは設定画面に表示されます）: {error}',
  },
  'serve.foldFailed': {
    en: 'Could not add the rollup sums a stopped ingest left to the dashboard (trying again every {seconds} s): {error}',
    ja: '停止した取り込みが残した集計を、ダッシュボードに反映できませんでした（{seconds} 秒ごとに再試行します）: {error}',
  },
  'serve.badListen': {
    en: '--listen {value}: give host:port, e.g. 127.0.0.1:8080',
    ja: '--listen {value}: 127.0.0.1:8080 のように host:port で指定してください',
  },

  'user.description': { en: 'manage dashboard accounts', ja: 'ダッシュボードのアカウントを管理する' },
  'user.add.description': {
    en: 'add a user; the password is read from stdin, or asked for on a terminal',
    ja: 'ユーザーを追加する。パスワードは標準入力から読むか、端末では入力を求める',
  },
  'user.list.description': { en: 'list users', ja: 'ユーザーを一覧表示する' },
  'user.delete.description': { en: 'delete a user', ja: 'ユーザーを削除する' },
  'user.change.description': {
    en: "change a user's role or the domains and groups they may see (what is not given stays; their sessions get the new rights at once)",
    ja: 'ユーザーの役割、閲覧できるドメインとグループを変更する（指定しないものはそのまま。セッションには直ちに反映）',
  },
  'user.option.domainChange': {
    en: 'the domains the user may see, instead of those now (repeatable)',
    ja: '閲覧できるドメイン。現在のものを置き換える（複数指定可）',
  },
  'user.option.noDomains': {
    en: 'no domains of their own (groups may still give some)',
    ja: '個別のドメインをなくす（グループによる閲覧は残る）',
  },
  'user.option.groupChange': {
    en: 'the domain groups the user may see, instead of those now (repeatable)',
    ja: '閲覧できるドメイングループ。現在のものを置き換える（複数指定可）',
  },
  'user.option.noGroups': { en: 'no domain groups', ja: 'ドメイングループをなくす' },
  'user.option.notAllDomains': {
    en: 'the user sees only their domains and groups',
    ja: '指定したドメインとグループだけを閲覧できる',
  },
  'user.changed': {
    en: 'Changed {username}: {role}, {access}.',
    ja: '{username} を変更しました: {role}、{access}。',
  },
  'user.option.role': { en: 'admin, analyst or viewer', ja: 'admin、analyst、viewer のいずれか' },
  'user.option.domain': {
    en: 'a domain the user may see (repeat for more)',
    ja: 'ユーザーが閲覧できるドメイン（複数指定可）',
  },
  'user.option.group': {
    en: 'a domain group the user may see (repeat for more)',
    ja: 'ユーザーが閲覧できるドメイングループ（複数指定可）',
  },
  'user.option.allDomains': { en: 'the user may see every domain', ja: 'すべてのドメインを閲覧できる' },
  'user.option.setupLink': {
    en: 'no password now: print a one-time setup link for this base URL instead',
    ja: 'パスワードを設定せず、このベース URL の使い捨てセットアップリンクを表示する',
  },
  'user.prompt': { en: 'Password for {username}: ', ja: '{username} のパスワード: ' },
  'user.added': { en: 'Added {username} ({role}).', ja: '{username}（{role}）を追加しました。' },
  'user.deleted': { en: 'Deleted {username}.', ja: '{username} を削除しました。' },
  'user.notFound': { en: 'No user {username}.', ja: 'ユーザー {username} はいません。' },
  'user.setupLink': {
    en: 'Set the password within {hours, plural, one {# hour} other {# hours}} at: {url}',
    ja: '{hours} 時間以内に次の URL でパスワードを設定してください: {url}',
  },
  'user.noneYet': { en: 'No users yet.', ja: 'ユーザーはまだいません。' },

  'demo.seeding': {
    en: 'Filling a demo store at {path}...',
    ja: '{path} にデモ用のストアを作成しています...',
  },
  'demo.admin': {
    en: 'Log in as {username} with password {password}',
    ja: 'ユーザー名 {username}、パスワード {password} でログインしてください',
  },
  'demo.option.noServe': {
    en: 'only check the sample domains and print the result (for scripts)',
    ja: 'サンプルドメインを検査して結果を表示するだけにする（スクリプト用）',
  },
  'demo.stop': { en: 'Press Ctrl+C to stop.', ja: '終了するには Ctrl+C を押してください。' },
} satisfies UiCatalog;

export type ServerTextKey = keyof typeof serverText;
