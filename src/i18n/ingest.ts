import type { UiCatalog } from './catalog.ts';

/** Words of `sumi ingest` and `sumi smtpd`: help, progress, summary, errors. */
export const ingestText = {
  'ingest.description': {
    en: 'store DMARC aggregate, failure and SMTP TLS reports from files, directories, mbox files, Maildir folders, stdin (-), an IMAP folder, a Microsoft 365 mailbox (Microsoft Graph) or a Google Workspace mailbox (the Gmail API)',
    ja: 'ファイル、ディレクトリ、mbox ファイル、Maildir フォルダー、標準入力（-）、IMAP フォルダー、Microsoft 365 のメールボックス（Microsoft Graph）または Google Workspace のメールボックス（Gmail API）から DMARC 集約・失敗レポートと SMTP TLS レポートを取り込む',
  },
  'ingest.help.after': {
    en: `
Inputs: report files (.xml, .xml.gz, .zip, .json, .json.gz), mails (.eml), mbox files (also
gzipped, .mbox.gz), Maildir folders, directories (read recursively, links to directories
followed, each directory read once), "-" for stdin, or one imap://user@host[:port]/FOLDER
(imaps:// for implicit TLS; folders separated by "/" whatever the server's separator, as for
--archive), or one graph://MAILBOX/FOLDER[/SUBFOLDER...] (a Microsoft 365 mailbox read through
Microsoft Graph, for tenants without IMAP; FOLDER is Inbox by default), or one
gmail://MAILBOX/LABEL[/SUBLABEL...] (a Google Workspace mailbox read through the Gmail API, for
domains that turned IMAP off; LABEL is INBOX by default, or a label's name, nested ones
separated by "/"). Running the same ingest again stores nothing new.

IMAP login: a password ($SUMI_IMAP_PASSWORD or --password-file), or an OAuth 2.0 access token
(--token-command, --token-file, --token-env) for Microsoft 365 and Gmail, which refuse passwords,
or one Sumi gets itself as a Microsoft Entra ID application with the client credentials grant
(--tenant contoso.onmicrosoft.com --client-id ID --client-secret-env SUMI_CLIENT_SECRET; the
application needs the permission IMAP.AccessAsApp, and its service principal in Exchange Online
permission on the mailbox; --token-url names another token endpoint, --scope another scope), or,
for Google Workspace, one Sumi gets itself as a service account acting as the URL's user
(--google-key /etc/sumi/google-key.json, the account's JSON key; it needs domain-wide delegation
of the scope https://mail.google.com/, which --scope may replace).

graph://: an access token for https://graph.microsoft.com (--token-command 'az account
get-access-token --resource https://graph.microsoft.com --query accessToken -o tsv', --token-file
or --token-env, or client credentials: --tenant contoso.onmicrosoft.com --client-id ID
--client-secret-env SUMI_CLIENT_SECRET) of an application granted Mail.ReadWrite (an application
permission, or the delegated one for the signed-in user's mailbox). Processed mail is moved to --archive, or given
the category --flag; one pass per run (from cron or a systemd timer), or with --watch one every
--interval seconds.

gmail://: an access token of the mailbox's user for the scope
https://www.googleapis.com/auth/gmail.modify, which Sumi gets itself as a service account acting
as that user (--google-key /etc/sumi/google-key.json; the account needs domain-wide delegation of
that scope in the Google Workspace admin console, and the Gmail API enabled in its project;
--scope asks for another), or from --token-command, --token-file or --token-env. Processed mail
is given the label --archive (created if missing) and loses the label it was read from, or is
given the label --flag; one pass per run, or with --watch one every --interval seconds.

--watch: an IMAP folder is waited on with IDLE; folders (directories, Maildirs) are listed again
every --interval seconds and soon after they change, with a line for each listing that found
inputs; a graph:// folder or gmail:// label is read again every --interval seconds. IMAP,
graph:// and gmail:// wait out a server that cannot be reached (and the APIs' 5xx answers),
trying again a little later. Ctrl-C or SIGTERM ends a watch (exit status 0, or 2 if some input
gave no report).

An input that holds no report is kept in the store's quarantine and listed as failed; one that
cannot be read (a directory or file this user may not read, a link to nothing) is listed too.
With --leave-other-mail, mail with nothing like a report in it (someone's own mail in an IMAP
folder, Maildir or mbox the reports share) is left as it is instead: not kept, not a failure,
and on IMAP not moved.

With --from-mta, stdin is one mail a mail server delivers through a pipe (/etc/aliases:
dmarc: "|sumi ingest --from-mta --db ..."): the exit status tells the server whether the mail was
kept (0, also when it held no report and went to the quarantine) or must be delivered again later
(75), so no report bounces while the store is down.

Exit status: 0 every input was stored (or was already); 2 bad usage, or some input gave no
report (each one is listed with its reason and kept in the quarantine; the others are stored);
1 a runtime failure (the store, the IMAP server, Microsoft Graph or the Gmail API failed); 130 stopped by Ctrl-C or SIGTERM
(what the summary counts is stored: the reports under way when it came are finished first).`,
    ja: `
入力: レポートファイル（.xml、.xml.gz、.zip、.json、.json.gz）、メール（.eml）、mbox ファイル
（gzip 圧縮の .mbox.gz も）、Maildir フォルダー、ディレクトリ（再帰的に読み込み。ディレクトリへの
リンクもたどり、同じディレクトリは 1 回だけ読む）、標準入力の "-"、または
imap://user@host[:port]/FOLDER（暗黙的 TLS は imaps://。フォルダーの区切りはサーバーによらず "/"。
--archive も同じ）を 1 つ、または graph://MAILBOX/FOLDER[/SUBFOLDER...]（Microsoft Graph で読む
Microsoft 365 のメールボックス。IMAP を使えないテナント向け。FOLDER の既定は Inbox）を 1 つ、または
gmail://MAILBOX/LABEL[/SUBLABEL...]（Gmail API で読む Google Workspace のメールボックス。IMAP を
無効にしたドメイン向け。LABEL の既定は INBOX。ラベル名で指定し、入れ子のラベルは "/" で区切る）を 1 つ。
同じ取り込みをもう一度実行しても新しく保存されるものはありません。

IMAP のログイン: パスワード（$SUMI_IMAP_PASSWORD または --password-file）、または OAuth 2.0
アクセストークン（--token-command、--token-file、--token-env）。パスワードを受け付けない
Microsoft 365 と Gmail ではトークンを使います。Microsoft Entra ID のアプリケーションとして
クライアント資格情報フローでトークンを Sumi 自身が取得することもできます（--tenant
contoso.onmicrosoft.com --client-id ID --client-secret-env SUMI_CLIENT_SECRET。アプリケーションには
IMAP.AccessAsApp の権限と、Exchange Online のサービスプリンシパルへのメールボックスの権限が必要です。
別のトークンエンドポイントは --token-url、別のスコープは --scope で指定します）。Google Workspace では、
URL のユーザーとして振る舞うサービスアカウントでトークンを Sumi 自身が取得することもできます
（--google-key /etc/sumi/google-key.json。サービスアカウントの JSON 鍵です。スコープ
https://mail.google.com/ のドメイン全体の委任が必要で、スコープは --scope で変えられます）。

graph://: https://graph.microsoft.com 用のアクセストークン（--token-command 'az account
get-access-token --resource https://graph.microsoft.com --query accessToken -o tsv'、--token-file、
--token-env、またはクライアント資格情報: --tenant contoso.onmicrosoft.com --client-id ID
--client-secret-env SUMI_CLIENT_SECRET）。アプリケーションには Mail.ReadWrite の権限（アプリケーションの許可、またはサインイン
したユーザー自身のメールボックスなら委任された許可）が必要です。処理済みメールは --archive に移動するか、
--flag の分類項目を付けます。1 回の実行で 1 回読みます（cron や systemd タイマーから実行）。--watch を
指定すると --interval 秒ごとに読みます。

gmail://: メールボックスのユーザーの、スコープ https://www.googleapis.com/auth/gmail.modify の
アクセストークン。そのユーザーとして振る舞うサービスアカウントで Sumi 自身が取得するか
（--google-key /etc/sumi/google-key.json。サービスアカウントには Google Workspace の管理コンソールで
このスコープのドメイン全体の委任と、そのプロジェクトでの Gmail API の有効化が必要です。別のスコープは
--scope で指定します）、--token-command、--token-file、--token-env から得ます。処理済みメールには
ラベル --archive を付け（なければ作成）、読んだラベルを外します。または --flag のラベルを付けます。
1 回の実行で 1 回読み、--watch を指定すると --interval 秒ごとに読みます。

--watch: IMAP フォルダーは IDLE で待ちます。フォルダー（ディレクトリ、Maildir）は --interval 秒ごとと
変更の直後に読み直し、入力が見つかるたびに 1 行表示します。graph:// のフォルダーと gmail:// のラベルは
--interval 秒ごとに読み直します。IMAP、graph://、gmail:// は、サーバーに接続できないとき（と API の
5xx の応答）は少し待ってもう一度試します。Ctrl-C または SIGTERM で終了します（終了コード 0、レポートを含まない入力があれば 2）。

レポートを含まない入力はストアの隔離領域に保存され、失敗として一覧表示されます。読み取れない入力
（このユーザーが読めないディレクトリやファイル、リンク先のないリンク）も一覧表示されます。
--leave-other-mail を指定すると、レポートらしいものを含まないメール（レポートと同じ IMAP フォルダー、
Maildir、mbox に届く人宛てのメール）はそのまま残します。隔離領域に保存せず、失敗にもせず、IMAP では
移動もしません。

--from-mta を指定すると、標準入力はメールサーバーがパイプで配送する 1 通のメールです（/etc/aliases:
dmarc: "|sumi ingest --from-mta --db ..."）。終了コードでメールを保管できたか（0。レポートを含まず
隔離領域に保管した場合も）、後で再送が必要か（75）をサーバーに伝えるので、ストアの停止中もレポートは
差し戻されません。

終了コード: 0 すべての入力を保存した（または保存済みだった）。2 使い方の誤り、またはレポートを
含まない入力があった（理由とともに一覧表示し、隔離領域に保存。他の入力は保存済み）。
1 実行時の障害（ストア、IMAP サーバー、Microsoft Graph または Gmail API の障害）。130 Ctrl-C または SIGTERM で停止（処理中のレポートを
保存してから止まり、集計に示した分は保存済み）。`,
  },
  'option.db': {
    en: 'store: a SQLite file or a postgres:// URL (default: $SUMI_DB, else $XDG_DATA_HOME/sumi/sumi.db)',
    ja: 'ストア: SQLite ファイルまたは postgres:// URL（既定: $SUMI_DB、なければ $XDG_DATA_HOME/sumi/sumi.db）',
  },
  'option.json': {
    en: 'print one JSON object: reports, duplicates, records, messages, failure_reports, tls_reports, other_mail (with --leave-other-mail, when some), failed ([{source, code, error}]); error when the store failed mid-run, interrupted when Ctrl-C or SIGTERM stopped it',
    ja: 'JSON オブジェクトを 1 つ出力する: reports, duplicates, records, messages, failure_reports, tls_reports, other_mail（--leave-other-mail で該当があるとき）, failed（[{source, code, error}]）。途中でストアが失敗したときは error、Ctrl-C や SIGTERM で止めたときは interrupted',
  },
  'quarantine.option.json': {
    en: 'print one JSON object: list, {quarantine: [...]}; retry, {retried, released} and the keys of sumi ingest --json',
    ja: 'JSON オブジェクトを 1 つ出力する: list は {quarantine: [...]}、retry は {retried, released} と sumi ingest --json のキー',
  },
  'option.watch': {
    en: 'keep ingesting what arrives: IMAP stays connected (IDLE), reconnecting after faults; folders (directories, Maildirs) and files (an mbox spool, of which only the mails appended are read) are listed again every --interval seconds and soon after they change; a graph:// folder or gmail:// label is read again every --interval seconds, trying again later after faults',
    ja: '届いたものを取り込み続ける: IMAP は接続したまま（IDLE）待ち、障害の後は再接続する。フォルダー（ディレクトリ、Maildir）とファイル（mbox のスプール。追加されたメールだけを読む）は --interval 秒ごとと変更の直後に読み直す。graph:// のフォルダーと gmail:// のラベルは --interval 秒ごとに読み直し、障害の後は少し待ってもう一度試す',
  },
  'option.interval': {
    en: 'with --watch on folders, graph:// or gmail://: seconds between listings (default: {seconds}; in folders, a change the file system reports is read sooner)',
    ja: 'フォルダー、graph://、gmail:// の --watch で一覧を読み直す間隔（秒、既定: {seconds}。フォルダーではファイルシステムが知らせた変更はその前に読む）',
  },
  'option.passwordEnv': {
    en: 'IMAP: name of the environment variable holding the password',
    ja: 'IMAP: パスワードを入れた環境変数の名前',
  },
  'option.passwordFile': {
    en: 'IMAP: file holding the password (first line)',
    ja: 'IMAP: パスワードを書いたファイル（1 行目）',
  },
  'option.graphUrl': {
    en: 'graph://: the base URL of Microsoft Graph, for national clouds (default: {url}; https:// only)',
    ja: 'graph://: Microsoft Graph のベース URL。各国のクラウド用（既定: {url}。https:// のみ）',
  },
  'option.gmailUrl': {
    en: 'gmail://: the base URL of the Gmail API (default: {url}; https:// only)',
    ja: 'gmail://: Gmail API のベース URL（既定: {url}。https:// のみ）',
  },
  'option.tokenCommand': {
    en: 'IMAP, graph://, gmail://: log in with an OAuth 2.0 access token (Microsoft 365, Gmail) printed by this shell command, run at every connection (e.g. "az account get-access-token --resource https://outlook.office365.com --query accessToken -o tsv"; for graph://, --resource https://graph.microsoft.com)',
    ja: 'IMAP、graph://、gmail://: このシェルコマンドが出力する OAuth 2.0 アクセストークンでログインする（Microsoft 365、Gmail）。接続のたびに実行（例: "az account get-access-token --resource https://outlook.office365.com --query accessToken -o tsv"。graph:// では --resource https://graph.microsoft.com）',
  },
  'option.tokenFile': {
    en: 'IMAP, graph://, gmail://: log in with the OAuth 2.0 access token in this file (first line), read again at every connection',
    ja: 'IMAP、graph://、gmail://: このファイル（1 行目）の OAuth 2.0 アクセストークンでログインする。接続のたびに読み直す',
  },
  'option.tokenEnv': {
    en: 'IMAP, graph://, gmail://: log in with the OAuth 2.0 access token in this environment variable',
    ja: 'IMAP、graph://、gmail://: この環境変数の OAuth 2.0 アクセストークンでログインする',
  },
  'option.clientId': {
    en: 'IMAP, graph://: get access tokens as this application (its client id) with the OAuth 2.0 client credentials grant, a fresh one whenever the mailbox asks again; with --client-secret-env or --client-secret-file, and --tenant or --token-url',
    ja: 'IMAP、graph://: このアプリケーション（クライアント ID）として OAuth 2.0 のクライアント資格情報フローでアクセストークンを取得する。メールボックスが求めるたびに取り直す。--client-secret-env か --client-secret-file、および --tenant か --token-url と一緒に指定',
  },
  'option.clientSecretEnv': {
    en: "with --client-id: name of the environment variable holding the application's client secret",
    ja: '--client-id と一緒に: アプリケーションのクライアントシークレットを入れた環境変数の名前',
  },
  'option.clientSecretFile': {
    en: "with --client-id: file holding the application's client secret (first line), read again at each token request (a rotated secret is taken up)",
    ja: '--client-id と一緒に: アプリケーションのクライアントシークレットを書いたファイル（1 行目）。トークンを要求するたびに読み直す（差し替えたシークレットも反映）',
  },
  'option.tenant': {
    en: 'with --client-id: the Microsoft Entra ID tenant (contoso.onmicrosoft.com, or its id) whose token endpoint at login.microsoftonline.com is asked',
    ja: '--client-id と一緒に: Microsoft Entra ID のテナント（contoso.onmicrosoft.com またはその ID）。login.microsoftonline.com のそのテナントのトークンエンドポイントに要求する',
  },
  'option.tokenUrl': {
    en: 'with --client-id: the OAuth 2.0 token endpoint to ask instead of --tenant (national clouds: https://login.microsoftonline.us/TENANT/oauth2/v2.0/token; https:// only)',
    ja: '--client-id と一緒に: --tenant の代わりに要求する OAuth 2.0 トークンエンドポイント（各国のクラウド: https://login.microsoftonline.us/TENANT/oauth2/v2.0/token。https:// のみ）',
  },
  'option.googleKey': {
    en: "IMAP, gmail://: get access tokens as this Google service account (its JSON key file) acting as the URL's user, with Google Workspace's domain-wide delegation (the JWT bearer grant), a fresh one at every connection (gmail://: whenever the API refuses the one it has), the file read again each time (a new key is taken up)",
    ja: 'IMAP、gmail://: この Google サービスアカウント（JSON 鍵ファイル）として、Google Workspace のドメイン全体の委任により URL のユーザーとして振る舞うアクセストークンを取得する（JWT ベアラーフロー）。接続のたびに（gmail:// では API が手持ちのトークンを拒否するたびに）取り直し、そのたびにファイルを読み直す（新しい鍵も反映）',
  },
  'option.scope': {
    en: "with --client-id or --google-key: the scope asked for (default: for graph://, https://graph.microsoft.com/.default, or --graph-url's origin followed by /.default; for IMAP, https://outlook.office365.com/.default; with --google-key, https://mail.google.com/ for IMAP and https://www.googleapis.com/auth/gmail.modify for gmail://)",
    ja: '--client-id か --google-key と一緒に: 要求するスコープ（既定: graph:// では https://graph.microsoft.com/.default、--graph-url を指定したときはその origin に /.default を付けたもの。IMAP では https://outlook.office365.com/.default。--google-key では IMAP は https://mail.google.com/、gmail:// は https://www.googleapis.com/auth/gmail.modify）',
  },
  'option.archive': {
    en: 'IMAP, graph://: folder processed mail is moved to, created if missing (gmail://: the label processed mail is given instead of the one it was read from)',
    ja: 'IMAP、graph://: 処理済みメールの移動先フォルダー（なければ作成。gmail:// では、処理済みメールから読んだラベルを外して代わりに付けるラベル）',
  },
  'option.flag': {
    en: 'IMAP: mark processed mail with this keyword instead of moving it (graph://: this category; gmail://: this label, created if missing)',
    ja: 'IMAP: 処理済みメールを移動せず、このキーワードを付ける（graph:// ではこの分類項目。gmail:// ではこのラベルで、なければ作成）',
  },
  'option.leaveOtherMail': {
    en: "leave mail with nothing like a report in it (no XML, JSON, gzip or zip: people's own mail in a shared mailbox; IMAP, Maildir, mbox, .eml) as it is, instead of keeping it in the quarantine as a failure (and on IMAP moving it); on IMAP it is marked with the keyword {keyword} where the server keeps keywords, so that later runs do not fetch it again (on graph://, the category SumiOtherMail; on gmail://, the label SumiOtherMail)",
    ja: 'レポートらしいもの（XML、JSON、gzip、zip）を含まないメール（共有メールボックスに届く人宛てのメール。IMAP、Maildir、mbox、.eml）を、失敗として隔離領域に保存する（IMAP では移動する）代わりにそのまま残す。IMAP ではサーバーがキーワードを保持できる場合は {keyword} を付け、次回以降は取得しない（graph:// では分類項目 SumiOtherMail、gmail:// ではラベル SumiOtherMail）',
  },
  'option.fromMta': {
    en: 'stdin is one mail a mail server delivers through a pipe (an alias "|sumi ingest --from-mta"): exit 0 once it is stored or kept in the quarantine, {tempfail} (try again later) when it could not be kept, {usage} on bad usage',
    ja: '標準入力はメールサーバーがパイプで配送する 1 通のメール（エイリアス "|sumi ingest --from-mta"）。保存または隔離領域に保管できれば終了コード 0、保管できなければ {tempfail}（後で再送）、使い方の誤りは {usage}',
  },
  'option.starttls': {
    en: 'IMAP (imap://): STARTTLS required, optional (used when offered) or off',
    ja: 'IMAP（imap://）: STARTTLS を required（必須）、optional（提供されれば使う）、off（使わない）',
  },
  'option.insecure': {
    en: 'IMAP: accept a server certificate that does not verify (labs only)',
    ja: 'IMAP: 検証できないサーバー証明書を受け入れる（検証環境専用）',
  },
  'option.concurrency': {
    en: 'inputs under way at once (default: {sqlite} with SQLite, {postgres} with PostgreSQL; fewer hold less memory and store in smaller transactions)',
    ja: '同時に処理する入力の数（既定: SQLite では {sqlite}、PostgreSQL では {postgres}。少なくするとメモリの使用量が減り、トランザクションが小さくなります）',
  },
  'progress.line': {
    en: '{reports, plural, one {# report} other {# reports}}, {records, plural, one {# record} other {# records}}, {rate} reports/s',
    ja: 'レポート {reports} 件、レコード {records} 件、{rate} 件/秒',
  },
  'progress.eta': { en: 'ETA {eta}', ja: '残り {eta}' },
  'summary.stored': {
    en: 'Stored {reports, plural, one {# aggregate report} other {# aggregate reports}} ({records, plural, one {# record} other {# records}}, {messages, plural, one {# message} other {# messages}}), {failureReports, plural, one {# failure report} other {# failure reports}} and {tlsReports, plural, one {# TLS report} other {# TLS reports}} from {inputs, plural, one {# input} other {# inputs}} in {seconds} s.',
    ja: '{inputs} 件の入力から集約レポート {reports} 件（レコード {records} 件、メッセージ {messages} 通）、失敗レポート {failureReports} 件、TLS レポート {tlsReports} 件を {seconds} 秒で保存しました。',
  },
  'summary.duplicates': {
    en: '{duplicates, plural, one {# report was} other {# reports were}} already stored.',
    ja: '{duplicates} 件のレポートは保存済みでした。',
  },
  'interrupt.finishing': {
    en: 'stopping: the reports under way are being stored (Ctrl-C again stops at once, and they are not)',
    ja: '停止中: 処理中のレポートを保存しています（もう一度 Ctrl-C を押すとすぐに止まり、それらは保存されません）',
  },
  'interrupt.tooLong': {
    en: 'what was under way did not finish within {seconds} s (a read that does not end, or a store another process keeps locked?): stopped now; what was not committed is not stored, run the same command again for it',
    ja: '処理中のものが {seconds} 秒以内に終わりませんでした（終わらない読み込み、または別のプロセスがロックしたままのストア？）: ここで止めます。コミットされていないものは保存されていません。同じコマンドをもう一度実行してください',
  },
  'interrupt.nothingLeft': {
    en: 'every input had been read when the stop came: nothing was left undone',
    ja: '停止の時点で入力はすべて読み終えていました。やり残したものはありません',
  },
  'interrupt.stopped': {
    en: 'interrupted: what is above is stored; run the same command again for the rest (what is stored is skipped as duplicates)',
    ja: '中断しました: 上記の分は保存済みです。残りは同じコマンドをもう一度実行してください（保存済みのものは重複として飛ばされます）',
  },
  'summary.copies': {
    en: "{copies} of them had the identity of a stored report (its reporter and report ID) but other content. Of each report's copies the fullest (most messages, then most records) is counted, whatever order they came in; the others are kept beside it.",
    ja: 'そのうち {copies} 件は保存済みのレポートと同じ識別子（報告者とレポート ID）で内容が異なりました。届いた順序にかかわらず、各レポートの写しのうち最も多くを含むもの（メッセージ数、次にレコード数が最多のもの）を集計に使い、ほかはその写しとして保存しています。',
  },
  'summary.recounted': {
    en: '{recounted, plural, one {# of these was fuller than the copy stored before and is counted in its place} other {# of these were fuller than the copies stored before and are counted in their place}}, {change}',
    ja: 'このうち {recounted} 件は保存済みの写しより多くを含むため、それに代えて集計に使います。{change}',
  },
  'summary.recountChange.both': {
    en: 'which changed the records counted by {records} and the messages by {messages}.',
    ja: 'これにより集計されるレコードは {records} 件、メッセージは {messages} 通変わりました。',
  },
  'summary.recountChange.records': {
    en: 'which changed the records counted by {records}.',
    ja: 'これにより集計されるレコードは {records} 件変わりました。',
  },
  'summary.recountChange.messages': {
    en: 'which changed the messages counted by {messages}.',
    ja: 'これにより集計されるメッセージは {messages} 通変わりました。',
  },
  'summary.recountChange.none': {
    en: 'which left the records and messages counted as they were.',
    ja: '集計されるレコードとメッセージの数は変わりませんでした。',
  },
  'summary.otherMail': {
    en: '{count, plural, one {# mail held nothing like a report and was left as it was} other {# mails held nothing like a report and were left as they were}} (--leave-other-mail).',
    ja: 'レポートらしいものを含まないメール {count} 通をそのまま残しました（--leave-other-mail）。',
  },
  'summary.failed': {
    en: '{count, plural, one {# input or part of a mail gave no report; it is kept in the quarantine if it could be read:} other {# inputs or parts of mails gave no report; those that could be read are kept in the quarantine:}}',
    ja: '{count} 件の入力またはメールの一部からレポートを読み取れませんでした。読み取れたものは隔離領域に保存しています:',
  },
  'error.badImapKeyword': {
    en: '--flag {value} is not an IMAP keyword: ASCII letters, digits and punctuation but ( ) { % * " \\ ] and no space (e.g. $SumiProcessed)',
    ja: '--flag {value} は IMAP のキーワードではありません。使えるのは ASCII の英数字と記号（( ) { % * " \\ ] と空白を除く）です（例: $SumiProcessed）',
  },
  'error.flagIsLabel': {
    en: '--flag {flag} is the label read: mail carrying it is passed over, and nothing would be read; name another label',
    ja: '--flag {flag} は読み取るラベルそのものです。そのラベルの付いたメールは読み飛ばされ、何も読み取られません。別のラベルを指定してください',
  },
  'error.badArchive': { en: '--archive: {problem}', ja: '--archive: {problem}' },
  'archive.problem.empty': {
    en: 'the name is empty: give the folder processed mail is moved to',
    ja: '名前が空です。処理済みのメールを移すフォルダーを指定してください',
  },
  'archive.problem.spaces': {
    en: '"{archive}" begins or ends with a space (or one of its levels does): some servers keep it, making a folder that looks like another, and others drop it; remove it',
    ja: '"{archive}" の先頭か末尾（またはその階層のどれか）に空白があります。サーバーによっては空白が残ってほかと見分けのつかないフォルダーになり、削られることもあります。空白を取り除いてください',
  },
  'archive.problem.trailing-dot': {
    en: '{archive} ends a level with ".", which servers such as Dovecot and Courier take as the separator of folder levels: the folder is made without it and no mail can be moved into it; remove the dot (levels are written with "/")',
    ja: '{archive} は階層が「.」で終わっています。Dovecot や Courier などのサーバーは「.」をフォルダー階層の区切りとみなすため、フォルダーは「.」なしで作られ、メールをそこへ移せません。「.」を取り除いてください（階層は「/」で区切って書きます）',
  },
  'error.archiveIsFolder': {
    en: '--archive {archive} is the folder read: mail moved there would be read again as new; name another folder, or mark processed mail with --flag',
    ja: '--archive {archive} は読み取るフォルダーそのものです。移したメールが新着として再び読まれます。別のフォルダーを指定するか、--flag で処理済みのメールに印を付けてください',
  },
  'error.storeFailedMidRun': {
    en: '{message}. What the summary counts is stored; once the store can be written, the same ingest run again stores the rest',
    ja: '{message}。集計にあるものは保存済みです。ストアに書き込めるようになったら、同じ取り込みをもう一度実行すると残りが保存されます',
  },
  'error.noInput': {
    en: 'give at least one path, "-", an imap://, a graph:// or a gmail:// URL',
    ja: 'パス、"-"、imap:// URL、graph:// URL または gmail:// URL を 1 つ以上指定してください',
  },
  'error.pathMissing': {
    en: '{path}: no such file or directory',
    ja: '{path}: ファイルまたはディレクトリがありません',
  },
  'error.imapAlone': {
    en: 'an imap://, graph:// or gmail:// URL must be the only input',
    ja: 'imap:// URL、graph:// URL、gmail:// URL は唯一の入力として指定してください',
  },
  'error.badGraphUrl': {
    en: '{url}: give graph://MAILBOX/FOLDER[/SUBFOLDER...] (MAILBOX a user principal name or id)',
    ja: '{url}: graph://MAILBOX/FOLDER[/SUBFOLDER...] の形で指定してください（MAILBOX はユーザープリンシパル名または ID）',
  },
  'error.badGraphBase': {
    en: '--graph-url {url}: give an https:// URL (Microsoft Graph is reached over https:// only)',
    ja: '--graph-url {url}: https:// の URL を指定してください（Microsoft Graph には https:// でのみ接続します）',
  },
  'error.graphNeedsToken': {
    en: 'graph:// reads the mailbox with an OAuth 2.0 access token, not a password: give --token-command, --token-file, --token-env, or --client-id (client credentials)',
    ja: 'graph:// はパスワードではなく OAuth 2.0 アクセストークンでメールボックスを読みます。--token-command、--token-file、--token-env、--client-id（クライアント資格情報）のどれかを指定してください',
  },
  'error.badGmailUrl': {
    en: "{url}: give gmail://MAILBOX/LABEL[/SUBLABEL...] (MAILBOX the mailbox's address, LABEL INBOX or a label's name)",
    ja: '{url}: gmail://MAILBOX/LABEL[/SUBLABEL...] の形で指定してください（MAILBOX はメールボックスのアドレス、LABEL は INBOX またはラベル名）',
  },
  'error.badGmailBase': {
    en: '--gmail-url {url}: give an https:// URL (the Gmail API is reached over https:// only)',
    ja: '--gmail-url {url}: https:// の URL を指定してください（Gmail API には https:// でのみ接続します）',
  },
  'error.baseUrlFor': {
    en: '{option} is for {scheme} URLs only',
    ja: '{option} は {scheme} の URL でのみ使います',
  },
  'error.gmailNeedsToken': {
    en: 'gmail:// reads the mailbox with an OAuth 2.0 access token, not a password: give --google-key (a service account with domain-wide delegation), --token-command, --token-file or --token-env',
    ja: 'gmail:// はパスワードではなく OAuth 2.0 アクセストークンでメールボックスを読みます。--google-key（ドメイン全体の委任を受けたサービスアカウント）、--token-command、--token-file、--token-env のどれかを指定してください',
  },
  'error.gmailClientId': {
    en: '--client-id: gmail:// is read as a Google service account (--google-key), not as a Microsoft Entra ID application; or give --token-command, --token-file or --token-env',
    ja: '--client-id: gmail:// は Microsoft Entra ID のアプリケーションではなく Google のサービスアカウント（--google-key）として読みます。または --token-command、--token-file、--token-env を指定してください',
  },
  'error.gmailToken': {
    en: 'no access token for the Gmail API: {detail}',
    ja: 'Gmail API のアクセストークンが得られません: {detail}',
  },
  'error.graphToken': {
    en: 'no access token for Microsoft Graph: {detail}',
    ja: 'Microsoft Graph のアクセストークンが得られません: {detail}',
  },
  'error.notAFolder': {
    en: '--watch watches folders and files (an mbox spool), or one imap://, graph:// or gmail:// URL: {path} is neither a folder nor a file',
    ja: '--watch で待てるのはフォルダーとファイル（mbox のスプール）か、1 つの imap://、graph://、gmail:// URL です: {path} はフォルダーでもファイルでもありません',
  },
  'error.fromMtaStdin': {
    en: '--from-mta reads one mail from stdin (a mail server\'s pipe): give no path, or "-", and no --watch',
    ja: '--from-mta は標準入力から 1 通のメールを読みます（メールサーバーのパイプ）。パスは指定しないか "-" にし、--watch は使えません',
  },
  'error.fromMtaNotKept': {
    en: 'the mail was not kept; the mail server is told to try again later (exit {status}): {reason}',
    ja: 'メールを保存できませんでした。メールサーバーには後で再送するよう伝えます（終了コード {status}）: {reason}',
  },
  'error.intervalNeedsWatch': {
    en: '--interval is for --watch on folders, files, graph:// or gmail://',
    ja: '--interval はフォルダー、ファイル、graph://、gmail:// の --watch で使います',
  },
  'error.badImapUrl': {
    en: '{url}: give imap://user@host[:port]/FOLDER or imaps://...',
    ja: '{url}: imap://user@host[:port]/FOLDER または imaps://... の形で指定してください',
  },
  'error.emptyPasswordFile': {
    en: "{file}: the password file's first line is empty (the password is its first line)",
    ja: '{file}: パスワードファイルの 1 行目が空です（1 行目をパスワードとして読みます）',
  },
  'error.noPassword': {
    en: 'no IMAP password: set {env} or give --password-file',
    ja: 'IMAP のパスワードがありません: {env} を設定するか --password-file を指定してください',
  },
  'serve.noPassword': {
    en: 'no IMAP password: set {env} in the environment of sumi serve',
    ja: 'IMAP のパスワードがありません: sumi serve の環境に {env} を設定してください',
  },
  'serve.noSecret': {
    en: 'no application secret: set {env} in the environment of sumi serve',
    ja: 'アプリケーションのシークレットがありません: sumi serve の環境に {env} を設定してください',
  },
  'serve.noGoogleKey': {
    en: 'no service account key: set {env} in the environment of sumi serve to the JSON key Google gave',
    ja: 'サービスアカウントの鍵がありません: sumi serve の環境の {env} に Google が発行した JSON の鍵を設定してください',
  },
  'serve.envNotAllowed': {
    en: 'the environment variable {env} is not one a mailbox source may name: name it SUMI_..._PASSWORD or SUMI_..._SECRET',
    ja: '環境変数 {env} はメールボックスの取得元に指定できません: SUMI_..._PASSWORD または SUMI_..._SECRET という名前にしてください',
  },
  'error.token': {
    en: 'no IMAP access token: {detail}',
    ja: 'IMAP のアクセストークンが得られません: {detail}',
  },
  'error.tokenSources': {
    en: 'give one of --token-command, --token-file, --token-env, --client-id, --google-key',
    ja: '--token-command、--token-file、--token-env、--client-id、--google-key のどれか 1 つを指定してください',
  },
  'error.googleKeyMe': {
    en: '--google-key: a service account acts as a user named by address: give the mailbox as gmail://dmarc@example.jp/LABEL, not me',
    ja: '--google-key: サービスアカウントはアドレスで指定したユーザーとして振る舞います。メールボックスは me ではなく gmail://dmarc@example.jp/LABEL のように指定してください',
  },
  'error.googleKeyGraph': {
    en: '--google-key: a Google service account does not sign in to Microsoft Graph; give --token-command, --token-file, --token-env or --client-id',
    ja: '--google-key: Google のサービスアカウントでは Microsoft Graph にサインインできません。--token-command、--token-file、--token-env、--client-id のどれかを指定してください',
  },
  'error.googleKey': {
    en: '--google-key {file}: {problem}',
    ja: '--google-key {file}: {problem}',
  },
  // Why a file is not a Google service account key (the key itself is never quoted).
  'googleKey.reason.notJson': {
    en: 'not a JSON object: not a service account key',
    ja: 'JSON オブジェクトではありません。サービスアカウントの鍵ではありません',
  },
  'googleKey.reason.type': {
    en: 'type is {type}, not "service_account": not a service account key',
    ja: 'type が "service_account" ではなく {type} です。サービスアカウントの鍵ではありません',
  },
  'googleKey.reason.missing': {
    en: 'no {field} (a string) in the service account key',
    ja: 'サービスアカウントの鍵に {field}（文字列）がありません',
  },
  'googleKey.reason.privateKey': {
    en: 'private_key is not a PEM RSA private key',
    ja: 'private_key が PEM 形式の RSA 秘密鍵ではありません',
  },
  'googleKey.reason.tokenUri': {
    en: 'token_uri is not an https:// URL: {url}',
    ja: 'token_uri が https:// の URL ではありません: {url}',
  },
  'error.clientIdMissing': {
    en: '{options}: for client credentials, give --client-id too',
    ja: '{options}: クライアント資格情報を使うには --client-id も指定してください',
  },
  'error.emptyClientId': {
    en: "--client-id: give the application's client id",
    ja: '--client-id: アプリケーションのクライアント ID を指定してください',
  },
  'error.clientSecret': {
    en: '--client-id: give the client secret with one of --client-secret-env, --client-secret-file (never on the command line)',
    ja: '--client-id: クライアントシークレットを --client-secret-env か --client-secret-file のどちらか 1 つで指定してください（コマンドラインには書けません）',
  },
  'error.clientEndpoint': {
    en: '--client-id: give one of --tenant (Microsoft Entra ID) or --token-url (any OAuth 2.0 token endpoint)',
    ja: '--client-id: --tenant（Microsoft Entra ID）か --token-url（任意の OAuth 2.0 トークンエンドポイント）のどちらか 1 つを指定してください',
  },
  'error.badTenant': {
    en: "--tenant {tenant}: give the tenant's domain name (contoso.onmicrosoft.com) or its id (a GUID)",
    ja: '--tenant {tenant}: テナントのドメイン名（contoso.onmicrosoft.com）またはその ID（GUID）を指定してください',
  },
  'error.badTokenUrl': {
    en: '--token-url {url}: give an https:// URL (a token endpoint is asked over https:// only)',
    ja: '--token-url {url}: https:// の URL を指定してください（トークンエンドポイントには https:// でのみ接続します）',
  },
  'error.noClientSecret': {
    en: 'no client secret in {where}',
    ja: '{where} にクライアントシークレットがありません',
  },
  // Why a token endpoint gave no token, after its URL and client id; its own words are quoted as they came.
  'token.reason.unreachable': {
    en: 'cannot be reached: {reason}',
    ja: '接続できません: {reason}',
  },
  'token.reason.tls': { en: 'TLS failed: {reason}', ja: 'TLS に失敗しました: {reason}' },
  'token.reason.timedOut': {
    en: 'no answer within {seconds} s',
    ja: '{seconds} 秒以内に応答がありません',
  },
  'token.reason.status': { en: 'answered HTTP {status}', ja: 'HTTP {status} を返しました' },
  'token.reason.statusSaid': {
    en: 'answered HTTP {status}: {said}',
    ja: 'HTTP {status} を返しました: {said}',
  },
  'token.reason.notJson': {
    en: 'answered with something that is not JSON',
    ja: 'JSON ではない応答を返しました',
  },
  'token.reason.noToken': {
    en: 'answered without an access_token',
    ja: 'access_token のない応答を返しました',
  },
  'token.reason.tooLarge': {
    en: 'answered with more than {max} bytes',
    ja: '{max} バイトを超える応答を返しました',
  },
  'error.badNumber': {
    en: '{option} {value}: give a positive whole number',
    ja: '{option} {value}: 正の整数を指定してください',
  },
  'input-too-large': {
    en: '{source}: {size, plural, one {# byte} other {# bytes}}, more than the limit of {limit} an input may have; left where it is (a gzipped report may unpack to {unpacked, plural, one {# byte} other {# bytes}}: gzip a larger XML file first)',
    ja: '{source}: {size} バイトあり、入力の上限 {limit} を超えています。元の場所に残しています（gzip 圧縮したレポートは {unpacked} バイトまで展開できます。大きな XML ファイルは先に gzip で圧縮してください）',
  },
  'input-unreadable': {
    en: '{source}: cannot be read ({detail})',
    ja: '{source}: 読み取れません（{detail}）',
  },
  'store-refused': {
    en: '{source}: the store refused a value: {message}',
    ja: '{source}: ストアが値を受け付けませんでした: {message}',
  },
  'imap.connected': {
    en: 'connected to {host}, folder {folder}: {count, plural, one {# mail} other {# mails}} to ingest',
    ja: '{host} に接続しました。フォルダー {folder} の取り込むメール: {count} 通',
  },
  'graph.connected': {
    en: 'Microsoft Graph {server}, mailbox {mailbox}, folder {folder}: {count, plural, one {# mail} other {# mails}} to ingest',
    ja: 'Microsoft Graph {server}、メールボックス {mailbox}、フォルダー {folder} の取り込むメール: {count} 通',
  },
  'gmail.connected': {
    en: 'Gmail API {server}, mailbox {mailbox}, label {label}: {count, plural, one {# mail} other {# mails}} to ingest',
    ja: 'Gmail API {server}、メールボックス {mailbox}、ラベル {label} の取り込むメール: {count} 通',
  },
  'watch.first': {
    en: '{time} {inputs, plural, one {# input was there} other {# inputs were there}}: {reports, plural, one {# aggregate report} other {# aggregate reports}} stored ({records, plural, one {# record} other {# records}}), {failureReports, plural, one {# failure report} other {# failure reports}}, {tlsReports, plural, one {# TLS report} other {# TLS reports}}; {duplicates} already stored; {failed} gave no report',
    ja: '{time} 既存の入力 {inputs} 件: 集約レポート {reports} 件（レコード {records} 件）、失敗レポート {failureReports} 件、TLS レポート {tlsReports} 件を保存。保存済み {duplicates} 件、レポートなし {failed} 件',
  },
  'watch.new': {
    en: '{time} {inputs, plural, one {# new input} other {# new inputs}}: {reports, plural, one {# aggregate report} other {# aggregate reports}} stored ({records, plural, one {# record} other {# records}}), {failureReports, plural, one {# failure report} other {# failure reports}}, {tlsReports, plural, one {# TLS report} other {# TLS reports}}; {duplicates} already stored; {failed} gave no report',
    ja: '{time} 新しい入力 {inputs} 件: 集約レポート {reports} 件（レコード {records} 件）、失敗レポート {failureReports} 件、TLS レポート {tlsReports} 件を保存。保存済み {duplicates} 件、レポートなし {failed} 件',
  },
  'watch.failed': {
    en: '{time} storing failed: {message}; what was not stored is tried again in {seconds} s',
    ja: '{time} 保存に失敗しました: {message}。保存できなかった分を {seconds} 秒後にもう一度試します',
  },
  'watch.watching': {
    en: 'watching {count, plural, one {# folder} other {# folders}} for new reports (Ctrl-C stops)',
    ja: '{count} 個のフォルダーで新しいレポートを待っています（Ctrl-C で停止）',
  },
  'watch.watchingFiles': {
    en: 'watching {count, plural, one {# file} other {# files}} for new reports (Ctrl-C stops)',
    ja: '{count} 個のファイルで新しいレポートを待っています（Ctrl-C で停止）',
  },
  'watch.watchingBoth': {
    en: 'watching {folders, plural, one {# folder} other {# folders}} and {files, plural, one {# file} other {# files}} for new reports (Ctrl-C stops)',
    ja: '{folders} 個のフォルダーと {files} 個のファイルで新しいレポートを待っています（Ctrl-C で停止）',
  },
  'graph.watching': {
    en: 'watching {folder} for new mail, read again every {seconds} s (Ctrl-C stops)',
    ja: '{folder} の新着メールを待っています。{seconds} 秒ごとに読み直します（Ctrl-C で停止）',
  },
  'gmail.watching': {
    en: 'watching the label {label} for new mail, read again every {seconds} s (Ctrl-C stops)',
    ja: 'ラベル {label} の新着メールを待っています。{seconds} 秒ごとに読み直します（Ctrl-C で停止）',
  },
  'imap.watching': {
    en: 'watching {folder} for new mail (Ctrl-C stops)',
    ja: '{folder} の新着メールを待っています（Ctrl-C で停止）',
  },
  'imap.access.unreachable': {
    en: 'cannot reach the IMAP server {server}: {reason}',
    ja: 'IMAP サーバー {server} に接続できません: {reason}',
  },
  'imap.access.tls': {
    en: 'TLS with the IMAP server {server} failed: {reason} (imaps:// is TLS from the start, --starttls chooses STARTTLS, --insecure is for test servers only)',
    ja: 'IMAP サーバー {server} との TLS に失敗しました: {reason}（imaps:// は最初から TLS、STARTTLS は --starttls で選択、--insecure はテスト用サーバー専用）',
  },
  'imap.access.login-refused': {
    en: 'the IMAP server {server} refused the login of {user}: {reason}',
    ja: 'IMAP サーバー {server} が {user} のログインを拒否しました: {reason}',
  },
  'imap.access.no-folder': {
    en: 'the IMAP server {server} has no folder {folder} for {user}: {reason}',
    ja: 'IMAP サーバー {server} に {user} のフォルダー {folder} がありません: {reason}',
  },
  'imap.access.folder-refused': {
    en: 'the IMAP server {server} could not open the folder {folder} for {user}: {reason}',
    ja: 'IMAP サーバー {server} が {user} のフォルダー {folder} を開けませんでした: {reason}',
  },
  'imap.access.archive-refused': {
    en: 'the IMAP server {server} refused to create the archive folder {archive} for {user}: {reason} (--archive names another folder; --flag marks processed mail instead of moving it)',
    ja: 'IMAP サーバー {server} が {user} の保管フォルダー {archive} の作成を拒否しました: {reason}（--archive で別のフォルダーを指定するか、--flag で処理済みのメールを移動せずに印を付けてください）',
  },
  'imap.access.not-processed': {
    en: 'the IMAP server {server} refused to {action} the mail stored from {folder} for {user}: {reason}. Its reports are stored; the mail stays in {folder}, fetched again by every run (as duplicates) until the server takes it',
    ja: 'IMAP サーバー {server} が、{user} のフォルダー {folder} から保存したメールについて{action}を拒否しました: {reason}。レポートは保存済みです。メールは {folder} に残り、サーバーが受け付けるまで毎回の実行で（重複として）取得されます',
  },
  'imap.access.connection-lost': {
    en: 'the connection to the IMAP server {server} was lost: {reason}',
    ja: 'IMAP サーバー {server} との接続が切れました: {reason}',
  },
  'imap.action.move': {
    en: 'move to {archive} (look at the rights on that folder and the mailbox quota, or mark processed mail with --flag instead)',
    ja: '{archive} への移動（そのフォルダーの権限とメールボックスの容量を確認するか、代わりに --flag で処理済みのメールに印を付けてください）',
  },
  'imap.action.mark': {
    en: 'mark with the keyword {keyword} (the folder may keep no keywords: move processed mail with --archive instead)',
    ja: 'キーワード {keyword} の付与（フォルダーがキーワードを保持しない可能性があります。代わりに --archive で処理済みのメールを移動してください）',
  },
  'imap.reason.moveRefused': {
    en: 'MOVE refused, with no reason given',
    ja: 'MOVE が拒否されました（理由の説明はありません）',
  },
  'imap.reason.storeRefused': {
    en: 'STORE refused, with no reason given',
    ja: 'STORE が拒否されました（理由の説明はありません）',
  },
  'imap.reason.noKeyword': {
    en: 'the folder keeps no keyword {keyword}',
    ja: 'このフォルダーはキーワード {keyword} を保持しません',
  },
  'imap.reason.closed': {
    en: 'the server closed it without an error',
    ja: 'サーバーがエラーを告げずに閉じました',
  },
  'imap.folderLike': {
    en: '(did you mean {folder}? The server matches folder names exactly)',
    ja: '（{folder} のことですか？サーバーはフォルダー名を大文字・小文字まで区別して照合します）',
  },
  'imap.folderWritten': {
    en: '(in the URL a folder name writes # as %23 and ? as %3F: {folder})',
    ja: '（URL ではフォルダー名の # を %23、? を %3F と書きます: {folder}）',
  },
  'imap.folderList': {
    en: "(the account's folders: {folders})",
    ja: '（このアカウントのフォルダー: {folders}）',
  },
  'graph.access.unreachable': {
    en: 'cannot reach Microsoft Graph at {server}: {reason}',
    ja: 'Microsoft Graph（{server}）に接続できません: {reason}',
  },
  'graph.access.tls': {
    en: 'TLS with Microsoft Graph at {server} failed: {reason}',
    ja: 'Microsoft Graph（{server}）との TLS に失敗しました: {reason}',
  },
  'graph.access.token-refused': {
    en: 'Microsoft Graph at {server} refused the access token for {mailbox}, a fresh one too (HTTP {status}): {reason}',
    ja: 'Microsoft Graph（{server}）が {mailbox} のアクセストークンを拒否しました。取り直したトークンも拒否されました（HTTP {status}）: {reason}',
  },
  'graph.access.forbidden': {
    en: 'Microsoft Graph at {server} forbids reading the mailbox {mailbox} (HTTP {status}): the application needs the permission Mail.ReadWrite (an application permission, or the delegated one for the signed-in user) with admin consent: {reason}',
    ja: 'Microsoft Graph（{server}）がメールボックス {mailbox} の読み取りを禁止しました（HTTP {status}）。アプリケーションには管理者の同意を得た Mail.ReadWrite の権限（アプリケーションの許可、またはサインインしたユーザーなら委任された許可）が必要です: {reason}',
  },
  'graph.access.not-found': {
    en: 'Microsoft Graph at {server} has no mailbox {mailbox} or no folder {folder} in it (HTTP {status}): {reason}',
    ja: 'Microsoft Graph（{server}）にメールボックス {mailbox} がないか、その中にフォルダー {folder} がありません（HTTP {status}）: {reason}',
  },
  'graph.access.failed': {
    en: 'Microsoft Graph at {server} answered HTTP {status} for the mailbox {mailbox}, folder {folder}: {reason}',
    ja: 'Microsoft Graph（{server}）がメールボックス {mailbox}、フォルダー {folder} について HTTP {status} を返しました: {reason}',
  },
  'gmail.access.unreachable': {
    en: 'cannot reach the Gmail API at {server}: {reason}',
    ja: 'Gmail API（{server}）に接続できません: {reason}',
  },
  'gmail.access.tls': {
    en: 'TLS with the Gmail API at {server} failed: {reason}',
    ja: 'Gmail API（{server}）との TLS に失敗しました: {reason}',
  },
  'gmail.access.token-refused': {
    en: 'the Gmail API at {server} refused the access token for {mailbox}, a fresh one too (HTTP {status}): {reason}',
    ja: 'Gmail API（{server}）が {mailbox} のアクセストークンを拒否しました。取り直したトークンも拒否されました（HTTP {status}）: {reason}',
  },
  'gmail.access.forbidden': {
    en: 'the Gmail API at {server} forbids reading the mailbox {mailbox} (HTTP {status}): the token needs the scope https://www.googleapis.com/auth/gmail.modify for that user (a service account: domain-wide delegation of it in the Google Workspace admin console), and the Gmail API enabled in its Google Cloud project: {reason}',
    ja: 'Gmail API（{server}）がメールボックス {mailbox} の読み取りを禁止しました（HTTP {status}）。トークンにはそのユーザーのスコープ https://www.googleapis.com/auth/gmail.modify（サービスアカウントでは Google Workspace の管理コンソールでのそのドメイン全体の委任）と、Google Cloud プロジェクトでの Gmail API の有効化が必要です: {reason}',
  },
  'gmail.access.not-found': {
    en: 'the Gmail API at {server} has no mailbox {mailbox} or no label {label} in it (HTTP {status}): {reason}',
    ja: 'Gmail API（{server}）にメールボックス {mailbox} がないか、その中にラベル {label} がありません（HTTP {status}）: {reason}',
  },
  'gmail.access.failed': {
    en: 'the Gmail API at {server} answered HTTP {status} for the mailbox {mailbox}, label {label}: {reason}',
    ja: 'Gmail API（{server}）がメールボックス {mailbox}、ラベル {label} について HTTP {status} を返しました: {reason}',
  },
  'imap.reconnecting': {
    en: 'IMAP connection lost ({message}); reconnecting in {seconds} s',
    ja: 'IMAP の接続が切れました（{message}）。{seconds} 秒後に再接続します',
  },
  'imap.retrying': {
    en: '{message}; connecting to the IMAP server again in {seconds} s',
    ja: '{message}。{seconds} 秒後に IMAP サーバーへ再接続します',
  },
  // Sumi's own reasons in a Graph access error (the service's are quoted as it gave them).
  'graph.reason.outsideLink': {
    en: 'Graph gave a link outside {base}: {url}',
    ja: 'Graph が {base} の外を指すリンクを返しました: {url}',
  },
  'graph.reason.tooLarge': {
    en: 'an answer larger than {max} bytes',
    ja: '{max} バイトを超える応答です',
  },
  'graph.reason.notJson': { en: 'the answer is not JSON', ja: '応答が JSON ではありません' },
  'graph.reason.noFolderId': {
    en: 'no id for the folder {folder}',
    ja: 'フォルダー {folder} の ID が返されませんでした',
  },
  'graph.reason.noCreatedId': {
    en: 'no id for the folder created: {folder}',
    ja: '作成したフォルダー {folder} の ID が返されませんでした',
  },
  'graph.reason.noFolder': {
    en: 'no folder named {name}, nor any other there',
    ja: '{name} という名前のフォルダーがありません（そこにはフォルダーがありません）',
  },
  'graph.reason.noFolderAmong': {
    en: 'no folder named {name} (the folders there: {among})',
    ja: '{name} という名前のフォルダーがありません（そこにあるフォルダー: {among}）',
  },
  'graph.reconnecting': {
    en: '{message}; reading the folder again in {seconds} s',
    ja: '{message}。{seconds} 秒後にフォルダーをもう一度読みます',
  },
  'prune.description': {
    en: 'delete what the store has kept longer than wanted, for a retention policy run from cron: aggregate and SMTP TLS reports (with their records, copies and rollup sums), failure reports, quarantined inputs',
    ja: '保存期間を過ぎたデータを削除する（cron などで定期的に実行する保存ポリシー用）: 集約レポートと SMTP TLS レポート（レコード、コピー、集計値とともに）、失敗レポート、隔離した入力',
  },
  'prune.option.reports': {
    en: 'delete aggregate and SMTP TLS reports whose period ended more than this many days ago',
    ja: '対象期間の終わりからこの日数より前の集約レポートと SMTP TLS レポートを削除する',
  },
  'prune.option.failureReports': {
    en: 'delete failure reports whose mail arrived more than this many days ago (they carry personal data: recipients, headers, at times the body)',
    ja: 'メールの到着からこの日数より前の失敗レポートを削除する（宛先、ヘッダー、ときに本文といった個人データを含みます）',
  },
  'prune.option.quarantine': {
    en: 'delete quarantined inputs last seen more than this many days ago',
    ja: '最後に受け取ってからこの日数より前の隔離した入力を削除する',
  },
  'prune.option.dryRun': {
    en: 'count what would be deleted, and delete nothing',
    ja: '削除される件数を数えるだけで、何も削除しない',
  },
  'prune.option.json': {
    en: 'print one JSON object: dry_run, before, aggregate_reports, records, messages, tls_reports, failure_reports, quarantined',
    ja: 'JSON オブジェクトを 1 つ出力する: dry_run, before, aggregate_reports, records, messages, tls_reports, failure_reports, quarantined',
  },
  'prune.badDays': {
    en: '{option} {value}: give a number of days, a whole number from 1 to 999999',
    ja: '{option} {value}: 日数を 1 から 999999 までの整数で指定してください',
  },
  'prune.nothing': {
    en: 'give what to delete: --reports, --failure-reports or --quarantine, each with the days to keep',
    ja: '削除する対象を指定してください: --reports、--failure-reports、--quarantine のいずれか（それぞれ保存する日数を添えて）',
  },
  'prune.aggregate': {
    en: '{reports, plural, one {# aggregate report} other {# aggregate reports}} ({records, plural, one {# record} other {# records}}, {messages, plural, one {# message} other {# messages}})',
    ja: '集約レポート {reports} 件（{records} レコード、{messages} 通）',
  },
  'prune.tls': {
    en: '{reports, plural, one {# SMTP TLS report} other {# SMTP TLS reports}}',
    ja: 'SMTP TLS レポート {reports} 件',
  },
  'prune.failure': {
    en: '{reports, plural, one {# failure report} other {# failure reports}}',
    ja: '失敗レポート {reports} 件',
  },
  'prune.quarantined': {
    en: '{inputs, plural, one {# quarantined input} other {# quarantined inputs}}',
    ja: '隔離した入力 {inputs} 件',
  },
  'prune.and': { en: ', ', ja: '、' },
  'prune.deleted': { en: 'Deleted {what}.', ja: '{what}を削除しました。' },
  'prune.wouldDelete': {
    en: 'Would delete {what} (a dry run: nothing was deleted).',
    ja: '{what}が削除対象です（試行のため何も削除していません）。',
  },
  'prune.stopped': {
    en: 'Stopped: what is said above was deleted; the rest is kept, every report whole.',
    ja: '中断しました: 上記の分を削除しました。残りはそのまま保存されています（どのレポートも欠けていません）。',
  },
  // Sumi's own reasons in a Gmail access error (the service's are quoted as it gave them).
  'gmail.reason.tooLarge': {
    en: 'an answer larger than {max} bytes',
    ja: '{max} バイトを超える応答です',
  },
  'gmail.reason.notJson': { en: 'the answer is not JSON', ja: '応答が JSON ではありません' },
  'gmail.reason.noLabel': {
    en: 'no label named {name}',
    ja: '{name} という名前のラベルがありません',
  },
  'gmail.reason.noLabelAmong': {
    en: "no label named {name} (the mailbox's labels: {among})",
    ja: '{name} という名前のラベルがありません（メールボックスのラベル: {among}）',
  },
  'gmail.reason.badField': {
    en: "the answer's {field} is missing or not as Gmail gives it",
    ja: '応答の {field} がないか、Gmail が返す形ではありません',
  },
  'gmail.reconnecting': {
    en: '{message}; reading the label again in {seconds} s',
    ja: '{message}。{seconds} 秒後にラベルをもう一度読みます',
  },
  'smtpd.description': {
    en: 'receive report mail over SMTP and store it: Sumi as the rua/ruf mailbox itself',
    ja: 'SMTP でレポートメールを受信して保存する（Sumi 自身を rua/ruf の受信箱にする）',
  },
  'smtpd.listen': {
    en: 'address to listen on, host:port',
    ja: '待ち受けアドレス host:port',
  },
  'smtpd.accept': {
    en: 'recipient addresses accepted, comma-separated (others are refused at RCPT)',
    ja: '受け付ける宛先アドレス（カンマ区切り。他は RCPT で拒否）',
  },
  'smtpd.maxSize': {
    en: 'largest mail accepted, in bytes',
    ja: '受け付けるメールの最大サイズ（バイト）',
  },
  'smtpd.tlsCert': {
    en: 'certificate (PEM) for STARTTLS; with --tls-key',
    ja: 'STARTTLS 用の証明書（PEM）。--tls-key と一緒に指定',
  },
  'smtpd.tlsKey': {
    en: 'private key (PEM) for STARTTLS',
    ja: 'STARTTLS 用の秘密鍵（PEM）',
  },
  'smtpd.hostname': {
    en: 'name in the greeting (default: the machine name)',
    ja: '応答で名乗るホスト名（既定: マシン名）',
  },
  'smtpd.listening': {
    en: 'receiving report mail for {accept} on {address}',
    ja: '{address} で {accept} 宛てのレポートメールを受信中',
  },
  'smtpd.stopping': {
    en: 'stopping: idle connections closed; mail being received is stored first',
    ja: '停止中: 待機中の接続を閉じました。受信中のメールは保存してから終了します',
  },
  'smtpd.tlsPair': {
    en: '--tls-cert and --tls-key go together',
    ja: '--tls-cert と --tls-key は一緒に指定してください',
  },
  'smtpd.tlsFile': {
    en: '{flag} {file}: {problem}',
    ja: '{flag} {file}: {problem}',
  },
  'smtpd.tlsRead.ENOENT': { en: 'no such file', ja: 'ファイルがありません' },
  'smtpd.tlsRead.EACCES': { en: 'not readable (permission denied)', ja: '読み取る権限がありません' },
  'smtpd.tlsRead.EISDIR': { en: 'a directory, not a file', ja: 'ファイルではなくディレクトリです' },
  'smtpd.tlsFault.cert': { en: 'not a certificate in PEM', ja: 'PEM 形式の証明書ではありません' },
  'smtpd.tlsFault.key': {
    en: 'not a private key in PEM without a passphrase',
    ja: 'パスフレーズのない PEM 形式の秘密鍵ではありません',
  },
  'smtpd.tlsFault.pair': {
    en: 'not the private key of the certificate in {cert}',
    ja: '{cert} の証明書の秘密鍵ではありません',
  },
  'smtpd.badAccept': {
    en: '--accept {value}: give mail addresses, comma-separated',
    ja: '--accept {value}: メールアドレスをカンマ区切りで指定してください',
  },
  'smtpd.received': {
    en: '{source}: {reports, plural, one {# report} other {# reports}} stored, {duplicates, plural, one {# duplicate} other {# duplicates}}, {failed} failed',
    ja: '{source}: レポート {reports} 件を保存、重複 {duplicates} 件、失敗 {failed} 件',
  },
  'smtpd.notStored': {
    en: '{source}: not stored; answered 451, so its sender keeps it and tries again: {reason}',
    ja: '{source}: 保存できませんでした。451 で応答したので、送信側が保持して再送します: {reason}',
  },
  'quarantine.moreSources': {
    en: '{source} (and {more, plural, one {# other place} other {# other places}}: --json lists them)',
    ja: '{source}（ほか {more} か所。--json で一覧できます）',
  },
  'quarantine.description': {
    en: 'inputs kept because they gave no report: list them, write one out as received, or read them again with this version (those that now give their reports leave the quarantine)',
    ja: 'レポートを読み取れず保存された入力: 一覧、受信したままの書き出し、このバージョンでの再読み込み（レポートを読み取れたものは隔離領域から外れます）',
  },
  'quarantine.option.limit': {
    en: 'list at most this many, the latest first (default {limit})',
    ja: '最大件数（新しい順、既定 {limit}）',
  },
  'quarantine.badAction': {
    en: 'unknown action "{action}": use list, raw or retry',
    ja: '不明な操作 "{action}": list、raw、retry のいずれかを指定してください',
  },
  'quarantine.usage.raw': {
    en: 'give the id of one entry: sumi quarantine raw ID > file',
    ja: 'エントリの ID を 1 つ指定してください: sumi quarantine raw ID > file',
  },
  'quarantine.badId': {
    en: 'not an entry id: "{id}"',
    ja: 'エントリ ID ではありません: "{id}"',
  },
  'quarantine.missing': {
    en: 'no entry {id} in the quarantine',
    ja: '隔離領域にエントリ {id} はありません',
  },
  'quarantine.missingSome': {
    en: 'no such entry in the quarantine: {ids}',
    ja: '隔離領域にそのエントリはありません: {ids}',
  },
  'quarantine.empty': { en: 'The quarantine is empty.', ja: '隔離領域は空です。' },
  'quarantine.more': { en: 'and {count} more', ja: 'ほか {count} 件' },
  'quarantine.col.id': { en: 'id', ja: 'ID' },
  'quarantine.col.lastSeen': { en: 'last seen', ja: '最終受信' },
  'quarantine.col.times': { en: 'times', ja: '回数' },
  'quarantine.col.size': { en: 'bytes', ja: 'バイト' },
  'quarantine.col.source': { en: 'source', ja: '入力元' },
  'quarantine.col.reason': { en: 'reason', ja: '理由' },
  'quarantine.released': {
    en: '{released} of {retried} quarantined inputs gave their reports and left the quarantine.',
    ja: '隔離された入力 {retried} 件のうち {released} 件からレポートを読み取り、隔離領域から外しました。',
  },
} satisfies UiCatalog;

