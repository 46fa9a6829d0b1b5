import type { FindingArgs, FindingCatalog, FindingEntry } from '../catalog.ts';
import { fieldsProblem } from './mta-sts.ts';
import { dnsStatusText } from './mx.ts';

const recordAt = {
  en: (a: FindingArgs) => (a.name ? `The TLS-RPT record at ${a.name}` : 'The TLS-RPT record'),
  ja: (a: FindingArgs) => (a.name ? `${a.name} の TLS-RPT レコード` : 'TLS-RPT レコード'),
};
const example = (a: FindingArgs) =>
  `v=TLSRPTv1; rua=mailto:tlsrpt@${String(a.name ?? '_smtp._tls.example.jp').replace(/^_smtp\._tls\./, '')}`;

const ruaReason = {
  en: (a: FindingArgs): string => {
    switch (a.reason) {
      case 'http':
        return 'reports are only sent to https: URLs, not http:';
      case 'mailto':
        return 'it is not a valid mailto: address';
      case 'https':
        return 'it is not a valid https: URL';
      default:
        return 'only mailto: and https: URIs receive reports';
    }
  },
  ja: (a: FindingArgs): string => {
    switch (a.reason) {
      case 'http':
        return 'レポートの送り先は https: の URL だけで、http: は使えません';
      case 'mailto':
        return '正しい mailto: アドレスではありません';
      case 'https':
        return '正しい https: の URL ではありません';
      default:
        return 'レポートを受け取れるのは mailto: と https: の URI だけです';
    }
  },
};

