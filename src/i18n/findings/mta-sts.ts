import type { FindingArgs, FindingCatalog, FindingEntry } from '../catalog.ts';
import { dnsStatusText } from './mx.ts';

/** Syntax problems of `v=...; name=value` records (MTA-STS and TLS-RPT), in words. */
export const fieldsProblem = {
  en: (a: FindingArgs, version: string): string => {
    switch (a.problem) {
      case 'too-long':
        return 'it is far longer than any valid record';
      case 'leading-space':
        return `it starts with whitespace; it must start with "v=${version}"`;
      case 'bad-version':
        return `it must start with exactly "v=${version}" (case matters), not "${a.near}"`;
      case 'missing-semicolon':
        return `a ";" is missing after "v=${version}"`;
      case 'no-fields':
        return `it has nothing after "v=${version}"`;
      case 'no-equals':
        return `"${a.near}" is not a name=value pair`;
      case 'space-around-equals':
        return `"${a.near}" has whitespace around "=", which is not allowed`;
      case 'bad-field-name':
        return `"${a.near}" does not start with a valid field name (letters, digits, "_", "-", ".")`;
      case 'bad-value':
        return `the value in "${a.near}" is empty or holds characters not allowed there (spaces, "=", ";" or non-ASCII)`;
      case 'invalid-utf8':
        return 'it contains bytes that are not valid UTF-8';
      default:
        return String(a.problem);
    }
  },
  ja: (a: FindingArgs, version: string): string => {
    switch (a.problem) {
      case 'too-long':
        return 'どの正しいレコードよりもはるかに長くなっています';
      case 'leading-space':
        return `空白で始まっています。"v=${version}" で始める必要があります`;
      case 'bad-version':
        return `"${a.near}" ではなく、ちょうど "v=${version}"（大文字小文字も一致）で始める必要があります`;
      case 'missing-semicolon':
        return `"v=${version}" の後に ";" がありません`;
      case 'no-fields':
        return `"v=${version}" の後に何もありません`;
      case 'no-equals':
        return `"${a.near}" が name=value の形になっていません`;
      case 'space-around-equals':
        return `"${a.near}" の "=" の前後に空白があります（空白は入れられません）`;
      case 'bad-field-name':
        return `"${a.near}" が正しいフィールド名（英数字、"_"、"-"、"."）で始まっていません`;
      case 'bad-value':
        return `"${a.near}" の値が空か、使えない文字（空白、"="、";"、ASCII 以外）を含んでいます`;
      case 'invalid-utf8':
        return 'UTF-8 として正しくないバイトが含まれています';
      default:
        return String(a.problem);
    }
  },
};

const policyProblem = {
  en: (a: FindingArgs): string => {
    const line = a.line !== undefined ? `line ${a.line}` : '';
    switch (a.problem) {
      case 'invalid-utf8':
        return 'the file is not valid UTF-8';
      case 'empty':
        return 'the file is empty';
      case 'bom':
        return 'the file starts with a byte-order mark (BOM), which makes the first key unreadable';
      case 'html':
        return 'the server returned a web page (HTML) instead of the policy';
      case 'leading-space':
        return `${line} starts with whitespace: "${a.near}"`;
      case 'no-colon':
        return `${line} is not a "key: value" line: "${a.near}"`;
      case 'space-before-colon':
        return `${line} has whitespace before ":": "${a.near}"`;
      case 'bad-key':
        return `${line} does not start with a valid key: "${a.near}"`;
      case 'control-char':
        return `${line} contains control characters: "${a.near}"`;
      case 'empty-value':
        return `${line} has no value: "${a.near}"`;
      case 'more-lines':
        return `${a.count} more lines have problems`;
      default:
        return String(a.problem);
    }
  },
  ja: (a: FindingArgs): string => {
    const line = a.line !== undefined ? `${a.line} 行目` : '';
    switch (a.problem) {
      case 'invalid-utf8':
        return 'ファイルが正しい UTF-8 ではありません';
      case 'empty':
        return 'ファイルが空です';
      case 'bom':
        return 'ファイルがバイトオーダーマーク（BOM）で始まっており、最初のキーが読めません';
      case 'html':
        return 'サーバーがポリシーではなく Web ページ（HTML）を返しました';
      case 'leading-space':
        return `${line}が空白で始まっています: "${a.near}"`;
      case 'no-colon':
        return `${line}が "キー: 値" の形になっていません: "${a.near}"`;
      case 'space-before-colon':
        return `${line}の ":" の前に空白があります: "${a.near}"`;
      case 'bad-key':
        return `${line}が正しいキーで始まっていません: "${a.near}"`;
      case 'control-char':
        return `${line}に制御文字が含まれています: "${a.near}"`;
      case 'empty-value':
        return `${line}に値がありません: "${a.near}"`;
      case 'more-lines':
        return `ほかに ${a.count} 行に問題があります`;
      default:
        return String(a.problem);
    }
  },
};

