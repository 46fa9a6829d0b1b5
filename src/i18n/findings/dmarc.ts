import type { FindingArgs, FindingCatalog } from '../catalog.ts';

/*
 * DMARC findings. checkdmarc (5.17.5, see shared/notes/checkdmarc-checks.md) → Sumi code:
 *
 *   DMARC-E01 leading whitespace            → dmarc-leading-whitespace
 *   DMARC-E02 multiple records              → dmarc-multiple-records
 *   DMARC-E03 unrelated TXT at _dmarc       → dmarc-unrelated-txt
 *   DMARC-E04 v=DMARC1 at the apex          → dmarc-at-apex
 *   DMARC-E05 domain does not exist         → dmarc-domain-not-found
 *   DMARC-E06 no record here or above       → dmarc-missing
 *   DMARC-E07 other DNS errors              → dmarc-dns-error
 *   DMARC-E08 SPF record at _dmarc          → dmarc-spf-at-dmarc
 *   DMARC-E09 grammar error                 → dmarc-syntax-error (also dmarc-text-before-version,
 *                                             dmarc-version-case, dmarc-nonstandard-syntax)
 *   DMARC-E10 duplicate tags                → dmarc-duplicate-tag
 *   DMARC-E11 invalid fo option             → dmarc-invalid-value (tag fo)
 *   DMARC-E12 tag value not allowed         → dmarc-invalid-value
 *   DMARC-E13 rua/ruf not a mailto URI      → dmarc-invalid-uri (malformed), dmarc-uri-not-mailto
 *                                             (valid but another scheme: RFC 9989 allows it)
 *   DMARC-W01 record at the apex            → dmarc-at-apex (warning when _dmarc also has one)
 *   DMARC-W02 unknown tag                   → dmarc-unknown-tag
 *   DMARC-W03 pct/rf/ri                     → dmarc-removed-tag
 *   DMARC-W04 no p tag                      → dmarc-policy-missing
 *   DMARC-W05 p not second                  → dmarc-policy-not-second
 *   DMARC-W06 p=none                        → dmarc-policy-none
 *   DMARC-W07 sp=none                       → dmarc-subdomain-policy-weaker (p enforcing),
 *                                             dmarc-subdomain-policy-none (p=none too)
 *   DMARC-W08 fo with 0 and 1               → dmarc-fo-conflict
 *   DMARC-W09 !size suffix                  → dmarc-report-size-limit
 *   DMARC-W10 external destination          → dmarc-external-rua-unauthorized,
 *                                             dmarc-external-ruf-unauthorized
 *   DMARC-W11 report domain without MX      → dmarc-report-domain-no-mx
 *   DMARC-W12 more than 2 URIs              → dmarc-too-many-uris
 *   DMARC-W13 no rua                        → dmarc-no-rua
 *   DMARC-W14 parked domain not reject      → dmarc-parked-not-reject
 *
 * Beyond checkdmarc: dmarc-cname, dmarc-inherited-policy, dmarc-psd-policy,
 * dmarc-org-domain-differs, dmarc-subdomain-policy-ignored, dmarc-np-missing,
 * dmarc-psd-not-public-suffix, dmarc-nonexistent-policy-weaker, dmarc-testing-mode,
 * dmarc-fo-without-ruf, dmarc-duplicate-uri, dmarc-ruf-privacy, dmarc-invalid-utf8,
 * dmarc-record-too-large.
 */

const s = (v: FindingArgs[string]): string => (v === undefined ? '' : String(v));

/** What a failed lookup left undetermined (`during` argument of dmarc-dns-error). */
const duringEn: Record<string, string> = {
  policy: 'which DMARC policy applies',
  'org-domain': 'the organisational domain',
  'domain-exists': 'whether the domain exists',
  'report-mx': 'whether the report address can receive mail',
  'report-authorization': 'whether the report destination accepts the reports',
};
const duringJa: Record<string, string> = {
  policy: 'どの DMARC ポリシーが適用されるか',
  'org-domain': '組織ドメイン',
  'domain-exists': 'ドメインが存在するかどうか',
  'report-mx': 'レポート送信先がメールを受け取れるかどうか',
  'report-authorization': 'レポート送信先が受け取りを承認しているかどうか',
};

const effectEn = (a: FindingArgs): string =>
  a.effect === 'monitor'
    ? ' Because of this, RFC 9989 receivers treat the whole record as "p=none": reports are sent, but no mail is quarantined or rejected.'
    : a.effect === 'ignore'
      ? ' Because of this, and because the record has no usable rua address, RFC 9989 receivers apply no DMARC at all to this domain.'
      : '';
const effectJa = (a: FindingArgs): string =>
  a.effect === 'monitor'
    ? 'このため RFC 9989 に従う受信側はレコード全体を "p=none" として扱います。レポートは届きますが、隔離も拒否も行われません。'
    : a.effect === 'ignore'
      ? 'このため、また使える rua のアドレスもないため、RFC 9989 に従う受信側はこのドメインに DMARC をまったく適用しません。'
      : '';

const syntaxEn = (a: FindingArgs): string => {
  switch (a.reason) {
    case 'no-version':
      return `The record does not start with "v=DMARC1" ("${s(a.near)}"), so it is not a DMARC record.`;
    case 'version-not-terminated':
      return `"v=DMARC1" must be followed by ";" before the next tag ("${s(a.near)}"); receivers read the version as something else and discard the record.`;
    case 'colon-for-equals':
      return `"${s(a.near)}" uses ":" where "=" belongs; receivers drop this tag.`;
    case 'bad-name':
      return `"${s(a.near)}" is not a tag=value pair (tag names are letters only); receivers drop it.`;
    case 'empty-value':
      return `The tag ${s(a.tag)}= has no value; receivers drop it and use the default.`;
    case 'separator-in-option':
      return `The value given for ${s(a.tag)} ("${s(a.near)}") contains ";" or ","; each option takes one value (give several report addresses as separate entries).`;
    case 'bad-character':
      return `The value of ${s(a.tag)} contains "${s(a.char)}" (${s(a.codePoint)}) at position ${s(a.position)}, which a DMARC record may not contain${a.fullwidth ? ' (a full-width character, typical of a Japanese input method)' : ''}; receivers drop this tag.`;
    default:
      return `"${s(a.near)}" is not a tag=value pair; receivers drop it.`;
  }
};
const syntaxJa = (a: FindingArgs): string => {
  switch (a.reason) {
    case 'no-version':
      return `レコードが "v=DMARC1" で始まっていないため（"${s(a.near)}"）、DMARC レコードではありません。`;
    case 'version-not-terminated':
      return `"v=DMARC1" の直後には次のタグの前に ";" が必要です（"${s(a.near)}"）。受信側はバージョンを別の値と読み、レコードを破棄します。`;
    case 'colon-for-equals':
      return `"${s(a.near)}" で "=" の代わりに ":" が使われています。受信側はこのタグを無視します。`;
    case 'bad-name':
      return `"${s(a.near)}" は「タグ=値」の形になっていません（タグ名は英字のみ）。受信側はこれを無視します。`;
    case 'empty-value':
      return `タグ ${s(a.tag)}= に値がありません。受信側はこのタグを無視し、既定値を使います。`;
    case 'separator-in-option':
      return `${s(a.tag)} に指定した値（"${s(a.near)}"）に ";" または "," が含まれています。1 つの値に ";" や "," は使えません（レポート送信先が複数なら、別々に指定してください）。`;
    case 'bad-character':
      return `${s(a.tag)} の値の ${s(a.position)} 文字目に、DMARC レコードに使えない文字 "${s(a.char)}"（${s(a.codePoint)}）があります${a.fullwidth ? '（日本語入力で入った全角文字です）' : ''}。受信側はこのタグを無視します。`;
    default:
      return `"${s(a.near)}" は「タグ=値」の形になっていません。受信側はこれを無視します。`;
  }
};

