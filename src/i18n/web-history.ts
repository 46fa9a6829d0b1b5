import type { UiCatalog } from './catalog.ts';

/**
 * The dashboard's words for a domain's policy history and its failure reports (src/web/pages/
 * PolicyHistory.tsx, DomainFailures.tsx). Relations, look-alike reasons and what the reports
 * cannot tell are the CLI's words (i18n/plan.ts), shared.
 */
export const historyWebText = {
  'history.title': { en: 'Policy history', ja: 'ポリシーの履歴' },
  'history.intro': {
    en: 'The DMARC policy published each day, read from the reports (what receivers saw) and from stored `sumi check` runs, and each step with the mail of the 7 days before and after it.',
    ja: '日ごとに公開されていた DMARC ポリシー（レポートで受信側が見たもの、および保存された `sumi check` の結果から）と、各変更の前後 7 日間のメールへの影響です。',
  },
  'history.empty': {
    en: 'No reports or stored checks in this period: nothing to tell the policy from.',
    ja: 'この期間にはレポートも保存されたチェックもなく、ポリシーを判断できません。',
  },
  'history.no-steps': {
    en: 'The policy did not change in this period.',
    ja: 'この期間にポリシーの変更はありませんでした。',
  },
  'history.steps-caption': {
    en: 'The mail of the 7 days before and after the step of {day}',
    ja: '{day} の変更の前後 7 日間のメール',
  },
  'history.col.day': { en: 'Date', ja: '日付' },
  'history.col.when': { en: 'When', ja: '時期' },
  'history.col.source': { en: 'Seen in', ja: '情報源' },
  'history.col.window': { en: 'Window', ja: '期間' },
  'history.col.messages': { en: 'Messages', ja: 'メール数' },
  'history.col.fail': { en: 'DMARC fail', ja: 'DMARC 不合格' },
  'history.col.quarantined': { en: 'Quarantined', ja: '隔離' },
  'history.col.rejected': { en: 'Rejected', ja: '拒否' },
  'history.col.affected': { en: 'Affected by the policy', ja: 'ポリシーの対象' },
  'history.col.legitimate': { en: 'Legitimate affected', ja: '影響を受けた正規メール' },
  'history.before': { en: 'before', ja: '変更前' },
  'history.after': { en: 'after', ja: '変更後' },
  'history.no-mail': { en: 'no reports', ja: 'レポートなし' },
  'history.window': {
    en: '{from} to {to} ({days, plural, one {# day} other {# days}})',
    ja: '{from}〜{to}（{days} 日）',
  },
  'history.source.reports': { en: 'reports', ja: 'レポート' },
  'history.source.check': { en: 'check', ja: 'チェック' },
  'history.direction.stricter': { en: 'stricter', ja: '強化' },
  'history.direction.looser': { en: 'looser', ja: '緩和' },
  'history.direction.other': { en: 'changed', ja: '変更' },
  'history.no-record': { en: 'no record', ja: 'レコードなし' },
  'history.no-rua': { en: 'no rua', ja: 'rua なし' },
  'history.days': {
    en: 'Policy per day ({count, plural, one {# day} other {# days}})',
    ja: '日ごとのポリシー（{count} 日）',
  },
  'history.days-caption': { en: 'Published policy per day', ja: '日ごとの公開ポリシー' },
  'history.col.policy': { en: 'Policy', ja: 'ポリシー' },
  'history.col.reports': { en: 'Reports', ja: 'レポート' },
  'history.col.checks': { en: 'Checks', ja: 'チェック' },
  'history.col.disagreeing': {
    en: 'Reports that saw another policy',
    ja: '別のポリシーを見たレポート',
  },

  'ruf.title': { en: 'Failure reports of this domain', ja: 'このドメインの失敗レポート' },
  'ruf.intro': {
    en: 'Failure (ruf) reports about this domain, its subdomains and look-alikes, grouped by the sending IP and by the identity it used.',
    ja: 'このドメイン、そのサブドメインおよび類似ドメインに関する失敗（ruf）レポートを、送信 IP と使われた差出人ドメインごとにまとめたものです。',
  },
  'ruf.reports': { en: 'Failure reports', ja: '失敗レポート' },
  'ruf.incidents': { en: 'Messages reported', ja: '報告されたメール' },
  'ruf.aggregate-failing': {
    en: 'DMARC fail in the aggregate reports',
    ja: '集約レポートでの DMARC 不合格',
  },
  'ruf.truncated': {
    en: 'Only the newest {max} reports are counted.',
    ja: '最新の {max} 件だけを数えています。',
  },
  'ruf.by-sender': { en: 'By sender', ja: '送信元別' },
  'ruf.by-identity': { en: 'By identity used', ja: '使われた差出人ドメイン別' },
  'ruf.col.ip': { en: 'IP', ja: 'IP' },
  'ruf.col.ptr': { en: 'Reverse DNS', ja: '逆引き' },
  'ruf.col.network': { en: 'Network', ja: 'ネットワーク' },
  'ruf.col.reports': { en: 'Reports', ja: 'レポート' },
  'ruf.col.messages': { en: 'Messages', ja: '通数' },
  'ruf.col.first': { en: 'First', ja: '初回' },
  'ruf.col.last': { en: 'Last', ja: '最終' },
  'ruf.col.from': { en: 'From domains', ja: 'From ドメイン' },
  'ruf.col.subjects': { en: 'Subjects', ja: '件名' },
  'ruf.col.domain': { en: 'Domain', ja: 'ドメイン' },
  'ruf.col.relation': { en: 'Relation', ja: '関係' },
  'ruf.col.senders': { en: 'Senders', ja: '送信元' },
  'ruf.newest-caption': {
    en: 'The newest failure reports of this domain',
    ja: 'このドメインの最新の失敗レポート',
  },
  'ruf.col.arrival': { en: 'Arrived', ja: '受信日' },
  'ruf.col.from-address': { en: 'From', ja: 'From' },
  'ruf.col.subject': { en: 'Subject', ja: '件名' },
  'ruf.col.carries': { en: 'Carries', ja: '含まれる情報' },
  'ruf.carries.headers': { en: 'headers', ja: 'ヘッダー' },
  'ruf.carries.subject': { en: 'subject', ja: '件名' },
  'ruf.carries.recipients': { en: 'recipients', ja: '宛先' },
  'ruf.carries.body': { en: 'body', ja: '本文' },
  'ruf.carries.urls': { en: 'URLs', ja: 'URL' },
  'ruf.carries.nothing': { en: 'no copy of the message', ja: 'メッセージの写しなし' },
  'ruf.cannot-tell': { en: 'What the reports cannot tell', ja: 'レポートから分からないこと' },
  'ruf.all': { en: 'All failure reports', ja: 'すべての失敗レポート' },
} satisfies UiCatalog;

export type HistoryWebKey = keyof typeof historyWebText & string;
