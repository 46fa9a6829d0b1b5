import type { UiCatalog } from './catalog.ts';

/** Words of `sumi survey`: help, progress, the table and its method notes. */
export const surveyText = {
  'survey.description': {
    en: 'measure SPF, DMARC, BIMI, MTA-STS, TLS-RPT and null MX adoption over a list of domains, by category, with the method and 95% intervals',
    ja: 'ドメイン一覧の SPF・DMARC・BIMI・MTA-STS・TLS-RPT・null MX の普及状況を分類別に測定する（測定方法と 95% 信頼区間つき）',
  },
  'survey.argument.file': {
    en: 'domain list: one domain per line, or CSV domain[,category[,organisation]] (a header row may name the columns); "-" for stdin',
    ja: 'ドメイン一覧: 1 行に 1 ドメイン、または CSV の domain[,category[,organisation]]（見出し行で列名を指定可）。"-" で標準入力',
  },
  'survey.option.categories': {
    en: "how to group domains: jp (.jp name types), tld, or a CSV file mapping domain -> category[, organisation] (default: the list's category column, else one group)",
    ja: 'ドメインの分類方法: jp（.jp の種別）、tld、またはドメイン → 分類[, 組織] を対応づける CSV ファイル（既定: 一覧の分類列、なければ 1 グループ）',
  },
  'survey.option.orgRule': {
    en: 'an organisation has a record when any of its domains has it, or only when all do',
    ja: '組織がレコードを持つとみなす条件: いずれかのドメイン（any）またはすべてのドメイン（all）が持つ',
  },
  'survey.option.qps': {
    en: 'most DNS queries per second (0: no cap)',
    ja: '1 秒あたりの DNS 問い合わせ数の上限（0: 上限なし）',
  },
  'survey.option.concurrency': {
    en: 'domains measured at once',
    ja: '同時に測定するドメイン数',
  },
  'survey.option.retries': {
    en: 'passes over the domains that got SERVFAIL, a timeout or REFUSED, with a growing pause before each',
    ja: 'SERVFAIL・タイムアウト・REFUSED になったドメインを再測定する回数（回ごとに待ち時間を延ばす）',
  },
  'survey.option.retryDelay': {
    en: 'pause before the first retry pass, in ms (doubled for each further pass)',
    ja: '最初の再測定までの待ち時間（ミリ秒、以降は回ごとに 2 倍）',
  },
  'survey.option.perDomain': {
    en: 'also write one CSV row per domain to this file',
    ja: 'ドメインごとの結果を CSV でこのファイルにも書き出す',
  },
  'survey.option.csv': {
    en: 'print CSV: one row per category (and organisation level), counts with share and 95% interval',
    ja: 'CSV を出力する: 分類ごと（と組織単位）に 1 行、件数・割合・95% 信頼区間',
  },
  'survey.option.json': {
    en: 'print one JSON document: method, categories, total, unmeasured',
    ja: 'JSON 文書を 1 つ出力する: method, categories, total, unmeasured',
  },
  'survey.badNumber': {
    en: '{flag} {value}: give a whole number >= {min}',
    ja: '{flag} {value}: {min} 以上の整数を指定してください',
  },
  'survey.badMapping': {
    en: '--categories {file}: no line maps a domain to a category',
    ja: '--categories {file}: ドメインと分類を対応づける行がありません',
  },
  'survey.noDomains': {
    en: '{file}: no domain in the list',
    ja: '{file}: 一覧にドメインがありません',
  },
  'survey.invalidLine': {
    en: 'line {line}: not a domain, skipped: {text}',
    ja: '{line} 行目: ドメインではないため読み飛ばします: {text}',
  },
  'survey.invalidMore': {
    en: '... {count} more lines that are not domains',
    ja: '... ほかに {count} 行がドメインではありません',
  },
  'survey.progress': {
    en: '{done} domains measured ({rate}/s), {unmeasured} could not be asked so far',
    ja: '{done} ドメインを測定（{rate} 件/秒）、現時点で問い合わせ不能 {unmeasured} 件',
  },
  'survey.progress.pass': {
    en: 'retry pass {pass}: {domains} domains that got a temporary DNS failure',
    ja: '再測定 {pass} 回目: 一時的な DNS 障害のあった {domains} ドメイン',
  },
  'survey.table.category': { en: 'category', ja: '分類' },
  'survey.table.domains': { en: 'domains', ja: 'ドメイン数' },
  'survey.table.organisations': { en: 'orgs', ja: '組織数' },
  'survey.table.measured': { en: 'measured', ja: '測定済' },
  'survey.table.total': { en: 'total', ja: '合計' },
  'survey.heading.domains': { en: 'By domain', ja: 'ドメイン単位' },
  'survey.heading.organisations': {
    en: 'By organisation (an organisation counts when {rule} of its domains has the record)',
    ja: '組織単位（組織のドメインの{rule}がレコードを持つ場合に数える）',
  },
  'survey.rule.any': { en: 'any', ja: 'いずれか' },
  'survey.rule.all': { en: 'all', ja: 'すべて' },
  'survey.unmeasured': {
    en: 'Domains that could not be measured: {count} (still SERVFAIL, timeout or REFUSED after {passes} retry passes); counted apart, never as absent.',
    ja: '測定できなかったドメイン: {count} 件（{passes} 回の再測定後も SERVFAIL・タイムアウト・REFUSED）。「レコードなし」には数えず別に集計しています。',
  },
  'survey.method': {
    en: `Method: shares are of measured domains (every DNS question got a definite answer: a record,
NXDOMAIN or NODATA). SPF: exactly one valid v=spf1 record; -all: its all is -all. DMARC: a valid
policy applies (own record or RFC 9989 tree walk), split by its p tag. BIMI, MTA-STS, TLS-RPT:
exactly one valid record. 95% Wilson intervals are in --json and --csv.`,
    ja: `測定方法: 割合の分母は測定済ドメイン（すべての DNS 問い合わせに確定した応答 = レコード・
NXDOMAIN・NODATA があったもの）。SPF: 有効な v=spf1 レコードがちょうど 1 つ。-all: その all が -all。
DMARC: 有効なポリシーが適用される（自身のレコードまたは RFC 9989 のツリーウォーク）、p タグで内訳。
BIMI・MTA-STS・TLS-RPT: 有効なレコードがちょうど 1 つ。95% Wilson 信頼区間は --json と --csv に出力。`,
  },
  'survey.input': {
    en: 'Input: {lines} lines, {invalid} not domains. Resolver: {resolver}; {rate}, {concurrency} domains at once.',
    ja: '入力: {lines} 行（うちドメインでない行 {invalid}）。リゾルバー: {resolver}。{rate}、同時 {concurrency} ドメイン。',
  },
  'survey.rate.capped': { en: 'at most {qps} queries/s', ja: '上限 {qps} 問い合わせ/秒' },
  'survey.rate.uncapped': { en: 'no cap on queries/s', ja: '問い合わせ数の上限なし' },
} satisfies UiCatalog;