const uriProblemEn: Record<string, string> = {
  empty: 'it is empty (a stray comma?)',
  'no-scheme': 'it has no scheme: an address must be written as mailto:address',
  whitespace: 'it contains a space',
  'bad-address': 'the mailto address is not an e-mail address',
  'bad-host': 'the domain of the address is not a valid domain name',
  'unencoded-bang': 'it contains "!", which must be written %21 (other than the obsolete !size suffix)',
  'bad-url': 'it is not a valid URI',
};
const uriProblemJa: Record<string, string> = {
  empty: '空になっています（余分なカンマ？）',
  'no-scheme': 'スキームがありません。アドレスは mailto:アドレス の形で書く必要があります',
  whitespace: '空白が含まれています',
  'bad-address': 'mailto のアドレスがメールアドレスになっていません',
  'bad-host': 'アドレスのドメイン部分が正しいドメイン名ではありません',
  'unencoded-bang': '"!" が含まれています（廃止された !size 以外では %21 と書く必要があります）',
  'bad-url': '正しい URI ではありません',
};

const noMxEn = (a: FindingArgs): string =>
  a.reason === 'nxdomain'
    ? `${s(a.host)} does not exist`
    : a.reason === 'null-mx'
      ? `${s(a.host)} publishes a null MX (it accepts no mail)`
      : `${s(a.host)} has no MX record`;
const noMxJa = (a: FindingArgs): string =>
  a.reason === 'nxdomain'
    ? `${s(a.host)} は存在しません`
    : a.reason === 'null-mx'
      ? `${s(a.host)} は null MX を公開しています（メールを受け付けません）`
      : `${s(a.host)} に MX レコードがありません`;

const unauthorizedEn = (kind: string) => (a: FindingArgs) =>
  a.reason === 'name-too-long'
    ? `${kind} reports for ${s(a.domain)} go to ${s(a.host)}, another organisation, but the authorisation name ${s(a.domain)}._report._dmarc.${s(a.host)} is longer than DNS allows, so receivers can never confirm it and will not send these reports.`
    : `${kind} reports for ${s(a.domain)} go to ${s(a.host)}, another organisation, which has not authorised them: there is no "v=DMARC1" TXT record at ${s(a.name)} (nor at *._report._dmarc.${s(a.host)}). Receivers will not send these reports.`;
const unauthorizedJa = (kind: string) => (a: FindingArgs) =>
  a.reason === 'name-too-long'
    ? `${s(a.domain)} の${kind}レポートの送信先 ${s(a.host)} は別の組織ですが、確認用の名前 ${s(a.domain)}._report._dmarc.${s(a.host)} が DNS の長さ制限を超えるため、受信側は承認を確認できず、レポートを送りません。`
    : `${s(a.domain)} の${kind}レポートの送信先 ${s(a.host)} は別の組織ですが、受け取りを承認していません（${s(a.name)} にも *._report._dmarc.${s(a.host)} にも "v=DMARC1" の TXT レコードがありません）。受信側はこのレポートを送りません。`;
const unauthorizedFixEn = (a: FindingArgs) =>
  `Ask the operator of ${s(a.host)} to publish TXT "v=DMARC1" at ${s(a.domain)}._report._dmarc.${s(a.host)} (report services do this when you register the domain with them), or send reports to an address in your own domain.`;
const unauthorizedFixJa = (a: FindingArgs) =>
  `${s(a.host)} の運用者に ${s(a.domain)}._report._dmarc.${s(a.host)} へ TXT "v=DMARC1" を公開してもらってください（レポート解析サービスでは、ドメインを登録すると公開されます）。または、自ドメインのアドレスにレポートを送ってください。`;

