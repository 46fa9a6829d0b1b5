import type { UiCatalog } from './catalog.ts';

/**
 * Words of the analysis: why a sender's mail passes or fails DMARC, and what to do about it.
 * `{sender}` is the known sender's display name (or "this sender" when unknown), `{domain}`
 * the From domain, `{dkimDomain}` / `{spfDomain}` the domain that passed without aligning.
 */
export const analysisText = {
  'sender.unknown': { en: 'this sender', ja: 'この送信元' },
  'category.mailbox-provider': { en: 'mailbox provider', ja: 'メールボックスプロバイダー' },
  'category.esp': { en: 'email delivery service', ja: 'メール配信サービス' },
  'category.crm': { en: 'CRM', ja: 'CRM' },
  'category.helpdesk': { en: 'helpdesk', ja: 'ヘルプデスク' },
  'category.marketing': { en: 'marketing email', ja: 'マーケティングメール' },
  'category.isp': { en: 'internet provider', ja: 'インターネットプロバイダー' },
  'category.hosting': { en: 'hosting', ja: 'ホスティング' },

  'reason.aligned-pass': {
    en: 'Passes DMARC: authenticated as {domain}.',
    ja: 'DMARC に合格しています（{domain} として認証済み）。',
  },
  'reason.not-signed': {
    en: 'Mail from {sender} is sent as {domain} without a DKIM signature, and its servers are not in the SPF record of {domain}.',
    ja: '{sender} は DKIM 署名なしで {domain} として送信しており、その送信サーバーは {domain} の SPF レコードに含まれていません。',
  },
  'fix.not-signed': {
    en: 'Turn on DKIM signing for {domain} in {sender} and publish the DKIM key it gives you; if it sends with {domain} as the return-path, also add its servers to the SPF record of {domain}.',
    ja: '{sender} で {domain} の DKIM 署名を有効にし、提示される DKIM 公開鍵を DNS に登録してください。{domain} をエンベロープ送信者（Return-Path）に使う場合は、その送信サーバーを {domain} の SPF レコードにも追加してください。',
  },
  'reason.signed-by-esp-domain': {
    en: 'Mail from {sender} is signed with its own domain ({dkimDomain}), not with {domain}: the DKIM signature passes but does not align.',
    ja: '{sender} は {domain} ではなく自社のドメイン（{dkimDomain}）で DKIM 署名しているため、署名は有効でもアライメントしていません。',
  },
  'fix.signed-by-esp-domain': {
    en: 'Set up a custom DKIM domain in {sender} (often called domain authentication): publish the DKIM records it gives you under {domain}, so that it signs with d={domain} instead of d={dkimDomain}.',
    ja: '{sender} で独自ドメインの DKIM 署名（ドメイン認証などと呼ばれる設定）を行い、提示される DKIM レコードを {domain} に登録して、d={dkimDomain} ではなく d={domain} で署名されるようにしてください。',
  },
  'reason.spf-esp-bounce-not-aligned': {
    en: "SPF passes for {sender}'s bounce domain ({spfDomain}), not for {domain}: SPF passes but does not align.",
    ja: 'SPF は {sender} のバウンス用ドメイン（{spfDomain}）で合格していますが、{domain} ではないためアライメントしていません。',
  },
  'fix.spf-esp-bounce-not-aligned': {
    en: 'Set up a custom return-path (bounce domain) in {sender}: a subdomain of {domain} such as bounce.{domain}, with the CNAME or MX and SPF records it gives you, so that the envelope sender is under {domain} instead of {spfDomain}.',
    ja: '{sender} で独自のエンベロープ送信者（Return-Path、バウンス用ドメイン）を設定してください。bounce.{domain} など {domain} のサブドメインに、提示される CNAME または MX と SPF のレコードを登録すると、エンベロープ送信者が {spfDomain} ではなく {domain} 配下になります。',
  },
  'reason.forwarded': {
    en: 'Forwarded: the message reached the receiver through another server, so SPF for {domain} fails; only an intact DKIM signature can carry it.',
    ja: '転送されたメールです。別のサーバーを経由して届いたため {domain} の SPF は失敗し、DMARC に合格できるのは DKIM 署名が壊れていない場合だけです。',
  },
  'fix.forwarded': {
    en: 'Nothing to change at the forwarder: make sure every legitimate sender of {domain} signs with an aligned DKIM signature (d={domain}), which survives forwarding.',
    ja: '転送元で変更する必要はありません。{domain} の正規の送信元すべてが、転送後も有効なアライメントした DKIM 署名（d={domain}）を付けるようにしてください。',
  },
  'reason.mailing-list': {
    en: "Mailing list: the list changed the message (subject tag, footer), which broke {domain}'s DKIM signature, and it resends from its own server.",
    ja: 'メーリングリストです。件名の付加やフッターの追加でメッセージが変更されて {domain} の DKIM 署名が無効になり、リスト自身のサーバーから再送されています。',
  },
  'fix.mailing-list': {
    en: "Nothing to change in {domain}'s records: receivers that trust the list's ARC seal accept it; lists that rewrite the From address avoid the failure. Check that these are lists your users really post to.",
    ja: '{domain} のレコードを変更する必要はありません。リストの ARC 署名を信頼する受信側は受け入れ、From を書き換えるリストでは失敗しません。利用者が実際に投稿しているメーリングリストかどうか確認してください。',
  },
  'reason.spoofing': {
    en: 'Neither SPF nor DKIM authenticates {domain}, and the sender is not a known service: likely spoofing.',
    ja: 'SPF でも DKIM でも {domain} として認証されず、既知のサービスでもありません。なりすましの可能性があります。',
  },
  'fix.spoofing': {
    en: 'If this is not your mail, p=reject for {domain} will block it once your own senders pass; if it is yours, set up SPF and DKIM for {domain} on that server.',
    ja: '自組織のメールでなければ、正規の送信元がすべて合格した時点で {domain} を p=reject にすると遮断できます。自組織のメールであれば、そのサーバーで {domain} の SPF と DKIM を設定してください。',
  },

  // ------------------------------------------------------------ command line
  'class.authorised': { en: 'authorised', ja: '正規' },
  'class.known-unconfigured': { en: 'known service, not set up', ja: '既知サービス（未設定）' },
  'class.forwarder': { en: 'forwarder', ja: '転送' },
  'class.suspicious': { en: 'suspicious', ja: '不審' },
  'option.db': {
    en: 'store: a SQLite file or a postgres:// URL (default: $SUMI_DB or the user data folder)',
    ja: 'ストア: SQLite ファイルまたは postgres:// URL（既定: $SUMI_DB またはユーザーデータフォルダー）',
  },
  'option.json': { en: 'print one JSON document', ja: 'JSON 文書を 1 つ出力する' },
  'option.since': {
    en: 'first day: 30d (the last 30 days, today included) or a date, 2026-10-01 (default: 30d)',
    ja: '開始日: 30d（今日を含む直近 30 日）または日付 2026-10-01（既定: 30d）',
  },
  'option.until': {
    en: 'last day, included: a date or Nd (N days ago) (default: today, UTC)',
    ja: '終了日（当日を含む）: 日付または Nd（N 日前）（既定: 今日、UTC）',
  },
  'option.resolver': {
    en: 'ask DNS through these servers, host:port[,host:port] or "system" (default: no DNS; cached reverse DNS only)',
    ja: 'DNS をこのサーバーに問い合わせる host:port[,host:port] または "system"（既定: DNS を使わず、キャッシュ済みの逆引きのみ）',
  },
  'summary.description': {
    en: "a domain's mail over a period: messages, DMARC pass and fail, aligned SPF and DKIM, dispositions, per day, and the published policy",
    ja: '期間中のドメインのメール: 通数、DMARC 合格・不合格、アライメントした SPF と DKIM、処理結果、日ごとの推移、公開ポリシー',
  },
  'sources.description': {
    en: "a domain's senders by IP: volume, aligned results, why they fail and the fix, known service, class",
    ja: 'ドメインの送信元（IP 別）: 通数、アライメント結果、失敗の理由と対処、既知サービス、分類',
  },
  'senders.description': {
    en: 'senders DOMAIN: the same as sources; senders mark DOMAIN IP --as authorised|forwarder|suspicious [--note]; senders unmark DOMAIN IP',
    ja: 'senders DOMAIN: sources と同じ。senders mark DOMAIN IP --as authorised|forwarder|suspicious [--note]、senders unmark DOMAIN IP',
  },
  'senders.option.as': {
    en: 'the mark: authorised, forwarder or suspicious',
    ja: '分類: authorised、forwarder、suspicious',
  },
  'senders.option.note': { en: 'a note kept with the mark', ja: '分類に付けるメモ' },
  'senders.marked': {
    en: 'marked {ip} of {domain} as {mark}',
    ja: '{domain} の {ip} を「{mark}」にしました',
  },
  'senders.unmarked': {
    en: 'removed the mark of {ip} of {domain}',
    ja: '{domain} の {ip} の分類を削除しました',
  },
  'senders.notMarked': { en: '{ip} of {domain} had no mark', ja: '{domain} の {ip} には分類がありません' },
  'senders.usage.mark': {
    en: 'senders {action} needs DOMAIN and IP{as}',
    ja: 'senders {action} には DOMAIN と IP{as} が必要です',
  },
  'simulate.description': {
    en: 'what a stricter policy would have quarantined or rejected over the period: legitimate mail at risk and unauthorised mail blocked, per sender',
    ja: '期間中、より厳しいポリシーなら隔離・拒否されたメール: 正規メールへの影響と遮断される不正メールを送信元ごとに',
  },
  'simulate.option.policy': {
    en: 'the policy to simulate: quarantine or reject',
    ja: 'シミュレーションするポリシー: quarantine または reject',
  },
  'simulate.option.sp': {
    en: 'policy for subdomains (default: --policy)',
    ja: 'サブドメインのポリシー（既定: --policy）',
  },
  'simulate.option.np': {
    en: 'policy for non-existent subdomains (needs --resolver to know which do not exist)',
    ja: '存在しないサブドメインのポリシー（存在しないかの判定に --resolver が必要）',
  },
  'simulate.option.pct': {
    en: 'legacy pct: percent of failing mail the policy applies to (default 100)',
    ja: '旧仕様の pct: ポリシーを適用する不合格メールの割合（既定 100）',
  },
  'subdomains.description': {
    en: 'every From subdomain seen in the reports (volume, senders, first/last seen, in your inventory, own DMARC record) and the unknown senders of the domain',
    ja: 'レポートに現れたすべての From サブドメイン（通数、送信元数、初回・最終、インベントリ登録、独自の DMARC レコード）と、ドメインの未知の送信元',
  },
  'tls.description': {
    en: 'SMTP TLS reports (RFC 8460) of a policy domain: successful and failed sessions by policy type, result type and reporter, and the failure details',
    ja: 'ポリシードメインの SMTP TLS レポート（RFC 8460）: ポリシーの種類、結果の種類、報告元ごとの成功・失敗したセッションと失敗の詳細',
  },
  'tls.option.limit': {
    en: 'failure detail groups listed (default 20; --json has up to 200)',
    ja: '表示する失敗の詳細のグループ数（既定 20、--json は 200 まで）',
  },
  'tls.heading': {
    en: '{reports, plural, one {# TLS report} other {# TLS reports}}: {successful, plural, one {# successful session} other {# successful sessions}}, {failed, plural, one {# failed} other {# failed}} ({rate})',
    ja: 'TLS レポート {reports} 件: 成功したセッション {successful}、失敗 {failed}（{rate}）',
  },
  'tls.none': {
    en: 'No SMTP TLS report for {domain} in this period (publish a TLS-RPT record, _smtp._tls.{domain}, to receive them; --since widens the period).',
    ja: 'この期間の {domain} の SMTP TLS レポートはありません（TLS-RPT レコード _smtp._tls.{domain} を公開すると届きます。--since で期間を広げられます）。',
  },
  'tls.byPolicyType': { en: 'By policy type:', ja: 'ポリシーの種類別:' },
  'tls.byResultType': { en: 'Failures by result type:', ja: '結果の種類別の失敗:' },
  'tls.byReporter': { en: 'By reporter:', ja: '報告元別:' },
  'tls.failures': { en: 'Failure details:', ja: '失敗の詳細:' },
  'tls.failuresMore': {
    en: '{more, plural, one {# more group} other {# more groups}} (--limit, --json)',
    ja: 'ほかに {more} グループ（--limit、--json）',
  },
  'tls.col.policyType': { en: 'policy type', ja: 'ポリシーの種類' },
  'tls.col.resultType': { en: 'result type', ja: '結果の種類' },
  'tls.col.successful': { en: 'successful', ja: '成功' },
  'tls.col.failed': { en: 'failed', ja: '失敗' },
  'tls.col.rate': { en: 'failure rate', ja: '失敗率' },
  'tls.col.sessions': { en: 'sessions', ja: 'セッション数' },
  'tls.col.sendingMta': { en: 'sending MTA', ja: '送信 MTA' },
  'tls.col.receivingMx': { en: 'receiving MX', ja: '受信 MX' },
  'tls.col.helo': { en: 'MX HELO', ja: 'MX の HELO' },
  'tls.col.receivingIp': { en: 'receiving IP', ja: '受信 IP' },
  'tls.col.reasonCode': { en: 'reason code', ja: '理由コード' },
  'tls.col.info': { en: 'additional information', ja: '追加情報' },
  'reporters.description': {
    en: 'which organisations report on the domain: share of volume, cadence, gaps, reporters that stopped',
    ja: 'ドメインのレポートを送っている組織: 通数の割合、送信間隔、欠落日、送信が止まった組織',
  },
  // The next step of a domain's rollout (domains overview, the dashboard's domain list).
  'next.publish-dmarc': {
    en: 'Publish a DMARC record with p=none and a rua address to start receiving reports.',
    ja: 'p=none と rua 宛先を指定した DMARC レコードを公開して、レポートの受信を始めましょう。',
  },
  'next.fix-senders': {
    en: 'Legitimate mail still fails: fix the failing senders before enforcing.',
    ja: '正規のメールがまだ失敗しています。ポリシーを強化する前に失敗している送信元を直しましょう。',
  },
  'next.quarantine': {
    en: 'Mail passes: move the policy to p=quarantine.',
    ja: 'メールは合格しています。ポリシーを p=quarantine に進めましょう。',
  },
  'next.reject': {
    en: 'Quarantine holds: move the policy to p=reject.',
    ja: 'quarantine で問題ありません。ポリシーを p=reject に進めましょう。',
  },
  'next.watch': {
    en: 'Enforced: keep watching the reports for new senders.',
    ja: '強化済みです。新しい送信元が現れないかレポートを見続けましょう。',
  },
  'next.no-data': {
    en: 'No reports yet for this period.',
    ja: 'この期間のレポートはまだありません。',
  },
  'nextShort.publish-dmarc': { en: 'publish DMARC', ja: 'DMARC を公開' },
  'nextShort.fix-senders': { en: 'fix senders', ja: '送信元を修正' },
  'nextShort.quarantine': { en: 'go to p=quarantine', ja: 'p=quarantine へ' },
  'nextShort.reject': { en: 'go to p=reject', ja: 'p=reject へ' },
  'nextShort.watch': { en: 'watch', ja: '監視を継続' },
  'nextShort.no-data': { en: 'no reports', ja: 'レポートなし' },
  'domains.description': {
    en: 'your inventory of domains: add, remove, list; overview: every domain with reports or in the inventory, with its policy, messages, DMARC pass rate and next step',
    ja: 'ドメインのインベントリ: 追加・削除・一覧。overview: レポートのある、またはインベントリにあるすべてのドメインのポリシー、通数、DMARC 合格率、次の手順',
  },
  'domains.overview.heading': {
    en: '{domains, plural, one {# domain} other {# domains}}, {since} to {until} (UTC days)',
    ja: '{domains} ドメイン、{since} から {until}（UTC の日）',
  },
  'domains.overview.none': {
    en: 'No reports and no domains in the inventory (sumi ingest stores reports; sumi domains add DOMAIN).',
    ja: 'レポートも、インベントリのドメインもありません（レポートは sumi ingest で保存し、ドメインは sumi domains add DOMAIN で追加します）。',
  },
  'domains.periodForOverview': {
    en: '--since and --until are for domains overview',
    ja: '--since と --until は domains overview で使います',
  },
  'domains.option.note': { en: 'a note kept with the domain', ja: 'ドメインに付けるメモ' },
  'domains.added': { en: 'added {domain}', ja: '{domain} を追加しました' },
  'domains.present': {
    en: '{domain} was already in the inventory',
    ja: '{domain} は既にインベントリにあります',
  },
  'domains.removed': { en: 'removed {domain}', ja: '{domain} を削除しました' },
  'domains.absent': { en: '{domain} was not in the inventory', ja: '{domain} はインベントリにありません' },
  'domains.empty': {
    en: 'no domains in the inventory (sumi domains add DOMAIN)',
    ja: 'インベントリにドメインがありません（sumi domains add DOMAIN）',
  },
  'domains.usage': { en: 'domains {action} needs DOMAIN', ja: 'domains {action} には DOMAIN が必要です' },
  'domains.badAction': {
    en: '"{action}": give add, remove, list or overview',
    ja: '"{action}": add、remove、list、overview のいずれかを指定してください',
  },
  'error.choice': {
    en: '{flag} {value}: give one of {choices}',
    ja: '{flag} {value}: {choices} のいずれかを指定してください',
  },
  'error.pct': {
    en: '--pct {value}: give a whole number from 0 to 100',
    ja: '--pct {value}: 0 から 100 の整数を指定してください',
  },
  'heading.period': {
    en: '{domain}, {since} to {until} (UTC days)',
    ja: '{domain}、{since} から {until}（UTC の日）',
  },
  'heading.noData': {
    en: 'No reports for {domain} in this period (sumi ingest stores them; --since widens the period).',
    ja: 'この期間の {domain} のレポートはありません（sumi ingest で取り込み、--since で期間を広げられます）。',
  },
  'summary.messages': { en: 'Messages', ja: '通数' },
  'summary.dmarcPass': { en: 'DMARC pass', ja: 'DMARC 合格' },
  'summary.dmarcFail': { en: 'DMARC fail', ja: 'DMARC 不合格' },
  'summary.spfAligned': { en: 'SPF aligned pass', ja: 'SPF アライメント合格' },
  'summary.dkimAligned': { en: 'DKIM aligned pass', ja: 'DKIM アライメント合格' },
  'summary.dispositions': { en: 'Dispositions', ja: '処理結果' },
  'summary.policy': { en: 'Published policy (from the reports)', ja: '公開ポリシー（レポートから）' },
  'summary.changed': { en: 'changed', ja: '変更' },
  'col.day': { en: 'day', ja: '日付' },
  'col.messages': { en: 'messages', ja: '通数' },
  'col.pass': { en: 'DMARC pass', ja: 'DMARC 合格' },
  'col.spf': { en: 'SPF', ja: 'SPF 合格' },
  'col.dkim': { en: 'DKIM', ja: 'DKIM 合格' },
  'col.ip': { en: 'IP', ja: 'IP アドレス' },
  'col.name': { en: 'sender', ja: '送信元' },
  'col.class': { en: 'class', ja: '分類' },
  'col.wouldFail': { en: 'would fail', ja: '影響' },
  'col.subdomain': { en: 'subdomain', ja: 'サブドメイン' },
  'col.senders': { en: 'senders', ja: '送信元数' },
  'col.first': { en: 'first seen', ja: '初回' },
  'col.last': { en: 'last seen', ja: '最終' },
  'col.inventory': { en: 'inventory', ja: 'インベントリ' },
  'col.ownRecord': { en: 'own DMARC', ja: '独自 DMARC' },
  'col.reporter': { en: 'reporter', ja: 'レポート送信組織' },
  'col.reports': { en: 'reports', ja: 'レポート数' },
  'col.share': { en: 'share', ja: '割合' },
  'col.cadence': { en: 'every', ja: '間隔' },
  'col.gaps': { en: 'gaps', ja: '欠落日' },
  'col.status': { en: 'status', ja: '状態' },
  'col.domain': { en: 'domain', ja: 'ドメイン' },
  'col.note': { en: 'note', ja: 'メモ' },
  'col.policy': { en: 'policy', ja: 'ポリシー' },
  'col.next': { en: 'next step', ja: '次の手順' },
  'col.added': { en: 'added', ja: '追加日' },
  yes: { en: 'yes', ja: 'あり' },
  no: { en: 'no', ja: 'なし' },
  'ownRecord.reports': { en: 'yes (reports)', ja: 'あり（レポート）' },
  'ownRecord.dns': { en: 'yes (DNS)', ja: 'あり（DNS）' },
  'ownRecord.none': { en: 'no', ja: 'なし' },
  'ownRecord.dns-error': { en: 'DNS error', ja: 'DNS エラー' },
  'ownRecord.not-checked': { en: 'not seen', ja: '未確認' },
  'reporters.stopped': {
    en: 'stopped? silent {days, plural, one {# day} other {# days}}',
    ja: '停止? {days} 日間なし',
  },
  'reporters.active': { en: 'reporting', ja: '送信中' },
  'reporters.hours': { en: '{hours} h', ja: '{hours} 時間' },
  'reporters.overlaps': { en: '{count} overlapping windows', ja: '期間の重複 {count} 件' },
  'sources.fix': { en: 'fix: {fix}', ja: '対処: {fix}' },
  'sources.marked': { en: 'marked {mark}', ja: '分類: {mark}' },
  'subdomains.unknown': {
    en: 'Senders of {domain} neither authorised nor forwarders, by volume',
    ja: '{domain} の送信元のうち正規でも転送でもないもの（通数順）',
  },
  'subdomains.none': {
    en: 'No subdomains in the From addresses of the reports.',
    ja: 'レポートの From にサブドメインはありません。',
  },
  'simulate.headline': {
    en: 'With p={policy}{sp}: {fail} of {messages, plural, one {# message} other {# messages}} fail DMARC; {quarantine} would be quarantined and {reject} rejected.',
    ja: 'p={policy}{sp} の場合: {messages} 通中 {fail} 通が DMARC 不合格。隔離 {quarantine} 通、拒否 {reject} 通。',
  },
  'simulate.legitimate': {
    en: 'Legitimate mail at risk: {count} ({share} of legitimate mail). Unauthorised mail blocked: {blocked}.',
    ja: '影響を受ける正規メール: {count} 通（正規メールの {share}）。遮断される不正メール: {blocked} 通。',
  },
  'simulate.noneAtRisk': { en: 'No sender would lose mail.', ja: 'メールを失う送信元はありません。' },
} satisfies UiCatalog;
