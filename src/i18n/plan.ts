import type { UiCatalog } from './catalog.ts';

/**
 * Words of the rollout plan (`sumi plan`), the policy history (`sumi history`), the failure
 * reports view (`sumi failures`), reverse DNS of senders (`sumi resolve-ips`) and
 * `sumi check --store`.
 */
export const planText = {
  // ------------------------------------------------------------ plan
  'plan.description': {
    en: 'the rollout plan of a domain: the next step (p=none with reports, fix senders, quarantine, reject, BIMI), its criteria, what blocks it, and the record to publish',
    ja: 'ドメインの導入計画: 次の段階（レポート付き p=none、送信元の修正、quarantine、reject、BIMI）、その条件、妨げているもの、公開するレコード',
  },
  'plan.option.window': {
    en: 'days of reports looked at (default 30)',
    ja: '対象とするレポートの日数（既定 30）',
  },
  'plan.option.alignedShare': {
    en: 'percent of legitimate mail that must pass DMARC each day (default 98)',
    ja: '毎日 DMARC に合格すべき正規メールの割合（%、既定 98）',
  },
  'plan.option.days': {
    en: 'consecutive days it must hold for (default 14)',
    ja: 'その割合を満たすべき連続日数（既定 14）',
  },
  'plan.option.unknownShare': {
    en: 'percent of the mail above which an unknown sender must be identified first (default 0.5)',
    ja: '先に特定すべき不明な送信元の、メール全体に占める割合の上限（%、既定 0.5）',
  },
  'plan.option.quarantineDays': {
    en: 'days at p=quarantine before reject (default 14)',
    ja: 'reject に進む前に p=quarantine で運用する日数（既定 14）',
  },
  'plan.option.rua': {
    en: 'aggregate report address for the record, when no stored check gives it (mailto:...)',
    ja: 'レコードに書く集約レポートの宛先（保存済みの check から分からない場合、mailto:...）',
  },
  'plan.option.bimiLogo': {
    en: 'BIMI logo URL (SVG Tiny PS), for the BIMI record',
    ja: 'BIMI ロゴの URL（SVG Tiny PS）、BIMI レコード用',
  },
  'plan.option.bimiCertificate': {
    en: 'mark certificate (VMC/CMC) URL, for the BIMI record',
    ja: 'マーク証明書（VMC/CMC）の URL、BIMI レコード用',
  },
  'plan.heading': {
    en: '{domain}: rollout plan, from {since} to {until}',
    ja: '{domain}: 導入計画（{since} から {until}）',
  },
  'plan.current': {
    en: 'Published now: {policy} (from {source}, since {since})',
    ja: '現在の公開ポリシー: {policy}（{source} による、{since} から）',
  },
  'plan.current.none': {
    en: 'Published now: no DMARC record known',
    ja: '現在の公開ポリシー: DMARC レコードは確認できません',
  },
  'plan.source.check': { en: 'sumi check', ja: 'sumi check' },
  'plan.source.reports': { en: 'the reports', ja: 'レポート' },
  'plan.mail': {
    en: 'Mail: {messages, plural, one {# message} other {# messages}}; legitimate {legitimate}, of which {passing} pass DMARC; forwarded {forwarded}; unknown senders {unknown}',
    ja: 'メール: {messages} 通。正規 {legitimate} 通（うち DMARC 合格 {passing} 通）、転送 {forwarded} 通、不明な送信元 {unknown} 通',
  },
  'plan.next': { en: 'Next step: {step} ({status})', ja: '次の段階: {step}（{status}）' },
  'plan.next.none': { en: 'Every step is done.', ja: 'すべての段階が完了しています。' },
  'step.monitor': {
    en: 'Monitor: p=none with aggregate reports (rua)',
    ja: '監視: 集約レポート（rua）付きの p=none',
  },
  'step.fix-senders': {
    en: 'Fix senders: every legitimate sender passes DMARC',
    ja: '送信元の修正: すべての正規の送信元が DMARC に合格する',
  },
  'step.quarantine': { en: 'Quarantine: p=quarantine', ja: '隔離: p=quarantine' },
  'step.reject': { en: 'Reject: p=reject', ja: '拒否: p=reject' },
  'step.bimi': { en: 'BIMI: the brand logo in the inbox', ja: 'BIMI: 受信箱にブランドロゴを表示' },
  'status.done': { en: 'done', ja: '完了' },
  'status.ready': { en: 'ready', ja: '準備完了' },
  'status.blocked': { en: 'blocked', ja: '未達' },
  'status.later': { en: 'later', ja: '後で' },
  'criterion.record-published': { en: 'a DMARC record is published', ja: 'DMARC レコードが公開されている' },
  'criterion.rua-published': {
    en: 'it asks for aggregate reports (rua)',
    ja: '集約レポート（rua）を要求している',
  },
  'criterion.reports-arriving': {
    en: 'reports arrived in the last 7 days',
    ja: '直近 7 日間にレポートが届いている',
  },
  'criterion.aligned-share': {
    en: '{share}% of legitimate mail passes DMARC on {threshold} consecutive days: {value} so far',
    ja: '正規メールの {share}% が {threshold} 日連続で DMARC に合格: 現在 {value} 日',
  },
  'criterion.unknown-senders': {
    en: 'no unknown sender above {unknown}% of the mail: {value} found',
    ja: 'メールの {unknown}% を超える不明な送信元がない: {value} 件',
  },
  'criterion.quarantine-published': {
    en: 'p=quarantine (or reject) is published, without t=y or pct below 100',
    ja: 'p=quarantine（または reject）が t=y や 100 未満の pct なしで公開されている',
  },
  'criterion.quarantine-days': {
    en: 'p=quarantine in force for {threshold} days: {value} so far',
    ja: 'p=quarantine を {threshold} 日間運用: 現在 {value} 日',
  },
  'criterion.reject-published': { en: 'p=reject is published', ja: 'p=reject が公開されている' },
  'criterion.enforcing': {
    en: 'DMARC is enforced (quarantine or reject, in full): BIMI requires it',
    ja: 'DMARC が強制されている（quarantine または reject、全量）: BIMI の前提条件',
  },
  'blockers.heading': { en: 'What blocks it:', ja: '妨げているもの:' },
  'blockers.more': { en: '... and {count} more senders', ja: '…ほか {count} 件の送信元' },
  'blocker.sender-failing': {
    en: '{name}: {failing} of {messages, plural, one {# message} other {# messages}} fail DMARC. {reason}',
    ja: '{name}: {messages} 通中 {failing} 通が DMARC 不合格。{reason}',
  },
  'blocker.unknown-sender': {
    en: '{name}: {messages, plural, one {# message} other {# messages}} ({share} of the mail) from a sender nobody has identified. {reason}',
    ja: '{name}: 誰も特定していない送信元からの {messages} 通（メール全体の {share}）。{reason}',
  },
  'blocker.unknown-sender.fix': {
    en: 'Find out whose server this is. If it sends for you, set it up and mark it: sumi senders mark {domain} {ip} --as authorised; if not, mark it suspicious (--as suspicious): enforcement will stop it.',
    ja: 'このサーバーが誰のものか確認してください。自組織のための送信なら設定して sumi senders mark {domain} {ip} --as authorised で登録し、そうでなければ --as suspicious で不審として登録してください（ポリシー強制で止まります）。',
  },
  'plan.fix': { en: 'Fix', ja: '対処' },
  'plan.publish': { en: 'Publish', ja: '公開するレコード' },
  'plan.impact': {
    en: 'On the last {days, plural, one {# day} other {# days}} it would have quarantined {quarantined} and rejected {rejected, plural, one {# message} other {# messages}}: {legitimate} legitimate (at risk), {unauthorised} unauthorised.',
    ja: '直近 {days} 日間に当てはめると、隔離 {quarantined} 通、拒否 {rejected} 通: うち正規（影響を受ける） {legitimate} 通、不正 {unauthorised} 通。',
  },
  'record.rua-unknown': {
    en: 'The report addresses are not known: run sumi check {domain} --store, or give --rua mailto:...',
    ja: 'レポートの宛先が分かりません。sumi check {domain} --store を実行するか、--rua mailto:... を指定してください。',
  },
  'record.bimi-logo-needed': {
    en: 'Give the logo URL (--bimi-logo https://.../logo.svg, SVG Tiny PS) and the mark certificate URL (--bimi-certificate) to write the BIMI record.',
    ja: 'BIMI レコードを書くには、ロゴの URL（--bimi-logo https://.../logo.svg、SVG Tiny PS）とマーク証明書の URL（--bimi-certificate）を指定してください。',
  },
  'plan.leadTime': {
    en: 'Lead time outside Sumi: {min} to {max} days for a mark certificate (VMC needs a registered trademark; CMC a logo used for a year).',
    ja: 'Sumi の外での準備期間: マーク証明書の取得に {min}〜{max} 日（VMC は登録商標が、CMC は 1 年以上使用したロゴが必要）。',
  },
  'error.percent': {
    en: '{flag} {value}: give a percentage from 0 to 100',
    ja: '{flag} {value}: 0 から 100 までの割合（%）を指定してください',
  },
  'error.days': {
    en: '{flag} {value}: give a whole number of days from 1 to {max}',
    ja: '{flag} {value}: 1 から {max} までの日数（整数）を指定してください',
  },

  // ------------------------------------------------------------ history
  'history.description': {
    en: 'the published DMARC policy per day (from the reports and from sumi check --store), and each step back or forth with its effect on the mail',
    ja: '日ごとの公開 DMARC ポリシー（レポートと sumi check --store から）と、強化・緩和の各段階がメールに与えた影響',
  },
  'history.option.since': {
    en: 'first day: 90d (the last 90 days) or a date, 2026-10-01 (default: 90d)',
    ja: '開始日: 90d（直近 90 日）または日付 2026-10-01（既定: 90d）',
  },
  'history.heading': {
    en: '{domain}: published policy from {since} to {until}',
    ja: '{domain}: {since} から {until} までの公開ポリシー',
  },
  'history.empty': {
    en: 'No reports and no stored checks for {domain} in this period.',
    ja: 'この期間の {domain} のレポートも保存済みの check もありません。',
  },
  'history.col.day': { en: 'day', ja: '日付' },
  'history.col.policy': { en: 'policy', ja: 'ポリシー' },
  'history.col.source': { en: 'from', ja: '情報源' },
  'history.col.reports': { en: 'reports', ja: 'レポート' },
  'history.col.disagreeing': { en: 'saw another', ja: '別ポリシー' },
  'history.source.reports': { en: 'reports', ja: 'レポート' },
  'history.source.check': { en: 'check', ja: 'check' },
  'history.noRecord': { en: 'no record', ja: 'レコードなし' },
  'history.steps': { en: 'Steps:', ja: '変更:' },
  'history.direction.stricter': { en: 'stricter', ja: '強化' },
  'history.direction.looser': { en: 'looser', ja: '緩和' },
  'history.direction.other': { en: 'changed', ja: '変更' },
  'history.step': { en: '{day}  {direction}: {from} -> {to}', ja: '{day}  {direction}: {from} → {to}' },
  'history.effect': {
    en: '{label} ({days, plural, one {# day} other {# days}} with reports): {messages, plural, one {# message} other {# messages}}, {fail} failing DMARC; the policy applied to {affected} ({legitimate} legitimate, {unauthorised} unauthorised); receivers quarantined {quarantined} and rejected {rejected}',
    ja: '{label}（レポートのある {days} 日）: {messages} 通、DMARC 不合格 {fail} 通。ポリシー適用対象 {affected} 通（正規 {legitimate} 通、不正 {unauthorised} 通）。受信側の隔離 {quarantined} 通・拒否 {rejected} 通',
  },
  'history.before': { en: '7 days before', ja: '変更前 7 日' },
  'history.after': { en: '7 days after', ja: '変更後 7 日' },

  // ------------------------------------------------------------ failures
  'failures.description': {
    en: 'failure (ruf) reports of a domain: what each carries (headers, subject, body, URLs), by sender and by spoofed or look-alike identity',
    ja: 'ドメインの失敗（ruf）レポート: 各レポートの内容（ヘッダー、件名、本文、URL）を送信元別、なりすまし・類似ドメイン別に',
  },
  'failures.option.limit': {
    en: 'reports shown in full (default 10; --json has all)',
    ja: '詳しく表示するレポート数（既定 10、--json はすべて）',
  },
  'failures.heading': {
    en: '{domain}: {reports, plural, one {# failure report} other {# failure reports}} ({incidents, plural, one {# message} other {# messages}}); the aggregate reports counted {failing, plural, one {# message} other {# messages}} failing DMARC',
    ja: '{domain}: 失敗レポート {reports} 件（{incidents} 通）。集約レポートでは DMARC 不合格が {failing} 通',
  },
  'failures.truncated': {
    en: 'Only the newest {max} reports were read.',
    ja: '新しい {max} 件のレポートのみを読みました。',
  },
  'failures.carried': {
    en: 'Carried: headers {headers}, subject {subject}, body {body}, URLs {urls}; redacted by the reporter {redacted}; no copy of the message {noOriginal}',
    ja: '含まれていた情報: ヘッダー {headers}、件名 {subject}、本文 {body}、URL {urls}。報告者による匿名化 {redacted}、メッセージの写しなし {noOriginal}',
  },
  'failures.bySender': { en: 'By sender:', ja: '送信元別:' },
  'failures.byIdentity': { en: 'By identity used:', ja: '使われた差出人ドメイン別:' },
  'failures.reports': { en: 'Reports:', ja: 'レポート:' },
  'failures.col.ip': { en: 'IP', ja: 'IP' },
  'failures.col.ptr': { en: 'reverse DNS', ja: '逆引き' },
  'failures.col.network': { en: 'network', ja: 'ネットワーク' },
  'failures.col.reports': { en: 'reports', ja: 'レポート' },
  'failures.col.messages': { en: 'messages', ja: '通数' },
  'failures.col.first': { en: 'first', ja: '初回' },
  'failures.col.last': { en: 'last', ja: '最終' },
  'failures.col.from': { en: 'From domains', ja: 'From ドメイン' },
  'failures.col.domain': { en: 'domain', ja: 'ドメイン' },
  'failures.col.relation': { en: 'relation', ja: '関係' },
  'failures.col.senders': { en: 'senders', ja: '送信元' },
  'relation.exact': { en: 'the domain itself (spoofed)', ja: 'ドメインそのもの（なりすまし）' },
  'relation.subdomain': { en: 'a subdomain', ja: 'サブドメイン' },
  'relation.same-organisation': { en: 'same organisation', ja: '同じ組織' },
  'relation.look-alike': { en: 'look-alike', ja: '類似ドメイン' },
  'relation.unrelated': { en: 'unrelated', ja: '無関係' },
  'why.edit-distance': { en: 'a letter or two apart', ja: '1〜2 文字違い' },
  'why.confusable': { en: 'letters that look alike', ja: '見た目の似た文字' },
  'why.other-suffix': { en: 'same name, another suffix', ja: '同じ名前で別のドメイン末尾' },
  'why.contains-name': { en: 'contains the name', ja: '名前を含む' },
  'failures.item': {
    en: '#{id} {arrival} from {ip}: {auth} failure, {delivery}',
    ja: '#{id} {arrival} 送信元 {ip}: {auth} 認証失敗、{delivery}',
  },
  'failures.field.from': { en: 'From', ja: 'From' },
  'failures.field.mailFrom': { en: 'Envelope from', ja: 'エンベロープ送信者' },
  'failures.field.replyTo': { en: 'Reply-To', ja: 'Reply-To' },
  'failures.field.subject': { en: 'Subject', ja: '件名' },
  'failures.field.recipients': { en: 'Recipients', ja: '宛先' },
  'failures.field.urls': { en: 'URLs', ja: 'URL' },
  'failures.field.body': { en: 'Body', ja: '本文' },
  'failures.field.headers': { en: '{count} header fields', ja: 'ヘッダー {count} 行' },
  'failures.nothing': { en: 'no copy of the message', ja: 'メッセージの写しなし' },
  'failures.cannotTell': { en: 'What the reports cannot tell:', ja: 'レポートから分からないこと:' },
  'cannot.aggregate-no-content': {
    en: 'Aggregate reports carry no subject, recipient, body or URL: only counts per sending IP with their SPF and DKIM results. Only failure reports show any of the message.',
    ja: '集約レポートには件名・宛先・本文・URL は含まれず、送信 IP ごとの通数と SPF・DKIM の結果だけです。メッセージの中身が分かるのは失敗レポートだけです。',
  },
  'cannot.ruf-sample': {
    en: 'Failure reports are a sample: most large mailbox providers send none, and those that do send one per message at most. Compare the counts with the aggregate failing total.',
    ja: '失敗レポートは一部の標本です。大手のメールボックスプロバイダーの多くは送らず、送る場合も 1 通につき最大 1 件です。通数は集約レポートの不合格数と比べてください。',
  },
  'cannot.no-original': {
    en: 'Some reports carry no copy of the message at all: only the sending IP and the authentication results.',
    ja: 'メッセージの写しをまったく含まないレポートがあります（送信 IP と認証結果のみ）。',
  },
  'cannot.headers-only': {
    en: 'Some reports carry the headers only: no body and no URLs.',
    ja: 'ヘッダーのみで本文と URL を含まないレポートがあります。',
  },
  'cannot.redacted': {
    en: 'Some reporters redacted addresses (RFC 6590): recipients cannot be told apart.',
    ja: '一部の報告者はアドレスを匿名化しています（RFC 6590）。宛先は区別できません。',
  },
  'cannot.no-ruf': {
    en: 'No failure reports: publish ruf= (with fo=1 to hear of every failing check) and expect few; the aggregate reports remain the measure.',
    ja: '失敗レポートがありません。ruf=（失敗した検査ごとに受け取るには fo=1 も）を公開できますが、届く数は少なく、集約レポートが引き続き主な指標です。',
  },

  // ------------------------------------------------------------ resolve-ips
  'resolve.description': {
    en: 'look up the reverse DNS (forward-confirmed) of every sending IP in the reports and cache it in the store; never part of ingest',
    ja: 'レポートにあるすべての送信 IP の逆引き（正引きで確認）を調べてストアにキャッシュする（取り込みとは別に実行）',
  },
  'resolve.option.domain': { en: 'only the IPs of this policy domain', ja: 'このポリシードメインの IP のみ' },
  'resolve.option.since': {
    en: 'only IPs seen from this day: 30d or a date (default: all)',
    ja: 'この日以降に見られた IP のみ: 30d または日付（既定: すべて）',
  },
  'resolve.option.force': {
    en: 'look up again even what is cached and fresh',
    ja: 'キャッシュが有効でも再度調べる',
  },
  'resolve.option.concurrency': {
    en: 'lookups in flight at once (default {n})',
    ja: '同時に行う問い合わせ数（既定 {n}）',
  },
  'resolve.option.resolver': {
    en: 'DNS servers to ask, host:port[,host:port], or "system" (default: the system\'s servers, asked directly)',
    ja: '問い合わせる DNS サーバー host:port[,host:port]、または "system"（既定: システムの DNS サーバーに直接問い合わせ）',
  },
  'resolve.progress': { en: 'reverse DNS {done}/{total}', ja: '逆引き {done}/{total}' },
  'resolve.summary': {
    en: '{ips, plural, one {# IP} other {# IPs}}, {lookedUp} looked up: {ok} with a PTR name ({confirmed} forward-confirmed), {none} without, {temporary} could not be asked (retried later)',
    ja: 'IP {ips} 件、うち {lookedUp} 件を照会: PTR あり {ok} 件（正引き確認済み {confirmed} 件）、PTR なし {none} 件、照会できず {temporary} 件（後で再試行）',
  },
  'option.mmdb': {
    en: 'MaxMind or DB-IP database (.mmdb) for the ASN and country of senders (default: $SUMI_MMDB)',
    ja: '送信元の ASN と国を調べる MaxMind または DB-IP のデータベース（.mmdb）（既定: $SUMI_MMDB）',
  },

  // ------------------------------------------------------------ check --store
  'check.option.store': {
    en: 'save the DMARC record found in the store, for the policy history and the plan (store: --db)',
    ja: '見つかった DMARC レコードをストアに保存する（ポリシー履歴と導入計画用、ストアは --db）',
  },
  'check.stored': {
    en: 'Saved the DMARC check of {count, plural, one {# domain} other {# domains}} in the store.',
    ja: '{count} ドメインの DMARC 検査結果をストアに保存しました。',
  },
} satisfies UiCatalog;