/** Why the store refused a value of a report (StoreInputError), where in the report first. */
export const storeInputText = {
  'store.at.record': { en: 'record {record}: ', ja: 'レコード {record}: ' },
  'store.at.policy': { en: 'policy {policy}: ', ja: 'ポリシー {policy}: ' },
  'store.at.detail': {
    en: 'policy {policy} failure detail {detail}: ',
    ja: 'ポリシー {policy} の失敗詳細 {detail}: ',
  },
  'store.invalid-count': {
    en: '{field} is {value}; a count is a whole number from 0 to {max}',
    ja: '{field} が {value} です。件数は 0 から {max} までの整数です',
  },
  'store.invalid-number': {
    en: '{field} is {value}, not a whole number',
    ja: '{field} が {value} で、整数ではありません',
  },
  'store.number-too-large': {
    en: '{field} is {value}, larger than {max}, the largest whole number stored',
    ja: '{field} が {value} で、保存できる最大の整数 {max} を超えています',
  },
  'store.invalid-source-ip': {
    en: '{field} "{value}" is not an IP address',
    ja: '{field}「{value}」は IP アドレスではありません',
  },
  'store.message-total-too-large': {
    en: "the report's total of {field} exceeds {max}",
    ja: 'レポートの {field} の合計が {max} を超えます',
  },
} satisfies UiCatalog;

