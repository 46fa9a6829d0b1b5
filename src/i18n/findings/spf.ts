import type { FindingArgs, FindingCatalog } from '../catalog.ts';

/*
 * SPF findings. Counterparts of every checkdmarc SPF check (IDs from notes/checkdmarc-checks.md):
 *
 *   SPF-E01 no v=spf1 TXT ........................ spf-missing
 *   SPF-E02 NXDOMAIN ............................. spf-domain-not-found
 *   SPF-E03 other DNS error / timeout ............ spf-dns-error
 *   SPF-E04 v=spf1 not followed by space/end ..... spf-malformed-version
 *   SPF-E05 multiple v=spf1 records .............. spf-multiple-records
 *   SPF-E06 "all" glued to the previous term ..... spf-terms-run-together
 *   SPF-E07 grammar failure ...................... spf-syntax-error
 *   SPF-E08 invalid macro ........................ spf-macro-syntax-error
 *   SPF-E09 macro inside ip4:/ip6: ............... spf-macro-in-ip
 *   SPF-E10 exp= with no value ................... spf-empty-target
 *   SPF-E11 bad ip4 value (or looks like IPv6) ... spf-invalid-ip4 (prefix lengths: spf-invalid-cidr)
 *   SPF-E12 bad ip6 value (or looks like IPv4) ... spf-invalid-ip6 (prefix lengths: spf-invalid-cidr)
 *   SPF-E13 mx target with more than 10 MX ....... spf-too-many-mx
 *   SPF-E14 more than 10 DNS lookups ............. spf-too-many-lookups
 *   SPF-E15 more than 2 void lookups ............. spf-too-many-void-lookups
 *   SPF-E16 include:/exists: with no value ....... spf-empty-target
 *   SPF-E17 more than one redirect= .............. spf-duplicate-modifier
 *   SPF-E18 redirect loop ........................ spf-redirect-loop
 *   SPF-E19 more than one all .................... spf-multiple-all
 *   SPF-E20 more than one exp= ................... spf-duplicate-modifier
 *   SPF-E21 include loop ......................... spf-include-loop
 *   SPF-W01 type SPF (99) records ................ spf-type99-record
 *   SPF-W02 TXT with undecodable bytes ........... spf-invalid-utf8
 *   SPF-W03 Sender ID (spf2.0/...) record ........ spf-sender-id-record
 *   SPF-W04 quoted string over 255 bytes ......... spf-string-too-long
 *   SPF-W05 unquoted string over 255 bytes ....... spf-string-too-long
 *   SPF-W06 record over 512 bytes ................ spf-record-too-large
 *   SPF-W07 record over 450 bytes ................ spf-record-large
 *   SPF-W08 parked domain not "v=spf1 -all" ...... spf-parked-not-deny-all
 *   SPF-W09 text after the exp= value ............ spf-syntax-error (hint "exp-text")
 *   SPF-W10 exp= target unusable ................. spf-exp-unusable (DNS failure: spf-dns-error)
 *   SPF-W11 terms after all ...................... spf-terms-after-all
 *   SPF-W12 a target without A/AAAA .............. spf-a-no-address
 *   SPF-W13 mx target without MX ................. spf-mx-no-records
 *   SPF-W14 MX host does not resolve ............. spf-mx-host-no-address (DNS failure: spf-dns-error)
 *   SPF-W15 duplicate include .................... spf-duplicate-include
 *   SPF-W16 include target without SPF ........... spf-include-no-spf (DNS failure: spf-dns-error)
 *   SPF-W17 ptr mechanism ........................ spf-ptr-mechanism
 *   SPF-W18 ptr target without A/AAAA ............ spf-ptr-target-missing
 *   SPF-W19 redirect target unusable ............. spf-redirect-no-spf (DNS failure: spf-dns-error)
 *
 * Beyond checkdmarc: spf-permissive-all, spf-neutral-all, spf-no-all, spf-softfail-all,
 * spf-fail-all, spf-redirect-ignored, spf-unknown-modifier, spf-p-macro, spf-invalid-target-name,
 * spf-broad-ip-range, spf-private-ip, spf-macro-not-followed, spf-lookups-near-limit,
 * spf-walk-limit-reached.
 */

const expectedEn: Record<string, string> = {
  version: '"v=spf1" followed by a space or the end of the record',
  term: 'a mechanism (all, include, a, mx, ptr, ip4, ip6, exists) or a modifier (name=value)',
  'end-of-term': 'the end of the term (a space)',
  'colon-domain': '":" and a domain',
  'colon-or-cidr': '":" and a domain, a "/" prefix length, or the end of the term',
  'colon-or-end': '":" and a domain, or the end of the term',
  'colon-network': '":" and an address',
  'domain-spec': 'a domain name',
  toplabel:
    'a domain name ending in "." and a top-level label (letters, digits, inner hyphens; not all digits)',
  macro: 'a macro after "%": "%{", "%%", "%_" or "%-"',
  'macro-letter': 'a macro letter (s, l, o, d, i, p, h, v)',
  'macro-close': 'a digit, "r", a delimiter (. - + , / _ =) or "}"',
  'nonzero-digits': 'a nonzero number of labels',
  'printable-ascii': 'printable ASCII characters, terms separated by plain spaces',
  'ip4-network': 'an IPv4 address in dotted-quad form (e.g. 192.0.2.1)',
  'ip6-network': 'an IPv6 address (e.g. 2001:db8::1)',
  'ip4-cidr': 'an IPv4 prefix length from 0 to 32, without leading zeros',
  'ip6-cidr': 'an IPv6 prefix length from 0 to 128, without leading zeros',
  'dual-cidr': '"/N" for IPv4 and/or "//N" for IPv6',
  'modifier-name': 'a modifier name starting with a letter before "="',
  once: 'each of redirect= and exp= at most once',
};

const expectedJa: Record<string, string> = {
  version: '"v=spf1" とその後の空白またはレコードの終わり',
  term: 'メカニズム（all, include, a, mx, ptr, ip4, ip6, exists）または修飾子（名前=値）',
  'end-of-term': '項の終わり（空白）',
  'colon-domain': '":" とドメイン名',
  'colon-or-cidr': '":" とドメイン名、"/" で始まるプレフィックス長、または項の終わり',
  'colon-or-end': '":" とドメイン名、または項の終わり',
  'colon-network': '":" とアドレス',
  'domain-spec': 'ドメイン名',
  toplabel: '"." と最上位ラベル（英数字と途中のハイフン。数字だけは不可）で終わるドメイン名',
  macro: '"%" の後のマクロ（"%{"、"%%"、"%_"、"%-" のいずれか）',
  'macro-letter': 'マクロ文字（s, l, o, d, i, p, h, v）',
  'macro-close': '数字、"r"、区切り文字（. - + , / _ =）または "}"',
  'nonzero-digits': '0 以外のラベル数',
  'printable-ascii': '印字可能な ASCII 文字（項の区切りは半角スペースのみ）',
  'ip4-network': 'ドット区切り 4 つの数字の IPv4 アドレス（例: 192.0.2.1）',
  'ip6-network': 'IPv6 アドレス（例: 2001:db8::1）',
  'ip4-cidr': '0〜32 の IPv4 プレフィックス長（先頭に 0 を付けない）',
  'ip6-cidr': '0〜128 の IPv6 プレフィックス長（先頭に 0 を付けない）',
  'dual-cidr': 'IPv4 用の "/N" と IPv6 用の "//N"',
  'modifier-name': '"=" の前に英字で始まる修飾子名',
  once: 'redirect= と exp= はそれぞれ 1 回まで',
};

const hintEn: Record<string, string> = {
  'use-ip4': 'This is an IP address: write it as ip4:ADDRESS, not as a domain.',
  'use-ip6': 'This is an IPv6 address: write it as ip6:ADDRESS, not as a domain.',
  'looks-like-ipv6': 'This is an IPv6 address: list it with ip6:, not ip4:.',
  'looks-like-ipv4': 'This is an IPv4 address: list it with ip4:, not ip6:.',
  port: 'SPF takes no port number: remove ":PORT".',
  'ip4-short': 'Write all four parts of the address and give a range as a prefix length (192.0.2.0/24).',
  'modifier-not-mechanism': 'redirect and exp are modifiers: write them with "=" (redirect=DOMAIN), not ":".',
  'qualified-modifier': 'Modifiers take no qualifier (+ - ~ ?).',
  'exp-text':
    'exp= takes a domain whose TXT record holds the explanation; the explanation text cannot go into the SPF record itself.',
  'double-slash': 'The IPv6 prefix length takes two slashes: a/24//64.',
  whitespace:
    'Terms are separated by plain spaces only; tabs, line breaks and other control characters are not allowed.',
  'non-ascii':
    'SPF records are 7-bit ASCII; this character is not (often a pasted typographic character or an invisible byte-order mark).',
  'exp-only-letter': 'The macro letters c, r and t are allowed only in explanation text, not in a domain.',
  'no-value': 'all takes no value and no prefix length.',
  'no-dual-cidr': 'ip4 and ip6 take a single prefix length "/N"; "//N" exists only on a and mx.',
  'leading-zero': 'Numbers in addresses and prefix lengths are written without leading zeros.',
};

