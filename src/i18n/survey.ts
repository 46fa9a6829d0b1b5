import type { UiCatalog } from './catalog.ts';

/** Words of `sumi survey` and `sumi worker`: help, progress, the tables and their method notes. */
export const surveyText = {
  'survey.description': {
    en: 'measure SPF, DMARC, BIMI, MTA-STS, TLS-RPT, null MX (and, with --dkim-selectors, DKIM) adoption over a list of domains, by category, with the method and 95% intervals',
    ja: 'ドメイン一覧の SPF・DMARC・BIMI・MTA-STS・TLS-RPT・null MX（--dkim-selectors 指定時は DKIM も）の普及状況を分類別に測定する（測定方法と 95% 信頼区間つき）',
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
  'survey.queueUnreachable': {
    en: "cannot reach the queue's Redis at {url}: {reason}",
    ja: 'キューの Redis（{url}）に接続できません: {reason}',
  },
  'survey.shardsFailed': {
    en: 'scan "{name}" is left unfinished: {count} shard(s) failed on every attempt ({shards}); once the cause is mended, `sumi survey --resume {name}` measures what is left',
    ja: 'スキャン「{name}」は未完了です: {count} 個のシャードがすべての試行で失敗しました（{shards}）。原因を直したあと `sumi survey --resume {name}` で残りを測定します',
  },
  'survey.shardFailed': { en: 'shard {shard}: {reason}', ja: 'シャード {shard}: {reason}' },
  'survey.scanMissing': {
    en: "scan {scan} is not in the store (is the worker's --db the submitter's?)",
    ja: 'スキャン {scan} がワーカーのストアにありません（ワーカーの --db は登録側と同じですか？）',
  },
  'survey.badNumber': {
    en: '{flag} {value}: give a whole number >= {min}',
    ja: '{flag} {value}: {min} 以上の整数を指定してください',
  },
  'survey.option.dkimSelectors': {
    en: 'also ask DKIM keys at these selectors (comma-separated; "common": a short list of widely used ones) and count domains with a usable key',
    ja: 'これらのセレクタで DKIM 公開鍵も問い合わせ、使える鍵を持つドメインを数える（カンマ区切り。"common" でよく使われる少数のセレクタ）',
  },
  'survey.badDkimSelectors': {
    en: '--dkim-selectors {value}: give 1 to {max} selectors (DNS labels) separated by commas, or "common"',
    ja: '--dkim-selectors {value}: カンマ区切りで 1〜{max} 個のセレクタ（DNS ラベル）、または "common" を指定してください',
  },
  'survey.method.dkim': {
    en: 'DKIM: at least one of these selectors has a usable key (a revoked key does not count; selectors cannot be listed from DNS, so other selectors go unseen; when _domainkey.<domain> is NXDOMAIN no selector is asked, RFC 8020): {selectors}.',
    ja: 'DKIM: 次のセレクタのいずれかに使える公開鍵がある（失効した鍵は数えない。セレクタは DNS から列挙できないため、これ以外のセレクタは見えない。_domainkey.<ドメイン> が NXDOMAIN ならセレクタは問い合わせない、RFC 8020）: {selectors}。',
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
    en: '{done, plural, one {# domain} other {# domains}} measured ({rate}/s), {unmeasured} could not be asked so far',
    ja: '{done} ドメインを測定（{rate} 件/秒）、現時点で問い合わせ不能 {unmeasured} 件',
  },
  'survey.progress.pass': {
    en: 'retry pass {pass}: {domains, plural, one {# domain} other {# domains}} that got a temporary DNS failure',
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
    en: 'Input: {lines, plural, one {# line} other {# lines}}, {invalid} not domains. Resolver: {resolver}; {rate}, {concurrency, plural, one {# domain} other {# domains}} at once.',
    ja: '入力: {lines} 行（うちドメインでない行 {invalid}）。リゾルバー: {resolver}。{rate}、同時 {concurrency} ドメイン。',
  },
  'survey.option.db': {
    en: 'store the scan in this store (a SQLite file or a postgres:// URL; default: $SUMI_DB or the user store) as it goes',
    ja: 'スキャン結果を逐次このストアに保存する（SQLite ファイルまたは postgres:// URL。既定: $SUMI_DB またはユーザーのストア）',
  },
  'survey.option.name': {
    en: 'name of the stored scan (default: survey-<time>); later scans of the same list give trends',
    ja: '保存するスキャンの名前（既定: survey-<時刻>）。同じ一覧の後のスキャンと比べて推移を見られます',
  },
  'survey.option.resume': {
    en: 'continue a stopped stored scan: domains already measured are skipped, the rest (unmeasured ones too) are measured',
    ja: '中断した保存済みスキャンを再開する: 測定済のドメインは飛ばし、残り（測定できなかったものを含む）を測定',
  },
  'survey.option.queue': {
    en: 'split the list into shards on this Redis (redis://host:port) for `sumi worker` processes; use a postgres:// --db shared with the workers',
    ja: '一覧をシャードに分けてこの Redis（redis://host:port）に登録し `sumi worker` に処理させる。--db にはワーカーと共有する postgres:// を指定',
  },
  'survey.option.queueName': {
    en: 'name of the queue (submitters and workers must agree)',
    ja: 'キューの名前（登録側とワーカーで同じにする）',
  },
  'survey.option.shardSize': {
    en: 'domains per shard with --queue',
    ja: '--queue 使用時の 1 シャードあたりのドメイン数',
  },
  'survey.option.detach': {
    en: 'with --queue: return once the shards are queued instead of waiting (see `sumi survey show NAME`)',
    ja: '--queue 使用時: 完了を待たずにシャード登録後に終了する（結果は `sumi survey show NAME`）',
  },
  'survey.error.emptyName': {
    en: 'a scan name cannot be empty',
    ja: 'スキャン名を空にはできません',
  },
  'survey.error.exists': {
    en: 'a scan named "{name}" exists already: resume it with --resume, or choose another --name',
    ja: 'スキャン「{name}」は既にあります。--resume で再開するか、別の --name を指定してください',
  },
  'survey.error.unknown': {
    en: 'no scan named "{name}" in the store',
    ja: 'ストアにスキャン「{name}」がありません',
  },
  'survey.error.noNames': {
    en: 'name at least one scan',
    ja: 'スキャン名を 1 つ以上指定してください',
  },
  'survey.resumeNeedsNoName': {
    en: '--resume names the scan to continue: give --name only to start a new one',
    ja: '--resume に再開するスキャン名を指定します。--name は新しいスキャンを始めるときだけ指定してください',
  },
  'survey.needsFile': {
    en: 'name the domain list (a file, or - for stdin)',
    ja: 'ドメイン一覧（ファイル、または標準入力の -）を指定してください',
  },
  'survey.resumeFinished': {
    en: 'scan "{name}" is finished; start a new scan with --name to measure the list again',
    ja: 'スキャン「{name}」は完了しています。一覧を再測定するには --name で新しいスキャンを始めてください',
  },
  'survey.perDomainQueue': {
    en: '--per-domain cannot be used with --queue: the workers measure the domains (the store has one row per domain)',
    ja: '--per-domain は --queue と併用できません: 測定はワーカーが行います（ストアにドメインごとの行があります）',
  },
  'survey.detachNeedsQueue': {
    en: '--detach is for --queue: a local scan runs in this process',
    ja: '--detach は --queue と使います: ローカルのスキャンはこのプロセスで実行されます',
  },
  'survey.stored': {
    en: 'storing scan "{name}" in {store}',
    ja: 'スキャン「{name}」を {store} に保存します',
  },
  'survey.resuming': {
    en: 'resuming scan "{name}": {skipped, plural, one {# domain already measured is skipped} other {# domains already measured are skipped}}',
    ja: 'スキャン「{name}」を再開: 測定済の {skipped} ドメインを飛ばしました',
  },
  'survey.queued': {
    en: 'scan "{name}": {domains, plural, one {# domain} other {# domains}} in {shards, plural, one {# shard} other {# shards}} queued on {queue}; waiting for workers',
    ja: 'スキャン「{name}」: {domains} ドメインを {shards} シャードとして {queue} に登録しました。ワーカーの処理を待ちます',
  },
  'survey.detached': {
    en: 'scan "{name}": {domains, plural, one {# domain} other {# domains}} in {shards, plural, one {# shard} other {# shards}} queued; `sumi survey show {name}` prints the results when the workers are done',
    ja: 'スキャン「{name}」: {domains} ドメインを {shards} シャードとして登録しました。ワーカーの完了後 `sumi survey show {name}` で結果を表示できます',
  },
  'survey.progress.queue': {
    en: '{done, plural, one {# domain} other {# domains}} stored by workers, {unmeasured} could not be asked so far',
    ja: 'ワーカーが {done} ドメインを保存、現時点で問い合わせ不能 {unmeasured} 件',
  },
  'survey.show.description': {
    en: "print a stored scan's results, recomputed from the store (same output as the scan)",
    ja: '保存済みスキャンの結果をストアから再計算して表示する（スキャン時と同じ出力）',
  },
  'survey.show.unfinished': {
    en: 'scan "{name}" is not finished: {results, plural, one {this is the # domain stored so far} other {these are the # domains stored so far}}',
    ja: 'スキャン「{name}」は未完了です: ここまでに保存された {results} ドメインの結果です',
  },
  'survey.trend.description': {
    en: "compare stored scans of the same list: each category's shares per scan and the change from the first to the last, in points",
    ja: '同じ一覧の保存済みスキャンを比較する: 分類ごとの各スキャンの割合と、最初から最後までの変化（ポイント）',
  },
  'survey.trend.argument': {
    en: 'stored scan names, oldest first',
    ja: '保存済みスキャンの名前（古い順）',
  },
  'survey.sub.help': {
    en: '\nAlso takes the options of `sumi survey`: --db <file|url> (the store), --json, and --csv for show.',
    ja: '\n`sumi survey` のオプションも使えます: --db <file|url>（ストア）、--json、show では --csv。',
  },
  'survey.trend.change': { en: 'change (pt)', ja: '変化（pt）' },
  'survey.trend.scan': { en: 'scan', ja: 'スキャン' },
  'survey.trend.method': {
    en: 'Shares are of measured domains in each scan (measured: of all domains); the change is the last scan having the category minus the first, in percentage points.',
    ja: '割合の分母は各スキャンの測定済ドメイン（測定済の割合は全ドメインが分母）。変化はその分類を含む最後のスキャンから最初のスキャンを引いた値（パーセントポイント）です。',
  },
  'worker.description': {
    en: 'measure survey shards from a queue (see `sumi survey --queue`) into the shared store, until stopped (SIGINT/SIGTERM)',
    ja: 'キューからサーベイのシャードを取り出して測定し、共有ストアに書き込む（SIGINT/SIGTERM で停止するまで）',
  },
  'worker.option.queue': {
    en: 'the Redis the shards are queued on (redis://host:port)',
    ja: 'シャードが登録されている Redis（redis://host:port）',
  },
  'worker.option.db': {
    en: 'the store the submitter uses (a postgres:// URL shared by every worker)',
    ja: '登録側と同じストア（全ワーカーで共有する postgres:// URL）',
  },
  'worker.option.jobs': { en: 'shards measured at once', ja: '同時に測定するシャード数' },
  'worker.option.lockDuration': {
    en: "ms a shard stays locked without this worker's renewal; after it a stopped worker's shard goes to another",
    ja: '更新がないままシャードのロックを保つ時間（ミリ秒）。これを過ぎると停止したワーカーのシャードは別のワーカーに回ります',
  },
  'worker.option.resolver': {
    en: "DNS servers for this worker (default: the scan's --resolver, else this machine's)",
    ja: 'このワーカーが使う DNS サーバー（既定: スキャンの --resolver、なければこのマシンの設定）',
  },
  'worker.option.json': {
    en: 'when stopped, print one JSON document: shards and domains measured',
    ja: '停止時に JSON 文書を 1 つ出力する: 測定したシャード数とドメイン数',
  },
  'worker.ready': {
    en: 'worker {name} waiting for shards on {queue} (queue {queueName})',
    ja: 'ワーカー {name} が {queue}（キュー {queueName}）のシャードを待っています',
  },
  'worker.start': {
    en: 'scan "{scan}" shard {shard}: {domains, plural, one {# domain} other {# domains}}',
    ja: 'スキャン「{scan}」シャード {shard}: {domains} ドメイン',
  },
  'worker.done': {
    en: 'scan "{scan}" shard {shard} done: {domains} measured ({skipped} already stored, {unmeasured} could not be asked) in {seconds} s',
    ja: 'スキャン「{scan}」シャード {shard} 完了: {domains} ドメインを測定（保存済 {skipped}、問い合わせ不能 {unmeasured}）{seconds} 秒',
  },
  'worker.error': { en: 'worker error: {message}', ja: 'ワーカーのエラー: {message}' },
  'worker.stopped': {
    en: 'worker stopped: {shards, plural, one {# shard} other {# shards}}, {domains, plural, one {# domain} other {# domains}} measured',
    ja: 'ワーカー停止: {shards} シャード、{domains} ドメインを測定',
  },
  'survey.rate.capped': { en: 'at most {qps} queries/s', ja: '上限 {qps} 問い合わせ/秒' },
  'survey.rate.uncapped': { en: 'no cap on queries/s', ja: '問い合わせ数の上限なし' },
} satisfies UiCatalog;

/** Words of the survey's HTML report and chart files (`--html`, `--charts`). */
export const surveyReportText = {
  'report.title': { en: 'Mail authentication adoption survey', ja: '送信ドメイン認証の普及状況調査' },
  'report.lead': {
    en: '{domains, plural, one {# domain} other {# domains}} in {categories, plural, one {# category} other {# categories}}; {measured} measured. Categories: {by}. Scan {started} – {finished} (UTC).',
    ja: '{categories} 分類 {domains} ドメイン、うち測定済 {measured}。分類方法: {by}。調査期間 {started} – {finished}（UTC）。',
  },
  'report.unmeasured': {
    en: '{count, plural, one {# domain} other {# domains}} could not be measured (SERVFAIL, timeout or REFUSED after {passes} retry passes). Such domains are reported here apart and are not counted as lacking any record.',
    ja: '{count} ドメインは測定できませんでした（{passes} 回の再測定後も SERVFAIL・タイムアウト・REFUSED）。ここに別に示し、「レコードなし」には数えていません。',
  },
  'report.switch': { en: 'Language', ja: '言語' },
  'report.section.overview': {
    en: 'Domains and measurement by category',
    ja: '分類別のドメイン数と測定状況',
  },
  'report.section.adoption': { en: 'Adoption by category', ja: '分類別の導入状況' },
  'report.section.policy': { en: 'DMARC policy by category', ja: '分類別の DMARC ポリシー' },
  'report.section.other': { en: 'Other counts', ja: 'その他の集計' },
  'report.section.trend': { en: 'Across scans', ja: '調査ごとの推移' },
  'report.section.method': { en: 'Method', ja: '測定方法' },
  'report.col.category': { en: 'Category', ja: '分類' },
  'report.col.domains': { en: 'Domains', ja: 'ドメイン数' },
  'report.col.measured': { en: 'Measured', ja: '測定済' },
  'report.col.unmeasured': { en: 'Not measured', ja: '測定不能' },
  'report.col.count': { en: 'Count', ja: '件数' },
  'report.col.share': { en: 'Share', ja: '割合' },
  'report.col.interval': { en: '95% interval', ja: '95% 信頼区間' },
  'report.col.ofDmarc': { en: 'Share of DMARC domains', ja: 'DMARC ドメイン中の割合' },
  'report.col.scan': { en: 'Scan', ja: '調査' },
  'report.col.orgMeasured': { en: 'Organisations measured', ja: '測定済の組織' },
  'report.col.orgCount': { en: 'Organisations', ja: '組織数' },
  'report.col.orgShare': { en: 'Share (organisations)', ja: '割合（組織）' },
  'report.total': { en: 'All', ja: '全体' },
  'report.organisations': {
    en: 'Organisation columns: an organisation counts when {rule} of its domains has the record, among organisations whose domains were all measured.',
    ja: '組織の列: ドメインがすべて測定できた組織のうち、ドメインの{rule}がレコードを持つ組織を数えています。',
  },
  'report.rule.any': { en: 'any', ja: 'いずれか' },
  'report.rule.all': { en: 'all', ja: 'すべて' },
  'report.chart.adoption.title': { en: '{metric}: adoption by category', ja: '{metric}: 分類別の導入率' },
  'report.chart.adoption.subtitle': {
    en: 'Share of measured domains; error bars: 95% Wilson interval',
    ja: '測定済ドメインに占める割合。誤差線: 95% Wilson 信頼区間',
  },
  'report.chart.adoptionOrg.title': {
    en: '{metric}: adoption by category, per organisation',
    ja: '{metric}: 分類別の導入率（組織単位）',
  },
  'report.chart.adoptionOrg.subtitle': {
    en: 'Share of measured organisations (one counts when {rule} of its domains has it); error bars: 95% Wilson interval',
    ja: '測定済の組織に占める割合（ドメインの{rule}が持つ組織を数える）。誤差線: 95% Wilson 信頼区間',
  },
  'report.chart.largest': {
    en: '(the {shown} largest of {total, plural, one {# category} other {# categories}}; every one is in the tables)',
    ja: '（全 {total} 分類のうちドメイン数の多い {shown} 分類。表には全分類を掲載）',
  },
  'report.chart.policy.title': { en: 'DMARC policy (p=) by category', ja: '分類別の DMARC ポリシー（p=）' },
  'report.chart.policy.subtitle': {
    en: 'Share of domains with a valid DMARC policy',
    ja: '有効な DMARC ポリシーを持つドメインに占める割合',
  },
  'report.chart.trend.title': { en: '{metric}: across scans', ja: '{metric}: 調査ごとの推移' },
  'report.chart.trend.subtitle': {
    en: 'Share of measured domains; all domains and the {count} largest categories',
    ja: '測定済ドメインに占める割合。全体と、ドメイン数の多い {count} 分類',
  },
  'report.trend.note': {
    en: 'Shares of measured domains in each scan; a blank cell: the category was not in that scan.',
    ja: '各調査の測定済ドメインに占める割合。空欄はその調査にその分類がなかったことを示します。',
  },
  'report.metric.measured': { en: 'Measured', ja: '測定済' },
  'report.metric.spfPresent': { en: 'SPF record present', ja: 'SPF レコードあり' },
  'report.metric.spf': { en: 'SPF', ja: 'SPF' },
  'report.metric.spfMultiple': { en: 'Several SPF records', ja: 'SPF レコード複数' },
  'report.metric.spfStrict': { en: 'SPF -all', ja: 'SPF -all' },
  'report.metric.dmarcRecord': { en: 'DMARC record present', ja: 'DMARC レコードあり' },
  'report.metric.dmarc': { en: 'DMARC', ja: 'DMARC' },
  'report.metric.dmarcInherited': { en: 'DMARC from a parent domain', ja: '親ドメインの DMARC を適用' },
  'report.metric.policy.none': { en: 'p=none', ja: 'p=none' },
  'report.metric.policy.quarantine': { en: 'p=quarantine', ja: 'p=quarantine' },
  'report.metric.policy.reject': { en: 'p=reject', ja: 'p=reject' },
  'report.metric.rua': { en: 'DMARC rua', ja: 'DMARC rua' },
  'report.metric.sp': { en: 'DMARC sp', ja: 'DMARC sp' },
  'report.metric.np': { en: 'DMARC np', ja: 'DMARC np' },
  'report.metric.bimi': { en: 'BIMI', ja: 'BIMI' },
  'report.metric.mtaSts': { en: 'MTA-STS', ja: 'MTA-STS' },
  'report.metric.tlsRpt': { en: 'TLS-RPT', ja: 'TLS-RPT' },
  'report.metric.mx': { en: 'MX hosts', ja: 'MX ホストあり' },
  'report.metric.nullMx': { en: 'Null MX', ja: 'null MX' },
  'report.metric.dkim': { en: 'DKIM key', ja: 'DKIM 公開鍵' },
  'report.def.measured': {
    en: 'Every DNS question for the domain (tree-walk parents included) got a definite answer: a record, NXDOMAIN or NODATA. Share: of all domains in the category.',
    ja: 'そのドメインの DNS 問い合わせ（ツリーウォークの親ドメインを含む）すべてに確定した応答（レコード・NXDOMAIN・NODATA）があったもの。割合の分母は分類の全ドメイン。',
  },
  'report.def.spfPresent': {
    en: 'At least one TXT record at the domain starting with v=spf1, valid or not.',
    ja: 'ドメインに v=spf1 で始まる TXT レコードが 1 つ以上ある（有効かどうかは問わない）。',
  },
  'report.def.spf': {
    en: 'Exactly one SPF record, and it parses without a permerror (includes are not followed).',
    ja: 'SPF レコードがちょうど 1 つあり、permerror なく解析できる（include 先はたどらない）。',
  },
  'report.def.spfMultiple': {
    en: 'More than one SPF record: a permerror, so receivers treat the domain as having no usable SPF.',
    ja: 'SPF レコードが複数ある（permerror となり、受信側は有効な SPF がないものとして扱う）。',
  },
  'report.def.spfStrict': {
    en: 'A valid SPF record whose all mechanism is -all.',
    ja: '有効な SPF レコードで、all 機構が -all のもの。',
  },
  'report.def.dmarcRecord': {
    en: 'At least one v=DMARC1 TXT record at _dmarc.<domain>, usable or not.',
    ja: '_dmarc.<ドメイン> に v=DMARC1 の TXT レコードが 1 つ以上ある（使えるかどうかは問わない）。',
  },
  'report.def.dmarc': {
    en: "A valid DMARC policy applies: exactly one v=DMARC1 record (version case-sensitive) with a valid p tag, the domain's own or found by the RFC 9989 tree walk.",
    ja: '有効な DMARC ポリシーが適用される: 有効な p タグを持つ v=DMARC1 レコード（バージョンは大文字小文字を区別）がちょうど 1 つ。自身のレコード、または RFC 9989 のツリーウォークで見つかったもの。',
  },
  'report.def.dmarcInherited': {
    en: 'DMARC applies through a parent domain found by the tree walk, not an own record.',
    ja: '自身のレコードではなく、ツリーウォークで見つかった親ドメインの DMARC が適用される。',
  },
  'report.def.policy': {
    en: "The DMARC domains split by the applying record's p tag (values case-insensitive; t=y is not taken off). Chart: share of DMARC domains; table: also share of measured domains.",
    ja: 'DMARC ドメインを、適用されるレコードの p タグで分けたもの（値は大文字小文字を区別しない。t=y は考慮しない）。グラフは DMARC ドメインに占める割合、表には測定済ドメインに占める割合も示す。',
  },
  'report.def.rua': {
    en: 'DMARC applies and the applying record has a usable rua URI (aggregate reports are asked for).',
    ja: 'DMARC が適用され、そのレコードに使える rua URI がある（集約レポートを受け取る設定）。',
  },
  'report.def.sp': {
    en: 'DMARC applies and the applying record publishes sp (subdomain policy).',
    ja: 'DMARC が適用され、そのレコードに sp（サブドメインのポリシー）がある。',
  },
  'report.def.np': {
    en: 'DMARC applies and the applying record publishes np (policy for non-existent subdomains).',
    ja: 'DMARC が適用され、そのレコードに np（存在しないサブドメインのポリシー）がある。',
  },
  'report.def.bimi': {
    en: 'Exactly one valid BIMI record at default._bimi.<domain> (logo and certificate not fetched).',
    ja: 'default._bimi.<ドメイン> に有効な BIMI レコードがちょうど 1 つ（ロゴと証明書は取得しない）。',
  },
  'report.def.mtaSts': {
    en: 'Exactly one valid v=STSv1 record at _mta-sts.<domain> (policy file not fetched).',
    ja: '_mta-sts.<ドメイン> に有効な v=STSv1 レコードがちょうど 1 つ（ポリシーファイルは取得しない）。',
  },
  'report.def.tlsRpt': {
    en: 'Exactly one valid v=TLSRPTv1 record at _smtp._tls.<domain>.',
    ja: '_smtp._tls.<ドメイン> に有効な v=TLSRPTv1 レコードがちょうど 1 つ。',
  },
  'report.def.mx': { en: 'The MX answer names mail hosts.', ja: 'MX の応答にメールサーバーがある。' },
  'report.def.nullMx': {
    en: 'The MX answer is the null MX alone (RFC 7505: the domain accepts no mail).',
    ja: 'MX の応答が null MX のみ（RFC 7505: メールを受け付けないドメイン）。',
  },
  'report.def.dkim': {
    en: 'At least one of the selectors asked has a DKIM key record a verifier can use (a revoked key, p= empty, does not count). Selectors cannot be listed from DNS: a domain signing only with other selectors counts as without.',
    ja: '問い合わせたセレクタのいずれかに、検証に使える DKIM 公開鍵レコードがある（p= が空の失効した鍵は数えない）。セレクタは DNS から列挙できないため、他のセレクタだけで署名するドメインは「なし」に数えられる。',
  },
  'report.method.unit': {
    en: 'Unit: the domain. Denominator of every share: the measured domains of the category (the measured share itself: all its domains).',
    ja: '単位: ドメイン。割合の分母は分類の測定済ドメイン（測定済の割合のみ分類の全ドメイン）。',
  },
  'report.method.unmeasured': {
    en: 'Domains for which a question still got SERVFAIL, a timeout or REFUSED after the retry passes are not measured: they are counted apart and never as absent.',
    ja: '再測定の後も SERVFAIL・タイムアウト・REFUSED の問い合わせが残ったドメインは測定不能とし、別に数えて「レコードなし」には含めません。',
  },
  'report.method.adopted': {
    en: 'What counts as adopted: see the definition under each metric.',
    ja: '導入済とみなす条件は、各項目の定義のとおりです。',
  },
  'report.method.questions': { en: 'DNS questions per domain', ja: 'ドメインごとの DNS 問い合わせ' },
  'report.method.dmarcDiscovery': { en: 'DMARC discovery', ja: 'DMARC の探索' },
  'report.method.interval': { en: 'Interval', ja: '信頼区間' },
  'report.method.intervalValue': {
    en: 'Wilson score interval, 95% (z = 1.96)',
    ja: 'Wilson スコア区間、95%（z = 1.96）',
  },
  'report.method.dmarcDiscoveryValue': {
    en: 'RFC 9989 DNS tree walk (at most 8 _dmarc names)',
    ja: 'RFC 9989 の DNS ツリーウォーク（_dmarc 名は最大 8 個）',
  },
  'report.method.categories': { en: 'Categories', ja: '分類方法' },
  'report.method.retries': {
    en: 'Retry passes',
    ja: '再測定',
  },
  'report.method.retriesValue': {
    en: '{passes, plural, one {# pass} other {# passes}} on {on}, first after {delay} ms, doubling; {retried, plural, one {# domain} other {# domains}} needed them',
    ja: '{on} に対して {passes} 回、初回 {delay} ミリ秒後から倍々に待機。対象 {retried} ドメイン',
  },
  'report.method.resolver': { en: 'Resolver', ja: 'リゾルバー' },
  'report.method.rate': {
    en: 'Rate',
    ja: '問い合わせ速度',
  },
  'report.method.rateValue': {
    en: '{qps} queries/s at most; {concurrency, plural, one {# domain} other {# domains}} at once',
    ja: '毎秒 {qps} 問い合わせまで、同時 {concurrency} ドメイン',
  },
  'report.method.uncapped': { en: 'no cap', ja: '上限なし' },
  'report.method.input': { en: 'Input', ja: '入力' },
  'report.method.inputValue': {
    en: '{lines, plural, one {# line} other {# lines}}, {invalid} of them not domains (skipped)',
    ja: '{lines} 行（うちドメインでない {invalid} 行は読み飛ばし）',
  },
  'report.method.time': { en: 'Scan time (UTC)', ja: '調査日時（UTC）' },
  'report.footer': {
    en: 'Made by Sumi (sumi survey). This file is self-contained: it loads nothing from the network.',
    ja: 'Sumi（sumi survey）で作成。このファイルは単体で完結し、ネットワークから何も読み込みません。',
  },
  'report.option.html': {
    en: 'also write the report as one self-contained HTML file (charts, tables, method)',
    ja: 'レポートを単体で完結する HTML ファイルにも書き出す（グラフ・表・測定方法）',
  },
  'report.option.charts': {
    en: 'also write each chart as a file in this folder, for slides',
    ja: '各グラフをこのフォルダーにファイルとしても書き出す（スライド用）',
  },
  'report.option.chartFormat': { en: 'chart file format', ja: 'グラフファイルの形式' },
  'report.option.reportLang': {
    en: 'language of the HTML report and charts: en, ja, or both (HTML with a switch; one chart file per language)',
    ja: 'HTML レポートとグラフの言語: en、ja、または both（HTML は切り替え式、グラフは言語ごとのファイル）',
  },
  'report.wrote.html': { en: 'HTML report: {path}', ja: 'HTML レポート: {path}' },
  'report.wrote.charts': { en: '{count} chart files in {dir}', ja: 'グラフ {count} ファイル: {dir}' },
  'report.noFont': {
    en: 'no font with Japanese found (fc-list :lang=ja): Japanese text in the PNG charts will be missing; install one (Debian: fonts-noto-cjk or the smaller fonts-ipaexfont-gothic) or use --chart-format svg',
    ja: '日本語フォントが見つかりません（fc-list :lang=ja）。PNG グラフの日本語が表示されません。フォントを入れる（Debian: fonts-noto-cjk、または小さい fonts-ipaexfont-gothic）か、--chart-format svg を使ってください',
  },
} satisfies UiCatalog;