/** Why a store cannot be opened or written as configured (StoreAccessError), for every command. */
export const storeAccessText = {
  'store.access.bad-url': {
    en: '{target} is not a PostgreSQL URL: postgres://user[:password]@host[:port]/database',
    ja: '{target} は PostgreSQL の URL ではありません: postgres://user[:password]@host[:port]/database',
  },
  'store.access.unreachable': {
    en: 'cannot reach PostgreSQL at {target}: {reason}. Is the server running and listening there?',
    ja: 'PostgreSQL（{target}）に接続できません: {reason}。サーバーが起動し、そのアドレスで待ち受けているか確認してください',
  },
  'store.access.timeout': {
    en: 'PostgreSQL at {target} did not answer within {seconds} s (connect_timeout in the URL or PGCONNECT_TIMEOUT sets how long to wait)',
    ja: 'PostgreSQL（{target}）が {seconds} 秒以内に応答しませんでした（待つ時間は URL の connect_timeout か PGCONNECT_TIMEOUT で変えられます）',
  },
  'store.access.refused': {
    en: 'PostgreSQL at {target} refused the connection: {reason}',
    ja: 'PostgreSQL（{target}）が接続を拒否しました: {reason}',
  },
  'store.access.no-password': {
    en: 'PostgreSQL at {target} asks for a password and none was given: put it in the URL (postgres://user:password@host/db) or in PGPASSWORD',
    ja: 'PostgreSQL（{target}）がパスワードを求めていますが、指定されていません。URL（postgres://user:password@host/db）か PGPASSWORD で指定してください',
  },
  'store.access.no-schema': {
    en: 'PostgreSQL at {target} gives no schema to create the tables in: create one the role may use, or name it with ?options=-c%20search_path%3DSCHEMA',
    ja: 'PostgreSQL（{target}）にテーブルを作るスキーマがありません。ロールが使えるスキーマを作るか、?options=-c%20search_path%3DSCHEMA で指定してください',
  },
  'store.access.sqlite-file': {
    en: 'cannot open the SQLite store {path}: {reason}',
    ja: 'SQLite のストア {path} を開けません: {reason}',
  },
  'store.access.sqlite-locked': {
    en: 'the SQLite store {path} stayed locked by another process for {seconds} s (another sumi writing to it, or a program or backup holding a transaction open)',
    ja: 'SQLite のストア {path} が {seconds} 秒のあいだ別のプロセスにロックされたままでした（書き込み中の別の sumi、またはトランザクションを開いたままのプログラムやバックアップ）',
  },
  'store.access.sqlite-full': {
    en: 'the disk holding the SQLite store {path} is full: {reason}',
    ja: 'SQLite のストア {path} のあるディスクがいっぱいです: {reason}',
  },
  'store.access.sqlite-failed': {
    en: 'the SQLite store {path} could not be written or read: {reason}',
    ja: 'SQLite のストア {path} の読み書きに失敗しました: {reason}',
  },
  'store.access.server-failed': {
    en: 'PostgreSQL at {target} failed: {reason}',
    ja: 'PostgreSQL（{target}）でエラーが発生しました: {reason}',
  },
  'store.access.sqlite-newer': {
    en: 'the SQLite store {path} was migrated by a newer Sumi: it has migration {migration}, which this Sumi does not know. Upgrade Sumi to use this store (this one would read and write its rows in an older shape)',
    ja: 'SQLite のストア {path} は新しい Sumi で移行されています。この Sumi が知らないマイグレーション {migration} が適用されています。このストアを使うには Sumi をアップグレードしてください（この Sumi では、行を古い形で読み書きしてしまいます）',
  },
  'store.access.postgres-newer': {
    en: 'the store in schema {schema} of PostgreSQL at {target} was migrated by a newer Sumi: it has migration {migration}, which this Sumi does not know. Upgrade Sumi to use this store (this one would read and write its rows in an older shape)',
    ja: 'PostgreSQL（{target}）のスキーマ {schema} のストアは新しい Sumi で移行されています。この Sumi が知らないマイグレーション {migration} が適用されています。このストアを使うには Sumi をアップグレードしてください（この Sumi では、行を古い形で読み書きしてしまいます）',
  },
  'store.access.no-store': {
    en: 'no store at {path}: name the store with --db (or SUMI_DB); sumi ingest makes one as it stores reports',
    ja: '{path} にストアがありません。--db（または SUMI_DB）でストアを指定してください。ストアは sumi ingest がレポートを保存するときに作られます',
  },
} satisfies UiCatalog;