const entries = {
  'tls-rpt-dns-error': {
    severity: 'error',
    protocol: 'tls-rpt',
    en: {
      title: 'TLS-RPT record lookup failed',
      message: (a) =>
        `Could not look up the TXT record at ${a.name} (${dnsStatusText.en(a)}); whether the domain asks for TLS reports is unknown.`,
      why: 'Senders that hit the same failure send no TLS reports, so delivery problems go unseen.',
      fix: (a) =>
        `Check that the authoritative DNS servers answer TXT queries for ${a.name}, then check again.`,
    },
    ja: {
      title: 'TLS-RPT レコードの問い合わせに失敗しました',
      message: (a) =>
        `${a.name} の TXT レコードを問い合わせられませんでした（${dnsStatusText.ja(a)}）。TLS レポートを求めているかどうかは分かりません。`,
      why: '送信側でも同じ失敗が起きると TLS レポートは送られず、配送の問題に気づけません。',
      fix: (a) =>
        `権威 DNS サーバーが ${a.name} の TXT 問い合わせに応答するか確認し、もう一度チェックしてください。`,
    },
  },
  'tls-rpt-missing': {
    severity: 'info',
    protocol: 'tls-rpt',
    en: {
      title: 'No TLS-RPT record',
      message: (a) =>
        a.usedBy
          ? `${a.domain} uses ${String(a.usedBy).replace('mta-sts', 'MTA-STS').replace('dane', 'DANE').replace('+', ' and ')} but publishes no TLS-RPT record at ${a.name}.`
          : `${a.domain} publishes no TLS-RPT record at ${a.name}.`,
      why: 'With TLS-RPT (RFC 8460), senders report TLS and MTA-STS/DANE failures when delivering to you; without it, a broken certificate or policy stays unseen until mail is lost.',
      fix: (a) =>
        `Publish "${example(a)}" at ${a.name} (any mailbox that collects reports, or an https URL such as "sumi serve --tlsrpt" takes them at; "sumi record tlsrpt" writes it).`,
    },
    ja: {
      title: 'TLS-RPT レコードがありません',
      message: (a) =>
        a.usedBy
          ? `${a.domain} は ${String(a.usedBy).replace('mta-sts', 'MTA-STS').replace('dane', 'DANE').replace('+', ' と ')} を使っていますが、${a.name} に TLS-RPT レコードがありません。`
          : `${a.domain} は ${a.name} に TLS-RPT レコードを公開していません。`,
      why: 'TLS-RPT（RFC 8460）があれば、送信側は配送時の TLS や MTA-STS・DANE の失敗を報告してくれます。ないと、証明書やポリシーの不備にメールが失われるまで気づけません。',
      fix: (a) =>
        `${a.name} に "${example(a)}" を公開してください（レポートを集める任意のメールボックスか、"sumi serve --tlsrpt" が受け付けるような https の URL で構いません。"sumi record tlsrpt" で作れます）。`,
    },
  },
  'tls-rpt-multiple-records': {
    severity: 'error',
    protocol: 'tls-rpt',
    en: {
      title: 'Several TLS-RPT records',
      message: (a) => `${a.name} holds ${a.count} TLS-RPT records; there must be exactly one.`,
      why: 'RFC 8460 s3: with more than one record, senders assume the domain does not want TLS reports.',
      fix: (a) =>
        `Merge them into one record at ${a.name}, listing every destination in one rua= separated by commas.`,
    },
    ja: {
      title: 'TLS-RPT レコードが複数あります',
      message: (a) =>
        `${a.name} に TLS-RPT レコードが ${a.count} 件あります。ちょうど 1 件でなければなりません。`,
      why: 'RFC 8460 3 節により、レコードが複数あると送信側はこのドメインが TLS レポートを求めていないものとみなします。',
      fix: (a) =>
        `${a.name} のレコードを 1 件にまとめ、送り先はすべて 1 つの rua= にカンマ区切りで並べてください。`,
    },
  },
  'tls-rpt-unrelated-record': {
    severity: 'info',
    protocol: 'tls-rpt',
    en: {
      title: 'Other TXT records at the TLS-RPT name',
      message: (a) => `${a.name} holds ${a.count} TXT record(s) that are not TLS-RPT records.`,
      why: 'Senders ignore them (RFC 8460 s3), but they usually come from a wildcard or a record put in the wrong place.',
      fix: (a) =>
        `Delete the TXT records at ${a.name} that do not start with "v=TLSRPTv1", unless something else needs them.`,
    },
    ja: {
      title: 'TLS-RPT の名前に他の TXT レコードがあります',
      message: (a) => `${a.name} に TLS-RPT 以外の TXT レコードが ${a.count} 件あります。`,
      why: '送信側はこれらを無視します（RFC 8460 3 節）が、多くはワイルドカードか、置き場所を間違えたレコードです。',
      fix: (a) =>
        `ほかで必要でなければ、${a.name} の "v=TLSRPTv1" で始まらない TXT レコードを削除してください。`,
    },
  },
  'tls-rpt-at-apex': {
    severity: 'error',
    protocol: 'tls-rpt',
    en: {
      title: 'TLS-RPT record at the domain instead of _smtp._tls',
      message: (a) =>
        `The TLS-RPT record is published at ${a.domain} itself; senders look for it only at ${a.name}.`,
      why: 'At the wrong name the record has no effect: senders send no TLS reports.',
      fix: (a) => `Move the "v=TLSRPTv1; ..." record from ${a.domain} to ${a.name} (shown below).`,
    },
    ja: {
      title: 'TLS-RPT レコードが _smtp._tls ではなくドメイン自体にあります',
      message: (a) =>
        `TLS-RPT レコードが ${a.domain} 自体に公開されています。送信側は ${a.name} しか見ません。`,
      why: '名前が違うとレコードは効果がなく、送信側は TLS レポートを送りません。',
      fix: (a) =>
        `"v=TLSRPTv1; ..." レコードを ${a.domain} から ${a.name} に移してください（下に示します）。`,
    },
  },
  'tls-rpt-spf-record': {
    severity: 'warning',
    protocol: 'tls-rpt',
    en: {
      title: 'SPF record at the TLS-RPT name',
      message: (a) => `${a.name} holds an SPF record.`,
      why: 'An SPF record there usually comes from a wildcard TXT record, which also answers for every other underscore name and can hide missing records.',
      fix: (a) =>
        `Delete the SPF record at ${a.name}; if it comes from a wildcard (*.domain), publish the wildcard's records only where they are needed.`,
    },
    ja: {
      title: 'TLS-RPT の名前に SPF レコードがあります',
      message: (a) => `${a.name} に SPF レコードがあります。`,
      why: 'ここにある SPF レコードは多くの場合ワイルドカードの TXT レコードによるもので、他のアンダースコア名にも応答してしまい、レコードの不足を隠すことがあります。',
      fix: (a) =>
        `${a.name} の SPF レコードを削除してください。ワイルドカード（*.ドメイン）によるものなら、ワイルドカードのレコードを必要な名前にだけ公開してください。`,
    },
  },
  'tls-rpt-syntax-error': {
    severity: 'error',
    protocol: 'tls-rpt',
    en: {
      title: 'TLS-RPT record syntax error',
      message: (a) => `${recordAt.en(a)} is not valid: ${fieldsProblem.en(a, 'TLSRPTv1')}.`,
      why: 'RFC 8460 s3: senders ignore a record they cannot parse and send no TLS reports.',
      fix: (a) => `Publish a record of the form "${example(a)}" at ${a.name ?? '_smtp._tls.<domain>'}.`,
    },
    ja: {
      title: 'TLS-RPT レコードの構文エラー',
      message: (a) => `${recordAt.ja(a)}が正しくありません。${fieldsProblem.ja(a, 'TLSRPTv1')}。`,
      why: 'RFC 8460 3 節により、送信側は解析できないレコードを無視し、TLS レポートを送りません。',
      fix: (a) =>
        `${a.name ?? '_smtp._tls.<ドメイン>'} に "${example(a)}" の形のレコードを公開してください。`,
    },
  },
  'tls-rpt-unknown-tag': {
    severity: 'info',
    protocol: 'tls-rpt',
    en: {
      title: 'Extension fields in the TLS-RPT record',
      message: (a) =>
        `${recordAt.en(a)} has fields RFC 8460 does not define: ${a.tags}. Senders ignore them.`,
      why: 'Extensions are allowed, but an unknown field is often a typo (field names are case-sensitive: "RUA=" is not "rua=").',
      fix: (a) => `Remove ${a.tags} unless you know what reads them.`,
    },
    ja: {
      title: 'TLS-RPT レコードに拡張フィールドがあります',
      message: (a) =>
        `${recordAt.ja(a)}に RFC 8460 で定義されていないフィールドがあります: ${a.tags}。送信側はこれらを無視します。`,
      why: '拡張は許されていますが、知らないフィールドは打ち間違いであることが多いです（フィールド名は大文字小文字を区別し、"RUA=" は "rua=" ではありません）。',
      fix: (a) => `何が読むのか分かっているのでなければ ${a.tags} を削除してください。`,
    },
  },
  'tls-rpt-duplicate-tag': {
    severity: 'error',
    protocol: 'tls-rpt',
    en: {
      title: 'TLS-RPT record field repeated',
      message: (a) => `${recordAt.en(a)} has the field "${a.tag}=" more than once.`,
      why: 'A record with a repeated field is ambiguous; senders may reject it and send no reports.',
      fix: (a) =>
        a.tag === 'rua'
          ? 'Use one rua= listing every destination, separated by commas (rua=mailto:a@example.jp,https://reports.example.jp/tlsrpt).'
          : `Keep one "${a.tag}=" in the record.`,
    },
    ja: {
      title: 'TLS-RPT レコードのフィールドが重複しています',
      message: (a) => `${recordAt.ja(a)}に "${a.tag}=" フィールドが複数あります。`,
      why: 'フィールドが重複したレコードはあいまいで、送信側が拒否してレポートを送らないことがあります。',
      fix: (a) =>
        a.tag === 'rua'
          ? 'rua= は 1 つにして、送り先をすべてカンマ区切りで並べてください（rua=mailto:a@example.jp,https://reports.example.jp/tlsrpt）。'
          : `レコードの "${a.tag}=" を 1 つだけにしてください。`,
    },
  },
  'tls-rpt-rua-missing': {
    severity: 'error',
    protocol: 'tls-rpt',
    en: {
      title: 'TLS-RPT record has no rua',
      message: (a) => `${recordAt.en(a)} has no "rua=" field, so it names nowhere to send reports.`,
      why: 'rua= is required (RFC 8460 s3); senders ignore a record without it.',
      fix: (a) => `Publish "${example(a)}" at ${a.name ?? '_smtp._tls.<domain>'}.`,
    },
    ja: {
      title: 'TLS-RPT レコードに rua がありません',
      message: (a) => `${recordAt.ja(a)}に "rua=" フィールドがなく、レポートの送り先がありません。`,
      why: 'rua= は必須で（RFC 8460 3 節）、ないレコードは送信側に無視されます。',
      fix: (a) => `${a.name ?? '_smtp._tls.<ドメイン>'} に "${example(a)}" を公開してください。`,
    },
  },
  'tls-rpt-rua-invalid': {
    severity: 'error',
    protocol: 'tls-rpt',
    en: {
      title: 'TLS-RPT report destination not usable',
      message: (a) => `${recordAt.en(a)} lists rua "${a.uri}": ${ruaReason.en(a)}.`,
      why: 'Senders cannot deliver reports to this destination; if it is the only one, no reports arrive.',
      fix: (a) =>
        `Use "mailto:<address>" or "https://<host>/<path>" for each destination, e.g. "${example(a)}".`,
    },
    ja: {
      title: 'TLS-RPT のレポート送り先が使えません',
      message: (a) => `${recordAt.ja(a)}の rua "${a.uri}" は使えません。${ruaReason.ja(a)}。`,
      why: '送信側はこの送り先にレポートを届けられません。送り先がこれだけなら、レポートはまったく届きません。',
      fix: (a) =>
        `送り先はそれぞれ "mailto:<アドレス>" か "https://<ホスト>/<パス>" にしてください。例: "${example(a)}"。`,
    },
  },
} satisfies FindingCatalog;

/** Keys kept literal (they make the FindingCode type); entries widened so `fix` reads as optional. */
export const tlsRptFindings: { [K in keyof typeof entries]: FindingEntry } = entries;
