import type { UiCatalog } from './catalog.ts';

/** Words of the command line: help texts, headings, summaries, errors. */
export const cliText = {
  'program.description': {
    en: 'Sumi: check mail-authentication records, ingest DMARC reports, simulate enforcement, survey adoption.',
    ja: 'Sumi: メール認証レコードの検査、DMARC レポートの取り込み、ポリシー強化のシミュレーション、普及状況の調査。',
  },
  'option.lang': {
    en: 'language of the output: en or ja (default: from LANG)',
    ja: '出力の言語: en または ja（既定: LANG から）',
  },
  'option.help': { en: 'show help', ja: 'ヘルプを表示する' },
  'option.version': { en: 'show the version', ja: 'バージョンを表示する' },
  'option.json': { en: 'print one JSON document', ja: 'JSON 文書を 1 つ出力する' },
  'option.csv': { en: 'print CSV', ja: 'CSV を出力する' },
  'option.resolver': {
    en: 'DNS servers to ask, host:port[,host:port], or "system" (default: the system\'s servers, asked directly)',
    ja: '問い合わせる DNS サーバー host:port[,host:port]、または "system"（既定: システムの DNS サーバーに直接問い合わせ）',
  },
  'option.timeout': {
    en: 'DNS timeout per attempt, in ms',
    ja: 'DNS 問い合わせ 1 回あたりのタイムアウト（ミリ秒）',
  },
  'help.usage': { en: 'Usage:', ja: '使い方:' },
  'help.options': { en: 'Options:', ja: 'オプション:' },
  'help.globalOptions': { en: 'Global Options:', ja: '共通オプション:' },
  'help.arguments': { en: 'Arguments:', ja: '引数:' },
  'help.commands': { en: 'Commands:', ja: 'コマンド:' },
  'help.choices': { en: 'choices: {choices}', ja: '選択肢: {choices}' },
  'help.default': { en: 'default: {value}', ja: '既定: {value}' },
  'help.extra': { en: ' ({extra})', ja: '（{extra}）' },
  'help.extraSeparator': { en: ', ', ja: '、' },
  'commander.unknownOption': {
    en: "error: unknown option '{flag}'",
    ja: "エラー: 不明なオプション '{flag}'",
  },
  'commander.unknownCommand': {
    en: "error: unknown command '{name}'",
    ja: "エラー: 不明なコマンド '{name}'",
  },
  'commander.suggestion': { en: '(Did you mean {suggestion}?)', ja: '（{suggestion} のことですか?）' },
  'commander.missingArgument': {
    en: "error: missing required argument '{name}'",
    ja: "エラー: 必須の引数 '{name}' がありません",
  },
  'commander.optionMissingArgument': {
    en: "error: option '{flags}' argument missing",
    ja: "エラー: オプション '{flags}' に値がありません",
  },
  'commander.missingMandatoryOption': {
    en: "error: required option '{flags}' not specified",
    ja: "エラー: 必須のオプション '{flags}' が指定されていません",
  },
  'commander.invalidChoice': {
    en: "error: option '{flags}' argument '{value}' is invalid. Allowed choices are {choices}.",
    ja: "エラー: オプション '{flags}' の値 '{value}' は使えません。選べる値: {choices}",
  },
  'commander.invalidArgument': {
    en: "error: option '{flags}' argument '{value}' is invalid. {reason}",
    ja: "エラー: オプション '{flags}' の値 '{value}' は使えません。{reason}",
  },
  'commander.invalidArgumentChoice': {
    en: "error: command-argument value '{value}' is invalid for argument '{name}'. Allowed choices are {choices}.",
    ja: "エラー: 引数 '{name}' の値 '{value}' は使えません。選べる値: {choices}",
  },
  'commander.invalidCommandArgument': {
    en: "error: command-argument value '{value}' is invalid for argument '{name}'. {reason}",
    ja: "エラー: 引数 '{name}' の値 '{value}' は使えません。{reason}",
  },
  'commander.excessArguments': {
    en: 'error: too many arguments{forCommand}. Expected {expected} {arguments} but got {got}.',
    ja: 'エラー: 引数が多すぎます（{expected} 個まで、{got} 個指定されました）',
  },
  'error.usage': { en: 'error: {message}', ja: 'エラー: {message}' },
  'error.runtime': { en: 'error: {message}', ja: 'エラー: {message}' },
  'error.listen': {
    en: 'cannot listen on {address}: {reason}',
    ja: '{address} で待ち受けできません: {reason}',
  },
  'error.listen.EADDRINUSE': {
    en: 'another program is listening there',
    ja: '別のプログラムがそこで待ち受けています',
  },
  'error.listen.EACCES': {
    en: 'not permitted (ports below 1024 need privileges)',
    ja: '許可されていません（1024 未満のポートには特権が必要です）',
  },
  'error.listen.EADDRNOTAVAIL': {
    en: 'this machine has no such address',
    ja: 'このマシンにはそのアドレスがありません',
  },
  'error.wholeNumber': {
    en: '{flag} {value}: give a whole number of at least {min}',
    ja: '{flag} {value}: {min} 以上の整数を指定してください',
  },
  'error.hostPort': {
    en: '{flag} {value}: give host:port, e.g. 127.0.0.1:5353',
    ja: '{flag} {value}: host:port の形で指定してください（例: 127.0.0.1:5353）',
  },
  'dns.description': { en: 'DNS tools for labs and tests', ja: '検証環境・テスト用の DNS ツール' },
  'dns.serve.description': {
    en: 'serve a zone file over UDP and TCP (answers like a resolver; SERVFAIL/TIMEOUT/TRUNCATE/REFUSED pseudo-records misbehave)',
    ja: 'ゾーンファイルを UDP と TCP で応答する（リゾルバーのように応答。SERVFAIL/TIMEOUT/TRUNCATE/REFUSED 疑似レコードで異常応答）',
  },
  'dns.serve.listen': {
    en: 'address to listen on, host:port (port 0: any free port)',
    ja: '待ち受けアドレス host:port（ポート 0: 空いているポート）',
  },
  'dns.serve.listening': {
    en: 'serving {records, plural, one {# name} other {# names}} from {file} on {address} (UDP and TCP); use --resolver {address}',
    ja: '{file} の {records} 件の名前を {address} で応答中（UDP と TCP）。--resolver {address} で利用できます',
  },
  'dns.serve.badZone': { en: '{file}: {message}', ja: '{file}: {message}' },
  'check.description': {
    en: "check domains' SPF, DMARC, DKIM, BIMI, MTA-STS, TLS-RPT and MX records: every problem, explained, with its fix",
    ja: 'ドメインの SPF・DMARC・DKIM・BIMI・MTA-STS・TLS-RPT・MX レコードを検査し、すべての問題を説明と対処法つきで示す',
  },
  'check.option.file': {
    en: 'read domains from a file, one per line (first CSV column; "-" for stdin)',
    ja: 'ファイルからドメインを読む（1 行に 1 つ、CSV は先頭列、"-" で標準入力）',
  },
  'check.option.selectors': {
    en: 'DKIM selectors to check, comma-separated (default: common selectors)',
    ja: '検査する DKIM セレクター（カンマ区切り、既定: よく使われるセレクター）',
  },
  'check.option.bimiSelector': { en: 'BIMI selector', ja: 'BIMI セレクター' },
  'check.option.parked': {
    en: 'the domains send no mail: require v=spf1 -all, p=reject, no MX',
    ja: 'メールを送らないドメインとして検査する（v=spf1 -all、p=reject、MX なしを要求）',
  },
  'check.option.discovery': {
    en: 'DMARC policy discovery: treewalk (RFC 9989) or psl (RFC 7489, for old receivers)',
    ja: 'DMARC ポリシーの探索方法: treewalk（RFC 9989）または psl（RFC 7489、古い受信側向け）',
  },
  'check.option.allowPrivate': {
    en: 'labs only: let fetches of logos, certificates and MTA-STS policies reach private and loopback addresses',
    ja: '検証環境専用: ロゴ・証明書・MTA-STS ポリシーの取得でプライベート／ループバックアドレスへの接続を許可する',
  },
  'check.option.caFile': {
    en: 'extra trusted CA certificates (PEM) for https fetches, e.g. a lab CA',
    ja: 'https 取得で追加で信頼する CA 証明書（PEM）。検証環境の CA など',
  },
  'check.option.concurrency': { en: 'domains checked at once', ja: '同時に検査するドメイン数' },
  'check.noDomains': {
    en: 'give at least one domain (or --file)',
    ja: 'ドメインを 1 つ以上指定してください（または --file）',
  },
  'check.invalidDomain': {
    en: '"{domain}" is not a domain name',
    ja: '"{domain}" はドメイン名ではありません',
  },
  'check.summary': {
    en: 'errors: {errors}, warnings: {warnings}, notes: {info}',
    ja: 'エラー {errors} 件、警告 {warnings} 件、情報 {info} 件',
  },
  'check.status.ok': { en: 'ok', ja: '正常' },
  'check.status.missing': { en: 'missing', ja: 'なし' },
  'check.status.invalid': { en: 'invalid', ja: '不正' },
  'check.status.dns-error': { en: 'DNS error', ja: 'DNS エラー' },
  'check.status.not-checked': { en: 'not checked', ja: '未検査' },
  'check.severity.error': { en: 'error', ja: 'エラー' },
  'check.severity.warning': { en: 'warning', ja: '警告' },
  'check.severity.info': { en: 'info', ja: '情報' },
  'check.fix': { en: 'fix', ja: '対処' },
  'check.suggested': { en: 'publish instead', ja: '推奨レコード' },
  'check.at': { en: 'at', ja: '場所' },
  'demo.description': {
    en: 'show Sumi at work on sample domains (served by a built-in DNS zone; no network needed)',
    ja: 'サンプルのドメインで Sumi の動作を見る（内蔵の DNS ゾーンで応答、ネットワーク不要）',
  },
  'demo.intro': {
    en: 'Sumi demo: checking four sample domains served from examples/demo.zone on {address}.',
    ja: 'Sumi デモ: {address} で応答する examples/demo.zone の 4 つのサンプルドメインを検査します。',
  },
  'demo.next': {
    en: 'Next: `npx sumi check YOUR-DOMAIN`, `npx sumi record dmarc --policy none --rua mailto:dmarc@YOUR-DOMAIN`, `npx sumi --help`.',
    ja: '次に: `npx sumi check 自分のドメイン`、`npx sumi record dmarc --policy none --rua mailto:dmarc@自分のドメイン`、`npx sumi --help`。',
  },
  'record.description': {
    en: 'write a correct DNS record from flags, checked by the same linter as `sumi check`',
    ja: 'フラグから正しい DNS レコードを作成する（`sumi check` と同じ検査を通す）',
  },
  'record.dmarc.description': { en: 'write a DMARC record', ja: 'DMARC レコードを作成する' },
  'record.spf.description': { en: 'write an SPF record', ja: 'SPF レコードを作成する' },
  'record.bimi.description': { en: 'write a BIMI record', ja: 'BIMI レコードを作成する' },
  'record.mtaSts.description': {
    en: 'write the MTA-STS record and the policy file to serve',
    ja: 'MTA-STS レコードと公開するポリシーファイルを作成する',
  },
  'record.tlsrpt.description': { en: 'write a TLS-RPT record', ja: 'TLS-RPT レコードを作成する' },
  'record.option.domain': { en: 'the domain the record is for', ja: 'レコードを設定するドメイン' },
  'record.option.rua': {
    en: 'where aggregate reports go, e.g. mailto:dmarc@example.jp (repeatable)',
    ja: '集計レポートの送り先（例: mailto:dmarc@example.jp、複数指定可）',
  },
  'record.option.ruf': {
    en: 'where failure reports go (repeatable)',
    ja: '失敗レポートの送り先（複数指定可）',
  },
  'record.option.testing': {
    en: 't=y: receivers apply one level below the policy while you test',
    ja: 't=y: テスト中は受信側がポリシーより 1 段階弱く適用する',
  },
  'record.option.a': {
    en: "a: the domain's own addresses, or these hosts",
    ja: 'a: ドメイン自身のアドレス、または指定ホスト',
  },
  'record.option.mx': {
    en: "mx: the domain's own MX hosts, or these domains'",
    ja: 'mx: ドメイン自身の MX ホスト、または指定ドメインの MX',
  },
  'record.option.all': {
    en: 'result for everyone else: - (fail) or ~ (softfail)',
    ja: 'それ以外の送信元の結果: -（fail）または ~（softfail）',
  },
  'record.option.parked': {
    en: 'the domain sends no mail: "v=spf1 -all"',
    ja: 'メールを送らないドメイン: "v=spf1 -all"',
  },
  'record.option.logo': { en: 'https URL of the SVG Tiny PS logo', ja: 'SVG Tiny PS ロゴの https URL' },
  'record.option.certificate': {
    en: 'https URL of the mark certificate (VMC or CMC, PEM)',
    ja: 'マーク証明書（VMC または CMC、PEM）の https URL',
  },
  'record.option.decline': {
    en: 'publish a declination record (no logo)',
    ja: 'BIMI を使わない宣言レコードを作成する',
  },
  'record.option.mxPattern': {
    en: 'MX host or pattern (*.example.jp) the policy covers (repeatable)',
    ja: 'ポリシーが対象とする MX ホストまたはパターン（*.example.jp、複数指定可）',
  },
  'record.option.tlsrptRua': {
    en: 'where TLS reports go: mailto: or https: (repeatable)',
    ja: 'TLS レポートの送り先: mailto: または https:（複数指定可）',
  },
  'record.bimi.needLogo': {
    en: 'give --logo URL (or --decline)',
    ja: '--logo URL を指定してください（または --decline）',
  },
  'record.serveFile': {
    en: 'Serve this at {url} (Content-Type: {contentType}):',
    ja: '次の内容を {url} で公開してください（Content-Type: {contentType}）:',
  },
  'record.invalid': {
    en: 'the record has errors (see above); do not publish it',
    ja: 'レコードにエラーがあります（上記参照）。公開しないでください',
  },
} satisfies UiCatalog;
