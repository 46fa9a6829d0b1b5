import type { FindingArgs, FindingCatalog, FindingEntry } from '../catalog.ts';
import { dnsStatusText } from './mx.ts';

/** Which record a DKIM finding is about, in a sentence. */
const rec = {
  en: (a: FindingArgs) => (a.name ? `The DKIM key record at ${a.name}` : 'The DKIM key record'),
  ja: (a: FindingArgs) => (a.name ? `${a.name} の DKIM 鍵レコード` : 'DKIM 鍵レコード'),
};
const at = {
  en: (a: FindingArgs) => (a.name ? ` at ${a.name}` : ''),
  ja: (a: FindingArgs) => (a.name ? `${a.name} に` : ''),
};
const recAt = (a: FindingArgs) => (a.name ? `${a.name} のレコード` : 'このレコード');
const atWa = (a: FindingArgs) => (a.name ? `${a.name} には` : '');

const syntaxProblem = {
  en: (a: FindingArgs): string => {
    switch (a.problem) {
      case 'no-equals':
        return `"${a.near}" is not a tag=value pair (no "=")`;
      case 'bad-tag-name':
        return `"${a.near}" does not start with a valid tag name (a letter, then letters, digits or "_")`;
      case 'bad-value-char':
        return `the value in "${a.near}" holds characters a tag value cannot (only visible ASCII other than ";")`;
      case 'invalid-utf8':
        return 'it contains bytes that are not valid UTF-8 (a key record is plain ASCII)';
      default:
        return String(a.problem);
    }
  },
  ja: (a: FindingArgs): string => {
    switch (a.problem) {
      case 'no-equals':
        return `"${a.near}" が tag=value の形になっていません（"=" がありません）`;
      case 'bad-tag-name':
        return `"${a.near}" が正しいタグ名（英字で始まり、英数字か "_" が続く）で始まっていません`;
      case 'bad-value-char':
        return `"${a.near}" の値に使えない文字があります（";" 以外の表示可能な ASCII 文字のみ使えます）`;
      case 'invalid-utf8':
        return 'UTF-8 として正しくないバイトが含まれています（鍵レコードは ASCII のみで書きます）';
      default:
        return String(a.problem);
    }
  },
};

const newKeySteps = {
  en: (a: FindingArgs) =>
    `Generate a 2048-bit RSA key (openssl genrsa -out dkim.key 2048; openssl rsa -in dkim.key -pubout -outform der | openssl base64 -A), publish "v=DKIM1; k=rsa; p=<that base64>" under a new selector, switch your mail server or provider to sign with it, and after a few days publish "v=DKIM1; p=" at ${a.name ?? 'the old selector'} to revoke the old key.`,
  ja: (a: FindingArgs) =>
    `2048 ビットの RSA 鍵を生成し（openssl genrsa -out dkim.key 2048; openssl rsa -in dkim.key -pubout -outform der | openssl base64 -A）、新しいセレクタに "v=DKIM1; k=rsa; p=<その base64>" を公開して、メールサーバーや配信サービスの署名をその鍵に切り替えてください。数日後、${a.name ?? '古いセレクタ'} に "v=DKIM1; p=" を公開して古い鍵を失効させてください。`,
};