export const dmarcFindings = {
  'dmarc-missing': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'No DMARC record',
      message: (a) =>
        `${s(a.domain)} has no DMARC record that receivers can use: nothing at _dmarc.${s(a.domain)}${a.method === 'psl' ? ` nor at its organisational domain` : ' nor at any parent domain'}${a.flawed ? ' (the record published there is ignored because of the errors reported above)' : ''}. Receivers apply no DMARC policy to its mail and send no reports.`,
      why: "Without DMARC, anyone can send mail in your domain's name and receivers have no instruction from you; you also get no reports, so you cannot see who sends as you.",
      fix: (a) =>
        `Publish a TXT record at _dmarc.${s(a.domain)}: "v=DMARC1; p=none; rua=mailto:<an address that receives reports>". Sumi cannot choose that address for you. Read the reports, fix SPF/DKIM for every legitimate sender, then move to p=quarantine and p=reject.`,
    },
    ja: {
      title: 'DMARC レコードがありません',
      message: (a) =>
        `${s(a.domain)} には受信側が使える DMARC レコードがありません。_dmarc.${s(a.domain)} にも${a.method === 'psl' ? '組織ドメインにも' : '上位のドメインにも'}見つかりません${a.flawed ? '（そこに公開されているレコードは、上に挙げた誤りのため無視されます）' : ''}。受信側はこのドメインのメールに DMARC ポリシーを適用せず、レポートも送りません。`,
      why: 'DMARC がないと、誰でもこのドメインを名乗ってメールを送れ、受信側はドメイン所有者の意向を知ることができません。レポートも届かないため、誰がこのドメインで送信しているかを把握できません。',
      fix: (a) =>
        `_dmarc.${s(a.domain)} に TXT レコード "v=DMARC1; p=none; rua=mailto:<レポートを受け取るアドレス>" を公開してください。アドレスは Sumi では決められません。レポートを確認して正規の送信元すべての SPF/DKIM を整えたら、p=quarantine、p=reject へ進めてください。`,
    },
  },
  'dmarc-domain-not-found': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'Domain does not exist',
      message: (a) => `${s(a.domain)} does not exist (NXDOMAIN).`,
      why: "A name that does not exist cannot publish records; mail using it is judged by the parent organisation's np (or sp/p) policy.",
      fix: (a) =>
        `Check the spelling of ${s(a.domain)}, or register and delegate it before publishing records.`,
    },
    ja: {
      title: 'ドメインが存在しません',
      message: (a) => `${s(a.domain)} は存在しません（NXDOMAIN）。`,
      why: '存在しない名前にはレコードを公開できません。この名前を使ったメールは、上位の組織ドメインの np（なければ sp/p）ポリシーで判定されます。',
      fix: (a) =>
        `${s(a.domain)} の綴りを確認するか、ドメインを登録・委任してからレコードを公開してください。`,
    },
  },
  'dmarc-dns-error': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'DNS lookup failed',
      message: (a) =>
        `The ${s(a.type)} lookup of ${s(a.name)} failed (${s(a.status)}${a.error ? `: ${s(a.error)}` : ''}). The answer is unknown, which is not the same as "no record"${a.during ? `; ${duringEn[s(a.during)] ?? s(a.during)} could not be determined` : ''}.`,
      why: 'Receivers that hit the same failure may defer or accept your mail without DMARC; a temporary failure is never a missing record.',
      fix: (a) =>
        `Check that every name server for ${s(a.name)} answers (try dig ${s(a.type)} ${s(a.name)} against each one), then run the check again.`,
    },
    ja: {
      title: 'DNS の問い合わせに失敗しました',
      message: (a) =>
        `${s(a.name)} の ${s(a.type)} の問い合わせに失敗しました（${s(a.status)}${a.error ? `: ${s(a.error)}` : ''}）。答えは不明であり、「レコードがない」のとは違います${a.during ? `。${duringJa[s(a.during)] ?? s(a.during)}を判断できませんでした` : ''}。`,
      why: '同じ失敗に当たった受信側は、メールの受け取りを保留したり、DMARC なしで受け取ったりします。一時的な失敗はレコードがないことを意味しません。',
      fix: (a) =>
        `${s(a.name)} のすべてのネームサーバーが応答するか確認し（各サーバーに dig ${s(a.type)} ${s(a.name)} を実行）、もう一度チェックしてください。`,
    },
  },
  'dmarc-multiple-records': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'Several DMARC records',
      message: (a) =>
        `${s(a.name)} publishes ${s(a.count)} DMARC records. RFC 9989 (s4.10) tells receivers to discard them all, so this name has no policy at all${a.parent ? `; receivers fall back to the record at ${s(a.parent)}` : ''}.`,
      why: 'Two records usually come from adding a new one without deleting the old. Receivers cannot tell which one you meant and ignore both.',
      fix: (a) =>
        `Keep exactly one record at ${s(a.name)}: delete the others. Sumi's suggested record merges them (the first record's values, all report addresses).`,
    },
    ja: {
      title: 'DMARC レコードが複数あります',
      message: (a) =>
        `${s(a.name)} に DMARC レコードが ${s(a.count)} 件あります。RFC 9989（4.10 節）により受信側はすべてを破棄するため、この名前にはポリシーがない状態です${a.parent ? `。受信側は ${s(a.parent)} のレコードを代わりに使います` : ''}。`,
      why: '新しいレコードを追加して古いものを消し忘れると、こうなります。受信側はどちらが正しいか判断できず、両方を無視します。',
      fix: (a) =>
        `${s(a.name)} のレコードを 1 件だけ残し、ほかを削除してください。Sumi の修正案は両方を統合しています（最初のレコードの値と、すべてのレポート送信先）。`,
    },
  },
  'dmarc-unrelated-txt': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'Unrelated TXT record at _dmarc',
      message: (a) =>
        `${s(a.name)} holds ${s(a.count)} TXT record(s) that are not DMARC records (for example "${s(a.first)}").`,
      why: 'Receivers skip them, but they are usually a mistake (a verification token or a record pasted at the wrong name) and can hide the real record from people reading the zone.',
      fix: (a) =>
        `Delete the non-DMARC TXT records at ${s(a.name)}; if a service asked for one, publish it at the name that service specified.`,
    },
    ja: {
      title: '_dmarc に無関係な TXT レコードがあります',
      message: (a) =>
        `${s(a.name)} に DMARC ではない TXT レコードが ${s(a.count)} 件あります（例: "${s(a.first)}"）。`,
      why: '受信側は読み飛ばしますが、たいていは誤り（認証用トークンや、別の名前に置くべきレコードの貼り間違い）で、ゾーンを読む人から本来のレコードを見えにくくします。',
      fix: (a) =>
        `${s(a.name)} にある DMARC 以外の TXT レコードを削除してください。サービスに求められたものなら、そのサービスが指定した名前に公開してください。`,
    },
  },
  'dmarc-spf-at-dmarc': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'SPF record at _dmarc',
      message: (a) =>
        `${s(a.name)} answers with an SPF record ("${s(a.record)}")${a.sameAsApex ? ', the same one as the domain itself: a wildcard TXT record (*.) or a CNAME to the domain is answering for _dmarc' : ''}.`,
      why: 'An SPF record has no meaning at _dmarc. It usually comes from a wildcard record or a copy-paste, and it means the DMARC record you expect is not there.',
      fix: (a) =>
        `Delete the SPF record at ${s(a.name)}. If it comes from a wildcard, publish an explicit DMARC TXT record at ${s(a.name)}: an explicit name overrides the wildcard.`,
    },
    ja: {
      title: '_dmarc に SPF レコードがあります',
      message: (a) =>
        `${s(a.name)} が SPF レコード（"${s(a.record)}"）を返します${a.sameAsApex ? '。ドメイン本体と同じものなので、ワイルドカード TXT（*.）またはドメインへの CNAME が _dmarc に応答しています' : ''}。`,
      why: '_dmarc に SPF レコードを置いても意味がありません。多くはワイルドカードやコピー＆ペーストの誤りで、期待している DMARC レコードがそこにないことを示します。',
      fix: (a) =>
        `${s(a.name)} の SPF レコードを削除してください。ワイルドカードが原因なら、${s(a.name)} に DMARC の TXT レコードを明示的に公開してください（明示した名前はワイルドカードより優先されます）。`,
    },
  },
  'dmarc-at-apex': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'DMARC record at the domain itself',
      message: (a) =>
        `A "v=DMARC1" record is published at ${s(a.domain)} itself. Receivers only look at _dmarc.${s(a.domain)}, so this record has no effect.`,
      why: 'DMARC policies are found only under the _dmarc label (RFC 9989 s4.10.1); at the domain itself the record is ignored (and clutters the SPF lookup).',
      fix: (a) => `Move the record to _dmarc.${s(a.domain)} and delete it from ${s(a.domain)}.`,
    },
    ja: {
      title: 'ドメイン本体に DMARC レコードがあります',
      message: (a) =>
        `"v=DMARC1" のレコードが ${s(a.domain)} 自体に公開されています。受信側は _dmarc.${s(a.domain)} しか見ないため、このレコードは効果がありません。`,
      why: 'DMARC ポリシーは _dmarc ラベルの下だけで探されます（RFC 9989 4.10.1 節）。ドメイン本体に置いたレコードは無視されます（SPF の問い合わせ結果も見づらくなります）。',
      fix: (a) => `レコードを _dmarc.${s(a.domain)} に移し、${s(a.domain)} からは削除してください。`,
    },
  },
  'dmarc-cname': {
    severity: 'info',
    protocol: 'dmarc',
    en: {
      title: '_dmarc is an alias (CNAME)',
      message: (a) =>
        `${s(a.name)} is a CNAME to ${s(a.target)}; receivers follow it${a.found ? ' and use the DMARC record published there' : `, but ${s(a.target)} holds no usable DMARC record`}.`,
      why: 'Delegating _dmarc with a CNAME lets a report service manage the record for you; whoever controls the target controls your policy. A CNAME to the domain itself or to a web host is a mistake.',
      fix: (a) =>
        a.found
          ? `Nothing to do if ${s(a.target)} belongs to you or a provider you chose.`
          : `Replace the CNAME at ${s(a.name)} with a TXT record holding your DMARC policy (a name cannot have both).`,
    },
    ja: {
      title: '_dmarc が別名（CNAME）になっています',
      message: (a) =>
        `${s(a.name)} は ${s(a.target)} への CNAME です。受信側はこれをたどり${a.found ? '、そこに公開された DMARC レコードを使います' : 'ますが、' + s(a.target) + ' には使える DMARC レコードがありません'}。`,
      why: 'CNAME で _dmarc を委任すると、レポート解析サービスにレコードを管理してもらえます。ただし参照先を管理する者がポリシーを決めることになります。ドメイン本体や Web サーバーへの CNAME は設定の誤りです。',
      fix: (a) =>
        a.found
          ? `${s(a.target)} が自組織または選んだ事業者のものなら対応は不要です。`
          : `${s(a.name)} の CNAME を、DMARC ポリシーを書いた TXT レコードに置き換えてください（同じ名前に両方は置けません）。`,
    },
  },
  'dmarc-inherited-policy': {
    severity: 'info',
    protocol: 'dmarc',
    en: {
      title: 'Policy comes from a parent domain',
      message: (a) =>
        `${s(a.domain)} has no record of its own; receivers use the record of ${s(a.policyDomain)} (found by ${a.source === 'psl' ? 'the public suffix list, RFC 7489' : 'the DNS tree walk, RFC 9989'}) and apply its ${s(a.tag)}=${s(a.policy)}.`,
      why: "A subdomain inherits its organisational domain's sp policy (np when the subdomain does not exist), so one record can cover a whole organisation.",
    },
    ja: {
      title: 'ポリシーは上位ドメインから適用されます',
      message: (a) =>
        `${s(a.domain)} には自身のレコードがないため、受信側は ${s(a.policyDomain)} のレコード（${a.source === 'psl' ? 'RFC 7489 のパブリックサフィックスリスト' : 'RFC 9989 の DNS ツリーウォーク'}で発見）を使い、その ${s(a.tag)}=${s(a.policy)} を適用します。`,
      why: 'サブドメインは組織ドメインの sp ポリシー（サブドメインが存在しない場合は np）を引き継ぐので、1 つのレコードで組織全体を守れます。',
    },
  },
  'dmarc-psd-policy': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'Only a public suffix policy applies',
      message: (a) =>
        `Neither ${s(a.domain)} nor its organisational domain ${s(a.orgDomain)} publishes a DMARC record; the only policy receivers find is the public suffix operator's record at _dmarc.${s(a.psd)} (psd=y).`,
      why: "The registry's policy is a safety net chosen by someone else; it sends reports to the registry, not to you.",
      fix: (a) => `Publish your own DMARC record at _dmarc.${s(a.orgDomain)} with a rua address you read.`,
    },
    ja: {
      title: 'パブリックサフィックスのポリシーしか適用されていません',
      message: (a) =>
        `${s(a.domain)} にも組織ドメイン ${s(a.orgDomain)} にも DMARC レコードがありません。受信側が見つけるのは、パブリックサフィックスの運用者が _dmarc.${s(a.psd)} に公開したレコード（psd=y）だけです。`,
      why: 'レジストリのポリシーは他者が決めた最低限の保護で、レポートもあなたではなくレジストリに届きます。',
      fix: (a) =>
        `_dmarc.${s(a.orgDomain)} に、自分で読む rua アドレスを指定した DMARC レコードを公開してください。`,
    },
  },
  'dmarc-org-domain-differs': {
    severity: 'info',
    protocol: 'dmarc',
    en: {
      title: 'Old and new receivers see different organisational domains',
      message: (a) =>
        `The DNS tree walk (RFC 9989) makes ${s(a.treeWalk)} the organisational domain of ${s(a.domain)}, while receivers still on RFC 7489 use the public suffix list and get ${s(a.psl)}.`,
      why: 'The two kinds of receivers may then apply different records and judge relaxed alignment differently.',
      fix: (a) =>
        a.ownRecord
          ? `Both kinds of receivers use the record at _dmarc.${s(a.domain)}, but they may judge relaxed alignment differently: consider strict alignment (adkim=s; aspf=s).`
          : `Publish an explicit record at _dmarc.${s(a.domain)} and consider strict alignment (adkim=s; aspf=s) so both kinds of receivers reach the same answer.`,
    },
    ja: {
      title: '新旧の受信側で組織ドメインが異なります',
      message: (a) =>
        `DNS ツリーウォーク（RFC 9989）では ${s(a.domain)} の組織ドメインは ${s(a.treeWalk)} ですが、RFC 7489 のままの受信側はパブリックサフィックスリストにより ${s(a.psl)} とみなします。`,
      why: '両者で適用されるレコードや、緩和（relaxed）アライメントの判定が異なる可能性があります。',
      fix: (a) =>
        a.ownRecord
          ? `どちらの受信側も _dmarc.${s(a.domain)} のレコードを使いますが、緩和アライメントの判定が異なる可能性があります。厳格なアライメント（adkim=s; aspf=s）を検討してください。`
          : `_dmarc.${s(a.domain)} にレコードを明示的に公開し、厳格なアライメント（adkim=s; aspf=s）も検討してください。どちらの受信側でも同じ結果になります。`,
    },
  },
  'dmarc-subdomain-policy-ignored': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'sp/np ignored on a non-organisational domain',
      message: (a) =>
        `The record of ${s(a.domain)} sets ${s(a.tags)}, but ${s(a.domain)} is not an organisational domain (the tree walk finds ${s(a.orgDomain)}): subdomains of ${s(a.domain)} get the policy of ${s(a.orgDomain)}, so ${s(a.tags)} here has no effect.`,
      why: "RFC 9989 s4.7: sp and np are ignored on records published below the organisational domain, because a subdomain without its own record is judged by the organisational domain's record.",
      fix: (a) =>
        `Set the subdomain policy in the record at _dmarc.${s(a.orgDomain)}, or add psd=n to this record if ${s(a.domain)} really is a separate organisation.`,
    },
    ja: {
      title: '組織ドメインではないため sp/np が無視されます',
      message: (a) =>
        `${s(a.domain)} のレコードで ${s(a.tags)} を指定していますが、${s(a.domain)} は組織ドメインではありません（ツリーウォークでは ${s(a.orgDomain)}）。${s(a.domain)} のサブドメインには ${s(a.orgDomain)} のポリシーが適用されるため、ここでの ${s(a.tags)} は効果がありません。`,
      why: 'RFC 9989 4.7 節: 組織ドメインより下に公開したレコードの sp と np は無視されます。自身のレコードを持たないサブドメインは組織ドメインのレコードで判定されるためです。',
      fix: (a) =>
        `サブドメインのポリシーは _dmarc.${s(a.orgDomain)} のレコードで指定するか、${s(a.domain)} が本当に独立した組織なら、このレコードに psd=n を加えてください。`,
    },
  },
  'dmarc-np-missing': {
    severity: 'info',
    protocol: 'dmarc',
    en: {
      title: 'No np policy for non-existent subdomains',
      message: (a) =>
        `The organisational domain's record has no np tag, so mail from subdomains that do not exist gets ${s(a.np)} (from ${a.from === 'sp' ? 'sp' : 'p'}).`,
      why: 'Forged mail often uses invented subdomains (billing.example.jp). np=reject rejects them without affecting real subdomains.',
      fix: () =>
        'Add np=reject to the record once you have checked that every subdomain you send from exists in DNS.',
    },
    ja: {
      title: '存在しないサブドメイン向けの np がありません',
      message: (a) =>
        `組織ドメインのレコードに np タグがないため、存在しないサブドメインからのメールには ${s(a.np)}（${a.from === 'sp' ? 'sp' : 'p'} の値）が適用されます。`,
      why: 'なりすましメールは、実在しないサブドメイン（billing.example.jp など）をよく使います。np=reject なら実在するサブドメインに影響を与えずにそれらを拒否できます。',
      fix: () =>
        '送信に使うサブドメインがすべて DNS に存在することを確認したうえで、レコードに np=reject を加えてください。',
    },
  },
  'dmarc-psd-not-public-suffix': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'psd=y on an ordinary domain',
      message: (a) =>
        `The record of ${s(a.domain)} says psd=y, declaring it a public suffix (a registry like .jp), but ${s(a.domain)} is a registered domain.`,
      why: 'With psd=y, each subdomain becomes its own organisational domain: mail from sales.example.jp signed by example.jp no longer aligns, and subdomains stop inheriting this policy.',
      fix: () => 'Remove psd=y (or write psd=n if you want to state that this is the organisational domain).',
    },
    ja: {
      title: '通常のドメインに psd=y があります',
      message: (a) =>
        `${s(a.domain)} のレコードに psd=y があり、パブリックサフィックス（.jp のようなレジストリ）だと宣言していますが、${s(a.domain)} は登録されたドメインです。`,
      why: 'psd=y にすると各サブドメインがそれぞれ独立した組織ドメインになります。example.jp で署名された sales.example.jp のメールはアライメントしなくなり、サブドメインもこのポリシーを引き継がなくなります。',
      fix: () => 'psd=y を削除してください（組織ドメインであることを明示したいなら psd=n にしてください）。',
    },
  },
  'dmarc-leading-whitespace': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'Space before v=DMARC1',
      message: () =>
        'The record starts with whitespace (often a line break) before "v=DMARC1". Receivers require the record to start with the version tag and discard it.',
      why: 'RFC 9989 s4.10 step 2: records that do not start with "v=DMARC1" are discarded, so this domain effectively has no record.',
      fix: () =>
        'Republish the record with "v=DMARC1" as its very first characters (see the suggested record).',
    },
    ja: {
      title: 'v=DMARC1 の前に空白があります',
      message: () =>
        'レコードが "v=DMARC1" の前に空白（多くは改行）で始まっています。受信側はバージョンタグで始まるレコードしか受け付けないため、破棄されます。',
      why: 'RFC 9989 4.10 節の手順 2 により、"v=DMARC1" で始まらないレコードは破棄されます。実質的にレコードがない状態です。',
      fix: () => '"v=DMARC1" が先頭の文字になるようにレコードを公開し直してください（修正案を参照）。',
    },
  },
  'dmarc-text-before-version': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'Text before v=DMARC1',
      message: (a) =>
        `The record has "${s(a.before)}" before "v=DMARC1" (quotes typed into a DNS panel that adds its own, or a zone-file line pasted whole). Receivers discard it.`,
      why: 'RFC 9989 s4.10 step 2: records that do not start with "v=DMARC1" are discarded, so this domain effectively has no record.',
      fix: () =>
        'Republish only the record text, starting with "v=DMARC1", without surrounding quotes (see the suggested record).',
    },
    ja: {
      title: 'v=DMARC1 の前に文字があります',
      message: (a) =>
        `レコードの "v=DMARC1" の前に "${s(a.before)}" があります（自動で引用符を付ける DNS 管理画面に引用符ごと入力した、またはゾーンファイルの行をそのまま貼り付けた、など）。受信側はこのレコードを破棄します。`,
      why: 'RFC 9989 4.10 節の手順 2 により、"v=DMARC1" で始まらないレコードは破棄されます。実質的にレコードがない状態です。',
      fix: () =>
        '"v=DMARC1" から始まるレコード本文だけを、前後の引用符なしで公開し直してください（修正案を参照）。',
    },
  },
  'dmarc-version-case': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'Version must be upper-case DMARC1',
      message: (a) =>
        `The record starts with "${s(a.published)}". The version value is case-sensitive in RFC 9989: it must be exactly "DMARC1", so conforming receivers discard this record (some lenient ones accept it).`,
      why: 'A record that some receivers ignore gives unpredictable protection: the domain is unprotected wherever the strict rule is applied.',
      fix: () => 'Write the version as "v=DMARC1" (upper case).',
    },
    ja: {
      title: 'バージョンは大文字の DMARC1 にしてください',
      message: (a) =>
        `レコードが "${s(a.published)}" で始まっています。RFC 9989 ではバージョンの値は大文字と小文字を区別し、正確に "DMARC1" でなければなりません。規格どおりの受信側はこのレコードを破棄します（寛容な受信側は受け付けることもあります）。`,
      why: '受信側によって無視されるレコードでは保護が不確実になります。厳密に判定する受信側では、このドメインは保護されていません。',
      fix: () => 'バージョンを "v=DMARC1"（大文字）と書いてください。',
    },
  },
  'dmarc-syntax-error': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'Syntax error in the DMARC record',
      message: syntaxEn,
      why: 'RFC 9989 s4.8: parts of the record that do not follow the grammar are discarded and the defaults apply instead, which is rarely what was meant.',
      fix: (a) =>
        a.reason === 'colon-for-equals'
          ? `Write ${s(a.tag)}=... instead of ${s(a.tag)}:...`
          : a.reason === 'bad-character'
            ? `Replace "${s(a.char)}" with the ASCII character it stands for (";", "=", "," or a space), or remove it.`
            : a.reason === 'empty-value'
              ? `Give ${s(a.tag)} a value or remove "${s(a.tag)}=".`
              : 'Write the record as "v=DMARC1; tag=value; tag=value" (see the suggested record).',
    },
    ja: {
      title: 'DMARC レコードの構文エラー',
      message: syntaxJa,
      why: 'RFC 9989 4.8 節: 文法に従わない部分は破棄され、代わりに既定値が使われます。それが意図どおりであることはまれです。',
      fix: (a) =>
        a.reason === 'colon-for-equals'
          ? `${s(a.tag)}:... ではなく ${s(a.tag)}=... と書いてください。`
          : a.reason === 'bad-character'
            ? `"${s(a.char)}" を対応する半角文字（";"、"="、","、空白）に置き換えるか、削除してください。`
            : a.reason === 'empty-value'
              ? `${s(a.tag)} に値を書くか、"${s(a.tag)}=" を削除してください。`
              : 'レコードを "v=DMARC1; タグ=値; タグ=値" の形で書いてください（修正案を参照）。',
    },
  },
  'dmarc-nonstandard-syntax': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'Record outside the DMARC grammar',
      message: (a) =>
        a.reason === 'line-break'
          ? `The record contains a line break or another control character (near position ${s(a.position)}). The grammar allows only spaces and tabs between tags; most receivers tolerate it, strict ones drop the tag.`
          : `The record has an empty tag (";;" near position ${s(a.position)}). Most receivers tolerate it, but the grammar does not allow it.`,
      why: 'Receivers that follow the grammar strictly may drop the tags around the irregularity.',
      fix: () => 'Write the record on one line, tags separated by "; " (see the suggested record).',
    },
    ja: {
      title: 'DMARC の文法から外れた書き方です',
      message: (a) =>
        a.reason === 'line-break'
          ? `レコードに改行などの制御文字があります（${s(a.position)} 文字目付近）。タグの間に使えるのは空白とタブだけです。多くの受信側は許容しますが、厳密な受信側はそのタグを無視します。`
          : `レコードに空のタグがあります（${s(a.position)} 文字目付近の ";;"）。多くの受信側は許容しますが、文法上は認められていません。`,
      why: '文法どおりに厳密に解析する受信側では、その前後のタグが無視されることがあります。',
      fix: () => 'レコードを 1 行で、タグを "; " で区切って書いてください（修正案を参照）。',
    },
  },
  'dmarc-invalid-utf8': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'Record is not valid text',
      message: (a) =>
        `A TXT record at ${s(a.name)} contains bytes that are not valid UTF-8; Sumi shows them as Latin-1.`,
      why: 'A DMARC record is plain ASCII. Broken bytes usually come from an editor or DNS panel that changed the encoding, and receivers drop the tags they appear in.',
      fix: (a) => `Retype the record at ${s(a.name)} using only ASCII characters.`,
    },
    ja: {
      title: 'レコードが正しい文字列ではありません',
      message: (a) =>
        `${s(a.name)} の TXT レコードに UTF-8 として正しくないバイト列があります（Sumi では Latin-1 として表示しています）。`,
      why: 'DMARC レコードは ASCII だけで書きます。壊れたバイト列は、文字コードを変えてしまうエディターや DNS 管理画面が原因のことが多く、受信側はそれを含むタグを無視します。',
      fix: (a) => `${s(a.name)} のレコードを ASCII 文字だけで入力し直してください。`,
    },
  },
  'dmarc-record-too-large': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'Record too large',
      message: (a) =>
        a.tags !== undefined
          ? `The record has ${s(a.tags)} tags; Sumi reads at most ${s(a.maxTags)} (DMARC defines 11) and does not check it further.`
          : `The record is ${s(a.bytes)} bytes long; Sumi reads at most ${s(a.max)} bytes (real records stay under 300) and does not check it further.`,
      why: 'A huge record is either a mistake (something pasted into the wrong field) or an attempt to overload checkers; large DNS answers can also fail over UDP.',
      fix: () => 'Publish a short record with only the DMARC tags you need.',
    },
    ja: {
      title: 'レコードが大きすぎます',
      message: (a) =>
        a.tags !== undefined
          ? `レコードに ${s(a.tags)} 個のタグがあります。Sumi は最大 ${s(a.maxTags)} 個までしか読まないため（DMARC のタグは 11 種類）、これ以上チェックしません。`
          : `レコードの長さが ${s(a.bytes)} バイトあります。Sumi は最大 ${s(a.max)} バイトまでしか読まないため（実際のレコードは 300 バイト未満）、これ以上チェックしません。`,
      why: '巨大なレコードは、別の欄への貼り付けなどの誤りか、チェッカーへの負荷攻撃です。大きな DNS 応答は UDP で失敗することもあります。',
      fix: () => '必要な DMARC タグだけを書いた短いレコードを公開してください。',
    },
  },
  'dmarc-duplicate-tag': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'Tag repeated',
      message: (a) =>
        `The tag ${s(a.tag)} appears twice ("${s(a.first)}" and "${s(a.second)}"). Receivers differ on which one they use; Sumi reads the first.`,
      why: "With two values the outcome depends on each receiver's parser, so the policy is unpredictable.",
      fix: (a) =>
        `Keep one ${s(a.tag)}= in the record${a.tag === 'rua' || a.tag === 'ruf' ? ' (list several addresses in it, separated by commas)' : ''}.`,
    },
    ja: {
      title: 'タグが重複しています',
      message: (a) =>
        `タグ ${s(a.tag)} が 2 回あります（"${s(a.first)}" と "${s(a.second)}"）。どちらを使うかは受信側によって異なります。Sumi は最初のものを読みます。`,
      why: '値が 2 つあると結果が受信側のパーサー次第になり、ポリシーが予測できなくなります。',
      fix: (a) =>
        `${s(a.tag)}= は 1 つだけにしてください${a.tag === 'rua' || a.tag === 'ruf' ? '（複数のアドレスはカンマで区切って 1 つの値に並べます）' : ''}。`,
    },
  },
  'dmarc-unknown-tag': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'Unknown tag',
      message: (a) =>
        `The tag "${s(a.tag)}=${s(a.value)}" is not a DMARC tag; receivers ignore it${a.suggestion ? ` (did you mean ${s(a.suggestion)}?)` : ''}.`,
      why: 'RFC 9989 s4.7: unknown tags are ignored. A typo in a tag name silently loses the setting it was meant to make.',
      fix: (a) =>
        a.suggestion
          ? `Rename it to the tag you meant (${s(a.suggestion)}) or remove it.`
          : `Remove "${s(a.tag)}=" from the record.`,
    },
    ja: {
      title: '不明なタグ',
      message: (a) =>
        `"${s(a.tag)}=${s(a.value)}" は DMARC のタグではないため、受信側は無視します${a.suggestion ? `（${s(a.suggestion)} の誤りでは？）` : ''}。`,
      why: 'RFC 9989 4.7 節: 不明なタグは無視されます。タグ名の打ち間違いがあると、その設定は黙って失われます。',
      fix: (a) =>
        a.suggestion
          ? `意図したタグ（${s(a.suggestion)}）に直すか、削除してください。`
          : `レコードから "${s(a.tag)}=" を削除してください。`,
    },
  },
  'dmarc-removed-tag': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'Tag removed in RFC 9989',
      message: (a) =>
        a.tag === 'pct'
          ? `pct=${s(a.value)} was removed in RFC 9989: receivers that follow it apply the policy to all failing mail${Number(a.value) === 0 ? '. pct=0 is replaced by t=y (testing)' : Number(a.value) < 100 ? `, not ${s(a.value)}%` : ''}.`
          : a.tag === 'rf'
            ? `rf=${s(a.value)} (failure report format) was removed in RFC 9989; only one format exists and receivers ignore the tag.`
            : `ri=${s(a.value)} (report interval) was removed in RFC 9989; receivers send aggregate reports daily whatever it says.`,
      why: 'Removed tags do nothing with current receivers and mislead whoever reads the record later.',
      fix: (a) =>
        a.tag === 'pct' && Number(a.value) === 0
          ? 'Replace pct=0 with t=y.'
          : `Remove ${s(a.tag)}=${s(a.value)} from the record.`,
    },
    ja: {
      title: 'RFC 9989 で廃止されたタグ',
      message: (a) =>
        a.tag === 'pct'
          ? `pct=${s(a.value)} は RFC 9989 で廃止されました。これに従う受信側は、失敗したすべてのメールにポリシーを適用します${Number(a.value) === 0 ? '。pct=0 の代わりは t=y（テストモード）です' : Number(a.value) < 100 ? `（${s(a.value)}% ではありません）` : ''}。`
          : a.tag === 'rf'
            ? `rf=${s(a.value)}（失敗レポートの形式）は RFC 9989 で廃止されました。形式は 1 つしかなく、受信側はこのタグを無視します。`
            : `ri=${s(a.value)}（レポート間隔）は RFC 9989 で廃止されました。値にかかわらず、集計レポートは 1 日ごとに送られます。`,
      why: '廃止されたタグは現在の受信側では何の効果もなく、後でレコードを読む人を誤解させます。',
      fix: (a) =>
        a.tag === 'pct' && Number(a.value) === 0
          ? 'pct=0 を t=y に置き換えてください。'
          : `レコードから ${s(a.tag)}=${s(a.value)} を削除してください。`,
    },
  },
  'dmarc-invalid-value': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'Value not allowed',
      message: (a) =>
        `${s(a.tag)}=${s(a.value)} is not a valid value; ${s(a.tag)} accepts ${s(a.allowed)}${a.tag === 'fo' ? ' (several separated by colons, e.g. fo=1:d)' : ''}${a.suggestion ? ` (did you mean ${s(a.tag)}=${s(a.suggestion)}?)` : ''}${a.hint === 'missing-semicolon' ? '. It looks like a ";" is missing before the next tag' : ''}.${effectEn(a)}`,
      why: 'RFC 9989 s4.8: an invalid value is discarded and the default applies; for p, sp and np the whole record falls back to monitoring (s4.10.1).',
      fix: (a) =>
        a.hint === 'missing-semicolon'
          ? `Separate the tags with ";" (see the suggested record).`
          : a.suggestion
            ? `Write ${s(a.tag)}=${s(a.suggestion)}.`
            : `Use one of: ${s(a.allowed)}.`,
    },
    ja: {
      title: '使えない値です',
      message: (a) =>
        `${s(a.tag)}=${s(a.value)} は正しい値ではありません。${s(a.tag)} に使える値は ${s(a.allowed)} です${a.tag === 'fo' ? '（複数ならコロンで区切ります。例: fo=1:d）' : ''}${a.suggestion ? `（${s(a.tag)}=${s(a.suggestion)} の誤りでは？）` : ''}${a.hint === 'missing-semicolon' ? '。次のタグの前の ";" が抜けているようです' : ''}。${effectJa(a)}`,
      why: 'RFC 9989 4.8 節: 正しくない値は破棄され、既定値が使われます。p、sp、np の場合はレコード全体が監視のみの扱いになります（4.10.1 節）。',
      fix: (a) =>
        a.hint === 'missing-semicolon'
          ? 'タグを ";" で区切ってください（修正案を参照）。'
          : a.suggestion
            ? `${s(a.tag)}=${s(a.suggestion)} と書いてください。`
            : `次のいずれかを使ってください: ${s(a.allowed)}。`,
    },
  },
  'dmarc-policy-missing': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'No p= policy',
      message: (a) =>
        `The record has no p tag.${effectEn(a) || ' RFC 9989 receivers treat it as p=none.'} Receivers still on RFC 7489 reject the record as invalid.`,
      why: 'p is the policy itself: without it the record can at best give you reports.',
      fix: () => 'Add p=none (monitoring), p=quarantine or p=reject right after v=DMARC1.',
    },
    ja: {
      title: 'p= ポリシーがありません',
      message: (a) =>
        `レコードに p タグがありません。${effectJa(a) || 'RFC 9989 に従う受信側は p=none として扱います。'}RFC 7489 のままの受信側は、レコードを無効として扱います。`,
      why: 'p はポリシーそのものです。これがないレコードは、せいぜいレポートを受け取れるだけです。',
      fix: () => 'v=DMARC1 の直後に p=none（監視）、p=quarantine、p=reject のいずれかを加えてください。',
    },
  },
  'dmarc-policy-not-second': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'p is not the second tag',
      message: (a) =>
        `The tag after v=DMARC1 is ${s(a.second)}, not p. RFC 7489 required p to come second, and some older receivers reject the record otherwise.`,
      why: 'RFC 9989 allows any order, but receivers built on RFC 7489 are still common.',
      fix: () => 'Move p= right after v=DMARC1.',
    },
    ja: {
      title: 'p が 2 番目のタグではありません',
      message: (a) =>
        `v=DMARC1 の次のタグが p ではなく ${s(a.second)} です。RFC 7489 では p を 2 番目に置く必要があり、古い受信側にはそうでないレコードを拒否するものがあります。`,
      why: 'RFC 9989 では順序は自由ですが、RFC 7489 に基づく受信側はまだ多く残っています。',
      fix: () => 'p= を v=DMARC1 の直後に移してください。',
    },
  },
  'dmarc-policy-none': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'p=none: monitoring only',
      message: () =>
        'The policy is p=none: receivers send you reports but deliver mail that fails DMARC as usual. Compared with no record at all, p=none gives you the reports (if rua is set) and a published policy for tools and bulk-sender rules (Gmail, Yahoo) to find, but no protection against spoofing.',
      why: 'p=none is the right first step to find every legitimate sender in the reports; left in place, it protects nothing.',
      fix: () =>
        'Once the reports show all your legitimate mail passing DMARC, change to p=quarantine, then p=reject (t=y lets you test one level below first).',
    },
    ja: {
      title: 'p=none: 監視のみ',
      message: () =>
        'ポリシーが p=none です。受信側はレポートを送ってくれますが、DMARC に失敗したメールも通常どおり配送します。レコードがまったくない場合と比べて p=none で得られるのは、レポート（rua を設定した場合）と、ツールや大量送信者向けの要件（Gmail、Yahoo）が確認できる公開ポリシーだけで、なりすましは防げません。',
      why: 'p=none は、レポートで正規の送信元をすべて把握するための最初の段階としては正しい設定ですが、そのままでは何も守りません。',
      fix: () =>
        '正規のメールがすべて DMARC に合格することをレポートで確認できたら、p=quarantine、次に p=reject に変更してください（t=y を使うと、まず 1 段階弱い扱いで試せます）。',
    },
  },
  'dmarc-subdomain-policy-none': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'sp=none set explicitly',
      message: () =>
        'The record sets sp=none explicitly. When you later raise p, subdomains will stay unprotected unless you also change or remove sp.',
      why: 'Forged mail often uses subdomains; an explicit sp=none is easy to forget when moving to enforcement.',
      fix: () => 'Remove sp=none so subdomains follow p, or raise sp together with p.',
    },
    ja: {
      title: 'sp=none が明示されています',
      message: () =>
        'レコードに sp=none が明示されています。後で p を強めても、sp も変更するか削除しない限り、サブドメインは保護されないままです。',
      why: 'なりすましにはサブドメインがよく使われます。明示した sp=none は、強制ポリシーへ移行するときに見落とされがちです。',
      fix: () =>
        'sp=none を削除してサブドメインにも p が適用されるようにするか、p と一緒に sp も強めてください。',
    },
  },
  'dmarc-subdomain-policy-weaker': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'Subdomains less protected than the domain',
      message: (a) =>
        `sp=${s(a.sp)} is weaker than p=${s(a.p)}: forged mail from subdomains is treated more leniently than from the domain itself.`,
      why: 'Attackers pick the weakest name: a strict p with a lax sp leaves every subdomain open to spoofing.',
      fix: (a) => `Remove sp (subdomains then follow p=${s(a.p)}) or set sp=${s(a.p)}.`,
    },
    ja: {
      title: 'サブドメインの保護がドメインより弱くなっています',
      message: (a) =>
        `sp=${s(a.sp)} が p=${s(a.p)} より弱いため、サブドメインを使ったなりすましメールはドメイン本体より甘く扱われます。`,
      why: '攻撃者は最も弱い名前を選びます。p が厳しくても sp が緩ければ、すべてのサブドメインがなりすましに使えます。',
      fix: (a) =>
        `sp を削除する（サブドメインにも p=${s(a.p)} が適用されます）か、sp=${s(a.p)} にしてください。`,
    },
  },
  'dmarc-nonexistent-policy-weaker': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'Non-existent subdomains less protected',
      message: (a) =>
        `np=${s(a.np)} is weaker than p=${s(a.p)}: mail from invented subdomains, which nobody can legitimately send from, is treated more leniently than real mail.`,
      why: 'Non-existent subdomains send no legitimate mail, so there is no reason to protect them less than the domain.',
      fix: () => 'Set np=reject, or remove np.',
    },
    ja: {
      title: '存在しないサブドメインの保護が弱くなっています',
      message: (a) =>
        `np=${s(a.np)} が p=${s(a.p)} より弱いため、正規の送信があり得ない架空のサブドメインからのメールが、本物のメールより甘く扱われます。`,
      why: '存在しないサブドメインから正規のメールが送られることはないので、ドメイン本体より保護を弱くする理由はありません。',
      fix: () => 'np=reject にするか、np を削除してください。',
    },
  },
  'dmarc-testing-mode': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 't=y: testing mode',
      message: (a) =>
        a.p === 'none'
          ? 't=y (testing) is set, but it has no effect on p=none.'
          : `t=y (testing) asks receivers to apply one level less than the policy: failing mail gets ${s(a.applied)} instead of ${s(a.p)}.`,
      why: 't=y is for trying a stricter policy; left in place, the domain is less protected than the record suggests.',
      fix: () => 'Remove t=y once the reports show your legitimate mail passing.',
    },
    ja: {
      title: 't=y: テストモード',
      message: (a) =>
        a.p === 'none'
          ? 't=y（テストモード）が指定されていますが、p=none には効果がありません。'
          : `t=y（テストモード）により、受信側はポリシーより 1 段階弱い扱いをします。失敗したメールには ${s(a.p)} ではなく ${s(a.applied)} が適用されます。`,
      why: 't=y は厳しいポリシーを試すためのものです。そのままにすると、レコードの見かけより保護が弱くなります。',
      fix: () => '正規のメールが合格していることをレポートで確認できたら、t=y を削除してください。',
    },
  },
  'dmarc-parked-not-reject': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'Parked domain not set to reject',
      message: (a) =>
        `This domain sends no mail, but its policy is p=${s(a.p)}, sp=${s(a.sp)}, np=${s(a.np)}${a.testing ? ' with t=y' : ''}: mail forged in its name is not rejected.`,
      why: 'A domain that sends nothing has no legitimate mail to lose, so every policy can be reject.',
      fix: () =>
        'Publish "v=DMARC1; p=reject" (sp and np then default to reject) together with the SPF record "v=spf1 -all".',
    },
    ja: {
      title: 'メールを送らないドメインが reject になっていません',
      message: (a) =>
        `このドメインはメールを送りませんが、ポリシーが p=${s(a.p)}、sp=${s(a.sp)}、np=${s(a.np)}${a.testing ? '（t=y 付き）' : ''} のため、このドメインを名乗るなりすましメールは拒否されません。`,
      why: '何も送らないドメインには失って困る正規のメールがないので、すべてのポリシーを reject にできます。',
      fix: () =>
        '"v=DMARC1; p=reject"（sp と np は既定で reject になります）を、SPF レコード "v=spf1 -all" と一緒に公開してください。',
    },
  },
  'dmarc-fo-conflict': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'fo has both 0 and 1',
      message: (a) =>
        `fo=${s(a.value)} contains both 0 (report when all checks fail) and 1 (report when any check fails), which exclude each other.`,
      why: 'RFC 9989 s4.7: 0 and 1 are mutually exclusive; receivers pick one at random or drop the tag.',
      fix: () => 'Keep one of them: fo=1 gives the most failure reports.',
    },
    ja: {
      title: 'fo に 0 と 1 の両方があります',
      message: (a) =>
        `fo=${s(a.value)} に、互いに排他的な 0（すべての認証が失敗したら報告）と 1（いずれかが失敗したら報告）の両方が含まれています。`,
      why: 'RFC 9989 4.7 節: 0 と 1 は同時に指定できません。受信側はどちらかを任意に選ぶか、タグを無視します。',
      fix: () => 'どちらか一方にしてください。失敗レポートを最も多く受け取れるのは fo=1 です。',
    },
  },
  'dmarc-fo-without-ruf': {
    severity: 'info',
    protocol: 'dmarc',
    en: {
      title: 'fo without ruf',
      message: (a) => `fo=${s(a.fo)} is set but there is no usable ruf address, so it has no effect.`,
      why: 'fo only chooses when failure reports are sent to the ruf addresses (RFC 9989 s4.7).',
      fix: () => 'Remove fo, or add ruf=mailto:<address> if you want failure reports.',
    },
    ja: {
      title: 'ruf がないのに fo があります',
      message: (a) => `fo=${s(a.fo)} が指定されていますが、使える ruf アドレスがないため効果がありません。`,
      why: 'fo は ruf のアドレスへ失敗レポートを送る条件を選ぶだけのタグです（RFC 9989 4.7 節）。',
      fix: () => 'fo を削除するか、失敗レポートが必要なら ruf=mailto:<アドレス> を加えてください。',
    },
  },
  'dmarc-invalid-uri': {
    severity: 'error',
    protocol: 'dmarc',
    en: {
      title: 'Unusable report address',
      message: (a) =>
        `${s(a.tag)} address "${s(a.uri)}" cannot be used: ${uriProblemEn[s(a.problem)] ?? s(a.problem)}. Receivers skip it.`,
      why: 'Reports are only sent to valid URIs; a broken address means no reports, so you cannot see how your mail is doing.',
      fix: (a) =>
        a.repaired
          ? `Write ${s(a.repaired)}.`
          : `Write the address as mailto:<local>@<domain>, several separated by commas.`,
    },
    ja: {
      title: '使えないレポート送信先',
      message: (a) =>
        `${s(a.tag)} の送信先 "${s(a.uri)}" は使えません: ${uriProblemJa[s(a.problem)] ?? s(a.problem)}。受信側はこの送信先を無視します。`,
      why: 'レポートは正しい URI にしか送られません。送信先が壊れているとレポートが届かず、自ドメインのメールの状況がわかりません。',
      fix: (a) =>
        a.repaired
          ? `${s(a.repaired)} と書いてください。`
          : 'mailto:<ローカル部>@<ドメイン> の形で書き、複数ならカンマで区切ってください。',
    },
  },
  'dmarc-uri-not-mailto': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'Report address is not mailto:',
      message: (a) =>
        `${s(a.tag)} lists ${s(a.uri)} (${s(a.scheme)}:). RFC 9989 allows any scheme, but receivers only have to support mailto:, and in practice they send reports by mail only.`,
      why: 'A report address no receiver uses means no reports.',
      fix: (a) => `Add or use a mailto: address in ${s(a.tag)}.`,
    },
    ja: {
      title: 'レポート送信先が mailto: ではありません',
      message: (a) =>
        `${s(a.tag)} に ${s(a.uri)}（${s(a.scheme)}:）があります。RFC 9989 はどのスキームも認めていますが、受信側に対応が義務づけられているのは mailto: だけで、実際にもメールでしかレポートは送られません。`,
      why: 'どの受信側も使わない送信先では、レポートは届きません。',
      fix: (a) => `${s(a.tag)} に mailto: のアドレスを加えるか、mailto: のアドレスを使ってください。`,
    },
  },
  'dmarc-report-size-limit': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'Obsolete !size suffix',
      message: (a) =>
        `${s(a.tag)} address "${s(a.uri)}" ends with a size limit (!${s(a.size)}), which RFC 9989 made obsolete; reporters ignore it.`,
      why: 'The suffix does nothing with current receivers, and some strict parsers reject the whole address.',
      fix: (a) => `Remove "!${s(a.size)}" from the address.`,
    },
    ja: {
      title: '廃止された !size 指定',
      message: (a) =>
        `${s(a.tag)} の送信先 "${s(a.uri)}" の末尾にサイズ上限（!${s(a.size)}）がありますが、RFC 9989 で廃止され、送信側は無視します。`,
      why: '現在の受信側では何の効果もなく、厳密なパーサーではアドレス全体が拒否されることもあります。',
      fix: (a) => `アドレスから "!${s(a.size)}" を削除してください。`,
    },
  },
  'dmarc-too-many-uris': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'Too many report addresses',
      message: (a) =>
        `${s(a.tag)} lists ${s(a.count)} addresses; receivers may send to the first ${s(a.max)} only.`,
      why: 'Receivers limit how many destinations they send each report to, so addresses past the second can get nothing.',
      fix: (a) =>
        `List at most ${s(a.max)} addresses in ${s(a.tag)}; forward internally if more people need the reports.`,
    },
    ja: {
      title: 'レポート送信先が多すぎます',
      message: (a) =>
        `${s(a.tag)} に ${s(a.count)} 件の送信先があります。受信側は最初の ${s(a.max)} 件にしか送らないことがあります。`,
      why: '受信側は 1 つのレポートを送る宛先の数を制限しているため、3 件目以降には何も届かないことがあります。',
      fix: (a) => `${s(a.tag)} の送信先は ${s(a.max)} 件までにし、ほかの人には社内で転送してください。`,
    },
  },
  'dmarc-duplicate-uri': {
    severity: 'info',
    protocol: 'dmarc',
    en: {
      title: 'Report address listed twice',
      message: (a) => `${s(a.tag)} lists ${s(a.uri)} more than once.`,
      why: 'The copy adds nothing and counts against the number of destinations receivers accept.',
      fix: (a) => `List ${s(a.uri)} once.`,
    },
    ja: {
      title: 'レポート送信先が重複しています',
      message: (a) => `${s(a.tag)} に ${s(a.uri)} が複数回あります。`,
      why: '重複しても意味がなく、受信側が受け付ける送信先の数を無駄に使います。',
      fix: (a) => `${s(a.uri)} は 1 回だけ書いてください。`,
    },
  },
  'dmarc-no-rua': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'No aggregate reports (rua)',
      message: (a) =>
        a.published
          ? 'rua is set but none of its addresses is usable, so no aggregate reports are sent.'
          : 'The record has no rua tag, so no aggregate reports are sent: you cannot see who sends mail in your name or whether your own mail passes.',
      why: "Aggregate reports are the only way to see your mail streams from the receivers' side; without them, raising the policy is guesswork.",
      fix: () =>
        'Add rua=mailto:<an address that receives reports> (a mailbox of your own or a report service). Sumi cannot add it for you because it does not know the address.',
    },
    ja: {
      title: '集計レポート（rua）がありません',
      message: (a) =>
        a.published
          ? 'rua は指定されていますが、使えるアドレスがないため、集計レポートは送られません。'
          : 'レコードに rua タグがないため、集計レポートは送られません。誰があなたのドメインを名乗って送信しているか、自分のメールが合格しているかがわかりません。',
      why: '集計レポートは、受信側から見た自ドメインのメールの流れを知る唯一の手段です。これなしでポリシーを強めるのは当て推量です。',
      fix: () =>
        'rua=mailto:<レポートを受け取るアドレス>（自組織のメールボックスまたはレポート解析サービス）を加えてください。アドレスがわからないため、Sumi では追加できません。',
    },
  },
  'dmarc-ruf-privacy': {
    severity: 'info',
    protocol: 'dmarc',
    en: {
      title: 'Failure reports requested (ruf)',
      message: () =>
        'The record asks for failure reports (ruf). They can contain parts of individual messages, including personal data, and few receivers send them.',
      why: 'Failure reports copy headers or content of failing messages to the ruf address, which has privacy and legal implications (RFC 9989 s10.2).',
      fix: () =>
        'Keep ruf only if the address is handled under your privacy rules; otherwise remove ruf and fo.',
    },
    ja: {
      title: '失敗レポート（ruf）を要求しています',
      message: () =>
        'レコードで失敗レポート（ruf）を要求しています。個々のメールの一部（個人情報を含む）が含まれることがあり、また送ってくる受信側はわずかです。',
      why: '失敗レポートは、失敗したメールのヘッダーや本文を ruf のアドレスへ送るため、プライバシーや法令上の配慮が必要です（RFC 9989 10.2 節）。',
      fix: () =>
        'そのアドレスを個人情報の取り扱いルールのもとで管理できる場合に限り ruf を残し、そうでなければ ruf と fo を削除してください。',
    },
  },
  'dmarc-report-domain-no-mx': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'Report address cannot receive mail',
      message: (a) =>
        `${s(a.tag)} reports go to ${s(a.address)}, but ${noMxEn(a)}, so the reports may never arrive.`,
      why: 'Receivers send reports by mail; a domain without a mail server loses them.',
      fix: (a) =>
        `Publish an MX record for ${s(a.host)}, or send reports to an address in a domain that receives mail.`,
    },
    ja: {
      title: 'レポート送信先がメールを受け取れません',
      message: (a) =>
        `${s(a.tag)} のレポートは ${s(a.address)} に送られますが、${noMxJa(a)}。レポートが届かない可能性があります。`,
      why: '受信側はレポートをメールで送ります。メールサーバーのないドメインでは失われます。',
      fix: (a) =>
        `${s(a.host)} に MX レコードを公開するか、メールを受け取れるドメインのアドレスにレポートを送ってください。`,
    },
  },
  'dmarc-external-rua-unauthorized': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'External rua destination not authorised',
      message: unauthorizedEn('Aggregate'),
      why: 'RFC 9990 s3: so that nobody can flood a stranger with reports, receivers only send reports to another organisation if it publishes a <domain>._report._dmarc.<destination> record.',
      fix: unauthorizedFixEn,
    },
    ja: {
      title: '外部の rua 送信先が承認していません',
      message: unauthorizedJa('集計'),
      why: 'RFC 9990 3 節: 無関係な相手にレポートを大量に送りつけられないよう、受信側は、<ドメイン>._report._dmarc.<送信先> にレコードを公開している外部組織にしかレポートを送りません。',
      fix: unauthorizedFixJa,
    },
  },
  'dmarc-external-ruf-unauthorized': {
    severity: 'warning',
    protocol: 'dmarc',
    en: {
      title: 'External ruf destination not authorised',
      message: unauthorizedEn('Failure'),
      why: 'RFC 9991 applies the RFC 9990 s3 verification to failure reports: another organisation must publish a <domain>._report._dmarc.<destination> record.',
      fix: unauthorizedFixEn,
    },
    ja: {
      title: '外部の ruf 送信先が承認していません',
      message: unauthorizedJa('失敗'),
      why: 'RFC 9991 は RFC 9990 3 節の確認を失敗レポートにも適用します。外部組織は <ドメイン>._report._dmarc.<送信先> にレコードを公開する必要があります。',
      fix: unauthorizedFixJa,
    },
  },
} satisfies FindingCatalog;