const fetchFailure = {
  en: (a: FindingArgs): string => {
    switch (a.failure) {
      case 'dns':
        return 'the host name does not resolve';
      case 'connect':
        return 'could not connect';
      case 'tls':
        return 'the HTTPS certificate or TLS connection is not valid';
      case 'timeout':
        return 'no answer in time';
      case 'http-status':
        return `the server answered HTTP ${a.status}`;
      case 'private-address':
        return 'the host resolves to a private or loopback address';
      default:
        return String(a.failure);
    }
  },
  ja: (a: FindingArgs): string => {
    switch (a.failure) {
      case 'dns':
        return 'ホスト名を名前解決できません';
      case 'connect':
        return '接続できません';
      case 'tls':
        return 'HTTPS の証明書か TLS 接続が正しくありません';
      case 'timeout':
        return '時間内に応答がありません';
      case 'http-status':
        return `サーバーが HTTP ${a.status} を返しました`;
      case 'private-address':
        return 'ホストがプライベートまたはループバックのアドレスに解決されます';
      default:
        return String(a.failure);
    }
  },
};

const mxReason = {
  en: (a: FindingArgs): string =>
    a.reason === 'wildcard'
      ? '"*" may only be the whole leftmost label ("*.example.jp")'
      : a.reason === 'trailing-dot'
        ? 'patterns are written without a trailing dot'
        : 'it is not a host name',
  ja: (a: FindingArgs): string =>
    a.reason === 'wildcard'
      ? '"*" は左端のラベル全体としてだけ使えます（"*.example.jp"）'
      : a.reason === 'trailing-dot'
        ? 'パターンの末尾にドットは付けません'
        : 'ホスト名になっていません',
};

const policyAt = {
  en: (a: FindingArgs) => (a.url ? `The MTA-STS policy at ${a.url}` : 'The MTA-STS policy'),
  ja: (a: FindingArgs) => (a.url ? `${a.url} の MTA-STS ポリシー` : 'MTA-STS ポリシー'),
};
const policyFile = {
  en: (a: FindingArgs) => a.url ?? 'the policy file',
  ja: (a: FindingArgs) => a.url ?? 'ポリシーファイル',
};
const recordAt = {
  en: (a: FindingArgs) => (a.name ? `The MTA-STS record at ${a.name}` : 'The MTA-STS record'),
  ja: (a: FindingArgs) => (a.name ? `${a.name} の MTA-STS レコード` : 'MTA-STS レコード'),
};
const bumpId = {
  en: (a: FindingArgs) =>
    `, then change the id= in ${a.name ?? 'the _mta-sts record'} so senders fetch it again`,
  ja: (a: FindingArgs) =>
    `。その後、送信側が取得し直すよう ${a.name ?? '_mta-sts レコード'} の id= を変えてください`,
};