const entries = {
  'dkim-dns-error': {
    severity: 'warning',
    protocol: 'dkim',
    en: {
      title: 'DKIM key lookup failed',
      message: (a) =>
        `Could not look up the DKIM key for selector(s) ${a.selectors} of ${a.domain} (${dnsStatusText.en(a)}); whether those keys exist is unknown.`,
      why: 'Receivers that hit the same failure cannot verify signatures made with these selectors, and mail may fail DKIM (and DMARC) while it lasts.',
      fix: (a) =>
        `Check that every authoritative DNS server of ${a.domain} answers TXT queries for <selector>._domainkey.${a.domain}, then check again.`,
    },
    ja: {
      title: 'DKIM 鍵の問い合わせに失敗しました',
      message: (a) =>
        `${a.domain} のセレクタ ${a.selectors} の DKIM 鍵を問い合わせられませんでした（${dnsStatusText.ja(a)}）。鍵があるかどうかは分かりません。`,
      why: '受信側でも同じ失敗が起きると、これらのセレクタで付けた署名を検証できず、その間メールが DKIM（と DMARC）で不合格になることがあります。',
      fix: (a) =>
        `${a.domain} の権威 DNS サーバーすべてが <セレクタ>._domainkey.${a.domain} の TXT 問い合わせに応答するか確認し、もう一度チェックしてください。`,
    },
  },
  'dkim-selectors-found': {
    severity: 'info',
    protocol: 'dkim',
    en: {
      title: 'DKIM keys found',
      message: (a) => `${a.domain} publishes DKIM keys for selector(s): ${a.selectors}.`,
      why: 'These are the keys receivers use to verify this domain’s DKIM signatures; other selectors may exist that cannot be seen from DNS.',
    },
    ja: {
      title: 'DKIM 鍵が見つかりました',
      message: (a) => `${a.domain} はセレクタ ${a.selectors} の DKIM 鍵を公開しています。`,
      why: '受信側はこれらの鍵でこのドメインの DKIM 署名を検証します。DNS からは見えない別のセレクタがある可能性もあります。',
    },
  },
  'dkim-selectors-not-found': {
    severity: 'info',
    protocol: 'dkim',
    en: {
      title: 'No DKIM key among the common selectors',
      message: (a) =>
        `None of the ${a.count} common DKIM selectors has a key at ${a.domain}. DKIM selectors cannot be listed from DNS, so the domain may still sign with a selector Sumi did not guess.`,
      why: 'A receiver learns the selector from each message’s DKIM-Signature header; without a message, only known names can be tried.',
      fix: (a) =>
        `Look at the DKIM-Signature header (s= tag) of a message sent from ${a.domain} and run the check again with --selectors <that selector>.`,
    },
    ja: {
      title: '一般的なセレクタに DKIM 鍵はありません',
      message: (a) =>
        `${a.domain} には、よく使われる ${a.count} 個のセレクタのどれにも DKIM 鍵がありません。DKIM のセレクタは DNS から一覧できないため、Sumi が推測しなかったセレクタで署名している可能性があります。`,
      why: '受信側はメールごとの DKIM-Signature ヘッダーからセレクタを知ります。メールがなければ、既知の名前を試すことしかできません。',
      fix: (a) =>
        `${a.domain} から送ったメールの DKIM-Signature ヘッダー（s= タグ）を確認し、--selectors <そのセレクタ> を付けてもう一度チェックしてください。`,
    },
  },
  'dkim-selector-missing': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'No DKIM key for the selector',
      message: (a) => `There is no DKIM key record at ${a.name} (selector "${a.selector}").`,
      why: 'Mail signed with this selector fails DKIM verification, and DMARC then depends on SPF alone.',
      fix: (a) =>
        `Publish the public key your mail server or provider gives you for selector "${a.selector}" as a TXT record at ${a.name} ("v=DKIM1; k=rsa; p=..."), or stop signing with this selector.`,
    },
    ja: {
      title: 'セレクタの DKIM 鍵がありません',
      message: (a) => `${a.name}（セレクタ "${a.selector}"）に DKIM 鍵レコードがありません。`,
      why: 'このセレクタで署名したメールは DKIM 検証に失敗し、DMARC は SPF だけが頼りになります。',
      fix: (a) =>
        `メールサーバーや配信サービスが示すセレクタ "${a.selector}" の公開鍵を、${a.name} に TXT レコード（"v=DKIM1; k=rsa; p=..."）として公開してください。使っていないセレクタなら、そのセレクタでの署名をやめてください。`,
    },
  },
  'dkim-cname-dangling': {
    severity: 'warning',
    protocol: 'dkim',
    en: {
      title: 'DKIM selector points to nothing',
      message: (a) => `${a.name} is a CNAME to ${a.target}, which has no DKIM key.`,
      why: 'Mail signed with this selector fails DKIM. With Microsoft 365 this usually means DKIM signing was never enabled for the domain, so the provider has not created the key yet.',
      fix: (a) =>
        `Enable DKIM signing for the domain at the provider ${a.target} belongs to (for Microsoft 365: Microsoft Defender portal > Email authentication settings > DKIM), or delete the CNAME at ${a.name} if the selector is not used.`,
    },
    ja: {
      title: 'DKIM セレクタの参照先に鍵がありません',
      message: (a) => `${a.name} は ${a.target} への CNAME ですが、参照先に DKIM 鍵がありません。`,
      why: 'このセレクタで署名したメールは DKIM に失敗します。Microsoft 365 の場合、多くはこのドメインで DKIM 署名が有効化されておらず、鍵がまだ作られていないことを意味します。',
      fix: (a) =>
        `${a.target} を管理するサービス側でこのドメインの DKIM 署名を有効にしてください（Microsoft 365 なら Microsoft Defender ポータルの「メール認証の設定」>「DKIM」）。使っていないセレクタなら ${a.name} の CNAME を削除してください。`,
    },
  },
  'dkim-multiple-records': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'Several DKIM key records for one selector',
      message: (a) => `${a.name} holds ${a.count} DKIM key records; a selector must hold one.`,
      why: 'RFC 6376 leaves the choice to the verifier, so signatures may verify at one receiver and fail at another depending on which record it picks.',
      fix: (a) => `Keep only the key record your mail is signed with at ${a.name} and delete the others.`,
    },
    ja: {
      title: '1 つのセレクタに DKIM 鍵レコードが複数あります',
      message: (a) =>
        `${a.name} に DKIM 鍵レコードが ${a.count} 件あります。1 つのセレクタに置けるのは 1 件です。`,
      why: 'どのレコードを使うかは検証側まかせ（RFC 6376）なので、受信側によって署名が検証できたりできなかったりします。',
      fix: (a) => `${a.name} には実際に署名に使っている鍵のレコードだけを残し、ほかは削除してください。`,
    },
  },
  'dkim-record-too-large': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'DKIM key record too large',
      message: (a) => `${rec.en(a)} is ${a.length} characters long; Sumi reads at most ${a.max}.`,
      why: 'Even an 8192-bit RSA key record is about 1,500 characters; a record this size is broken or hostile, and many resolvers cannot carry it.',
      fix: (a) =>
        `Replace the record${at.en(a)} with a single "v=DKIM1; k=rsa; p=<key>" record holding a 2048-bit key.`,
    },
    ja: {
      title: 'DKIM 鍵レコードが大きすぎます',
      message: (a) => `${rec.ja(a)}は ${a.length} 文字あります。Sumi が読むのは ${a.max} 文字までです。`,
      why: '8192 ビットの RSA 鍵でもレコードは約 1,500 文字です。この大きさのレコードは壊れているか悪意のあるもので、多くのリゾルバは運べません。',
      fix: (a) => `${atWa(a)}2048 ビット鍵の "v=DKIM1; k=rsa; p=<鍵>" レコードを 1 件だけ置いてください。`,
    },
  },
  'dkim-syntax-error': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'DKIM key record syntax error',
      message: (a) =>
        `${rec.en(a)} is not a valid tag list: ${syntaxProblem.en(a)}${a.position !== undefined ? ` (at position ${a.position})` : ''}.`,
      why: 'Verifiers reject a key record they cannot parse, so every signature with this selector fails.',
      fix: (a) =>
        `Rewrite the record${at.en(a)} as tag=value pairs separated by semicolons, e.g. "v=DKIM1; k=rsa; p=MIIBIjANBgkq...".`,
    },
    ja: {
      title: 'DKIM 鍵レコードの構文エラー',
      message: (a) =>
        `${rec.ja(a)}はタグリストとして正しくありません。${syntaxProblem.ja(a)}${a.position !== undefined ? `（位置 ${a.position}）` : ''}。`,
      why: '解析できない鍵レコードは検証側で拒否され、このセレクタの署名はすべて失敗します。',
      fix: (a) =>
        `${recAt(a)}を、セミコロン区切りの tag=value の並び（例: "v=DKIM1; k=rsa; p=MIIBIjANBgkq..."）に書き直してください。`,
    },
  },
  'dkim-duplicate-tag': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'DKIM tag repeated',
      message: (a) => `${rec.en(a)} has the tag "${a.tag}=" more than once.`,
      why: 'RFC 6376 s3.2: a tag list with a repeated tag is invalid as a whole, so verifiers discard the key.',
      fix: (a) => `Keep one "${a.tag}=" tag in the record${at.en(a)} and delete the others.`,
    },
    ja: {
      title: 'DKIM のタグが重複しています',
      message: (a) => `${rec.ja(a)}に "${a.tag}=" タグが複数あります。`,
      why: 'RFC 6376 3.2 節により、タグが重複したタグリストは全体が無効になり、検証側は鍵を使いません。',
      fix: (a) => `${recAt(a)}の "${a.tag}=" タグを 1 つだけ残して、ほかは削除してください。`,
    },
  },
  'dkim-version-invalid': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'Wrong DKIM key record version',
      message: (a) => `${rec.en(a)} says v=${a.value}; the only version is "DKIM1" (case matters).`,
      why: 'RFC 6376 s3.6.1: verifiers discard key records whose v= is anything but DKIM1.',
      fix: (a) =>
        `Start the record${at.en(a)} with exactly "v=DKIM1;" (then a semicolon before the next tag).`,
    },
    ja: {
      title: 'DKIM 鍵レコードのバージョンが正しくありません',
      message: (a) =>
        `${rec.ja(a)}は v=${a.value} となっています。バージョンは "DKIM1"（大文字小文字も一致）だけです。`,
      why: 'RFC 6376 3.6.1 節により、v= が DKIM1 以外の鍵レコードは検証側で捨てられます。',
      fix: (a) =>
        `${recAt(a)}を、ちょうど "v=DKIM1;" で始めてください（次のタグの前にセミコロンを入れます）。`,
    },
  },
  'dkim-version-not-first': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'DKIM version tag not first',
      message: (a) => `${rec.en(a)} has "v=DKIM1" but not as its first tag.`,
      why: 'RFC 6376 s3.6.1 requires v= to be the first tag when present; strict verifiers discard the record otherwise.',
      fix: (a) =>
        `Move "v=DKIM1;" to the very beginning of the record${at.en(a)}, or remove it (it is optional).`,
    },
    ja: {
      title: 'DKIM のバージョンタグが先頭にありません',
      message: (a) => `${rec.ja(a)}に "v=DKIM1" がありますが、先頭のタグではありません。`,
      why: 'RFC 6376 3.6.1 節は、v= を書くなら先頭に置くよう求めています。厳密な検証側はそうでないレコードを捨てます。',
      fix: (a) => `${recAt(a)}の "v=DKIM1;" を先頭に移すか、削除してください（省略できます）。`,
    },
  },
  'dkim-key-tag-missing': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'No p= tag in the DKIM key record',
      message: (a) => `${rec.en(a)} has no "p=" tag, so it holds no public key.`,
      why: 'p= is the one required tag of a key record; without it verifiers have nothing to verify with.',
      fix: (a) =>
        `Publish "v=DKIM1; k=rsa; p=<base64 public key>" at ${a.name ?? 'the selector name'}, with the key your signer uses.`,
    },
    ja: {
      title: 'DKIM 鍵レコードに p= タグがありません',
      message: (a) => `${rec.ja(a)}に "p=" タグがなく、公開鍵が入っていません。`,
      why: 'p= は鍵レコードで唯一必須のタグです。これがないと検証側は検証に使う鍵がありません。',
      fix: (a) =>
        `${a.name ?? 'セレクタの名前'} に、署名に使っている鍵で "v=DKIM1; k=rsa; p=<base64 の公開鍵>" を公開してください。`,
    },
  },
  'dkim-key-revoked': {
    severity: 'warning',
    protocol: 'dkim',
    en: {
      title: 'DKIM key revoked',
      message: (a) => `${rec.en(a)} has an empty "p=": the key is revoked.`,
      why: 'Signatures made with a revoked key fail. That is right for a retired selector or a domain that sends no mail, and a problem if this selector still signs mail.',
      fix: (a) =>
        `If mail is still signed with selector "${a.selector ?? ''}", publish its public key at ${a.name ?? 'the selector name'} ("v=DKIM1; k=rsa; p=<key>"); if the key was retired on purpose, nothing needs doing.`,
    },
    ja: {
      title: 'DKIM 鍵は失効しています',
      message: (a) => `${rec.ja(a)}の "p=" が空です。この鍵は失効しています。`,
      why: '失効した鍵の署名は失敗します。使わなくなったセレクタやメールを送らないドメインなら正しい設定ですが、このセレクタでまだ署名しているなら問題です。',
      fix: (a) =>
        `セレクタ "${a.selector ?? ''}" でまだ署名しているなら、${a.name ?? 'セレクタの名前'} にその公開鍵（"v=DKIM1; k=rsa; p=<鍵>"）を公開してください。意図して廃止した鍵なら対応は不要です。`,
    },
  },
  'dkim-key-invalid-base64': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'DKIM public key is not base64',
      message: (a) => `The p= value of ${rec.en(a).replace(/^The /, 'the ')} is not valid base64.`,
      why: 'Verifiers cannot decode the key, so every signature with this selector fails. Usually the key was cut, or quotes or line breaks from a PEM file ended up in it.',
      fix: (a) =>
        `Publish the key again${at.en(a)}: take the lines between "-----BEGIN PUBLIC KEY-----" and "-----END PUBLIC KEY-----", join them without spaces, and put that after "p=".`,
    },
    ja: {
      title: 'DKIM 公開鍵が base64 ではありません',
      message: (a) => `${rec.ja(a)}の p= の値が正しい base64 ではありません。`,
      why: '検証側が鍵を復号できず、このセレクタの署名はすべて失敗します。多くは鍵が途中で切れているか、PEM ファイルの引用符や改行が混ざっています。',
      fix: (a) =>
        `${at.ja(a)}鍵を公開し直してください。"-----BEGIN PUBLIC KEY-----" と "-----END PUBLIC KEY-----" の間の行を空白なしでつなげ、"p=" の後に置きます。`,
    },
  },
  'dkim-key-invalid': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'DKIM public key cannot be decoded',
      message: (a) =>
        `The p= value of ${rec.en(a).replace(/^The /, 'the ')} is base64, but not a valid ${a.keyType} public key.`,
      why: 'Verifiers cannot use the key, so every signature with this selector fails. Usually the key was truncated when it was pasted.',
      fix: (a) =>
        `Export the public key again from the private key your signer uses (openssl rsa -in dkim.key -pubout -outform der | openssl base64 -A) and publish it complete after "p="${at.en(a)}.`,
    },
    ja: {
      title: 'DKIM 公開鍵を復号できません',
      message: (a) => `${rec.ja(a)}の p= の値は base64 ですが、正しい ${a.keyType} 公開鍵ではありません。`,
      why: '検証側が鍵を使えず、このセレクタの署名はすべて失敗します。多くは貼り付けたときに鍵が途中で切れています。',
      fix: (a) =>
        `署名に使っている秘密鍵から公開鍵を出力し直し（openssl rsa -in dkim.key -pubout -outform der | openssl base64 -A）、${at.ja(a)}"p=" の後に欠けなく公開してください。`,
    },
  },
  'dkim-key-type-unknown': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'Unknown DKIM key type',
      message: (a) =>
        `${rec.en(a)} says k=${a.keyType}; DKIM key types are "rsa" and "ed25519" (lower case).${a.looksLike ? ` The key data is an ${a.looksLike} key.` : ''}`,
      why: 'RFC 6376 s3.6.1: verifiers ignore keys of a type they do not know, so signatures with this selector fail.',
      fix: (a) => `Set k=${a.looksLike || 'rsa'} in the record${at.en(a)}.`,
    },
    ja: {
      title: 'DKIM の鍵種別が不明です',
      message: (a) =>
        `${rec.ja(a)}は k=${a.keyType} となっています。DKIM の鍵種別は "rsa" と "ed25519"（小文字）です。${a.looksLike ? `鍵データは ${a.looksLike} の鍵です。` : ''}`,
      why: 'RFC 6376 3.6.1 節により、検証側は知らない種別の鍵を無視するため、このセレクタの署名は失敗します。',
      fix: (a) => `${recAt(a)}を k=${a.looksLike || 'rsa'} にしてください。`,
    },
  },
  'dkim-key-type-mismatch': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'DKIM key type does not match the key',
      message: (a) => `${rec.en(a)} says k=${a.keyType}, but the p= data is an ${a.actual} key.`,
      why: 'Verifiers decode p= as the k= type says; with the wrong type every signature with this selector fails.',
      fix: (a) =>
        a.actual === 'rsa' || a.actual === 'ed25519'
          ? `Set k=${a.actual} in the record${at.en(a)}, or publish the ${a.keyType} key your signer really uses.`
          : `DKIM uses only RSA and Ed25519 keys: publish the RSA or Ed25519 public key your signer uses${at.en(a)}.`,
    },
    ja: {
      title: 'DKIM の鍵種別と鍵が一致しません',
      message: (a) => `${rec.ja(a)}は k=${a.keyType} ですが、p= のデータは ${a.actual} の鍵です。`,
      why: '検証側は k= の種別として p= を読むため、種別が違うとこのセレクタの署名はすべて失敗します。',
      fix: (a) =>
        a.actual === 'rsa' || a.actual === 'ed25519'
          ? `${recAt(a)}を k=${a.actual} にするか、署名に実際に使っている ${a.keyType} 鍵を公開してください。`
          : `DKIM で使える鍵は RSA と Ed25519 だけです。${at.ja(a)}署名に使っている RSA または Ed25519 の公開鍵を公開してください。`,
    },
  },
  'dkim-ed25519-key-format': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'Ed25519 key in the wrong format',
      message: (a) =>
        `${rec.en(a)} holds an Ed25519 key wrapped as SubjectPublicKeyInfo (44 bytes); RFC 8463 wants the raw 32-byte key.`,
      why: 'Verifiers read p= as the raw key and reject anything that is not 32 bytes, so Ed25519 signatures with this selector fail.',
      fix: (a) =>
        `Publish "p=${a.rawKey}" (the same key, raw) instead${at.en(a)}; the corrected record is shown below.`,
    },
    ja: {
      title: 'Ed25519 鍵の形式が正しくありません',
      message: (a) =>
        `${rec.ja(a)}の Ed25519 鍵は SubjectPublicKeyInfo 形式（44 バイト）です。RFC 8463 は 32 バイトの生の鍵を求めています。`,
      why: '検証側は p= を生の鍵として読み、32 バイト以外を拒否するため、このセレクタの Ed25519 署名は失敗します。',
      fix: (a) =>
        `${atWa(a)}代わりに "p=${a.rawKey}"（同じ鍵の生の形式）を公開してください。修正後のレコードを下に示します。`,
    },
  },
  'dkim-key-pkcs1': {
    severity: 'warning',
    protocol: 'dkim',
    en: {
      title: 'RSA key published as bare RSAPublicKey',
      message: (a) =>
        `${rec.en(a)} holds a PKCS#1 RSAPublicKey instead of the usual SubjectPublicKeyInfo ("BEGIN PUBLIC KEY") form.`,
      why: 'Some verifiers accept it, others (those reading keys with OpenSSL’s d2i_PUBKEY, such as OpenDKIM) do not, so signatures pass at some receivers and fail at others.',
      fix: (a) =>
        `Publish the same key in SubjectPublicKeyInfo form: "p=${a.spki}"; the corrected record is shown below.`,
    },
    ja: {
      title: 'RSA 鍵が RSAPublicKey 形式で公開されています',
      message: (a) =>
        `${rec.ja(a)}の鍵は、一般的な SubjectPublicKeyInfo（"BEGIN PUBLIC KEY"）形式ではなく PKCS#1 の RSAPublicKey 形式です。`,
      why: '受け付ける検証側もありますが、OpenSSL の d2i_PUBKEY で鍵を読むもの（OpenDKIM など）は受け付けないため、受信側によって署名が合格したり失敗したりします。',
      fix: (a) =>
        `同じ鍵を SubjectPublicKeyInfo 形式で公開してください: "p=${a.spki}"。修正後のレコードを下に示します。`,
    },
  },
  'dkim-key-weak': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'DKIM key too weak',
      message: (a) =>
        `${rec.en(a)} holds a ${a.bits}-bit RSA key; receivers ignore keys under ${a.min} bits.`,
      why: 'RFC 8301 s3.2: verifiers must not accept RSA keys below 1024 bits (they can be factored), so signatures with this key count as failed.',
      fix: (a) => newKeySteps.en(a),
    },
    ja: {
      title: 'DKIM 鍵が弱すぎます',
      message: (a) =>
        `${rec.ja(a)}は ${a.bits} ビットの RSA 鍵です。受信側は ${a.min} ビット未満の鍵を無視します。`,
      why: 'RFC 8301 3.2 節により、検証側は 1024 ビット未満の RSA 鍵（素因数分解できる）を受け付けてはならず、この鍵の署名は失敗扱いになります。',
      fix: (a) => newKeySteps.ja(a),
    },
  },
  'dkim-key-short': {
    severity: 'warning',
    protocol: 'dkim',
    en: {
      title: 'DKIM key shorter than recommended',
      message: (a) =>
        `${rec.en(a)} holds a ${a.bits}-bit RSA key; ${a.recommended} bits is the recommended minimum.`,
      why: 'RFC 8301 s3.2 asks signers for at least 2048 bits; 1024-bit keys are within reach of well-funded attackers, and some receivers already distrust them.',
      fix: (a) => newKeySteps.en(a),
    },
    ja: {
      title: 'DKIM 鍵が推奨より短いです',
      message: (a) =>
        `${rec.ja(a)}は ${a.bits} ビットの RSA 鍵です。推奨される最小は ${a.recommended} ビットです。`,
      why: 'RFC 8301 3.2 節は署名者に 2048 ビット以上を求めています。1024 ビット鍵は資金のある攻撃者なら破れる範囲にあり、すでに信用しない受信側もあります。',
      fix: (a) => newKeySteps.ja(a),
    },
  },
  'dkim-key-oversized': {
    severity: 'warning',
    protocol: 'dkim',
    en: {
      title: 'DKIM key larger than verifiers must support',
      message: (a) =>
        `${rec.en(a)} holds a ${a.bits}-bit RSA key; verifiers are only required to handle up to ${a.max} bits.`,
      why: 'RFC 8301 s3.2: keys above 4096 bits may not be verified by every receiver, and the record needs DNS over TCP or large UDP answers.',
      fix: (a) =>
        `Use a 2048-bit (or at most 4096-bit) RSA key for this selector${at.en(a)}, rolling it over under a new selector.`,
    },
    ja: {
      title: 'DKIM 鍵が検証側の対応範囲より大きいです',
      message: (a) =>
        `${rec.ja(a)}は ${a.bits} ビットの RSA 鍵です。検証側に求められているのは ${a.max} ビットまでの対応です。`,
      why: 'RFC 8301 3.2 節により、4096 ビットを超える鍵はすべての受信側で検証されるとは限らず、レコードも TCP や大きな UDP 応答が必要になります。',
      fix: () =>
        '2048 ビット（最大でも 4096 ビット）の RSA 鍵を新しいセレクタで公開し、署名をそちらに切り替えてください。',
    },
  },
  'dkim-ed25519-without-rsa': {
    severity: 'info',
    protocol: 'dkim',
    en: {
      title: 'Only Ed25519 DKIM keys',
      message: (a) => `${a.domain} publishes Ed25519 DKIM keys but no usable RSA key.`,
      why: 'Many receivers still verify only RSA signatures; RFC 8463 expects Ed25519 to be used alongside RSA, with each message signed twice.',
      fix: (a) => `Also sign with a 2048-bit RSA key and publish it under its own selector at ${a.domain}.`,
    },
    ja: {
      title: 'DKIM 鍵が Ed25519 だけです',
      message: (a) => `${a.domain} は Ed25519 の DKIM 鍵を公開していますが、使える RSA 鍵がありません。`,
      why: '今も RSA 署名しか検証しない受信側が多くあります。RFC 8463 は Ed25519 を RSA と併用し、メールに両方で署名することを想定しています。',
      fix: (a) => `2048 ビットの RSA 鍵でも署名し、その鍵を ${a.domain} の別のセレクタに公開してください。`,
    },
  },
  'dkim-hash-sha1-only': {
    severity: 'warning',
    protocol: 'dkim',
    en: {
      title: 'DKIM key limited to SHA-1',
      message: (a) => `${rec.en(a)} allows only h=${a.hashes}; SHA-256 is not allowed.`,
      why: 'RFC 8301 s3.1: SHA-1 must not be used to sign or verify, so modern verifiers fail every signature made with this key.',
      fix: (a) => `Remove the h= tag from the record${at.en(a)} (or set h=sha256) and sign with rsa-sha256.`,
    },
    ja: {
      title: 'DKIM 鍵が SHA-1 に限定されています',
      message: (a) => `${rec.ja(a)}は h=${a.hashes} だけを許しており、SHA-256 が使えません。`,
      why: 'RFC 8301 3.1 節により SHA-1 は署名にも検証にも使ってはならず、現在の検証側はこの鍵の署名をすべて失敗にします。',
      fix: (a) => `${recAt(a)}から h= タグを削除するか h=sha256 にし、rsa-sha256 で署名してください。`,
    },
  },
  'dkim-hash-unknown': {
    severity: 'error',
    protocol: 'dkim',
    en: {
      title: 'DKIM key allows no known hash',
      message: (a) =>
        `${rec.en(a)} allows only h=${a.hashes}, none of which is a DKIM hash algorithm (sha256).`,
      why: 'Unknown algorithms are ignored, so the key allows nothing and every signature with it fails.',
      fix: (a) => `Remove the h= tag from the record${at.en(a)}, or set h=sha256.`,
    },
    ja: {
      title: 'DKIM 鍵が既知のハッシュを許していません',
      message: (a) =>
        `${rec.ja(a)}は h=${a.hashes} だけを許していますが、どれも DKIM のハッシュアルゴリズム（sha256）ではありません。`,
      why: '知らないアルゴリズムは無視されるため、この鍵は何も許さず、署名はすべて失敗します。',
      fix: (a) => `${recAt(a)}から h= タグを削除するか、h=sha256 にしてください。`,
    },
  },
  'dkim-not-for-email': {
    severity: 'warning',
    protocol: 'dkim',
    en: {
      title: 'DKIM key not for email',
      message: (a) => `${rec.en(a)} has s=${a.services}, so the key may not be used to verify email.`,
      why: 'RFC 6376 s3.6.1: a key whose s= lists neither "*" nor "email" is ignored for mail; that is right for a key kept for another service (such as s=tlsrpt) and wrong for a mail-signing key.',
      fix: (a) =>
        `If this selector signs email, remove the s= tag from the record${at.en(a)} or set s=email.`,
    },
    ja: {
      title: 'DKIM 鍵がメール用ではありません',
      message: (a) => `${rec.ja(a)}は s=${a.services} なので、メールの検証には使えません。`,
      why: 'RFC 6376 3.6.1 節により、s= に "*" も "email" も含まない鍵はメールでは無視されます。別の用途（s=tlsrpt など）の鍵なら正しく、メール署名用の鍵なら誤りです。',
      fix: (a) =>
        `このセレクタでメールに署名しているなら、${recAt(a)}の s= タグを削除するか s=email にしてください。`,
    },
  },
  'dkim-testing-mode': {
    severity: 'info',
    protocol: 'dkim',
    en: {
      title: 'DKIM key in testing mode',
      message: (a) => `${rec.en(a)} has t=y: the domain says it is testing DKIM.`,
      why: 'RFC 6376 s3.6.1: verifiers must not treat mail from a testing signer differently from unsigned mail, so some receivers give these signatures no weight.',
      fix: (a) => `Once signatures verify, remove "y" from the t= tag of the record${at.en(a)}.`,
    },
    ja: {
      title: 'DKIM 鍵がテストモードです',
      message: (a) => `${rec.ja(a)}は t=y で、DKIM をテスト中であることを示しています。`,
      why: 'RFC 6376 3.6.1 節により、検証側はテスト中の署名者からのメールを未署名のメールと区別して扱ってはならないため、この署名を考慮しない受信側もあります。',
      fix: (a) => `署名が検証できることを確認したら、${recAt(a)}の t= タグから "y" を削除してください。`,
    },
  },
  'dkim-unknown-tag': {
    severity: 'info',
    protocol: 'dkim',
    en: {
      title: 'Unknown tags in the DKIM key record',
      message: (a) => `${rec.en(a)} has tags DKIM does not define: ${a.tags}. Verifiers ignore them.`,
      why: 'Unknown tags are harmless but often a typo (tag names are case-sensitive) or left over from DomainKeys (g=), where they once restricted the key.',
      fix: (a) => `Remove ${a.tags} from the record${at.en(a)}, or correct the tag name if it is a typo.`,
    },
    ja: {
      title: 'DKIM 鍵レコードに未定義のタグがあります',
      message: (a) =>
        `${rec.ja(a)}に DKIM で定義されていないタグがあります: ${a.tags}。検証側はこれらを無視します。`,
      why: '未定義のタグは害はありませんが、多くは打ち間違い（タグ名は大文字小文字を区別します）か、鍵の制限に使われていた DomainKeys 時代の名残（g=）です。',
      fix: (a) => `${recAt(a)}から ${a.tags} を削除するか、打ち間違いならタグ名を直してください。`,
    },
  },
} satisfies FindingCatalog;

/** Keys kept literal (they make the FindingCode type); entries widened so `fix` reads as optional. */
export const dkimFindings: { [K in keyof typeof entries]: FindingEntry } = entries;