const hintJa: Record<string, string> = {
  'use-ip4': 'これは IP アドレスです。ドメイン名としてではなく ip4:アドレス と書いてください。',
  'use-ip6': 'これは IPv6 アドレスです。ドメイン名としてではなく ip6:アドレス と書いてください。',
  'looks-like-ipv6': 'これは IPv6 アドレスです。ip4: ではなく ip6: で列挙してください。',
  'looks-like-ipv4': 'これは IPv4 アドレスです。ip6: ではなく ip4: で列挙してください。',
  port: 'SPF にポート番号は書けません。":ポート" を削除してください。',
  'ip4-short':
    'アドレスは 4 つの数字をすべて書き、範囲はプレフィックス長で指定してください（192.0.2.0/24）。',
  'modifier-not-mechanism':
    'redirect と exp は修飾子です。":" ではなく "=" で書いてください（redirect=ドメイン）。',
  'qualified-modifier': '修飾子には修飾記号（+ - ~ ?）を付けられません。',
  'exp-text':
    'exp= には説明文を TXT レコードに持つドメイン名を指定します。説明文そのものを SPF レコードに書くことはできません。',
  'double-slash': 'IPv6 のプレフィックス長はスラッシュ 2 つで書きます（a/24//64）。',
  whitespace: '項の区切りは半角スペースだけです。タブ、改行などの制御文字は使えません。',
  'non-ascii':
    'SPF レコードは 7 ビット ASCII だけで書きます。この文字はそうではありません（貼り付けた全角文字や、目に見えない BOM であることが多い）。',
  'exp-only-letter': 'マクロ文字 c、r、t は説明文の中でだけ使えます。ドメイン名には使えません。',
  'no-value': 'all には値もプレフィックス長も付けられません。',
  'no-dual-cidr': 'ip4 と ip6 のプレフィックス長は "/N" の 1 つだけです。"//N" は a と mx 専用です。',
  'leading-zero': 'アドレスやプレフィックス長の数字の先頭に 0 を付けないでください。',
};

function expected(a: FindingArgs, lang: 'en' | 'ja'): string {
  const key = String(a.expected ?? '');
  return (lang === 'en' ? expectedEn : expectedJa)[key] ?? key;
}

function found(a: FindingArgs, lang: 'en' | 'ja'): string {
  const f = String(a.found ?? '');
  if (f === '') return lang === 'en' ? 'nothing' : '何もありません';
  return `"${f}"`;
}

function hint(a: FindingArgs, lang: 'en' | 'ja'): string {
  if (!a.hint) return '';
  const text = (lang === 'en' ? hintEn : hintJa)[String(a.hint)];
  if (!text) return '';
  return lang === 'en' ? ` ${text}` : text;
}

function marked(a: FindingArgs, lang: 'en' | 'ja'): string {
  if (!a.marked) return '';
  return lang === 'en' ? ` (marked with ➞): ${a.marked}` : `（➞ の位置）: ${a.marked}`;
}

function atLeast(a: FindingArgs, lang: 'en' | 'ja'): string {
  if (!a.atLeast) return '';
  return lang === 'en' ? 'at least ' : '少なくとも ';
}

const whyTemp =
  'Receivers that cannot look up part of an SPF record return temperror and may defer mail; Sumi cannot judge the rest of that branch either.';