const entries = {
  'mta-sts-dns-error': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS record lookup failed',
      message: (a) =>
        `Could not look up the TXT record at ${a.name} (${dnsStatusText.en(a)}); whether the domain uses MTA-STS is unknown.`,
      why: 'Senders that hit the same failure fall back to their cached policy or to no policy, and Sumi cannot check the policy either.',
      fix: (a) =>
        `Check that the authoritative DNS servers answer TXT queries for ${a.name}, then check again.`,
    },
    ja: {
      title: 'MTA-STS レコードの問い合わせに失敗しました',
      message: (a) =>
        `${a.name} の TXT レコードを問い合わせられませんでした（${dnsStatusText.ja(a)}）。MTA-STS を使っているかどうかは分かりません。`,
      why: '送信側でも同じ失敗が起きると、キャッシュしたポリシーを使うかポリシーなしで扱います。Sumi もポリシーを確認できません。',
      fix: (a) =>
        `権威 DNS サーバーが ${a.name} の TXT 問い合わせに応答するか確認し、もう一度チェックしてください。`,
    },
  },
  'mta-sts-missing': {
    severity: 'info',
    protocol: 'mta-sts',
    en: {
      title: 'No MTA-STS',
      message: (a) => `${a.domain} publishes no MTA-STS record at ${a.name}.`,
      why: 'Without MTA-STS (or DANE), a sender cannot tell that your MX hosts support TLS, so an attacker on the path can strip STARTTLS and read or divert mail.',
      fix: (a) =>
        `Serve a policy at https://mta-sts.${a.domain}/.well-known/mta-sts.txt (start with "mode: testing"), then publish "v=STSv1; id=<date>" at ${a.name}; "sumi record mta-sts" writes both.`,
    },
    ja: {
      title: 'MTA-STS がありません',
      message: (a) => `${a.domain} は ${a.name} に MTA-STS レコードを公開していません。`,
      why: 'MTA-STS（または DANE）がないと、送信側は MX ホストが TLS に対応していることを知りえず、経路上の攻撃者が STARTTLS を外してメールを盗み見たり横取りしたりできます。',
      fix: (a) =>
        `https://mta-sts.${a.domain}/.well-known/mta-sts.txt にポリシーを置き（まず "mode: testing" で）、${a.name} に "v=STSv1; id=<日付>" を公開してください。"sumi record mta-sts" で両方を作れます。`,
    },
  },
  'mta-sts-multiple-records': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'Several MTA-STS records',
      message: (a) => `${a.name} holds ${a.count} MTA-STS records; there must be exactly one.`,
      why: 'RFC 8461 s3.1: with more than one record, senders assume the domain has no MTA-STS policy at all.',
      fix: (a) => `Delete all but one "v=STSv1; id=..." record at ${a.name}.`,
    },
    ja: {
      title: 'MTA-STS レコードが複数あります',
      message: (a) =>
        `${a.name} に MTA-STS レコードが ${a.count} 件あります。ちょうど 1 件でなければなりません。`,
      why: 'RFC 8461 3.1 節により、レコードが複数あると送信側はこのドメインに MTA-STS ポリシーがないものとみなします。',
      fix: (a) => `${a.name} の "v=STSv1; id=..." レコードを 1 件だけ残して、ほかは削除してください。`,
    },
  },
  'mta-sts-unrelated-record': {
    severity: 'info',
    protocol: 'mta-sts',
    en: {
      title: 'Other TXT records at the MTA-STS name',
      message: (a) => `${a.name} holds ${a.count} TXT record(s) that are not MTA-STS records.`,
      why: 'Senders ignore them (RFC 8461 s3.1), but they usually come from a wildcard or a record put in the wrong place.',
      fix: (a) =>
        `Delete the TXT records at ${a.name} that do not start with "v=STSv1", unless something else needs them.`,
    },
    ja: {
      title: 'MTA-STS の名前に他の TXT レコードがあります',
      message: (a) => `${a.name} に MTA-STS 以外の TXT レコードが ${a.count} 件あります。`,
      why: '送信側はこれらを無視します（RFC 8461 3.1 節）が、多くはワイルドカードか、置き場所を間違えたレコードです。',
      fix: (a) =>
        `ほかで必要でなければ、${a.name} の "v=STSv1" で始まらない TXT レコードを削除してください。`,
    },
  },
  'mta-sts-at-apex': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS record at the domain instead of _mta-sts',
      message: (a) =>
        `The MTA-STS record is published at ${a.domain} itself; senders look for it only at ${a.name}.`,
      why: 'At the wrong name the record has no effect: senders see no MTA-STS policy.',
      fix: (a) => `Move the "v=STSv1; id=..." record from ${a.domain} to ${a.name} (shown below).`,
    },
    ja: {
      title: 'MTA-STS レコードが _mta-sts ではなくドメイン自体にあります',
      message: (a) =>
        `MTA-STS レコードが ${a.domain} 自体に公開されています。送信側は ${a.name} しか見ません。`,
      why: '名前が違うとレコードは効果がなく、送信側には MTA-STS ポリシーがないように見えます。',
      fix: (a) =>
        `"v=STSv1; id=..." レコードを ${a.domain} から ${a.name} に移してください（下に示します）。`,
    },
  },
  'mta-sts-spf-record': {
    severity: 'warning',
    protocol: 'mta-sts',
    en: {
      title: 'SPF record at the MTA-STS name',
      message: (a) => `${a.name} holds an SPF record.`,
      why: 'An SPF record there usually comes from a wildcard TXT record, which also answers for every other underscore name and can hide missing records.',
      fix: (a) =>
        `Delete the SPF record at ${a.name}; if it comes from a wildcard (*.domain), publish the wildcard's records only where they are needed.`,
    },
    ja: {
      title: 'MTA-STS の名前に SPF レコードがあります',
      message: (a) => `${a.name} に SPF レコードがあります。`,
      why: 'ここにある SPF レコードは多くの場合ワイルドカードの TXT レコードによるもので、他のアンダースコア名にも応答してしまい、レコードの不足を隠すことがあります。',
      fix: (a) =>
        `${a.name} の SPF レコードを削除してください。ワイルドカード（*.ドメイン）によるものなら、ワイルドカードのレコードを必要な名前にだけ公開してください。`,
    },
  },
  'mta-sts-syntax-error': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS record syntax error',
      message: (a) => `${recordAt.en(a)} is not valid: ${fieldsProblem.en(a, 'STSv1')}.`,
      why: 'RFC 8461 s3.1: senders ignore a record they cannot parse, so the domain has no MTA-STS policy for them.',
      fix: (a) =>
        `Publish exactly "v=STSv1; id=<1-32 letters or digits>" at ${a.name ?? '_mta-sts.<domain>'} (e.g. "v=STSv1; id=202406010000").`,
    },
    ja: {
      title: 'MTA-STS レコードの構文エラー',
      message: (a) => `${recordAt.ja(a)}が正しくありません。${fieldsProblem.ja(a, 'STSv1')}。`,
      why: 'RFC 8461 3.1 節により、送信側は解析できないレコードを無視し、このドメインには MTA-STS ポリシーがないものとして扱います。',
      fix: (a) =>
        `${a.name ?? '_mta-sts.<ドメイン>'} に、ちょうど "v=STSv1; id=<1〜32 文字の英数字>" の形のレコードを公開してください（例: "v=STSv1; id=202406010000"）。`,
    },
  },
  'mta-sts-unknown-tag': {
    severity: 'info',
    protocol: 'mta-sts',
    en: {
      title: 'Extension fields in the MTA-STS record',
      message: (a) =>
        `${recordAt.en(a)} has fields RFC 8461 does not define: ${a.tags}. Senders ignore them.`,
      why: 'Extensions are allowed, but an unknown field is often a typo (field names are case-sensitive: "ID=" is not "id=").',
      fix: (a) => `Remove ${a.tags} unless you know what reads them.`,
    },
    ja: {
      title: 'MTA-STS レコードに拡張フィールドがあります',
      message: (a) =>
        `${recordAt.ja(a)}に RFC 8461 で定義されていないフィールドがあります: ${a.tags}。送信側はこれらを無視します。`,
      why: '拡張は許されていますが、知らないフィールドは打ち間違いであることが多いです（フィールド名は大文字小文字を区別し、"ID=" は "id=" ではありません）。',
      fix: (a) => `何が読むのか分かっているのでなければ ${a.tags} を削除してください。`,
    },
  },
  'mta-sts-duplicate-tag': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS record field repeated',
      message: (a) => `${recordAt.en(a)} has the field "${a.tag}=" more than once.`,
      why: 'A record with a repeated field is ambiguous; senders may reject it and apply no policy.',
      fix: (a) => `Keep one "${a.tag}=" in the record.`,
    },
    ja: {
      title: 'MTA-STS レコードのフィールドが重複しています',
      message: (a) => `${recordAt.ja(a)}に "${a.tag}=" フィールドが複数あります。`,
      why: 'フィールドが重複したレコードはあいまいで、送信側が拒否してポリシーを適用しないことがあります。',
      fix: (a) => `レコードの "${a.tag}=" を 1 つだけにしてください。`,
    },
  },
  'mta-sts-id-missing': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS record has no id',
      message: (a) => `${recordAt.en(a)} has no "id=" field.`,
      why: 'RFC 8461 s3.1 requires id=; senders use it to notice policy changes and reject a record without it.',
      fix: (a) => `Publish "v=STSv1; id=<date, e.g. 202406010000>" at ${a.name ?? '_mta-sts.<domain>'}.`,
    },
    ja: {
      title: 'MTA-STS レコードに id がありません',
      message: (a) => `${recordAt.ja(a)}に "id=" フィールドがありません。`,
      why: 'RFC 8461 3.1 節は id= を必須としています。送信側はこれでポリシーの変更を知り、id のないレコードは拒否します。',
      fix: (a) =>
        `${a.name ?? '_mta-sts.<ドメイン>'} に "v=STSv1; id=<日付、例: 202406010000>" を公開してください。`,
    },
  },
  'mta-sts-id-invalid': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS id is not valid',
      message: (a) => `${recordAt.en(a)} has id=${a.id}; an id is 1 to 32 letters and digits only.`,
      why: 'RFC 8461 s3.1: senders reject a record whose id has other characters (such as "-", "." or ":") or is longer than 32.',
      fix: (a) =>
        `Use only letters and digits, e.g. "v=STSv1; id=${
          String(a.id ?? '')
            .replace(/[^A-Za-z0-9]/g, '')
            .slice(0, 32) || '202406010000'
        }".`,
    },
    ja: {
      title: 'MTA-STS の id が正しくありません',
      message: (a) => `${recordAt.ja(a)}は id=${a.id} です。id は 1〜32 文字の英数字だけです。`,
      why: 'RFC 8461 3.1 節により、他の文字（"-"、"."、":" など）を含むか 32 文字を超える id のレコードは送信側で拒否されます。',
      fix: (a) =>
        `英数字だけを使ってください。例: "v=STSv1; id=${
          String(a.id ?? '')
            .replace(/[^A-Za-z0-9]/g, '')
            .slice(0, 32) || '202406010000'
        }"。`,
    },
  },
  'mta-sts-policy-fetch-failed': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy cannot be fetched',
      message: (a) =>
        `The MTA-STS record exists, but the policy at ${a.url} cannot be fetched: ${fetchFailure.en(a)}${a.error && a.failure !== 'http-status' ? ` (${a.error})` : ''}.`,
      why: 'RFC 8461 s3.3: without a fetchable policy, senders act as if the domain had no MTA-STS, so the record protects nothing.',
      fix: (a) =>
        `Serve the policy at ${a.url} over HTTPS with a certificate valid for ${String(a.url ?? '').replace(/^https:\/\/([^/]+).*$/, '$1')}, answering 200 with Content-Type text/plain; or delete the _mta-sts record if MTA-STS was abandoned.`,
    },
    ja: {
      title: 'MTA-STS ポリシーを取得できません',
      message: (a) =>
        `MTA-STS レコードはありますが、${a.url} のポリシーを取得できません。${fetchFailure.ja(a)}${a.error && a.failure !== 'http-status' ? `（${a.error}）` : ''}。`,
      why: 'RFC 8461 3.3 節により、ポリシーを取得できないと送信側は MTA-STS がないものとして扱うため、レコードは何も守りません。',
      fix: (a) =>
        `${a.url} のポリシーを、${String(a.url ?? '').replace(/^https:\/\/([^/]+).*$/, '$1')} に有効な証明書の HTTPS で、ステータス 200・Content-Type text/plain で配信してください。MTA-STS をやめたのなら _mta-sts レコードを削除してください。`,
    },
  },
  'mta-sts-policy-redirect': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy URL redirects',
      message: (a) => `${a.url} answers with a redirect${a.location ? ` to ${a.location}` : ''}.`,
      why: 'RFC 8461 s3.3: senders must not follow redirects for the policy, so they get no policy at all.',
      fix: (a) =>
        `Serve the policy file itself at ${a.url} (status 200), without redirecting (check HTTP-to-HTTPS or "www" redirect rules on that host).`,
    },
    ja: {
      title: 'MTA-STS ポリシーの URL がリダイレクトします',
      message: (a) => `${a.url} がリダイレクト${a.location ? `（${a.location} へ）` : ''}を返します。`,
      why: 'RFC 8461 3.3 節により、送信側はポリシー取得でリダイレクトをたどってはならず、ポリシーをまったく得られません。',
      fix: (a) =>
        `${a.url} でポリシーファイルそのものをステータス 200 で返してください（そのホストの HTTP→HTTPS や "www" へのリダイレクト設定を確認してください）。`,
    },
  },
  'mta-sts-policy-too-large': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy too large',
      message: (a) => `${policyAt.en(a)} is larger than ${a.max} bytes.`,
      why: 'A policy is a few lines; senders cap the size they read (RFC 8461 s3.3) and discard larger ones.',
      fix: (a) => `Serve only the policy lines (version, mode, mx, max_age) at ${policyFile.en(a)}.`,
    },
    ja: {
      title: 'MTA-STS ポリシーが大きすぎます',
      message: (a) => `${policyAt.ja(a)}が ${a.max} バイトを超えています。`,
      why: 'ポリシーは数行のものです。送信側は読む大きさに上限を設けており（RFC 8461 3.3 節）、大きいものは捨てます。',
      fix: (a) => `${policyFile.ja(a)} ではポリシーの行（version、mode、mx、max_age）だけを返してください。`,
    },
  },
  'mta-sts-policy-invalid': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy syntax error',
      message: (a) => `${policyAt.en(a)} is not valid: ${policyProblem.en(a)}.`,
      why: 'RFC 8461 s3.2: a policy that does not parse is treated as no policy, so senders do not apply MTA-STS.',
      fix: (a) =>
        `Serve plain "key: value" lines, one per line, at ${policyFile.en(a)}, e.g. "version: STSv1", "mode: enforce", "mx: mail.example.jp", "max_age: 604800".`,
    },
    ja: {
      title: 'MTA-STS ポリシーの構文エラー',
      message: (a) => `${policyAt.ja(a)}が正しくありません。${policyProblem.ja(a)}。`,
      why: 'RFC 8461 3.2 節により、解析できないポリシーはないものとして扱われ、送信側は MTA-STS を適用しません。',
      fix: (a) =>
        `${policyFile.ja(a)} では、1 行に 1 つの "キー: 値" だけを返してください。例: "version: STSv1"、"mode: enforce"、"mx: mail.example.jp"、"max_age: 604800"。`,
    },
  },
  'mta-sts-policy-unknown-key': {
    severity: 'info',
    protocol: 'mta-sts',
    en: {
      title: 'Extension keys in the MTA-STS policy',
      message: (a) => `${policyAt.en(a)} has keys RFC 8461 does not define: ${a.keys}. Senders ignore them.`,
      why: 'Extensions are allowed, but an unknown key is often a typo (keys are case-sensitive: "Mode" is not "mode"), and the intended setting is then missing.',
      fix: (a) => `Remove ${a.keys} or correct the key names (version, mode, mx, max_age, all lower case).`,
    },
    ja: {
      title: 'MTA-STS ポリシーに拡張キーがあります',
      message: (a) =>
        `${policyAt.ja(a)}に RFC 8461 で定義されていないキーがあります: ${a.keys}。送信側はこれらを無視します。`,
      why: '拡張は許されていますが、知らないキーは打ち間違いであることが多く（キーは大文字小文字を区別し、"Mode" は "mode" ではありません）、その場合は意図した設定が欠けています。',
      fix: (a) =>
        `${a.keys} を削除するか、キー名を直してください（version、mode、mx、max_age、すべて小文字）。`,
    },
  },
  'mta-sts-policy-duplicate-key': {
    severity: 'warning',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy key repeated',
      message: (a) =>
        `${policyAt.en(a)} has "${a.key}" more than once; senders use the first value ("${a.used}").`,
      why: 'RFC 8461 s3.2: for keys other than mx only the first occurrence counts, which may not be the value you meant.',
      fix: (a) => `Keep one "${a.key}:" line with the value you want in ${policyFile.en(a)}${bumpId.en(a)}.`,
    },
    ja: {
      title: 'MTA-STS ポリシーのキーが重複しています',
      message: (a) =>
        `${policyAt.ja(a)}に "${a.key}" が複数あります。送信側は最初の値（"${a.used}"）を使います。`,
      why: 'RFC 8461 3.2 節により、mx 以外のキーは最初のものだけが有効で、意図した値ではないかもしれません。',
      fix: (a) =>
        `${policyFile.ja(a)} の "${a.key}:" 行を、意図した値で 1 行だけにしてください${bumpId.ja(a)}。`,
    },
  },
  'mta-sts-policy-version-invalid': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy version is not STSv1',
      message: (a) =>
        `${policyAt.en(a)} says "version: ${a.value}"; the only version is STSv1 (case matters).`,
      why: 'Senders reject a policy with another version and apply no MTA-STS.',
      fix: (a) => `Make the first line of ${policyFile.en(a)} "version: STSv1"${bumpId.en(a)}.`,
    },
    ja: {
      title: 'MTA-STS ポリシーのバージョンが STSv1 ではありません',
      message: (a) =>
        `${policyAt.ja(a)}は "version: ${a.value}" です。バージョンは STSv1（大文字小文字も一致）だけです。`,
      why: '送信側は他のバージョンのポリシーを拒否し、MTA-STS を適用しません。',
      fix: (a) => `${policyFile.ja(a)} の 1 行目を "version: STSv1" にしてください${bumpId.ja(a)}。`,
    },
  },
  'mta-sts-policy-mode-invalid': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy mode is not valid',
      message: (a) =>
        `${policyAt.en(a)} says "mode: ${a.value}"; the mode is enforce, testing or none (lower case).`,
      why: 'Senders reject a policy with an unknown mode and apply no MTA-STS.',
      fix: (a) =>
        `Set "mode: testing" while you check TLS reports, then "mode: enforce", in ${policyFile.en(a)}${bumpId.en(a)}.`,
    },
    ja: {
      title: 'MTA-STS ポリシーの mode が正しくありません',
      message: (a) =>
        `${policyAt.ja(a)}は "mode: ${a.value}" です。mode は enforce、testing、none（小文字）のいずれかです。`,
      why: '送信側は知らない mode のポリシーを拒否し、MTA-STS を適用しません。',
      fix: (a) =>
        `${policyFile.ja(a)} を、TLS レポートを確認する間は "mode: testing"、その後 "mode: enforce" にしてください${bumpId.ja(a)}。`,
    },
  },
  'mta-sts-policy-max-age-invalid': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS max_age is not valid',
      message: (a) =>
        `${policyAt.en(a)} says "max_age: ${a.value}"; max_age is a whole number of seconds from 0 to ${a.max}.`,
      why: 'Senders reject a policy whose max_age is not a number in range and apply no MTA-STS.',
      fix: (a) =>
        `Set "max_age: 604800" (one week) or longer, up to ${a.max}, in ${policyFile.en(a)}${bumpId.en(a)}.`,
    },
    ja: {
      title: 'MTA-STS の max_age が正しくありません',
      message: (a) =>
        `${policyAt.ja(a)}は "max_age: ${a.value}" です。max_age は 0〜${a.max} の整数（秒）です。`,
      why: '送信側は範囲内の数値でない max_age のポリシーを拒否し、MTA-STS を適用しません。',
      fix: (a) =>
        `${policyFile.ja(a)} を "max_age: 604800"（1 週間）以上、${a.max} 以下にしてください${bumpId.ja(a)}。`,
    },
  },
  'mta-sts-policy-max-age-short': {
    severity: 'warning',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS max_age is short',
      message: (a) =>
        `${policyAt.en(a)} has max_age ${a.value} seconds in ${a.mode} mode; at least ${a.min} is recommended.`,
      why: 'Senders keep a policy only for max_age; with a short one, an attacker who blocks the policy fetch soon finds senders without a policy (RFC 8461 s10.2 expects weeks).',
      fix: (a) =>
        `Set "max_age: ${a.mode === 'enforce' ? 1209600 : 604800}" or longer in ${policyFile.en(a)}${bumpId.en(a)}.`,
    },
    ja: {
      title: 'MTA-STS の max_age が短すぎます',
      message: (a) =>
        `${policyAt.ja(a)}は ${a.mode} モードで max_age が ${a.value} 秒です。${a.min} 秒以上を推奨します。`,
      why: '送信側はポリシーを max_age の間だけ保持します。短いと、ポリシーの取得を妨害する攻撃者がすぐにポリシーのない送信側を作れます（RFC 8461 10.2 節は週単位を想定しています）。',
      fix: (a) =>
        `${policyFile.ja(a)} を "max_age: ${a.mode === 'enforce' ? 1209600 : 604800}" 以上にしてください${bumpId.ja(a)}。`,
    },
  },
  'mta-sts-policy-mx-invalid': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS mx pattern is not valid',
      message: (a) => `${policyAt.en(a)} has "mx: ${a.pattern}": ${mxReason.en(a)}.`,
      why: 'Senders reject the policy (or the pattern matches nothing), and in enforce mode mail to hosts it should cover is not delivered.',
      fix: (a) =>
        `Write each MX host name as it appears in your MX records, without the final dot ("mx: mail.example.jp"), or "*.example.jp" for all hosts one level below, in ${policyFile.en(a)}${bumpId.en(a)}.`,
    },
    ja: {
      title: 'MTA-STS の mx パターンが正しくありません',
      message: (a) => `${policyAt.ja(a)}に "mx: ${a.pattern}" があります。${mxReason.ja(a)}。`,
      why: '送信側はポリシーを拒否するか、パターンが何にも一致せず、enforce モードでは本来含まれるべきホストへのメールが配送されません。',
      fix: (a) =>
        `${policyFile.ja(a)} には、MX レコードにあるホスト名を末尾のドットなしで（"mx: mail.example.jp"）、または 1 階層下のすべてのホストなら "*.example.jp" と書いてください${bumpId.ja(a)}。`,
    },
  },
  'mta-sts-policy-field-missing': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy field missing',
      message: (a) => `${policyAt.en(a)} has no "${a.field}" line.`,
      why: 'RFC 8461 s3.2: version, mode and max_age are required; without one the policy is invalid and senders apply no MTA-STS.',
      fix: (a) =>
        `Add the line "${a.field === 'version' ? 'version: STSv1' : a.field === 'mode' ? 'mode: testing' : 'max_age: 604800'}" to ${policyFile.en(a)}${bumpId.en(a)}.`,
    },
    ja: {
      title: 'MTA-STS ポリシーに必須の項目がありません',
      message: (a) => `${policyAt.ja(a)}に "${a.field}" の行がありません。`,
      why: 'RFC 8461 3.2 節により version、mode、max_age は必須です。どれかが欠けるとポリシーは無効で、送信側は MTA-STS を適用しません。',
      fix: (a) =>
        `${policyFile.ja(a)} に "${a.field === 'version' ? 'version: STSv1' : a.field === 'mode' ? 'mode: testing' : 'max_age: 604800'}" の行を加えてください${bumpId.ja(a)}。`,
    },
  },
  'mta-sts-policy-mx-missing': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy lists no MX hosts',
      message: (a) => `${policyAt.en(a)} is in ${a.mode} mode but has no "mx:" line.`,
      why: 'A policy in enforce or testing mode must name the MX hosts senders may use; with none, no host is valid and senders either reject the policy or (enforce) refuse to deliver.',
      fix: (a) =>
        `Add one "mx: <host>" line per MX host of the domain to ${policyFile.en(a)}${bumpId.en(a)}.`,
    },
    ja: {
      title: 'MTA-STS ポリシーに MX ホストがありません',
      message: (a) => `${policyAt.ja(a)}は ${a.mode} モードですが、"mx:" の行がありません。`,
      why: 'enforce・testing モードのポリシーは送信側が使ってよい MX ホストを示す必要があります。ないとどのホストも有効でなく、送信側はポリシーを拒否するか、（enforce では）配送を拒みます。',
      fix: (a) =>
        `${policyFile.ja(a)} に、ドメインの MX ホストごとに "mx: <ホスト>" の行を加えてください${bumpId.ja(a)}。`,
    },
  },
  'mta-sts-policy-content-type': {
    severity: 'warning',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy not served as text/plain',
      message: (a) =>
        `${policyAt.en(a)} is served with Content-Type "${a.contentType}"; it must be text/plain.`,
      why: 'RFC 8461 s3.2: senders should reject other media types (a guard against user-uploaded files at that path), so many ignore this policy.',
      fix: (a) => `Configure the web server to serve ${policyFile.en(a)} as "text/plain; charset=utf-8".`,
    },
    ja: {
      title: 'MTA-STS ポリシーが text/plain で配信されていません',
      message: (a) =>
        `${policyAt.ja(a)}は Content-Type "${a.contentType}" で配信されています。text/plain である必要があります。`,
      why: 'RFC 8461 3.2 節により、送信側は他のメディアタイプを拒否すべきとされており（そのパスにアップロードされたファイル対策）、多くの送信側がこのポリシーを無視します。',
      fix: (a) =>
        `Web サーバーで ${policyFile.ja(a)} を "text/plain; charset=utf-8" で配信するよう設定してください。`,
    },
  },
  'mta-sts-policy-content-type-missing': {
    severity: 'warning',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy has no Content-Type',
      message: (a) => `${policyAt.en(a)} is served without a Content-Type header.`,
      why: 'RFC 8461 s3.2 requires text/plain, and senders that check the media type ignore a policy without one.',
      fix: (a) =>
        `Configure the web server to send "Content-Type: text/plain; charset=utf-8" for ${policyFile.en(a)}.`,
    },
    ja: {
      title: 'MTA-STS ポリシーに Content-Type がありません',
      message: (a) => `${policyAt.ja(a)}は Content-Type ヘッダーなしで配信されています。`,
      why: 'RFC 8461 3.2 節は text/plain を求めており、メディアタイプを確認する送信側はこれがないポリシーを無視します。',
      fix: (a) =>
        `Web サーバーで ${policyFile.ja(a)} に "Content-Type: text/plain; charset=utf-8" を付けるよう設定してください。`,
    },
  },
  'mta-sts-policy-charset': {
    severity: 'warning',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy in an unexpected charset',
      message: (a) =>
        `${policyAt.en(a)} is served with charset=${a.charset}; senders read the policy as UTF-8 (ASCII).`,
      why: 'A policy in another encoding (UTF-16, Shift_JIS) may be unreadable to senders; policies are plain ASCII in practice.',
      fix: (a) =>
        `Save ${policyFile.en(a)} as UTF-8 (plain ASCII) and serve it as "text/plain; charset=utf-8".`,
    },
    ja: {
      title: 'MTA-STS ポリシーの文字コードが想定外です',
      message: (a) =>
        `${policyAt.ja(a)}は charset=${a.charset} で配信されています。送信側はポリシーを UTF-8（ASCII）として読みます。`,
      why: '他の文字コード（UTF-16 や Shift_JIS）のポリシーは送信側が読めないことがあります。ポリシーは実際には ASCII だけで書きます。',
      fix: (a) =>
        `${policyFile.ja(a)} を UTF-8（ASCII のみ）で保存し、"text/plain; charset=utf-8" で配信してください。`,
    },
  },
  'mta-sts-policy-without-record': {
    severity: 'warning',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS policy without a record',
      message: (a) => `A policy is served at ${a.url}, but there is no MTA-STS record at ${a.name}.`,
      why: 'Senders look for the policy only when the record exists, so this policy has no effect.',
      fix: (a) =>
        `Publish "v=STSv1; id=<date>" at ${a.name} (shown below), or remove the policy if MTA-STS is not wanted.`,
    },
    ja: {
      title: 'MTA-STS ポリシーはありますがレコードがありません',
      message: (a) => `${a.url} にポリシーがありますが、${a.name} に MTA-STS レコードがありません。`,
      why: '送信側はレコードがあるときだけポリシーを取得するため、このポリシーは効果がありません。',
      fix: (a) =>
        `${a.name} に "v=STSv1; id=<日付>" を公開するか（下に示します）、MTA-STS を使わないならポリシーを削除してください。`,
    },
  },
  'mta-sts-mx-not-covered': {
    severity: 'error',
    protocol: 'mta-sts',
    en: {
      title: 'MX host not covered by the MTA-STS policy',
      message: (a) =>
        `The MX host ${a.host} matches none of the policy's mx patterns (${a.patterns || 'none'}).`,
      why: 'In enforce mode, MTA-STS senders refuse to deliver to an MX host the policy does not list; in testing mode they send failure reports.',
      fix: (a) =>
        `Add "mx: ${a.host}" to the policy at ${a.url ?? 'the policy URL'}${bumpId.en(a)}; or remove the MX record if the host no longer receives mail.`,
    },
    ja: {
      title: 'MX ホストが MTA-STS ポリシーに含まれていません',
      message: (a) =>
        `MX ホスト ${a.host} は、ポリシーの mx パターン（${a.patterns || 'なし'}）のどれにも一致しません。`,
      why: 'enforce モードでは、MTA-STS に対応した送信側はポリシーにない MX ホストへの配送を拒みます。testing モードでは失敗のレポートを送ります。',
      fix: (a) =>
        `${a.url ?? 'ポリシーの URL'} のポリシーに "mx: ${a.host}" を加えてください${bumpId.ja(a)}。そのホストがもうメールを受け取らないなら MX レコードを削除してください。`,
    },
  },
  'mta-sts-mode-testing': {
    severity: 'info',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS in testing mode',
      message: (a) => `${policyAt.en(a)} is in testing mode: senders report TLS failures but still deliver.`,
      why: 'Testing mode is the right first step; it protects nothing until the mode is enforce.',
      fix: (a) =>
        `Once TLS reports (TLS-RPT) show no failures, set "mode: enforce" in ${policyFile.en(a)}${bumpId.en(a)}.`,
    },
    ja: {
      title: 'MTA-STS はテストモードです',
      message: (a) =>
        `${policyAt.ja(a)}は testing モードです。送信側は TLS の失敗を報告しますが、配送は続けます。`,
      why: 'testing モードは最初の段階として正しいですが、enforce にするまでは何も守りません。',
      fix: (a) =>
        `TLS レポート（TLS-RPT）に失敗がないことを確認したら、${policyFile.ja(a)} を "mode: enforce" にしてください${bumpId.ja(a)}。`,
    },
  },
  'mta-sts-mode-none': {
    severity: 'info',
    protocol: 'mta-sts',
    en: {
      title: 'MTA-STS mode is none',
      message: (a) => `${policyAt.en(a)} is in mode none: senders apply no MTA-STS.`,
      why: 'Mode none is how a domain withdraws MTA-STS (RFC 8461 s8.3); it gives no protection.',
      fix: (a) =>
        `If MTA-STS was not meant to be withdrawn, set "mode: testing" or "mode: enforce" and list the MX hosts in ${policyFile.en(a)}${bumpId.en(a)}.`,
    },
    ja: {
      title: 'MTA-STS の mode が none です',
      message: (a) => `${policyAt.ja(a)}は none モードで、送信側は MTA-STS を適用しません。`,
      why: 'none モードはドメインが MTA-STS を取りやめるための設定で（RFC 8461 8.3 節）、保護はありません。',
      fix: (a) =>
        `取りやめるつもりでないなら、${policyFile.ja(a)} を "mode: testing" か "mode: enforce" にして MX ホストを列挙してください${bumpId.ja(a)}。`,
    },
  },
} satisfies FindingCatalog;

/** Keys kept literal (they make the FindingCode type); entries widened so `fix` reads as optional. */
export const mtaStsFindings: { [K in keyof typeof entries]: FindingEntry } = entries;