export const spfFindings = {
  'spf-missing': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'No SPF record',
      message: (a) => `${a.domain} publishes no SPF record (no TXT record starting with "v=spf1").`,
      why: 'Without SPF, receivers cannot tell which servers may send for the domain, and DMARC can only pass through DKIM.',
      fix: (a) =>
        `Publish a TXT record at ${a.domain} listing every server that sends its mail, ending in -all; if the domain sends no mail, publish "v=spf1 -all".`,
    },
    ja: {
      title: 'SPF レコードがありません',
      message: (a) => `${a.domain} に SPF レコード（"v=spf1" で始まる TXT レコード）がありません。`,
      why: 'SPF がないと、受信側はどのサーバーがこのドメインのメールを送ってよいか判断できず、DMARC は DKIM でしか合格できません。',
      fix: (a) =>
        `${a.domain} に、メールを送るすべてのサーバーを列挙し -all で終わる TXT レコードを公開してください。メールを送らないドメインなら "v=spf1 -all" を公開してください。`,
    },
  },
  'spf-domain-not-found': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Domain does not exist',
      message: (a) => `${a.domain} does not exist in the DNS (NXDOMAIN), so it has no SPF record.`,
      why: 'Mail from a domain that does not exist is rejected by most receivers, and it can have no SPF, DMARC or DKIM records.',
      fix: (a) => `Check the spelling of ${a.domain}, or create it in the DNS zone of its parent domain.`,
    },
    ja: {
      title: 'ドメインが存在しません',
      message: (a) => `${a.domain} は DNS に存在しない（NXDOMAIN）ため、SPF レコードもありません。`,
      why: '存在しないドメインからのメールはほとんどの受信側で拒否され、SPF・DMARC・DKIM のレコードも置けません。',
      fix: (a) => `${a.domain} の綴りを確認するか、親ドメインの DNS ゾーンにこの名前を作成してください。`,
    },
  },
  'spf-dns-error': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'DNS lookup failed',
      message: (a) =>
        `The ${a.type} lookup of ${a.name} failed (${a.status}${a.error ? `: ${a.error}` : ''}); the result is unknown, not missing.`,
      why: whyTemp,
      fix: (a) =>
        `Make sure the authoritative name servers of ${a.name} answer ${a.type} queries (no SERVFAIL, timeout or REFUSED), then check again.`,
    },
    ja: {
      title: 'DNS の問い合わせに失敗しました',
      message: (a) =>
        `${a.name} の ${a.type} の問い合わせに失敗しました（${a.status}${a.error ? `: ${a.error}` : ''}）。レコードが無いのではなく、結果が分からない状態です。`,
      why: 'SPF レコードの一部を引けない受信側は temperror を返し、メールの受け取りを保留することがあります。Sumi もその先を判定できません。',
      fix: (a) =>
        `${a.name} の権威 DNS サーバーが ${a.type} の問い合わせに応答する（SERVFAIL・タイムアウト・REFUSED にならない）ことを確かめてから、もう一度確認してください。`,
    },
  },
  'spf-malformed-version': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'SPF version tag is malformed',
      message: (a) =>
        `A TXT record looks like SPF but does not start with exactly "v=spf1" followed by a space or the end (problem at position ${a.position}, found ${found(a, 'en')}); receivers ignore it.`,
      why: 'RFC 7208 s4.5: only records that begin with "v=spf1" and then a space or the end are SPF records. "v=spf10", a leading space or quotes inside the value make receivers treat the domain as having no SPF.',
      fix: () =>
        'Rewrite the record so that it starts with "v=spf1 " (no leading space, no quotes inside the value, a space after "v=spf1").',
    },
    ja: {
      title: 'SPF のバージョンタグが不正です',
      message: (a) =>
        `SPF のつもりの TXT レコードが、正確に "v=spf1" とその後の空白（またはレコードの終わり）で始まっていません（位置 ${a.position}、${found(a, 'ja')}）。受信側はこれを無視します。`,
      why: 'RFC 7208 4.5 節: "v=spf1" の直後が空白かレコードの終わりであるものだけが SPF レコードです。"v=spf10"、先頭の空白、値の中の引用符があると、受信側は SPF が無いものとして扱います。',
      fix: () =>
        'レコードが "v=spf1 " で始まるように書き直してください（先頭に空白を入れない、値の中に引用符を入れない、"v=spf1" の後に空白を入れる）。',
    },
  },
  'spf-multiple-records': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'More than one SPF record',
      message: (a) =>
        `${a.name} publishes ${a.count} SPF records; receivers return permerror when there is more than one.`,
      why: 'RFC 7208 s4.5: a domain has at most one SPF record. With two, every receiver gives permerror, so SPF never passes and DMARC depends on DKIM alone.',
      fix: (a) =>
        a.suggested
          ? `Replace them with one record: ${a.suggested}`
          : 'Merge the records into one: keep one "v=spf1", list every mechanism once, and end with a single all.',
    },
    ja: {
      title: 'SPF レコードが複数あります',
      message: (a) =>
        `${a.name} に SPF レコードが ${a.count} 件あります。複数あると受信側は permerror を返します。`,
      why: 'RFC 7208 4.5 節: SPF レコードはドメインに 1 つだけです。2 つあるとすべての受信側で permerror となり、SPF は決して合格せず、DMARC は DKIM だけに頼ることになります。',
      fix: (a) =>
        a.suggested
          ? `1 つのレコードにまとめてください: ${a.suggested}`
          : '1 つのレコードにまとめてください。"v=spf1" は 1 回、各メカニズムも 1 回ずつ書き、最後に all を 1 つだけ置きます。',
    },
  },
  'spf-syntax-error': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'SPF syntax error',
      message: (a) =>
        `Syntax error at position ${a.position}${a.term ? ` in "${a.term}"` : ''}: expected ${expected(a, 'en')}, found ${found(a, 'en')}${marked(a, 'en')}.${hint(a, 'en')}`,
      why: 'RFC 7208 s4.6: a syntax error anywhere in the record makes every receiver return permerror, so SPF never passes for the domain.',
      fix: (a) => `Correct "${a.term || a.found}" so that it is ${expected(a, 'en')}.${hint(a, 'en')}`,
    },
    ja: {
      title: 'SPF の構文エラー',
      message: (a) =>
        `位置 ${a.position}${a.term ? `（"${a.term}"）` : ''}に構文エラーがあります。${expected(a, 'ja')}が必要ですが、${found(a, 'ja')}${a.found ? 'がありました' : ''}${marked(a, 'ja')}。${hint(a, 'ja')}`,
      why: 'RFC 7208 4.6 節: レコードのどこかに構文エラーが 1 つでもあると、すべての受信側が permerror を返し、このドメインの SPF は決して合格しません。',
      fix: (a) => `"${a.term || a.found}" を${expected(a, 'ja')}に直してください。${hint(a, 'ja')}`,
    },
  },
  'spf-macro-syntax-error': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Invalid SPF macro',
      message: (a) =>
        `Invalid macro at position ${a.position} in "${a.term}": expected ${expected(a, 'en')}, found ${found(a, 'en')}${marked(a, 'en')}.${hint(a, 'en')}`,
      why: 'RFC 7208 s7: a "%" must start a valid macro ("%{letter...}", "%%", "%_" or "%-"); anything else is a syntax error and receivers return permerror.',
      fix: (a) =>
        `Correct the macro in "${a.term}"; to write a literal percent sign use "%%".${hint(a, 'en')}`,
    },
    ja: {
      title: 'SPF マクロが不正です',
      message: (a) =>
        `位置 ${a.position}（"${a.term}"）のマクロが不正です。${expected(a, 'ja')}が必要ですが、${found(a, 'ja')}${a.found ? 'がありました' : ''}${marked(a, 'ja')}。${hint(a, 'ja')}`,
      why: 'RFC 7208 7 節: "%" の後は正しいマクロ（"%{文字...}"、"%%"、"%_"、"%-"）でなければならず、それ以外は構文エラーとして受信側が permerror を返します。',
      fix: (a) =>
        `"${a.term}" のマクロを直してください。"%" そのものを書くには "%%" とします。${hint(a, 'ja')}`,
    },
  },
  'spf-macro-in-ip': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Macro inside ip4/ip6',
      message: (a) => `"${a.term}" contains "%": ip4 and ip6 take a literal address, never a macro.`,
      why: 'RFC 7208 s5.6: ip4 and ip6 values are plain addresses; a macro there is a syntax error and receivers return permerror.',
      fix: (a) =>
        `Write the address in "${a.term}" literally (e.g. ip4:192.0.2.0/24), or use exists: for macro-based checks.`,
    },
    ja: {
      title: 'ip4/ip6 の中にマクロがあります',
      message: (a) =>
        `"${a.term}" に "%" が含まれています。ip4 と ip6 にはアドレスをそのまま書き、マクロは使えません。`,
      why: 'RFC 7208 5.6 節: ip4 と ip6 の値はアドレスそのものです。マクロを書くと構文エラーとなり受信側が permerror を返します。',
      fix: (a) =>
        `"${a.term}" のアドレスをそのまま書いてください（例: ip4:192.0.2.0/24）。マクロを使う判定には exists: を使います。`,
    },
  },
  'spf-invalid-ip4': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Invalid ip4 address',
      message: (a) => `"${a.term}": ${found(a, 'en')} is not ${expected(a, 'en')}.${hint(a, 'en')}`,
      why: 'RFC 7208 s5.6: an invalid ip4 value is a syntax error; receivers return permerror for the whole record.',
      fix: (a) =>
        `Write "${a.term}" as ip4:ADDRESS or ip4:ADDRESS/PREFIX (e.g. ip4:192.0.2.0/24).${hint(a, 'en')}`,
    },
    ja: {
      title: 'ip4 のアドレスが不正です',
      message: (a) => `"${a.term}": ${found(a, 'ja')}は${expected(a, 'ja')}ではありません。${hint(a, 'ja')}`,
      why: 'RFC 7208 5.6 節: ip4 の値が不正だと構文エラーとなり、受信側はレコード全体に permerror を返します。',
      fix: (a) =>
        `"${a.term}" を ip4:アドレス または ip4:アドレス/プレフィックス長 の形に直してください（例: ip4:192.0.2.0/24）。${hint(a, 'ja')}`,
    },
  },
  'spf-invalid-ip6': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Invalid ip6 address',
      message: (a) => `"${a.term}": ${found(a, 'en')} is not ${expected(a, 'en')}.${hint(a, 'en')}`,
      why: 'RFC 7208 s5.6: an invalid ip6 value is a syntax error; receivers return permerror for the whole record.',
      fix: (a) =>
        `Write "${a.term}" as ip6:ADDRESS or ip6:ADDRESS/PREFIX (e.g. ip6:2001:db8::/32).${hint(a, 'en')}`,
    },
    ja: {
      title: 'ip6 のアドレスが不正です',
      message: (a) => `"${a.term}": ${found(a, 'ja')}は${expected(a, 'ja')}ではありません。${hint(a, 'ja')}`,
      why: 'RFC 7208 5.6 節: ip6 の値が不正だと構文エラーとなり、受信側はレコード全体に permerror を返します。',
      fix: (a) =>
        `"${a.term}" を ip6:アドレス または ip6:アドレス/プレフィックス長 の形に直してください（例: ip6:2001:db8::/32）。${hint(a, 'ja')}`,
    },
  },
  'spf-invalid-cidr': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Invalid prefix length',
      message: (a) =>
        `"${a.term}": prefix length ${found(a, 'en')} at position ${a.position} is not ${expected(a, 'en')}.${hint(a, 'en')}`,
      why: 'RFC 7208 s5.6: prefix lengths are 0-32 for IPv4 and 0-128 for IPv6, written without leading zeros; anything else is a syntax error and receivers return permerror.',
      fix: (a) => `Correct the prefix length in "${a.term}" to ${expected(a, 'en')}.${hint(a, 'en')}`,
    },
    ja: {
      title: 'プレフィックス長が不正です',
      message: (a) =>
        `"${a.term}": 位置 ${a.position} のプレフィックス長 ${found(a, 'ja')}は${expected(a, 'ja')}ではありません。${hint(a, 'ja')}`,
      why: 'RFC 7208 5.6 節: プレフィックス長は IPv4 で 0〜32、IPv6 で 0〜128 を先頭の 0 なしで書きます。それ以外は構文エラーとなり受信側が permerror を返します。',
      fix: (a) => `"${a.term}" のプレフィックス長を${expected(a, 'ja')}に直してください。${hint(a, 'ja')}`,
    },
  },
  'spf-empty-target': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Mechanism or modifier without a value',
      message: (a) => `"${a.term}" has no domain after it; it must have a value.`,
      why: 'RFC 7208 s5 and s6: include:, exists:, a:, mx:, ptr:, redirect= and exp= need a domain when the separator is written. An empty one is a syntax error and receivers return permerror.',
      fix: (a) =>
        `Add the domain after "${a.term}", or remove the term (write "a" or "mx" alone to mean the domain itself).`,
    },
    ja: {
      title: '値のないメカニズム・修飾子があります',
      message: (a) => `"${a.term}" の後にドメイン名がありません。値が必要です。`,
      why: 'RFC 7208 5 節・6 節: include:、exists:、a:、mx:、ptr:、redirect=、exp= は区切り記号を書いたらドメイン名が必要です。空だと構文エラーとなり受信側が permerror を返します。',
      fix: (a) =>
        `"${a.term}" の後にドメイン名を書くか、この項を削除してください（ドメイン自身を指すなら "a" や "mx" だけを書きます）。`,
    },
  },
  'spf-duplicate-modifier': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Modifier given more than once',
      message: (a) => `${a.name}= appears more than once ("${a.term}" repeats it).`,
      why: 'RFC 7208 s6: redirect= and exp= may each appear only once; a repeated one makes receivers return permerror.',
      fix: (a) => `Keep one ${a.name}= and remove the other.`,
    },
    ja: {
      title: '修飾子が重複しています',
      message: (a) => `${a.name}= が複数回あります（"${a.term}" が重複しています）。`,
      why: 'RFC 7208 6 節: redirect= と exp= はそれぞれ 1 回しか書けません。重複すると受信側が permerror を返します。',
      fix: (a) => `${a.name}= を 1 つだけ残し、もう一方を削除してください。`,
    },
  },
  'spf-invalid-utf8': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'TXT record is not valid UTF-8',
      message: (a) =>
        a.notSpf
          ? `A TXT record at ${a.name} contains bytes that are not valid UTF-8; it is not an SPF record and is ignored.`
          : 'The SPF record contains bytes that are not valid UTF-8 (shown here as Latin-1).',
      why: 'SPF records are 7-bit ASCII (RFC 7208 s3): other bytes make the record a permerror, and tools that decode TXT as UTF-8 may drop the record entirely.',
      fix: () =>
        'Re-enter the record in plain ASCII; remove any pasted typographic characters or byte-order marks.',
    },
    ja: {
      title: 'TXT レコードが UTF-8 として不正です',
      message: (a) =>
        a.notSpf
          ? `${a.name} の TXT レコードに UTF-8 として不正なバイトが含まれています。SPF レコードではないため無視されます。`
          : 'SPF レコードに UTF-8 として不正なバイトが含まれています（ここでは Latin-1 として表示しています）。',
      why: 'SPF レコードは 7 ビット ASCII です（RFC 7208 3 節）。それ以外のバイトがあると permerror となり、TXT を UTF-8 として読むツールはレコードごと捨てることもあります。',
      fix: () => 'レコードを ASCII 文字だけで入力し直してください。貼り付けた全角文字や BOM を取り除きます。',
    },
  },
  'spf-terms-run-together': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Two terms run together',
      message: (a) =>
        `"${a.term}" is two terms without a space between them${a.stringBoundary ? ': the TXT record is split into strings here, and strings are joined with nothing between them' : ''}${marked(a, 'en')}.`,
      why: 'RFC 7208 s3.3: the strings of a TXT record are concatenated without spaces, and terms are separated by spaces. Without the space receivers see one wrong term: a syntax error (permerror) or an include of a domain that does not exist.',
      fix: (a) =>
        `Put a space between the terms: "${a.fixed}"${a.stringBoundary ? ' (end the first string with a space, or start the next one with one)' : ''}.`,
    },
    ja: {
      title: '2 つの項がつながっています',
      message: (a) =>
        `"${a.term}" は 2 つの項の間の空白が抜けています${a.stringBoundary ? '。TXT レコードはここで文字列が分かれており、文字列は何も挟まずに連結されます' : ''}${marked(a, 'ja')}。`,
      why: 'RFC 7208 3.3 節: TXT レコードの文字列は空白なしで連結され、項は空白で区切られます。空白がないと受信側は 1 つの誤った項と見なし、構文エラー（permerror）や存在しないドメインの include になります。',
      fix: (a) =>
        `項の間に空白を入れてください: "${a.fixed}"${a.stringBoundary ? '（前の文字列の末尾か次の文字列の先頭に空白を入れます）' : ''}。`,
    },
  },
  'spf-string-too-long': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'TXT string longer than 255 bytes',
      message: (a) =>
        `String ${a.string} of the record is ${a.bytes} bytes; one TXT string holds at most ${a.limit}.`,
      why: 'RFC 7208 s3.3 and RFC 1035: a single character-string is at most 255 bytes. Longer text must be published as several strings, or DNS software truncates or rejects it.',
      fix: () =>
        'Split the record into several quoted strings of at most 255 bytes each, e.g. "v=spf1 ... " "include:... -all"; receivers join them without spaces.',
    },
    ja: {
      title: 'TXT の文字列が 255 バイトを超えています',
      message: (a) =>
        `レコードの ${a.string} 番目の文字列が ${a.bytes} バイトあります。TXT の 1 つの文字列は最大 ${a.limit} バイトです。`,
      why: 'RFC 7208 3.3 節・RFC 1035: 1 つの文字列は最大 255 バイトです。長いテキストは複数の文字列に分けて公開しないと、DNS ソフトウェアが切り詰めたり拒否したりします。',
      fix: () =>
        'レコードを 255 バイト以下の複数の文字列に分けてください（例: "v=spf1 ... " "include:... -all"）。受信側は空白なしで連結します。',
    },
  },
  'spf-record-too-large': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'SPF record over 512 bytes',
      message: (a) =>
        a.notParsed
          ? `The SPF record is ${a.bytes} bytes, beyond what Sumi reads (${a.limit}); it was not parsed.`
          : `The SPF record is ${a.bytes} bytes, more than ${a.limit}.`,
      why: 'RFC 7208 s3.4: an answer over 512 bytes does not fit in a plain UDP DNS response; some resolvers and middleboxes fail to retry over TCP, and the SPF check then fails.',
      fix: () =>
        'Shorten the record: remove unused mechanisms, replace lists of ip4/ip6 with fewer, wider ranges, or move part of the list to an include: on a subdomain.',
    },
    ja: {
      title: 'SPF レコードが 512 バイトを超えています',
      message: (a) =>
        a.notParsed
          ? `SPF レコードが ${a.bytes} バイトあり、Sumi が読む上限（${a.limit}）を超えているため解析していません。`
          : `SPF レコードが ${a.bytes} バイトあり、${a.limit} バイトを超えています。`,
      why: 'RFC 7208 3.4 節: 512 バイトを超える応答は通常の UDP の DNS 応答に収まりません。TCP で再問い合わせできないリゾルバーや機器があり、そこでは SPF の判定が失敗します。',
      fix: () =>
        'レコードを短くしてください。使っていないメカニズムを削除する、ip4/ip6 の列挙をより少ない広い範囲にまとめる、一部をサブドメインに置いて include: で参照する、などの方法があります。',
    },
  },
  'spf-record-large': {
    severity: 'info',
    protocol: 'spf',
    en: {
      title: 'SPF record over 450 bytes',
      message: (a) => `The SPF record is ${a.bytes} bytes, more than the recommended ${a.limit}.`,
      why: 'RFC 7208 s3.4 recommends staying under 450 bytes so that the whole DNS answer, with the other TXT records at the name, fits in 512 bytes.',
      fix: () =>
        'Keep the record short: remove unused mechanisms, or move part of the list to an include: on a subdomain.',
    },
    ja: {
      title: 'SPF レコードが 450 バイトを超えています',
      message: (a) => `SPF レコードが ${a.bytes} バイトあり、推奨される ${a.limit} バイトを超えています。`,
      why: 'RFC 7208 3.4 節は、同じ名前の他の TXT レコードを含めた DNS 応答全体が 512 バイトに収まるよう、450 バイト未満にすることを勧めています。',
      fix: () =>
        'レコードを短く保ってください。使っていないメカニズムを削除するか、一部をサブドメインに置いて include: で参照します。',
    },
  },
  'spf-permissive-all': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'SPF authorises every server (+all)',
      message: (a) => `"${a.term}" makes SPF pass for mail from any server on the internet.`,
      why: 'With +all (or a bare "all") anyone can send mail that passes SPF for the domain, and because SPF passes, DMARC passes too for spoofed mail whose envelope uses this domain.',
      fix: () =>
        'Replace it with ~all (or -all once every sending server is listed) so that only the servers listed before it pass.',
    },
    ja: {
      title: 'SPF がすべてのサーバーを許可しています（+all）',
      message: (a) =>
        `"${a.term}" により、インターネット上のどのサーバーから送られたメールも SPF に合格します。`,
      why: '+all（または修飾記号なしの "all"）では誰でもこのドメインの SPF に合格するメールを送れます。SPF が合格するため、エンベロープにこのドメインを使ったなりすましメールは DMARC にも合格します。',
      fix: () =>
        '~all に置き換えてください（送信サーバーをすべて列挙できたら -all）。そうすれば、その前に列挙したサーバーだけが合格します。',
    },
  },
  'spf-neutral-all': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'SPF ends in ?all (neutral)',
      message: (a) =>
        `"${a.term}" gives mail from unlisted servers a neutral result: SPF expresses no opinion about them.`,
      why: 'Neutral is treated like no SPF at all: receivers get no signal against forged mail. For DMARC it is not a pass, so it only matters that unlisted servers are not explicitly rejected.',
      fix: () => 'Replace ?all with ~all, or -all once every sending server is listed.',
    },
    ja: {
      title: 'SPF が ?all（中立）で終わっています',
      message: (a) =>
        `"${a.term}" により、列挙されていないサーバーからのメールは中立（neutral）となり、SPF は何も判断しません。`,
      why: '中立は SPF が無いのと同じように扱われ、受信側はなりすましメールに対する手がかりを得られません。DMARC では合格扱いになりませんが、列挙外のサーバーを否定する意思表示にもなりません。',
      fix: () => '?all を ~all に置き換えてください（送信サーバーをすべて列挙できたら -all）。',
    },
  },
  'spf-no-all': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'SPF record has no all and no redirect',
      message: () =>
        'The record ends without an all mechanism or a redirect=, so mail from unlisted servers gets the default result, neutral.',
      why: 'RFC 7208 s4.7: when nothing matches, the result is neutral, which gives receivers no signal against forged mail.',
      fix: () => 'End the record with ~all (or -all once every sending server is listed).',
    },
    ja: {
      title: 'SPF レコードに all も redirect もありません',
      message: () =>
        'レコードが all メカニズムも redirect= もなしに終わっているため、列挙されていないサーバーからのメールは既定の結果である中立（neutral）になります。',
      why: 'RFC 7208 4.7 節: どれにも一致しないときの結果は中立で、受信側はなりすましメールに対する手がかりを得られません。',
      fix: () => 'レコードの最後に ~all を付けてください（送信サーバーをすべて列挙できたら -all）。',
    },
  },
  'spf-softfail-all': {
    severity: 'info',
    protocol: 'spf',
    en: {
      title: 'SPF ends in ~all (softfail)',
      message: (a) =>
        `"${a.term}": mail from unlisted servers gets softfail. DMARC counts softfail as "SPF did not pass", exactly like fail, so with an enforcing DMARC policy such mail is quarantined or rejected unless an aligned DKIM signature passes.`,
      why: 'Receivers rarely reject on softfail alone; they leave the decision to DMARC, which still accepts forwarded mail whose DKIM signature survives. This is the usual choice for a domain with a DMARC policy.',
    },
    ja: {
      title: 'SPF が ~all（ソフトフェイル）で終わっています',
      message: (a) =>
        `"${a.term}": 列挙されていないサーバーからのメールは softfail になります。DMARC は softfail を fail とまったく同じく「SPF 不合格」として扱うため、DMARC ポリシーが強制（quarantine/reject）なら、整合する DKIM 署名が合格しない限りそのメールは隔離または拒否されます。`,
      why: '受信側が softfail だけを理由に拒否することはまれで、判断を DMARC に委ねます。DMARC は DKIM 署名が残った転送メールを受け入れられるため、DMARC ポリシーを持つドメインでは一般的な選択です。',
    },
  },
  'spf-fail-all': {
    severity: 'info',
    protocol: 'spf',
    en: {
      title: 'SPF ends in -all (fail)',
      message: (a) =>
        `"${a.term}": mail from unlisted servers gets fail. For DMARC this is the same as softfail (SPF did not pass), but some receivers reject SPF fail during the SMTP session, before DKIM and DMARC are evaluated.`,
      why: 'RFC 7489 s10.1: rejecting on SPF fail before DMARC loses mail that DMARC would have accepted through DKIM, typically forwarded mail. With an enforcing DMARC policy, ~all gives the same protection; -all is right for domains that send no mail.',
    },
    ja: {
      title: 'SPF が -all（フェイル）で終わっています',
      message: (a) =>
        `"${a.term}": 列挙されていないサーバーからのメールは fail になります。DMARC にとっては softfail と同じ（SPF 不合格）ですが、一部の受信側は DKIM や DMARC を評価する前の SMTP の段階で SPF fail のメールを拒否します。`,
      why: 'RFC 7489 10.1 節: DMARC より先に SPF fail で拒否すると、DKIM によって DMARC が受け入れたはずのメール（主に転送メール）が失われます。DMARC ポリシーが強制なら ~all でも同じ防御になり、-all はメールを送らないドメインに向いています。',
    },
  },
  'spf-terms-after-all': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'Terms after all are never used',
      message: (a) => `"${a.terms}" come after "${a.all}"; evaluation stops at all, so they are ignored.`,
      why: 'RFC 7208 s4.6.2: mechanisms are evaluated left to right and all always matches, so anything after it never takes effect; servers listed there are not authorised.',
      fix: (a) => `Move "${a.terms}" before "${a.all}", or remove them.`,
    },
    ja: {
      title: 'all の後の項は使われません',
      message: (a) => `"${a.terms}" が "${a.all}" の後にあります。評価は all で止まるため、無視されます。`,
      why: 'RFC 7208 4.6.2 節: メカニズムは左から順に評価され、all は必ず一致するため、その後の項は効きません。そこに書いたサーバーは許可されていません。',
      fix: (a) => `"${a.terms}" を "${a.all}" の前に移すか、削除してください。`,
    },
  },
  'spf-multiple-all': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'More than one all',
      message: (a) => `The record has ${a.count} all mechanisms; only the first is ever used.`,
      why: 'Evaluation stops at the first all, so the others are dead text that hides which result really applies.',
      fix: () => 'Keep only the last term as a single all (~all or -all) and remove the others.',
    },
    ja: {
      title: 'all が複数あります',
      message: (a) => `レコードに all メカニズムが ${a.count} 個あります。使われるのは最初の 1 つだけです。`,
      why: '評価は最初の all で止まるため、残りは意味がなく、実際にどの結果になるかを分かりにくくします。',
      fix: () => '最後の項として all を 1 つだけ（~all か -all）残し、他は削除してください。',
    },
  },
  'spf-redirect-ignored': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'redirect= is ignored because of all',
      message: (a) => `"${a.redirect}" has no effect: the record also has "${a.all}".`,
      why: 'RFC 7208 s6.1: redirect= is used only when no mechanism matches, and it is ignored when the record contains an all mechanism anywhere.',
      fix: (a) =>
        `Remove "${a.all}" to use the redirect, or remove "${a.redirect}" if the all is what you mean.`,
    },
    ja: {
      title: 'all があるため redirect= が無視されます',
      message: (a) => `レコードに "${a.all}" もあるため、"${a.redirect}" は効きません。`,
      why: 'RFC 7208 6.1 節: redirect= はどのメカニズムにも一致しなかったときだけ使われ、レコードのどこかに all があると無視されます。',
      fix: (a) =>
        `redirect を使うなら "${a.all}" を削除し、all の結果が意図どおりなら "${a.redirect}" を削除してください。`,
    },
  },
  'spf-unknown-modifier': {
    severity: 'info',
    protocol: 'spf',
    en: {
      title: 'Unknown modifier',
      message: (a) => `"${a.term}" is a modifier receivers do not know (${a.name}=); it is ignored.`,
      why: 'RFC 7208 s6: unknown modifiers are allowed and ignored. Often it is a leftover from a draft (default=) or a typo of redirect= or exp=.',
      fix: (a) =>
        `Remove "${a.term}" unless a tool you use reads it; check it is not a misspelt redirect= or exp=.`,
    },
    ja: {
      title: '未知の修飾子',
      message: (a) => `"${a.term}" は受信側が知らない修飾子（${a.name}=）で、無視されます。`,
      why: 'RFC 7208 6 節: 未知の修飾子は書いてもよく、無視されます。古い草案の名残（default=）や redirect=・exp= の綴り間違いであることが多いです。',
      fix: (a) =>
        `利用しているツールが読むものでなければ "${a.term}" を削除してください。redirect= や exp= の綴り間違いでないかも確認してください。`,
    },
  },
  'spf-ptr-mechanism': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'ptr mechanism used',
      message: (a) => `"${a.term}" uses the ptr mechanism, which RFC 7208 says should not be used.`,
      why: 'RFC 7208 s5.5: ptr is slow, unreliable (it depends on reverse DNS the sender may not control, and only the first 10 PTR names are checked) and costs a DNS lookup; many large receivers skip it, so servers it is meant to authorise may fail SPF.',
      fix: (a) =>
        `Replace "${a.term}" with ip4:/ip6: ranges or a: entries for the servers it was meant to cover.`,
    },
    ja: {
      title: 'ptr メカニズムが使われています',
      message: (a) => `"${a.term}" は、RFC 7208 が使うべきでないとしている ptr メカニズムです。`,
      why: 'RFC 7208 5.5 節: ptr は遅く信頼性が低く（送信者が管理していないこともある逆引き DNS に依存し、調べるのは PTR 名の最初の 10 個だけ）、DNS 参照も 1 回消費します。大手の受信側の多くはこれを評価しないため、許可したつもりのサーバーが SPF に不合格となることがあります。',
      fix: (a) => `"${a.term}" を、対象のサーバーを表す ip4:/ip6: の範囲や a: に置き換えてください。`,
    },
  },
  'spf-p-macro': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: '%{p} macro used',
      message: (a) => `"${a.term}" uses the %{p} macro (the validated reverse-DNS name of the client).`,
      why: 'RFC 7208 s7.3: %{p} should not be used; it needs the same slow, unreliable reverse lookups as ptr, and many receivers expand it to "unknown".',
      fix: (a) => `Rewrite "${a.term}" without %{p}, for example with %{i} (the client address).`,
    },
    ja: {
      title: '%{p} マクロが使われています',
      message: (a) => `"${a.term}" は %{p} マクロ（接続元の検証済み逆引き名）を使っています。`,
      why: 'RFC 7208 7.3 節: %{p} は使うべきではありません。ptr と同じく遅く信頼性の低い逆引きが必要で、多くの受信側は "unknown" に展開します。',
      fix: (a) =>
        `"${a.term}" を %{p} を使わない形に書き換えてください（例えば接続元アドレスの %{i} を使う）。`,
    },
  },
  'spf-invalid-target-name': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'Target is not a valid DNS name',
      message: (a) =>
        `"${a.term}" points to "${a.target}", which cannot be looked up: ${a.reason === 'empty-label' ? 'it has an empty label (two dots in a row)' : a.reason === 'label-too-long' ? 'a label is longer than 63 characters' : 'the name is longer than 253 characters'}.`,
      why: 'RFC 7208 leaves such names undefined: some receivers treat the term as not matching, others return permerror.',
      fix: (a) => `Correct the domain in "${a.term}".`,
    },
    ja: {
      title: '参照先が DNS 名として不正です',
      message: (a) =>
        `"${a.term}" の参照先 "${a.target}" は問い合わせできません。${a.reason === 'empty-label' ? '空のラベル（ドットの連続）があります' : a.reason === 'label-too-long' ? '63 文字を超えるラベルがあります' : '名前が 253 文字を超えています'}。`,
      why: 'RFC 7208 はこのような名前の扱いを定めておらず、一致しないとみなす受信側も permerror を返す受信側もあります。',
      fix: (a) => `"${a.term}" のドメイン名を直してください。`,
    },
  },
  'spf-duplicate-include': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'Same domain included more than once',
      message: (a) =>
        a.sameRecord
          ? `include:${a.target} appears ${a.count} times in the same record.`
          : `${a.target} is included from ${a.count} records (${a.from}); each include is evaluated again and costs its lookups again.`,
      why: 'Every include is evaluated on its own and counts toward the limit of 10 DNS lookups; a repeated one adds cost and no servers.',
      fix: (a) =>
        a.sameRecord
          ? `Keep one include:${a.target}.`
          : `Include ${a.target} in one place only (remove it from the records that also reach it through another include).`,
    },
    ja: {
      title: '同じドメインを複数回 include しています',
      message: (a) =>
        a.sameRecord
          ? `include:${a.target} が同じレコードに ${a.count} 回あります。`
          : `${a.target} が ${a.count} 件のレコード（${a.from}）から include されています。include のたびに評価し直され、DNS 参照も重ねて消費します。`,
      why: 'include はそれぞれ個別に評価され、10 回の DNS 参照の上限に数えられます。重複しても許可されるサーバーは増えず、参照回数だけが増えます。',
      fix: (a) =>
        a.sameRecord
          ? `include:${a.target} を 1 つだけ残してください。`
          : `${a.target} の include を 1 か所だけにしてください（別の include 経由でも届くレコードから削除します）。`,
    },
  },
  'spf-broad-ip-range': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'Very wide address range',
      message: (a) => `"${a.term}" authorises a /${a.prefix} range, a very large part of the internet.`,
      why: 'Prefixes shorter than /8 (IPv4) or /24 (IPv6) let far more hosts pass SPF than any organisation runs mail servers on; a /0 is the same as +all.',
      fix: (a) => `Replace "${a.term}" with the exact addresses or narrow ranges of your sending servers.`,
    },
    ja: {
      title: 'アドレス範囲が広すぎます',
      message: (a) =>
        `"${a.term}" は /${a.prefix} の範囲、つまりインターネットの非常に大きな部分を許可しています。`,
      why: 'IPv4 で /8、IPv6 で /24 より短いプレフィックスは、どの組織が運用するメールサーバーよりもはるかに多いホストを SPF に合格させます。/0 は +all と同じです。',
      fix: (a) => `"${a.term}" を、送信サーバーの正確なアドレスや狭い範囲に置き換えてください。`,
    },
  },
  'spf-private-ip': {
    severity: 'info',
    protocol: 'spf',
    en: {
      title: 'Private or reserved address',
      message: (a) => `"${a.term}" is in a ${a.range} range that never appears as a sender on the internet.`,
      why: 'Receivers on the internet only see public addresses; private, loopback and link-local entries do nothing there (they may be meant for internal relays, which is usually better handled without SPF).',
      fix: (a) =>
        `Remove "${a.term}" unless an internal receiver checks SPF; list the public address your mail leaves from.`,
    },
    ja: {
      title: 'プライベート・予約済みアドレス',
      message: (a) => `"${a.term}" は、インターネット上の送信元としては現れない ${a.range} の範囲です。`,
      why: 'インターネット上の受信側に見えるのはグローバルアドレスだけで、プライベート・ループバック・リンクローカルのアドレスは意味を持ちません（内部中継用のつもりなら、SPF 以外で扱うほうが普通です）。',
      fix: (a) =>
        `内部の受信サーバーが SPF を確認するのでなければ "${a.term}" を削除し、メールが外に出るときのグローバルアドレスを列挙してください。`,
    },
  },
  'spf-parked-not-deny-all': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'Parked domain allows senders',
      message: () =>
        'The domain is marked as parked (sends no mail), but its SPF record is not "v=spf1 -all".',
      why: 'A domain that sends no mail should say so: "v=spf1 -all" makes every message claiming to come from it fail SPF, which together with DMARC p=reject stops spoofing.',
      fix: () => 'Replace the record with: v=spf1 -all',
    },
    ja: {
      title: '未使用ドメインが送信を許可しています',
      message: () =>
        'このドメインは未使用（メールを送らない）とされていますが、SPF レコードが "v=spf1 -all" ではありません。',
      why: 'メールを送らないドメインはそれを明示すべきです。"v=spf1 -all" にすれば、このドメインを名乗るすべてのメールが SPF に不合格となり、DMARC の p=reject と組み合わせてなりすましを防げます。',
      fix: () => 'レコードを次のものに置き換えてください: v=spf1 -all',
    },
  },
  'spf-type99-record': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'Obsolete SPF-type (99) record',
      message: (a) =>
        `${a.name} has a DNS record of type SPF (99)${a.same ? ', the same as its TXT record' : ' that differs from its TXT record'}; receivers ignore it.`,
      why: 'RFC 7208 s3.1 removed the SPF record type: only TXT records are used. A type-99 record that differs from the TXT one is a trap for whoever maintains the zone.',
      fix: (a) => `Delete the SPF-type record at ${a.name} and keep the TXT record only.`,
    },
    ja: {
      title: '廃止された SPF 型（99）のレコード',
      message: (a) =>
        `${a.name} に SPF 型（99）の DNS レコードがあります${a.same ? '（TXT レコードと同じ内容）' : '（TXT レコードと内容が異なります）'}。受信側はこれを無視します。`,
      why: 'RFC 7208 3.1 節で SPF 型のレコードは廃止され、TXT レコードだけが使われます。TXT と内容の違う 99 型レコードは、ゾーンを管理する人の混乱のもとになります。',
      fix: (a) => `${a.name} の SPF 型レコードを削除し、TXT レコードだけを残してください。`,
    },
  },
  'spf-sender-id-record': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'Obsolete Sender ID record',
      message: (a) => `${a.name} publishes a Sender ID record ("${a.record}").`,
      why: 'Sender ID (RFC 4406, spf2.0/...) is an abandoned experiment; no major receiver uses it, and it can make mail from forwarders and mailing lists look forged to the few that still do.',
      fix: (a) => `Delete the spf2.0 record at ${a.name}; keep the v=spf1 record.`,
    },
    ja: {
      title: '廃止された Sender ID レコード',
      message: (a) => `${a.name} に Sender ID のレコード（"${a.record}"）があります。`,
      why: 'Sender ID（RFC 4406、spf2.0/...）は廃れた実験的仕様で、主要な受信側は使っていません。まだ使う一部の受信側では、転送やメーリングリスト経由のメールがなりすましに見えることがあります。',
      fix: (a) => `${a.name} の spf2.0 レコードを削除し、v=spf1 のレコードを残してください。`,
    },
  },
  'spf-too-many-lookups': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Too many DNS lookups',
      message: (a) =>
        `Evaluating the SPF record of ${a.domain} takes ${atLeast(a, 'en')}${a.count} DNS lookups; receivers stop at ${a.limit} and return permerror.${a.top ? ` Most lookups come from: ${a.top}.` : ''}`,
      why: 'RFC 7208 s4.6.4: include, a, mx, ptr, exists and redirect each cost a lookup, counted through every include. Past 10, every receiver returns permerror and SPF never passes.',
      fix: () =>
        'Reduce the lookups: remove includes of services you no longer use, replace a and mx with ip4/ip6 where the addresses are stable, drop ptr, or move a sender to a subdomain with its own SPF record.',
    },
    ja: {
      title: 'DNS 参照が多すぎます',
      message: (a) =>
        `${a.domain} の SPF レコードの評価には ${atLeast(a, 'ja')}${a.count} 回の DNS 参照が必要です。受信側は ${a.limit} 回で打ち切り、permerror を返します。${a.top ? `参照の多くは次によるものです: ${a.top}。` : ''}`,
      why: 'RFC 7208 4.6.4 節: include、a、mx、ptr、exists、redirect はそれぞれ 1 回の参照として、include の先まで通して数えます。10 回を超えるとすべての受信側が permerror を返し、SPF は決して合格しません。',
      fix: () =>
        '参照を減らしてください。使わなくなったサービスの include を削除する、アドレスが変わらないなら a や mx を ip4/ip6 に置き換える、ptr をやめる、送信元をサブドメインに分けて別の SPF レコードを持たせる、などの方法があります。',
    },
  },
  'spf-lookups-near-limit': {
    severity: 'info',
    protocol: 'spf',
    en: {
      title: 'Close to the DNS lookup limit',
      message: (a) =>
        `Evaluating the SPF record of ${a.domain} takes ${atLeast(a, 'en')}${a.count} of the ${a.limit} allowed DNS lookups.${a.top ? ` Most lookups come from: ${a.top}.` : ''}`,
      why: 'Providers change their own SPF records without notice; one more include on their side can push the total over 10 and turn every check into permerror.',
      fix: () => 'Keep a margin: remove includes you no longer need before adding new ones.',
    },
    ja: {
      title: 'DNS 参照の上限に近づいています',
      message: (a) =>
        `${a.domain} の SPF レコードの評価には、上限 ${a.limit} 回のうち ${atLeast(a, 'ja')}${a.count} 回の DNS 参照が必要です。${a.top ? `参照の多くは次によるものです: ${a.top}。` : ''}`,
      why: '送信サービス側は自社の SPF レコードを予告なく変更します。先方で include が 1 つ増えるだけで合計が 10 回を超え、すべての判定が permerror になり得ます。',
      fix: () => '余裕を残してください。新しい include を加える前に、不要になった include を削除します。',
    },
  },
  'spf-too-many-void-lookups': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Too many void DNS lookups',
      message: (a) =>
        `Evaluating the SPF record of ${a.domain} makes ${atLeast(a, 'en')}${a.count} lookups that return no answer (NXDOMAIN or no records); receivers stop at ${a.limit} and return permerror.`,
      why: 'RFC 7208 s4.6.4: more than 2 lookups that find nothing make receivers return permerror. They usually point at hosts or services that no longer exist.',
      fix: () =>
        'Remove the a:, mx:, include: and exists: terms whose names no longer exist or have no records (see the findings for each one).',
    },
    ja: {
      title: '空の DNS 参照が多すぎます',
      message: (a) =>
        `${a.domain} の SPF レコードの評価で、応答が空（NXDOMAIN またはレコードなし）の参照が ${atLeast(a, 'ja')}${a.count} 回あります。受信側は ${a.limit} 回で打ち切り、permerror を返します。`,
      why: 'RFC 7208 4.6.4 節: 何も見つからない参照が 2 回を超えると、受信側は permerror を返します。たいていは、もう存在しないホストやサービスを指しています。',
      fix: () =>
        '名前が存在しない、またはレコードのない a:、mx:、include:、exists: の項を削除してください（それぞれの指摘を参照）。',
    },
  },
  'spf-include-loop': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Include loop',
      message: (a) => `The includes form a loop: ${a.chain}.`,
      why: 'A loop never ends: receivers run into the lookup limit and return permerror.',
      fix: (a) => `Remove the include that points back to ${a.target}.`,
    },
    ja: {
      title: 'include がループしています',
      message: (a) => `include がループしています: ${a.chain}。`,
      why: 'ループは終わらないため、受信側は参照回数の上限に達して permerror を返します。',
      fix: (a) => `${a.target} に戻る include を削除してください。`,
    },
  },
  'spf-redirect-loop': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Redirect loop',
      message: (a) => `redirect= leads back to a record already being evaluated: ${a.chain}.`,
      why: 'A loop never ends: receivers run into the lookup limit and return permerror.',
      fix: (a) => `Point the redirect= at a domain whose record does not lead back to ${a.target}.`,
    },
    ja: {
      title: 'redirect がループしています',
      message: (a) => `redirect= が評価中のレコードに戻っています: ${a.chain}。`,
      why: 'ループは終わらないため、受信側は参照回数の上限に達して permerror を返します。',
      fix: (a) => `redirect= の先を、${a.target} に戻らないドメインにしてください。`,
    },
  },
  'spf-too-many-mx': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'mx target has more than 10 MX records',
      message: (a) =>
        `"${a.term}": ${a.target} has ${a.count} MX records; receivers look at no more than ${a.limit} and return permerror.`,
      why: 'RFC 7208 s4.6.4: an mx mechanism whose name has more than 10 MX records makes receivers return permerror.',
      fix: (a) =>
        `Replace "${a.term}" with ip4:/ip6: ranges of the servers that send mail, or with a: entries for them.`,
    },
    ja: {
      title: 'mx の対象に MX レコードが 10 件を超えてあります',
      message: (a) =>
        `"${a.term}": ${a.target} には MX レコードが ${a.count} 件あります。受信側が見るのは ${a.limit} 件までで、permerror を返します。`,
      why: 'RFC 7208 4.6.4 節: mx メカニズムの対象名に MX レコードが 10 件を超えてあると、受信側は permerror を返します。',
      fix: (a) => `"${a.term}" を、送信するサーバーの ip4:/ip6: の範囲や a: に置き換えてください。`,
    },
  },
  'spf-a-no-address': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'a target has no address',
      message: (a) =>
        `"${a.term}": ${a.target} has no A or AAAA record, so the term never matches (a void lookup).`,
      why: 'A name without addresses authorises no server and counts toward the limit of 2 void lookups.',
      fix: (a) => `Remove "${a.term}", or correct the name to a host that sends mail.`,
    },
    ja: {
      title: 'a の対象にアドレスがありません',
      message: (a) =>
        `"${a.term}": ${a.target} には A レコードも AAAA レコードもないため、この項は一致しません（空の参照）。`,
      why: 'アドレスのない名前はどのサーバーも許可せず、空の参照の上限 2 回に数えられます。',
      fix: (a) => `"${a.term}" を削除するか、メールを送るホストの名前に直してください。`,
    },
  },
  'spf-mx-no-records': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'mx target has no MX records',
      message: (a) =>
        a.nullMx
          ? `"${a.term}": ${a.target} publishes a null MX (it receives no mail), so the term never matches.`
          : `"${a.term}": ${a.target} has no MX records, so the term never matches (a void lookup).`,
      why: 'RFC 7208 s5.4: mx does not fall back to the A record; a name without MX authorises no server, and an empty answer counts toward the limit of 2 void lookups.',
      fix: (a) => `Remove "${a.term}", or list the sending servers with ip4:/ip6: or a:.`,
    },
    ja: {
      title: 'mx の対象に MX レコードがありません',
      message: (a) =>
        a.nullMx
          ? `"${a.term}": ${a.target} は null MX（メールを受け取らない）を公開しているため、この項は一致しません。`
          : `"${a.term}": ${a.target} には MX レコードがないため、この項は一致しません（空の参照）。`,
      why: 'RFC 7208 5.4 節: mx は A レコードで代用しません。MX のない名前はどのサーバーも許可せず、空の応答は空の参照の上限 2 回に数えられます。',
      fix: (a) => `"${a.term}" を削除するか、送信サーバーを ip4:/ip6: や a: で列挙してください。`,
    },
  },
  'spf-mx-host-no-address': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'MX host has no address',
      message: (a) =>
        `"${a.term}": the MX host ${a.host} of ${a.target} has no A or AAAA record (a void lookup).`,
      why: 'An MX host without addresses authorises no server and counts toward the limit of 2 void lookups.',
      fix: (a) => `Fix or remove the MX record pointing to ${a.host}.`,
    },
    ja: {
      title: 'MX ホストにアドレスがありません',
      message: (a) =>
        `"${a.term}": ${a.target} の MX ホスト ${a.host} には A レコードも AAAA レコードもありません（空の参照）。`,
      why: 'アドレスのない MX ホストはどのサーバーも許可せず、空の参照の上限 2 回に数えられます。',
      fix: (a) => `${a.host} を指す MX レコードを直すか削除してください。`,
    },
  },
  'spf-include-no-spf': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'Included domain has no SPF record',
      message: (a) =>
        `"${a.term}": ${a.target} ${a.reason === 'nxdomain' ? 'does not exist' : 'publishes no SPF record'}; receivers return permerror when they reach this include.`,
      why: 'RFC 7208 s5.2: including a domain without an SPF record is a permerror, not a non-match. It usually means the service moved its record or the name is misspelt.',
      fix: (a) =>
        `Check the service's current instructions for the right include name, or remove "${a.term}".`,
    },
    ja: {
      title: 'include 先に SPF レコードがありません',
      message: (a) =>
        `"${a.term}": ${a.target} ${a.reason === 'nxdomain' ? 'は存在しません' : 'には SPF レコードがありません'}。受信側はこの include に達すると permerror を返します。`,
      why: 'RFC 7208 5.2 節: SPF レコードのないドメインを include すると、不一致ではなく permerror になります。サービス側がレコードを移したか、名前の綴りが誤っていることがほとんどです。',
      fix: (a) => `サービスの最新の案内で正しい include 名を確認するか、"${a.term}" を削除してください。`,
    },
  },
  'spf-redirect-no-spf': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'redirect= target has no SPF record',
      message: (a) =>
        `"${a.term}": ${a.target} ${a.reason === 'nxdomain' ? 'does not exist' : 'publishes no SPF record'}; receivers return permerror.`,
      why: 'RFC 7208 s6.1: if the redirect= target has no SPF record, the result is permerror, so SPF never passes for the domain.',
      fix: (a) =>
        `Point redirect= at a domain with a valid SPF record, or replace "${a.term}" with the mechanisms themselves.`,
    },
    ja: {
      title: 'redirect= の先に SPF レコードがありません',
      message: (a) =>
        `"${a.term}": ${a.target} ${a.reason === 'nxdomain' ? 'は存在しません' : 'には SPF レコードがありません'}。受信側は permerror を返します。`,
      why: 'RFC 7208 6.1 節: redirect= の先に SPF レコードがないと結果は permerror となり、このドメインの SPF は決して合格しません。',
      fix: (a) =>
        `redirect= の先を正しい SPF レコードを持つドメインにするか、"${a.term}" をメカニズムそのものに置き換えてください。`,
    },
  },
  'spf-exp-unusable': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'exp= explanation cannot be used',
      message: (a) =>
        `"${a.term}": ${
          a.reason === 'multiple'
            ? `${a.target} has more than one TXT record`
            : a.reason === 'syntax'
              ? `the TXT record at ${a.target} is not a valid explanation string (${a.detail})`
              : a.reason === 'nxdomain'
                ? `${a.target} does not exist`
                : `${a.target} has no TXT record`
        }; receivers ignore the explanation and use their own text.`,
      why: 'RFC 7208 s6.2: the explanation is used only when the exp= name has exactly one TXT record with valid macros; otherwise rejected senders see a generic message.',
      fix: (a) =>
        `Publish exactly one TXT record at ${a.target} with the text to show (macros allowed), or remove "${a.term}".`,
    },
    ja: {
      title: 'exp= の説明文が使えません',
      message: (a) =>
        `"${a.term}": ${
          a.reason === 'multiple'
            ? `${a.target} に TXT レコードが複数あります`
            : a.reason === 'syntax'
              ? `${a.target} の TXT レコードが説明文として不正です（${a.detail}）`
              : a.reason === 'nxdomain'
                ? `${a.target} は存在しません`
                : `${a.target} に TXT レコードがありません`
        }。受信側は説明文を無視し、自前の文言を使います。`,
      why: 'RFC 7208 6.2 節: 説明文が使われるのは、exp= の名前に正しいマクロの TXT レコードがちょうど 1 つあるときだけです。そうでなければ、拒否された送信者には一般的なメッセージが表示されます。',
      fix: (a) =>
        `${a.target} に表示したい文言の TXT レコードを 1 つだけ公開するか（マクロ使用可）、"${a.term}" を削除してください。`,
    },
  },
  'spf-ptr-target-missing': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'ptr target does not exist',
      message: (a) => `"${a.term}": ${a.target} does not exist, so no reverse-DNS name can end in it.`,
      why: 'ptr matches only when the client reverse-resolves to a name under the target; a target that does not exist is almost always a typo.',
      fix: (a) => `Remove "${a.term}" and list the servers with ip4:/ip6: instead.`,
    },
    ja: {
      title: 'ptr の対象が存在しません',
      message: (a) => `"${a.term}": ${a.target} は存在しないため、逆引き名がこの下に入ることはありません。`,
      why: 'ptr は接続元の逆引き名が対象の下にあるときだけ一致します。存在しない対象はほぼ確実に入力ミスです。',
      fix: (a) => `"${a.term}" を削除し、代わりにサーバーを ip4:/ip6: で列挙してください。`,
    },
  },
  'spf-macro-not-followed': {
    severity: 'info',
    protocol: 'spf',
    en: {
      title: 'Macro term not followed',
      message: (a) =>
        `"${a.term}" depends on the message (it contains macros); Sumi counts it as one lookup but cannot look further without a sender.`,
      why: 'Macro targets are expanded per message (sender, client address ...), so a check without a message cannot know what they point to or what they cost further down.',
    },
    ja: {
      title: 'マクロを含む項は追跡していません',
      message: (a) =>
        `"${a.term}" はメッセージによって変わります（マクロを含む）。Sumi は参照 1 回として数えますが、送信者が分からないためその先は調べられません。`,
      why: 'マクロの参照先はメッセージごと（送信者、接続元アドレスなど）に展開されるため、メッセージなしの確認ではどこを指し、その先で何回参照するかは分かりません。',
    },
  },
  'spf-walk-limit-reached': {
    severity: 'warning',
    protocol: 'spf',
    en: {
      title: 'SPF tree not fully checked',
      message: (a) =>
        `Sumi stopped following the SPF tree: ${
          a.reason === 'depth'
            ? `includes and redirects are nested deeper than ${a.limit}`
            : a.reason === 'nodes'
              ? `it holds more than ${a.limit} records`
              : a.reason === 'queries'
                ? `it needs more than ${a.limit} DNS queries`
                : `it took longer than ${a.limit} ms`
        }. Counts are lower bounds.`,
      why: 'SPF records come from other parties and can be built to be expensive; Sumi caps depth, size, queries and time, as receivers do.',
      fix: () =>
        'Flatten the parts of the tree that are yours (fewer nested include: and redirect= levels, fewer records); a tree this large is also past the 10-lookup limit for receivers.',
    },
    ja: {
      title: 'SPF のツリーを最後まで確認していません',
      message: (a) =>
        `Sumi は SPF のツリーの追跡を途中でやめました。${
          a.reason === 'depth'
            ? `include や redirect の入れ子が ${a.limit} 段を超えています`
            : a.reason === 'nodes'
              ? `レコードが ${a.limit} 件を超えています`
              : a.reason === 'queries'
                ? `DNS の問い合わせが ${a.limit} 回を超えます`
                : `${a.limit} ミリ秒を超えました`
        }。数値は下限です。`,
      why: 'SPF レコードは他者が書いたもので、わざと重く作ることもできます。Sumi は受信側と同じく、深さ・件数・問い合わせ数・時間に上限を設けています。',
      fix: () =>
        'ツリーのうち自分で管理している部分を浅くしてください（include: や redirect= の入れ子を減らし、レコードの数を減らす）。これほど大きなツリーは、受信側の 10 回の参照上限も超えています。',
    },
  },
} satisfies FindingCatalog;
