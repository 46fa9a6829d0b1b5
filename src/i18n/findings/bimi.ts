import type { FindingArgs, FindingCatalog } from '../catalog.ts';

/*
 * BIMI findings. Each checkdmarc BIMI check (IDs from shared/notes/checkdmarc-checks.md) and
 * its Sumi code:
 *
 *   E01 multiple records              bimi-multiple-records
 *   E02 unrelated TXT at selector     bimi-unrelated-record
 *   E03 v=BIMI1 at apex instead       bimi-at-apex (with bimi-missing)
 *   E04 domain does not exist         bimi-domain-not-found
 *   E05 no record                     bimi-missing
 *   E06 DNS errors                    bimi-dns-error
 *   E07 SPF record at selector        bimi-spf-record
 *   E08 grammar error                 bimi-syntax-error, bimi-invalid-version, bimi-location-missing,
 *                                     bimi-invalid-url, bimi-invalid-lps, bimi-record-too-long,
 *                                     bimi-invalid-utf8
 *   E09 unknown tag                   bimi-unknown-tag (info: the draft says ignore)
 *   E10 duplicate tags                bimi-duplicate-tag
 *   E11 avp not personal/brand        bimi-invalid-avp
 *   I01 download failed               bimi-svg-fetch-failed
 *   I02 not an SVG / no viewBox       bimi-svg-not-svg, bimi-svg-viewbox-missing
 *   I03 version != 1.2                bimi-svg-version
 *   I04/I05 baseProfile               bimi-svg-base-profile
 *   I06 no <title>                    bimi-svg-title-missing
 *   I07 x/y on root                   bimi-svg-root-position
 *   I08 > 32 KB                       bimi-svg-too-large
 *   W01 record at apex                bimi-at-apex
 *   W02 viewBox not square            bimi-svg-viewbox-not-square
 *   W03 placeholder title             bimi-svg-title-placeholder
 *   W04 SVG hash != certificate logo  bimi-certificate-logo-mismatch
 *   W05 no valid DMARC                bimi-dmarc-missing
 *   W06/W07/W08 p, sp, pct            bimi-dmarc-not-enforcing (one per blocking tag, also t=y)
 *   W09 no mark certificate           bimi-no-certificate
 *   C01 missing SAN / logotype        bimi-certificate-extension-missing
 *   C02 nameConstraints               bimi-certificate-forbidden-extension
 *   C03 pilot identifier              bimi-certificate-pilot-identifier
 *   C04 not chained to an MVA root    bimi-certificate-untrusted (and bimi-certificate-chain-incomplete)
 *   C05 not yet valid                 bimi-certificate-not-yet-valid
 *   C06 expired                       bimi-certificate-expired
 *   C07 expires soon                  bimi-certificate-expiring
 *   C08 SAN does not cover domain     bimi-certificate-domain-mismatch
 *   C09 unknown subject attribute     bimi-certificate-unknown-subject-field
 *   C10 Prior Use Mark source URL     bimi-certificate-prior-use-source-missing
 *   C11 required subject field        bimi-certificate-subject-field-missing
 *   C12 locality/state                bimi-certificate-locality-missing
 *   C13 jurisdiction/statute levels   bimi-certificate-jurisdiction-incomplete
 *   C14 field of another mark type    bimi-certificate-wrong-mark-field
 *   C15 invalid markType              bimi-certificate-mark-type-invalid
 *   C16 markType missing              bimi-certificate-mark-type-missing
 *   C17 download / parse failure      bimi-certificate-fetch-failed, bimi-certificate-invalid
 *
 * Beyond checkdmarc: bimi-dmarc-not-enforcing for t=y, bimi-dmarc-unverified, bimi-svg-invalid
 * (script, animation, external references, raster images, foreignObject, event attributes,
 * links, DOCTYPE/entities, elements and attributes outside the SVG Tiny PS schema),
 * bimi-svg-content-type, bimi-certificate-eku-missing, bimi-certificate-logotype-invalid,
 * bimi-certificate-valid, bimi-fallback, bimi-declined, bimi-evidence-self, bimi-invalid-selector.
 */

const s = (v: FindingArgs[string]) => (v === undefined ? '' : String(v));

/** Words for the `rule` of bimi-svg-invalid. */
const SVG_RULES: Record<string, { en: (a: FindingArgs) => string; ja: (a: FindingArgs) => string }> = {
  script: {
    en: (a) => `it contains a <${s(a.element)}> element (scripts are forbidden)`,
    ja: (a) => `<${s(a.element)}> 要素（スクリプト）が含まれています（禁止）`,
  },
  animation: {
    en: (a) => `it contains an animation element <${s(a.element)}>`,
    ja: (a) => `アニメーション要素 <${s(a.element)}> が含まれています`,
  },
  'raster-image': {
    en: () => 'it embeds a raster image (<image>)',
    ja: () => 'ラスター画像（<image>）が埋め込まれています',
  },
  'foreign-object': {
    en: (a) => `it contains <${s(a.element)}>, which embeds non-SVG content`,
    ja: (a) => `SVG 以外の内容を埋め込む <${s(a.element)}> が含まれています`,
  },
  link: {
    en: () => 'it contains a link (<a>)',
    ja: () => 'リンク（<a>）が含まれています',
  },
  'event-attribute': {
    en: (a) => `<${s(a.element)}> has the event attribute ${s(a.attribute)}`,
    ja: (a) => `<${s(a.element)}> にイベント属性 ${s(a.attribute)} があります`,
  },
  'external-reference': {
    en: (a) => `${s(a.attribute)} on <${s(a.element)}> refers outside the file ("${s(a.value)}")`,
    ja: (a) => `<${s(a.element)}> の ${s(a.attribute)} がファイルの外を参照しています（"${s(a.value)}"）`,
  },
  doctype: {
    en: () => 'it has a DOCTYPE declaration',
    ja: () => 'DOCTYPE 宣言があります',
  },
  entity: {
    en: () => 'it declares XML entities (a DOCTYPE with <!ENTITY>)',
    ja: () => 'XML エンティティを宣言しています（<!ENTITY> を含む DOCTYPE）',
  },
  'processing-instruction': {
    en: (a) => `it has the processing instruction <?${s(a.value)}?>`,
    ja: (a) => `処理命令 <?${s(a.value)}?> があります`,
  },
  'element-not-allowed': {
    en: (a) => `<${s(a.element)}> is not an SVG Tiny PS element`,
    ja: (a) => `<${s(a.element)}> は SVG Tiny PS で使えない要素です`,
  },
  'misplaced-element': {
    en: (a) => `<${s(a.element)}> may not appear inside <${s(a.value)}>`,
    ja: (a) => `<${s(a.element)}> は <${s(a.value)}> の中に置けません`,
  },
  'attribute-not-allowed': {
    en: (a) => `<${s(a.element)}> has the attribute ${s(a.attribute)}, which SVG Tiny PS does not allow`,
    ja: (a) => `<${s(a.element)}> の属性 ${s(a.attribute)} は SVG Tiny PS では使えません`,
  },
  'too-deep': {
    en: (a) => `elements are nested more than ${s(a.value)} levels deep`,
    ja: (a) => `要素の入れ子が ${s(a.value)} 段を超えています`,
  },
  'too-many-elements': {
    en: (a) => `it has more than ${s(a.value)} elements`,
    ja: (a) => `要素が ${s(a.value)} 個を超えています`,
  },
  more: {
    en: (a) => `${s(a.value)} more profile violations were not listed`,
    ja: (a) => `ほかに ${s(a.value)} 件の違反があります（省略）`,
  },
};

const svgRule = (a: FindingArgs, lang: 'en' | 'ja') => {
  const rule = SVG_RULES[s(a.rule)];
  return rule
    ? rule[lang](a)
    : lang === 'en'
      ? `it breaks the rule ${s(a.rule)}`
      : `規則 ${s(a.rule)} に違反しています`;
};

const URL_REASONS: Record<string, { en: string; ja: string }> = {
  'not-https': { en: 'it is not an https URL', ja: 'https の URL ではありません' },
  malformed: { en: 'it is not a valid URL', ja: 'URL として正しくありません' },
  credentials: { en: 'it contains a user name or password', ja: 'ユーザー名やパスワードが含まれています' },
  'ip-address': {
    en: 'its host is an IP address, not a domain name',
    ja: 'ホストがドメイン名ではなく IP アドレスです',
  },
  'not-fqdn': {
    en: 'its host is not a fully qualified domain name',
    ja: 'ホストが完全修飾ドメイン名ではありません',
  },
  'not-svg': { en: 'it names a raster image, not an SVG file', ja: 'SVG ではなくラスター画像を指しています' },
  multiple: { en: 'it holds more than one URL', ja: '複数の URL が書かれています' },
};

const urlReason = (a: FindingArgs, lang: 'en' | 'ja') => URL_REASONS[s(a.reason)]?.[lang] ?? s(a.reason);

const SYNTAX_REASONS: Record<string, { en: string; ja: string }> = {
  'empty-tag': { en: 'an empty tag between two semicolons', ja: 'セミコロンの間に空のタグがあります' },
  'missing-equals': { en: 'a tag without "="', ja: '"=" のないタグがあります' },
  'bad-tag-name': { en: 'an invalid tag name', ja: 'タグ名が正しくありません' },
  'bad-character': {
    en: 'a character not allowed in a tag value (spaces inside a value, non-ASCII, control characters)',
    ja: 'タグの値に使えない文字があります（値の途中の空白、ASCII 以外の文字、制御文字）',
  },
  'version-not-first': {
    en: 'the record does not start with v=BIMI1',
    ja: 'レコードが v=BIMI1 で始まっていません',
  },
};

const FETCH_FAILURES: Record<string, { en: string; ja: string }> = {
  'bad-url': { en: 'the URL is invalid', ja: 'URL が不正です' },
  'not-https': { en: 'the URL is not https', ja: 'URL が https ではありません' },
  dns: { en: 'its host name does not resolve', ja: 'ホスト名が名前解決できません' },
  'private-address': {
    en: 'its host resolves to a private or loopback address',
    ja: 'ホストがプライベートまたはループバックアドレスに解決されます',
  },
  connect: { en: 'the server could not be reached', ja: 'サーバーに接続できません' },
  tls: {
    en: 'the TLS handshake or certificate check failed',
    ja: 'TLS ハンドシェイクまたは証明書の検証に失敗しました',
  },
  timeout: { en: 'the download timed out', ja: 'ダウンロードがタイムアウトしました' },
  'too-large': { en: 'the file is larger than allowed', ja: 'ファイルが上限より大きいです' },
  redirect: { en: 'the server answered with a redirect', ja: 'サーバーがリダイレクトを返しました' },
  'http-status': { en: 'the server answered with an HTTP error', ja: 'サーバーが HTTP エラーを返しました' },
};

const fetchFailure = (a: FindingArgs, lang: 'en' | 'ja') => {
  const what = FETCH_FAILURES[s(a.failure)]?.[lang] ?? s(a.failure);
  if (!a.error) return what;
  return lang === 'en' ? `${what} (${s(a.error)})` : `${what}（${s(a.error)}）`;
};

const NOT_SVG: Record<string, { en: (a: FindingArgs) => string; ja: (a: FindingArgs) => string }> = {
  'not-xml': {
    en: (a) => `it is not well-formed XML: ${s(a.detail)}`,
    ja: (a) => `整形式の XML ではありません: ${s(a.detail)}`,
  },
  root: {
    en: (a) => `its root element is <${s(a.detail)}>, not <svg>`,
    ja: (a) => `ルート要素が <svg> ではなく <${s(a.detail)}> です`,
  },
  namespace: {
    en: (a) => `its <svg> root is not in the SVG namespace (${s(a.detail)})`,
    ja: (a) => `ルートの <svg> が SVG 名前空間にありません（${s(a.detail)}）`,
  },
  encoding: { en: () => 'it is not valid UTF-8 text', ja: () => '正しい UTF-8 のテキストではありません' },
  gzip: {
    en: (a) => `it looks gzip-compressed but does not inflate (${s(a.detail)})`,
    ja: (a) => `gzip 圧縮に見えますが展開できません（${s(a.detail)}）`,
  },
  empty: { en: () => 'it has no root element', ja: () => 'ルート要素がありません' },
};

const UNTRUSTED: Record<string, { en: (a: FindingArgs) => string; ja: (a: FindingArgs) => string }> = {
  'unknown-root': {
    en: (a) => `it chains to "${s(a.issuer)}", which is not a Mark Verifying Authority root`,
    ja: (a) => `チェーンの先が "${s(a.issuer)}" で、マーク検証機関（MVA）のルートではありません`,
  },
  'no-issuer': {
    en: (a) => `the issuer "${s(a.issuer)}" is neither in the file nor a known Mark Verifying Authority`,
    ja: (a) => `発行者 "${s(a.issuer)}" の証明書がファイルになく、既知のマーク検証機関でもありません`,
  },
  'not-ca': {
    en: (a) => `"${s(a.issuer)}" is not a CA certificate`,
    ja: (a) => `"${s(a.issuer)}" は CA 証明書ではありません`,
  },
  'ca-expired': {
    en: (a) => `the issuing CA certificate "${s(a.issuer)}" is not valid now`,
    ja: (a) => `発行元の CA 証明書 "${s(a.issuer)}" が現在有効ではありません`,
  },
  'too-deep': { en: () => 'the chain is longer than allowed', ja: () => 'チェーンが長すぎます' },
};

const LOGOTYPE: Record<string, { en: string; ja: string }> = {
  asn1: {
    en: 'the extension is not valid ASN.1 for RFC 3709',
    ja: '拡張が RFC 3709 の ASN.1 として不正です',
  },
  'no-subject-logo': { en: 'it has no subject logo', ja: 'subject logo がありません' },
  indirect: { en: 'the logo is referenced, not embedded', ja: 'ロゴが埋め込まれておらず参照になっています' },
  'media-type': { en: 'the logo is not image/svg+xml', ja: 'ロゴが image/svg+xml ではありません' },
  'not-data-uri': { en: 'the logo is not in a data: URI', ja: 'ロゴが data: URI に入っていません' },
  'data-uri': { en: 'the data: URI cannot be decoded', ja: 'data: URI を復号できません' },
  gzip: { en: 'the embedded logo does not inflate', ja: '埋め込まれたロゴを展開できません' },
  hash: {
    en: 'the hash in the extension does not match the embedded logo',
    ja: '拡張内のハッシュが埋め込まれたロゴと一致しません',
  },
};

const pick = (
  table: Record<string, { en: string; ja: string }>,
  key: FindingArgs[string],
  lang: 'en' | 'ja',
) => table[s(key)]?.[lang] ?? s(key);

const CA_FIX_EN = 'Ask the issuing Mark Verifying Authority to reissue the certificate';
const CA_FIX_JA = '発行元のマーク検証機関（MVA）に証明書の再発行を依頼してください';

export const bimiFindings = {
  // ---- Record discovery -------------------------------------------------------------------
  'bimi-missing': {
    severity: 'info',
    protocol: 'bimi',
    en: {
      title: 'No BIMI record',
      message: (a) =>
        `No BIMI record at ${s(a.name)}${a.fallbackName ? ` nor at ${s(a.fallbackName)}` : ''}: mail from ${s(a.domain)} shows no brand logo.`,
      why: 'BIMI is optional; without a record, mailbox providers show no logo next to your mail.',
      fix: (a) =>
        `To show a logo, publish a TXT record at ${s(a.name)}: "v=BIMI1; l=https://<your site>/logo.svg; a=https://<your site>/vmc.pem" (\`sumi record bimi\` writes it).`,
    },
    ja: {
      title: 'BIMI レコードがありません',
      message: (a) =>
        `${a.fallbackName ? `${s(a.name)} にも ${s(a.fallbackName)} にも` : `${s(a.name)} に`} BIMI レコードがありません。${s(a.domain)} のメールにはブランドロゴが表示されません。`,
      why: 'BIMI は任意です。レコードがなければ、メールボックス事業者はメールの横にロゴを表示しません。',
      fix: (a) =>
        `ロゴを表示するには ${s(a.name)} に TXT レコード "v=BIMI1; l=https://<サイト>/logo.svg; a=https://<サイト>/vmc.pem" を公開してください（\`sumi record bimi\` で作成できます）。`,
    },
  },
  'bimi-domain-not-found': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Domain does not exist',
      message: (a) => `${s(a.domain)} does not exist in the DNS (NXDOMAIN), so it can have no BIMI record.`,
      why: 'A name that does not exist cannot publish records or send authenticated mail.',
      fix: (a) => `Check the spelling of ${s(a.domain)}, or create the zone before publishing BIMI.`,
    },
    ja: {
      title: 'ドメインが存在しません',
      message: (a) => `${s(a.domain)} は DNS に存在しない（NXDOMAIN）ため、BIMI レコードを持てません。`,
      why: '存在しない名前はレコードを公開できず、認証されたメールも送れません。',
      fix: (a) => `${s(a.domain)} の綴りを確認するか、BIMI を公開する前にゾーンを作成してください。`,
    },
  },
  'bimi-dns-error': {
    severity: 'warning',
    protocol: 'bimi',
    en: {
      title: 'BIMI lookup failed',
      message: (a) =>
        `The DNS lookup of ${s(a.name)} failed (${s(a.status)}${a.error ? `: ${s(a.error)}` : ''}); whether a BIMI record exists is unknown.`,
      why: 'Receivers that cannot resolve the record show no logo; a temporary failure is not the same as a missing record.',
      fix: (a) =>
        `Check that the name servers for ${s(a.name)} answer (try again later, or \`dig TXT ${s(a.name)}\`).`,
    },
    ja: {
      title: 'BIMI の DNS 問い合わせに失敗しました',
      message: (a) =>
        `${s(a.name)} の DNS 問い合わせに失敗しました（${s(a.status)}${a.error ? `: ${s(a.error)}` : ''}）。BIMI レコードの有無は不明です。`,
      why: 'レコードを引けない受信者はロゴを表示しません。一時的な失敗はレコードがないこととは別です。',
      fix: (a) =>
        `${s(a.name)} の権威サーバーが応答するか確認してください（時間をおいて再実行するか \`dig TXT ${s(a.name)}\`）。`,
    },
  },
  'bimi-multiple-records': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'More than one BIMI record',
      message: (a) => `${s(a.name)} has ${s(a.count)} BIMI records; receivers then use none of them.`,
      why: 'The draft says BIMI processing stops when discovery finds more than one record.',
      fix: (a) => `Keep exactly one "v=BIMI1" TXT record at ${s(a.name)} and delete the others.`,
    },
    ja: {
      title: 'BIMI レコードが複数あります',
      message: (a) =>
        `${s(a.name)} に BIMI レコードが ${s(a.count)} 件あります。この場合、受信者はどれも使いません。`,
      why: 'ドラフトでは、レコードが複数見つかったら BIMI の処理を行わないと定めています。',
      fix: (a) => `${s(a.name)} の "v=BIMI1" TXT レコードを 1 件だけ残し、ほかは削除してください。`,
    },
  },
  'bimi-unrelated-record': {
    severity: 'warning',
    protocol: 'bimi',
    en: {
      title: 'Unrelated TXT record at the BIMI name',
      message: (a) => `${s(a.name)} holds a TXT record that is not a BIMI record: "${s(a.record)}".`,
      why: 'Receivers discard records that do not start with v=BIMI1; stray records are clutter at best and a sign of a wildcard or typo at worst.',
      fix: (a) => `Delete the non-BIMI TXT record at ${s(a.name)} (or move it to the name it was meant for).`,
    },
    ja: {
      title: 'BIMI の名前に無関係な TXT レコードがあります',
      message: (a) => `${s(a.name)} に BIMI ではない TXT レコードがあります: "${s(a.record)}"`,
      why: '受信者は v=BIMI1 で始まらないレコードを捨てます。無関係なレコードは無駄であり、ワイルドカードや入力ミスの兆候でもあります。',
      fix: (a) =>
        `${s(a.name)} の BIMI ではない TXT レコードを削除してください（本来の名前に移してください）。`,
    },
  },
  'bimi-spf-record': {
    severity: 'warning',
    protocol: 'bimi',
    en: {
      title: 'SPF record where the BIMI record should be',
      message: (a) => `${s(a.name)} answers with an SPF record, most likely from a wildcard TXT record.`,
      why: 'A wildcard TXT record answers every name below the domain, including the BIMI name, with data that does not belong there.',
      fix: (a) =>
        `Remove the wildcard TXT record, or publish the intended record at ${s(a.name)} so the wildcard no longer applies.`,
    },
    ja: {
      title: 'BIMI レコードの場所に SPF レコードがあります',
      message: (a) =>
        `${s(a.name)} が SPF レコードを返します。おそらくワイルドカードの TXT レコードによるものです。`,
      why: 'ワイルドカードの TXT レコードは BIMI の名前を含む配下のすべての名前に、そこにあるべきでないデータを返します。',
      fix: (a) =>
        `ワイルドカードの TXT レコードを削除するか、${s(a.name)} に本来のレコードを公開してワイルドカードが当たらないようにしてください。`,
    },
  },
  'bimi-at-apex': {
    severity: 'warning',
    protocol: 'bimi',
    en: {
      title: 'BIMI record at the domain apex',
      message: (a) =>
        `${s(a.domain)} itself holds a "v=BIMI1" TXT record; receivers only look at ${s(a.name)}.`,
      why: 'A BIMI record at the apex has no effect.',
      fix: (a) => `Move the record from ${s(a.domain)} to ${s(a.name)}.`,
    },
    ja: {
      title: 'BIMI レコードがドメインの頂点にあります',
      message: (a) =>
        `${s(a.domain)} 自体に "v=BIMI1" の TXT レコードがあります。受信者が参照するのは ${s(a.name)} だけです。`,
      why: '頂点に置いた BIMI レコードは効果がありません。',
      fix: (a) => `レコードを ${s(a.domain)} から ${s(a.name)} に移してください。`,
    },
  },
  'bimi-fallback': {
    severity: 'info',
    protocol: 'bimi',
    en: {
      title: 'BIMI record taken from the organisational domain',
      message: (a) => `${s(a.domain)} has no BIMI record of its own; receivers use the one at ${s(a.name)}.`,
      why: 'The draft falls back to the same selector at the organisational domain when the author domain has none.',
    },
    ja: {
      title: '組織ドメインの BIMI レコードが使われます',
      message: (a) =>
        `${s(a.domain)} には独自の BIMI レコードがなく、受信者は ${s(a.name)} のレコードを使います。`,
      why: 'ドラフトでは、送信ドメインにレコードがないとき、組織ドメインの同じセレクターにフォールバックします。',
    },
  },
  'bimi-declined': {
    severity: 'info',
    protocol: 'bimi',
    en: {
      title: 'BIMI explicitly declined',
      message: () => 'The record has empty l= and a=: the domain owner declines to show a logo.',
      why: 'A declination record (v=BIMI1; l=; a=;) stops receivers from using an organisational-domain logo for this name.',
    },
    ja: {
      title: 'BIMI を明示的に辞退しています',
      message: () => 'レコードの l= と a= が空です。ドメイン所有者はロゴを表示しないことを選んでいます。',
      why: '辞退レコード（v=BIMI1; l=; a=;）があると、受信者はこの名前に組織ドメインのロゴを使いません。',
    },
  },
  // ---- Record syntax ------------------------------------------------------------------------
  'bimi-syntax-error': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'BIMI record syntax error',
      message: (a) =>
        `The record has ${SYNTAX_REASONS[s(a.reason)]?.en ?? s(a.reason)} at position ${s(a.position)} (marked with ➞): ${s(a.marked)}`,
      why: 'The draft forbids receivers to repair records: a record that does not parse is not used.',
      fix: () =>
        'Rewrite the record as "v=BIMI1; l=https://...; a=https://..." with tag=value pairs separated by semicolons.',
    },
    ja: {
      title: 'BIMI レコードの構文エラー',
      message: (a) =>
        `${s(a.position)} 文字目（➞ の位置）に問題があります: ${SYNTAX_REASONS[s(a.reason)]?.ja ?? s(a.reason)}。${s(a.marked)}`,
      why: 'ドラフトは受信者がレコードを補正することを禁じています。解析できないレコードは使われません。',
      fix: () =>
        'レコードを "v=BIMI1; l=https://...; a=https://..." の形（タグ=値をセミコロンで区切る）に書き直してください。',
    },
  },
  'bimi-invalid-version': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'BIMI version is not exactly "BIMI1"',
      message: (a) =>
        `The record says v=${s(a.value)}; the value must be exactly "BIMI1" (upper case)${a.caseOnly ? ': strict receivers ignore this record, though some accept it' : ', so receivers ignore the record'}.`,
      why: 'Receivers ignore any record whose v= tag does not match "BIMI1" precisely.',
      fix: (a) => `Change "v=${s(a.value)}" to "v=BIMI1".`,
    },
    ja: {
      title: 'BIMI のバージョンが "BIMI1" と完全一致しません',
      message: (a) =>
        `レコードは v=${s(a.value)} です。値は大文字で正確に "BIMI1" でなければなりません${a.caseOnly ? '（受け入れる受信者もありますが、厳格な受信者はこのレコードを無視します）' : '。受信者はこのレコードを無視します'}。`,
      why: '受信者は v= タグが "BIMI1" と完全に一致しないレコードを無視します。',
      fix: (a) => `"v=${s(a.value)}" を "v=BIMI1" に変更してください。`,
    },
  },
  'bimi-unknown-tag': {
    severity: 'info',
    protocol: 'bimi',
    en: {
      title: 'Unknown BIMI tag',
      message: (a) => `The tag "${s(a.tag)}" is not a BIMI tag; receivers ignore it.`,
      why: 'The draft says unknown tags must be ignored, so they do no harm, but a misspelt known tag (L= for l=) loses its meaning.',
      fix: (a) =>
        `Remove "${s(a.tag)}=${s(a.value)}" unless another tool needs it; tag names are lower case (v, l, a, avp, lps).`,
    },
    ja: {
      title: '未知の BIMI タグ',
      message: (a) => `タグ "${s(a.tag)}" は BIMI のタグではなく、受信者は無視します。`,
      why: 'ドラフトは未知のタグを無視するよう定めているので害はありませんが、既知のタグの綴り違い（l= を L= と書くなど）は意味を失います。',
      fix: (a) =>
        `ほかのツールが必要としないなら "${s(a.tag)}=${s(a.value)}" を削除してください。タグ名は小文字です（v, l, a, avp, lps）。`,
    },
  },
  'bimi-duplicate-tag': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Duplicate BIMI tag',
      message: (a) => `The tag "${s(a.tag)}" appears more than once.`,
      why: 'A tag-list with a repeated tag is invalid (RFC 6376 tag-list rules, which BIMI follows).',
      fix: (a) => `Keep one "${s(a.tag)}=" and delete the others.`,
    },
    ja: {
      title: 'BIMI タグが重複しています',
      message: (a) => `タグ "${s(a.tag)}" が 2 回以上あります。`,
      why: '同じタグが繰り返されるタグリストは不正です（BIMI が従う RFC 6376 のタグリスト規則）。',
      fix: (a) => `"${s(a.tag)}=" を 1 つだけ残し、ほかは削除してください。`,
    },
  },
  'bimi-invalid-avp': {
    severity: 'warning',
    protocol: 'bimi',
    en: {
      title: 'Invalid avatar preference',
      message: (a) =>
        `avp=${s(a.value)} is neither "brand" nor "personal"; receivers ignore it (and some reject the record).`,
      why: 'The draft allows only the lower-case values brand and personal; a provider may treat any other value as a failing record.',
      fix: () => 'Write avp=brand (the default, so it can also be left out) or avp=personal.',
    },
    ja: {
      title: 'アバター設定（avp）が不正です',
      message: (a) =>
        `avp=${s(a.value)} は "brand" でも "personal" でもありません。受信者は無視します（レコードを不合格とする事業者もあります）。`,
      why: 'ドラフトが認める値は小文字の brand と personal だけで、それ以外はレコードの失敗と扱われることがあります。',
      fix: () => 'avp=brand（既定値なので省略可）または avp=personal と書いてください。',
    },
  },
  'bimi-invalid-lps': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Invalid local-part selector prefix',
      message: (a) => `The lps= prefix "${s(a.prefix)}" is not 1 to 63 letters, digits or hyphens.`,
      why: 'Local-part prefixes become DNS labels; the draft allows only ALPHA, DIGIT and "-".',
      fix: () => 'Write lps= as comma-separated prefixes such as "lps=news,billing-".',
    },
    ja: {
      title: 'ローカルパートセレクター（lps）の接頭辞が不正です',
      message: (a) => `lps= の接頭辞 "${s(a.prefix)}" が 1〜63 文字の英数字とハイフンではありません。`,
      why: 'ローカルパートの接頭辞は DNS ラベルになります。ドラフトが認めるのは英字、数字、"-" だけです。',
      fix: () => 'lps= は "lps=news,billing-" のようにカンマ区切りの接頭辞で書いてください。',
    },
  },
  'bimi-location-missing': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'No l= tag',
      message: () => 'The record has no l= tag (the logo location), which is required.',
      why: 'Without l= there is no indicator to show; a record that only declines must still write "l=;".',
      fix: () => 'Add "l=https://<your site>/logo.svg" (or "l=;" to decline BIMI).',
    },
    ja: {
      title: 'l= タグがありません',
      message: () => 'レコードに必須の l= タグ（ロゴの場所）がありません。',
      why: 'l= がなければ表示するロゴがありません。辞退する場合も "l=;" と書く必要があります。',
      fix: () => '"l=https://<サイト>/logo.svg" を追加してください（BIMI を辞退するなら "l=;"）。',
    },
  },
  'bimi-invalid-url': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Unusable URL in the BIMI record',
      message: (a) => `The ${s(a.tag)}= value "${s(a.url)}" cannot be used: ${urlReason(a, 'en')}.`,
      why: 'BIMI fetches the logo and the certificate only over HTTPS from a named host; the logo must be an SVG file, and each tag holds one URL.',
      fix: (a) =>
        `Write ${s(a.tag)}= as a single https URL on your own host name, e.g. ${s(a.tag) === 'a' ? 'a=https://example.com/bimi/vmc.pem' : 'l=https://example.com/bimi/logo.svg'}.`,
    },
    ja: {
      title: 'BIMI レコードの URL が使えません',
      message: (a) => `${s(a.tag)}= の値 "${s(a.url)}" は使えません: ${urlReason(a, 'ja')}。`,
      why: 'BIMI はロゴと証明書を、ホスト名のある HTTPS からしか取得しません。ロゴは SVG でなければならず、各タグには URL を 1 つだけ書きます。',
      fix: (a) =>
        `${s(a.tag)}= には自分のホスト名の https URL を 1 つだけ書いてください（例: ${s(a.tag) === 'a' ? 'a=https://example.com/bimi/vmc.pem' : 'l=https://example.com/bimi/logo.svg'}）。`,
    },
  },
  'bimi-evidence-self': {
    severity: 'info',
    protocol: 'bimi',
    en: {
      title: 'a=self is obsolete',
      message: () =>
        'The record says a=self, an early-draft value; it means the same as an empty a= (no evidence).',
      why: 'Current BIMI has no "self" evidence; receivers treat it as no certificate.',
      fix: () => 'Write "a=" followed by the https URL of your mark certificate, or leave a= empty.',
    },
    ja: {
      title: 'a=self は廃止された書き方です',
      message: () =>
        'レコードは a=self です。初期のドラフトの値で、空の a=（証拠なし）と同じ意味になります。',
      why: '現在の BIMI に "self" という証拠はなく、受信者は証明書なしとして扱います。',
      fix: () => '"a=" にマーク証明書の https URL を書くか、a= を空にしてください。',
    },
  },
  'bimi-record-too-long': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'BIMI record too long',
      message: (a) => `The record is ${s(a.length)} characters long; Sumi reads at most ${s(a.limit)}.`,
      why: 'A BIMI record holds two URLs and a few short tags; a record this long is a mistake or an attack.',
      fix: () => 'Publish a short record: "v=BIMI1; l=https://...; a=https://...".',
    },
    ja: {
      title: 'BIMI レコードが長すぎます',
      message: (a) => `レコードが ${s(a.length)} 文字あります。Sumi が読むのは ${s(a.limit)} 文字までです。`,
      why: 'BIMI レコードは URL 2 つと短いタグ数個だけのものです。これほど長いのは誤りか攻撃です。',
      fix: () => '短いレコード "v=BIMI1; l=https://...; a=https://..." を公開してください。',
    },
  },
  'bimi-invalid-utf8': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'BIMI record is not valid UTF-8',
      message: (a) =>
        `The TXT record at ${s(a.name)} contains bytes that are not valid UTF-8 (shown as Latin-1).`,
      why: 'A BIMI record is ASCII; undecodable bytes mean the record was damaged when it was entered.',
      fix: (a) => `Re-enter the record at ${s(a.name)} in plain ASCII.`,
    },
    ja: {
      title: 'BIMI レコードが正しい UTF-8 ではありません',
      message: (a) =>
        `${s(a.name)} の TXT レコードに UTF-8 として不正なバイトがあります（Latin-1 として表示）。`,
      why: 'BIMI レコードは ASCII です。復号できないバイトは入力時にレコードが壊れたことを示します。',
      fix: (a) => `${s(a.name)} のレコードを ASCII で入力し直してください。`,
    },
  },
  'bimi-invalid-selector': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Invalid BIMI selector',
      message: (a) =>
        `"${s(a.selector)}" is not a valid selector (DNS labels of letters, digits and hyphens).`,
      why: 'The selector becomes part of the DNS name <selector>._bimi.<domain>.',
      fix: () => 'Use a selector such as "default" or "brand2025".',
    },
    ja: {
      title: 'BIMI セレクターが不正です',
      message: (a) => `"${s(a.selector)}" はセレクターとして不正です（英数字とハイフンの DNS ラベル）。`,
      why: 'セレクターは DNS 名 <selector>._bimi.<domain> の一部になります。',
      fix: () => '"default" や "brand2025" のようなセレクターを使ってください。',
    },
  },
  // ---- DMARC precondition ---------------------------------------------------------------------
  'bimi-dmarc-missing': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'BIMI without a valid DMARC policy',
      message: (a) =>
        `${s(a.domain)} publishes a BIMI record but has no valid DMARC record (${s(a.status)}); no receiver will show the logo.`,
      why: 'BIMI is only applied to mail that passes DMARC under an enforcing policy (p=quarantine or p=reject).',
      fix: (a) =>
        `Publish at _dmarc.${s(a.domain)}: "v=DMARC1; p=quarantine; rua=mailto:dmarc@${s(a.domain)}" (once reports show all your mail passes).`,
    },
    ja: {
      title: '有効な DMARC ポリシーなしで BIMI を公開しています',
      message: (a) =>
        `${s(a.domain)} は BIMI レコードを公開していますが、有効な DMARC レコードがありません（${s(a.status)}）。どの受信者もロゴを表示しません。`,
      why: 'BIMI は、強制力のあるポリシー（p=quarantine または p=reject）の下で DMARC に合格したメールにだけ適用されます。',
      fix: (a) =>
        `_dmarc.${s(a.domain)} に "v=DMARC1; p=quarantine; rua=mailto:dmarc@${s(a.domain)}" を公開してください（レポートですべての正規メールが合格することを確認してから）。`,
    },
  },
  'bimi-dmarc-not-enforcing': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'DMARC policy too weak for BIMI',
      message: (a) =>
        `DMARC ${s(a.tag)}=${s(a.value)}${a.dmarcName ? ` (at ${s(a.dmarcName)})` : ''} blocks BIMI: it must be ${s(a.required)}.`,
      why: 'Receivers skip BIMI unless p and sp are quarantine or reject and the policy applies to all mail (pct=100, not in testing mode t=y).',
      fix: (a) =>
        `Publish${a.dmarcName ? ` at ${s(a.dmarcName)}` : ''}: "${s(a.fixedRecord)}" (after checking in your DMARC reports that legitimate mail passes).`,
    },
    ja: {
      title: 'DMARC ポリシーが BIMI には弱すぎます',
      message: (a) =>
        `DMARC の ${s(a.tag)}=${s(a.value)}${a.dmarcName ? `（${s(a.dmarcName)}）` : ''}のため BIMI が使えません。値は ${s(a.required) === '100' ? '100' : s(a.required) === 'n' ? 'n' : 'quarantine か reject'} である必要があります。`,
      why: '受信者は、p と sp が quarantine か reject で、ポリシーがすべてのメールに適用される（pct=100、テストモード t=y でない）場合にしか BIMI を処理しません。',
      fix: (a) =>
        `${a.dmarcName ? `${s(a.dmarcName)} に ` : ''}"${s(a.fixedRecord)}" を公開してください（DMARC レポートで正規のメールが合格していることを確認してから）。`,
    },
  },
  'bimi-dmarc-unverified': {
    severity: 'info',
    protocol: 'bimi',
    en: {
      title: 'DMARC enforcement not verified',
      message: (a) =>
        `The DMARC lookup for ${s(a.domain)} failed, so whether its policy allows BIMI is unknown.`,
      why: 'BIMI needs an enforcing DMARC policy; the DMARC section shows why it could not be read.',
    },
    ja: {
      title: 'DMARC の強制を確認できません',
      message: (a) =>
        `${s(a.domain)} の DMARC の問い合わせに失敗したため、ポリシーが BIMI を満たすか不明です。`,
      why: 'BIMI には強制力のある DMARC ポリシーが必要です。読めなかった理由は DMARC の項目を見てください。',
    },
  },
  'bimi-no-certificate': {
    severity: 'warning',
    protocol: 'bimi',
    en: {
      title: 'No mark certificate',
      message: () =>
        'The record has a logo but no mark certificate (a= is empty): Gmail, Apple Mail and most other providers show BIMI logos only with a VMC or CMC.',
      why: 'Without a Verified Mark Certificate (or Common Mark Certificate) proving the right to the logo, the large mailbox providers do not display it.',
      fix: () =>
        'Obtain a VMC or CMC for the logo from a Mark Verifying Authority (DigiCert, GlobalSign, SSL.com ...), publish the PEM over https and add "a=https://<your site>/vmc.pem".',
    },
    ja: {
      title: 'マーク証明書がありません',
      message: () =>
        'レコードにロゴはありますが、マーク証明書がありません（a= が空）。Gmail や Apple Mail など多くの事業者は、VMC か CMC がなければ BIMI のロゴを表示しません。',
      why: 'ロゴの権利を証明する VMC（認証マーク証明書）や CMC（コモンマーク証明書）がなければ、大手のメールボックス事業者はロゴを表示しません。',
      fix: () =>
        'マーク検証機関（DigiCert、GlobalSign、SSL.com など）からロゴの VMC か CMC を取得し、PEM を https で公開して "a=https://<サイト>/vmc.pem" を追加してください。',
    },
  },
  // ---- SVG indicator ------------------------------------------------------------------------------
  'bimi-svg-fetch-failed': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'BIMI logo could not be downloaded',
      message: (a) => `The logo at ${s(a.url)} could not be downloaded: ${fetchFailure(a, 'en')}.`,
      why: 'Receivers fetch the logo from l=; if they cannot, no logo is shown.',
      fix: (a) =>
        `Serve the SVG at ${s(a.url)} over https with a publicly trusted certificate, status 200 and no redirect.`,
    },
    ja: {
      title: 'BIMI のロゴをダウンロードできません',
      message: (a) => `${s(a.url)} のロゴをダウンロードできません: ${fetchFailure(a, 'ja')}。`,
      why: '受信者は l= からロゴを取得します。取得できなければロゴは表示されません。',
      fix: (a) =>
        `${s(a.url)} で SVG を https（公的に信頼された証明書、ステータス 200、リダイレクトなし）で配信してください。`,
    },
  },
  'bimi-svg-not-svg': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'BIMI logo is not an SVG document',
      message: (a) => `The logo file is not an SVG document: ${NOT_SVG[s(a.reason)]?.en(a) ?? s(a.reason)}.`,
      why: 'BIMI indicators must be SVG Tiny PS documents; anything else is a permanent error.',
      fix: () =>
        "Export the logo as SVG Tiny 1.2 Portable/Secure (for example with the BIMI Group's conversion tools) and publish that file.",
    },
    ja: {
      title: 'BIMI のロゴが SVG 文書ではありません',
      message: (a) =>
        `ロゴのファイルが SVG 文書ではありません: ${NOT_SVG[s(a.reason)]?.ja(a) ?? s(a.reason)}。`,
      why: 'BIMI のロゴは SVG Tiny PS 文書でなければならず、それ以外は恒久的なエラーです。',
      fix: () =>
        'ロゴを SVG Tiny 1.2 Portable/Secure として書き出し（BIMI Group の変換ツールなど）、そのファイルを公開してください。',
    },
  },
  'bimi-svg-version': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'SVG version is not 1.2',
      message: (a) => `The <svg> root has version="${s(a.version)}"; BIMI needs version="1.2".`,
      why: 'SVG Tiny PS is a profile of SVG Tiny 1.2, declared on the root element.',
      fix: () => 'Set version="1.2" on the root <svg> element.',
    },
    ja: {
      title: 'SVG のバージョンが 1.2 ではありません',
      message: (a) =>
        `ルートの <svg> が version="${s(a.version)}" です。BIMI には version="1.2" が必要です。`,
      why: 'SVG Tiny PS は SVG Tiny 1.2 のプロファイルで、ルート要素で宣言します。',
      fix: () => 'ルートの <svg> 要素に version="1.2" を設定してください。',
    },
  },
  'bimi-svg-base-profile': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'SVG baseProfile is not tiny-ps',
      message: (a) =>
        `The <svg> root has baseProfile="${s(a.baseProfile)}"; BIMI needs baseProfile="tiny-ps".`,
      why: 'The tiny-ps profile is what tells receivers the file is the portable/secure subset they can render safely.',
      fix: () => 'Set baseProfile="tiny-ps" on the root <svg> element (and make the content conform to it).',
    },
    ja: {
      title: 'SVG の baseProfile が tiny-ps ではありません',
      message: (a) =>
        `ルートの <svg> が baseProfile="${s(a.baseProfile)}" です。BIMI には baseProfile="tiny-ps" が必要です。`,
      why: 'tiny-ps プロファイルは、受信者が安全に描画できる可搬・安全なサブセットであることを示します。',
      fix: () =>
        'ルートの <svg> 要素に baseProfile="tiny-ps" を設定してください（内容もそれに合わせてください）。',
    },
  },
  'bimi-svg-title-missing': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'SVG has no <title>',
      message: () => 'The logo has no <title> element directly under the root <svg>.',
      why: 'SVG Tiny PS requires a title; it names the brand for accessibility.',
      fix: () => 'Add <title>Your Company Name</title> as the first child of <svg>.',
    },
    ja: {
      title: 'SVG に <title> がありません',
      message: () => 'ロゴのルート <svg> の直下に <title> 要素がありません。',
      why: 'SVG Tiny PS は title を必須としています。アクセシビリティのためにブランド名を示します。',
      fix: () => '<svg> の最初の子要素として <title>会社名</title> を追加してください。',
    },
  },
  'bimi-svg-title-placeholder': {
    severity: 'warning',
    protocol: 'bimi',
    en: {
      title: 'SVG title looks like a placeholder',
      message: (a) =>
        `The logo's <title> is "${s(a.title)}", which looks left over from a tool rather than naming the brand.`,
      why: 'The title is read out by screen readers and shown by some clients; it should be the brand name.',
      fix: () => 'Set <title> to the company or brand name.',
    },
    ja: {
      title: 'SVG の title が仮の値のようです',
      message: (a) =>
        `ロゴの <title> が "${s(a.title)}" で、ブランド名ではなくツールの残りのように見えます。`,
      why: 'title はスクリーンリーダーで読み上げられ、表示するクライアントもあります。ブランド名にすべきです。',
      fix: () => '<title> を会社名またはブランド名にしてください。',
    },
  },
  'bimi-svg-root-position': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'x or y attribute on the SVG root',
      message: (a) =>
        `The root <svg> has ${s(a.attribute)}="${s(a.value)}", which SVG Tiny PS does not allow.`,
      why: 'Position attributes on the root make the logo render off-centre or be rejected.',
      fix: (a) => `Remove the ${s(a.attribute)} attribute from the root <svg> element.`,
    },
    ja: {
      title: 'SVG のルートに x または y 属性があります',
      message: (a) =>
        `ルートの <svg> に ${s(a.attribute)}="${s(a.value)}" があり、SVG Tiny PS では認められません。`,
      why: 'ルートの位置属性があるとロゴが中央からずれて描画されるか、拒否されます。',
      fix: (a) => `ルートの <svg> 要素から ${s(a.attribute)} 属性を削除してください。`,
    },
  },
  'bimi-svg-too-large': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'SVG logo larger than 32 KB',
      message: (a) => `The logo is ${s(a.bytes)} bytes; BIMI allows at most ${s(a.limit)} bytes.`,
      why: 'Receivers refuse indicators over 32 KB (many stop downloading at that size).',
      fix: () =>
        'Simplify the paths (fewer points, no embedded metadata or fonts) until the file is under 32 KB.',
    },
    ja: {
      title: 'SVG のロゴが 32 KB を超えています',
      message: (a) => `ロゴが ${s(a.bytes)} バイトあります。BIMI の上限は ${s(a.limit)} バイトです。`,
      why: '受信者は 32 KB を超えるロゴを拒否します（その大きさでダウンロードを打ち切るものも多くあります）。',
      fix: () =>
        'パスを簡略化し（点を減らし、メタデータやフォントを埋め込まない）、32 KB 未満にしてください。',
    },
  },
  'bimi-svg-viewbox-missing': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'SVG has no usable viewBox',
      message: (a) =>
        `The root <svg> viewBox is ${s(a.viewBox) === '(none)' ? 'missing' : `"${s(a.viewBox)}", which is not four numbers with a positive width and height`}.`,
      why: 'Receivers scale the logo to a circle or square through its viewBox.',
      fix: () => 'Set viewBox="0 0 <size> <size>" on the root <svg>, with equal width and height.',
    },
    ja: {
      title: 'SVG に使える viewBox がありません',
      message: (a) =>
        `ルートの <svg> の viewBox が${s(a.viewBox) === '(none)' ? 'ありません' : ` "${s(a.viewBox)}" で、正の幅と高さを持つ 4 つの数値ではありません`}。`,
      why: '受信者は viewBox を基にロゴを円や正方形に合わせて拡大縮小します。',
      fix: () => 'ルートの <svg> に幅と高さが等しい viewBox="0 0 <サイズ> <サイズ>" を設定してください。',
    },
  },
  'bimi-svg-viewbox-not-square': {
    severity: 'warning',
    protocol: 'bimi',
    en: {
      title: 'SVG logo is not square',
      message: (a) =>
        `The viewBox "${s(a.viewBox)}" is ${s(a.width)} by ${s(a.height)}; BIMI logos should be square.`,
      why: 'Clients crop logos to a circle or square; a non-square logo is cut off or rejected.',
      fix: () => 'Place the mark on a square canvas and set viewBox="0 0 <size> <size>".',
    },
    ja: {
      title: 'SVG のロゴが正方形ではありません',
      message: (a) =>
        `viewBox "${s(a.viewBox)}" は ${s(a.width)} × ${s(a.height)} です。BIMI のロゴは正方形にすべきです。`,
      why: 'クライアントはロゴを円や正方形に切り抜くため、正方形でないロゴは欠けるか拒否されます。',
      fix: () => 'マークを正方形のキャンバスに配置し、viewBox="0 0 <サイズ> <サイズ>" にしてください。',
    },
  },
  'bimi-svg-invalid': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'SVG logo breaks the SVG Tiny PS profile',
      message: (a) => `The logo breaks SVG Tiny PS: ${svgRule(a, 'en')}.`,
      why: 'SVG Tiny Portable/Secure forbids scripts, animation, external references, raster images, foreign content and links, and allows only its own elements and attributes, so that logos are safe to render everywhere.',
      fix: (a) =>
        `Remove ${a.attribute ? `the ${s(a.attribute)} attribute` : a.element ? `the <${s(a.element)}> element` : 'the offending content'} (or convert the logo with an SVG Tiny PS tool) and validate it against the SVG Tiny PS schema.`,
    },
    ja: {
      title: 'SVG のロゴが SVG Tiny PS に違反しています',
      message: (a) => `ロゴが SVG Tiny PS に違反しています: ${svgRule(a, 'ja')}。`,
      why: 'SVG Tiny Portable/Secure は、ロゴをどこでも安全に描画できるよう、スクリプト、アニメーション、外部参照、ラスター画像、異種コンテンツ、リンクを禁止し、決められた要素と属性だけを認めています。',
      fix: (a) =>
        `${a.attribute ? `${s(a.attribute)} 属性` : a.element ? `<${s(a.element)}> 要素` : '違反している内容'}を削除し（または SVG Tiny PS 用のツールで変換し）、SVG Tiny PS のスキーマで検証してください。`,
    },
  },
  'bimi-svg-content-type': {
    severity: 'warning',
    protocol: 'bimi',
    en: {
      title: 'SVG served with the wrong Content-Type',
      message: (a) => `The logo is served as "${s(a.contentType)}" instead of image/svg+xml.`,
      why: 'Some receivers check the media type before parsing the file.',
      fix: () => 'Configure the web server to send "Content-Type: image/svg+xml" for the logo.',
    },
    ja: {
      title: 'SVG の Content-Type が誤っています',
      message: (a) => `ロゴが image/svg+xml ではなく "${s(a.contentType)}" として配信されています。`,
      why: 'ファイルを解析する前にメディアタイプを確認する受信者があります。',
      fix: () => 'ロゴに "Content-Type: image/svg+xml" を返すよう Web サーバーを設定してください。',
    },
  },
  // ---- Mark certificate -----------------------------------------------------------------------------
  'bimi-certificate-fetch-failed': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate could not be downloaded',
      message: (a) => `The certificate at ${s(a.url)} could not be downloaded: ${fetchFailure(a, 'en')}.`,
      why: 'Receivers that verify evidence fetch the PEM from a=; if they cannot, the logo is not shown.',
      fix: (a) =>
        `Serve the PEM file (leaf certificate then intermediates, under 64 KB) at ${s(a.url)} over https, status 200, no redirect.`,
    },
    ja: {
      title: 'マーク証明書をダウンロードできません',
      message: (a) => `${s(a.url)} の証明書をダウンロードできません: ${fetchFailure(a, 'ja')}。`,
      why: '証拠を検証する受信者は a= から PEM を取得します。取得できなければロゴは表示されません。',
      fix: (a) =>
        `${s(a.url)} で PEM ファイル（証明書本体の後に中間証明書、64 KB 未満）を https で配信してください（ステータス 200、リダイレクトなし）。`,
    },
  },
  'bimi-certificate-invalid': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate cannot be read',
      message: (a) =>
        s(a.reason) === 'no-pem'
          ? 'The a= file holds no PEM certificate ("-----BEGIN CERTIFICATE-----").'
          : `Certificate ${s(a.index) || '1'} in the a= file cannot be parsed (${s(a.reason)}${a.detail ? `: ${s(a.detail)}` : ''}).`,
      why: 'The evidence document must be PEM-encoded X.509 certificates.',
      fix: () =>
        'Publish the PEM file exactly as the Mark Verifying Authority delivered it (leaf first, then intermediates).',
    },
    ja: {
      title: 'マーク証明書を読み取れません',
      message: (a) =>
        s(a.reason) === 'no-pem'
          ? 'a= のファイルに PEM 形式の証明書（"-----BEGIN CERTIFICATE-----"）がありません。'
          : `a= のファイルの ${s(a.index) || '1'} 番目の証明書を解析できません（${s(a.reason)}${a.detail ? `: ${s(a.detail)}` : ''}）。`,
      why: '証拠文書は PEM 形式の X.509 証明書でなければなりません。',
      fix: () =>
        'マーク検証機関から届いた PEM ファイルをそのまま公開してください（証明書本体、続いて中間証明書）。',
    },
  },
  'bimi-certificate-extension-missing': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate lacks a required extension',
      message: (a) => `The certificate has no ${s(a.extension)} extension.`,
      why: 'A mark certificate must name the domains (subjectAltName) and embed the logo (logotype, RFC 3709).',
      fix: () => `${CA_FIX_EN}: this is not a mark certificate as issued.`,
    },
    ja: {
      title: 'マーク証明書に必須の拡張がありません',
      message: (a) => `証明書に ${s(a.extension)} 拡張がありません。`,
      why: 'マーク証明書はドメイン（subjectAltName）を示し、ロゴ（logotype、RFC 3709）を埋め込む必要があります。',
      fix: () => `${CA_FIX_JA}。発行されたままのマーク証明書ではありません。`,
    },
  },
  'bimi-certificate-forbidden-extension': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate has a forbidden extension',
      message: (a) =>
        `The certificate contains the ${s(a.extension)} extension, which mark certificates must not have.`,
      why: 'The Mark Certificate requirements forbid name constraints on the subscriber certificate.',
      fix: () => `${CA_FIX_EN}.`,
    },
    ja: {
      title: 'マーク証明書に禁止された拡張があります',
      message: (a) => `証明書に、マーク証明書では禁止の ${s(a.extension)} 拡張があります。`,
      why: 'マーク証明書の要件は、利用者証明書に名前制約を含めることを禁じています。',
      fix: () => `${CA_FIX_JA}。`,
    },
  },
  'bimi-certificate-pilot-identifier': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate carries the pilot identifier',
      message: (a) =>
        `The certificate, issued ${s(a.issued)}, still has the BIMI pilot identifier extension (1.3.6.1.4.1.53087.4.1).`,
      why: 'Certificates issued on or after 2025-03-15 must not carry the pilot identifier.',
      fix: () => `${CA_FIX_EN} without the pilot identifier.`,
    },
    ja: {
      title: 'マーク証明書にパイロット識別子があります',
      message: (a) =>
        `${s(a.issued)} に発行された証明書に、BIMI のパイロット識別子拡張（1.3.6.1.4.1.53087.4.1）が残っています。`,
      why: '2025-03-15 以降に発行された証明書はパイロット識別子を含んではなりません。',
      fix: () => `${CA_FIX_JA}（パイロット識別子なしで）。`,
    },
  },
  'bimi-certificate-untrusted': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate not issued by a Mark Verifying Authority',
      message: (a) =>
        `The certificate does not chain to a Mark Verifying Authority root: ${UNTRUSTED[s(a.reason)]?.en(a) ?? s(a.reason)}.`,
      why: 'Receivers trust logos only when the certificate chains to one of the recognised MVA roots.',
      fix: () =>
        'Publish the full chain (leaf, then intermediates) from a recognised MVA (DigiCert, GlobalSign, SSL.com ...).',
    },
    ja: {
      title: 'マーク証明書がマーク検証機関によって発行されていません',
      message: (a) =>
        `証明書がマーク検証機関（MVA）のルートにつながりません: ${UNTRUSTED[s(a.reason)]?.ja(a) ?? s(a.reason)}。`,
      why: '受信者は、証明書が認められた MVA のルートにつながる場合にだけロゴを信頼します。',
      fix: () =>
        '認められた MVA（DigiCert、GlobalSign、SSL.com など）の完全なチェーン（証明書本体、続いて中間証明書）を公開してください。',
    },
  },
  'bimi-certificate-chain-incomplete': {
    severity: 'warning',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate file lacks its intermediate',
      message: (a) =>
        `The PEM file does not include the intermediate certificate "${s(a.issuer)}"; Sumi completed the chain from its own copy.`,
      why: 'Receivers do not fetch missing intermediates; the a= file must hold the whole chain.',
      fix: (a) =>
        `Append the "${s(a.issuer)}" certificate (from your MVA) after the leaf certificate in the PEM file.`,
    },
    ja: {
      title: 'マーク証明書のファイルに中間証明書がありません',
      message: (a) =>
        `PEM ファイルに中間証明書 "${s(a.issuer)}" が含まれていません。Sumi は手元の写しでチェーンを補いました。`,
      why: '受信者は足りない中間証明書を取りに行きません。a= のファイルにチェーン全体が必要です。',
      fix: (a) =>
        `PEM ファイルの証明書本体の後に "${s(a.issuer)}" の証明書（MVA から入手）を追加してください。`,
    },
  },
  'bimi-certificate-not-yet-valid': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate not yet valid',
      message: (a) => `The certificate is valid only from ${s(a.notBefore)}.`,
      why: 'Receivers reject certificates outside their validity period.',
      fix: () => 'Publish the current certificate in a= and keep the new one until its start date.',
    },
    ja: {
      title: 'マーク証明書がまだ有効ではありません',
      message: (a) => `証明書の有効期間は ${s(a.notBefore)} からです。`,
      why: '受信者は有効期間外の証明書を拒否します。',
      fix: () => 'a= には現在有効な証明書を公開し、新しい証明書は開始日まで待ってください。',
    },
  },
  'bimi-certificate-expired': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate expired',
      message: (a) => `The certificate expired on ${s(a.notAfter)}.`,
      why: 'Receivers stop showing the logo when the certificate expires.',
      fix: () =>
        'Renew the certificate with your Mark Verifying Authority and replace the PEM file at the a= URL.',
    },
    ja: {
      title: 'マーク証明書の期限が切れています',
      message: (a) => `証明書は ${s(a.notAfter)} に期限切れになりました。`,
      why: '証明書の期限が切れると、受信者はロゴを表示しなくなります。',
      fix: () => 'マーク検証機関で証明書を更新し、a= の URL の PEM ファイルを差し替えてください。',
    },
  },
  'bimi-certificate-expiring': {
    severity: 'warning',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate expires soon',
      message: (a) => `The certificate expires in ${s(a.days)} days (${s(a.notAfter)}).`,
      why: 'Renewal needs the MVA to re-verify the mark, which takes time; an expired certificate removes the logo.',
      fix: () =>
        'Start the renewal with your Mark Verifying Authority now and replace the PEM file when it arrives.',
    },
    ja: {
      title: 'マーク証明書の期限が近づいています',
      message: (a) => `証明書はあと ${s(a.days)} 日（${s(a.notAfter)}）で期限切れになります。`,
      why: '更新には MVA によるマークの再審査が必要で時間がかかります。期限が切れるとロゴが表示されなくなります。',
      fix: () => '今すぐマーク検証機関で更新手続きを始め、届いたら PEM ファイルを差し替えてください。',
    },
  },
  'bimi-certificate-domain-mismatch': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate does not cover the domain',
      message: (a) => `The certificate names ${s(a.names)}, not ${s(a.domain)}.`,
      why: "Receivers show the logo only when the certificate's subjectAltName covers the sending domain (or its organisational domain).",
      fix: (a) =>
        `Use the certificate issued for ${s(a.domain)}, or ask your MVA to add ${s(a.domain)} to it.`,
    },
    ja: {
      title: 'マーク証明書がドメインを含んでいません',
      message: (a) => `証明書に記載されているのは ${s(a.names)} で、${s(a.domain)} ではありません。`,
      why: '受信者は、証明書の subjectAltName が送信ドメイン（またはその組織ドメイン）を含む場合にだけロゴを表示します。',
      fix: (a) =>
        `${s(a.domain)} 用に発行された証明書を使うか、MVA に ${s(a.domain)} の追加を依頼してください。`,
    },
  },
  'bimi-certificate-eku-missing': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Certificate is not for BIMI',
      message: (a) =>
        `The certificate's extended key usage (${s(a.purposes)}) lacks id-kp-BrandIndicatorforMessageIdentification (1.3.6.1.5.5.7.3.31).`,
      why: 'Only certificates issued for BIMI may vouch for a logo; a TLS or other certificate does not.',
      fix: () => 'Publish a mark certificate (VMC or CMC) in a=, not a TLS or S/MIME certificate.',
    },
    ja: {
      title: 'BIMI 用の証明書ではありません',
      message: (a) =>
        `証明書の拡張キー使用法（${s(a.purposes)}）に id-kp-BrandIndicatorforMessageIdentification（1.3.6.1.5.5.7.3.31）がありません。`,
      why: 'ロゴを保証できるのは BIMI 用に発行された証明書だけで、TLS などの証明書では保証できません。',
      fix: () => 'a= には TLS や S/MIME の証明書ではなく、マーク証明書（VMC または CMC）を公開してください。',
    },
  },
  'bimi-certificate-logotype-invalid': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: "Certificate's embedded logo cannot be used",
      message: (a) =>
        `The logotype extension cannot be used: ${pick(LOGOTYPE, a.reason, 'en')}${a.detail ? ` (${s(a.detail)})` : ''}.`,
      why: 'Receivers compare the l= logo with the SVG embedded in the certificate; an unreadable logotype fails that check.',
      fix: () => `${CA_FIX_EN}.`,
    },
    ja: {
      title: '証明書に埋め込まれたロゴが使えません',
      message: (a) =>
        `logotype 拡張が使えません: ${pick(LOGOTYPE, a.reason, 'ja')}${a.detail ? `（${s(a.detail)}）` : ''}。`,
      why: '受信者は l= のロゴと証明書に埋め込まれた SVG を比較します。logotype が読めなければその確認に失敗します。',
      fix: () => `${CA_FIX_JA}。`,
    },
  },
  'bimi-certificate-logo-mismatch': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Logo differs from the one in the certificate',
      message: (a) =>
        `The SVG at l= (SHA-256 ${s(a.svgSha256).slice(0, 16)}...) is not the logo in the certificate (SHA-256 ${s(a.certificateSha256).slice(0, 16)}...).`,
      why: 'Receivers show the logo only when the l= file is byte-for-byte the logo the MVA verified.',
      fix: () =>
        'Publish at l= exactly the SVG file submitted to the MVA (the one embedded in the certificate), without re-saving it.',
    },
    ja: {
      title: 'ロゴが証明書内のロゴと異なります',
      message: (a) =>
        `l= の SVG（SHA-256 ${s(a.svgSha256).slice(0, 16)}...）は証明書内のロゴ（SHA-256 ${s(a.certificateSha256).slice(0, 16)}...）と一致しません。`,
      why: '受信者は、l= のファイルが MVA の審査したロゴとバイト単位で同一の場合にだけロゴを表示します。',
      fix: () =>
        'l= には MVA に提出した（証明書に埋め込まれた）SVG ファイルを、保存し直さずにそのまま公開してください。',
    },
  },
  'bimi-certificate-mark-type-missing': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate has no markType',
      message: () => 'The certificate subject has no markType (1.3.6.1.4.1.53087.1.13).',
      why: 'The mark type says what was verified (registered, government, prior use, modified mark) and decides VMC or CMC.',
      fix: () => `${CA_FIX_EN}.`,
    },
    ja: {
      title: 'マーク証明書に markType がありません',
      message: () => '証明書の subject に markType（1.3.6.1.4.1.53087.1.13）がありません。',
      why: 'マークの種類は、何が審査されたか（登録商標、政府マーク、先使用、改変商標）を示し、VMC か CMC かを決めます。',
      fix: () => `${CA_FIX_JA}。`,
    },
  },
  'bimi-certificate-mark-type-invalid': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Unknown markType',
      message: (a) => `The certificate's markType "${s(a.markType)}" is not a known mark type.`,
      why: 'Allowed values: Registered Mark, Government Mark, Prior Use Mark, Modified Registered Mark (and Pending Registration Mark).',
      fix: () => `${CA_FIX_EN}.`,
    },
    ja: {
      title: '不明な markType',
      message: (a) => `証明書の markType "${s(a.markType)}" は既知のマーク種別ではありません。`,
      why: '認められる値は Registered Mark、Government Mark、Prior Use Mark、Modified Registered Mark（と Pending Registration Mark）です。',
      fix: () => `${CA_FIX_JA}。`,
    },
  },
  'bimi-certificate-subject-field-missing': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate lacks a required subject field',
      message: (a) =>
        `The certificate subject has no ${s(a.field)}, which ${s(a.markType)} certificates require.`,
      why: 'The Mark Certificate requirements list the subject fields each mark type must carry.',
      fix: () => `${CA_FIX_EN} with the complete subject.`,
    },
    ja: {
      title: 'マーク証明書に必須の subject 項目がありません',
      message: (a) => `証明書の subject に、${s(a.markType)} の証明書で必須の ${s(a.field)} がありません。`,
      why: 'マーク証明書の要件は、マーク種別ごとに subject に必要な項目を定めています。',
      fix: () => `${CA_FIX_JA}（完全な subject で）。`,
    },
  },
  'bimi-certificate-locality-missing': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Mark certificate lacks locality and state',
      message: () => 'The certificate subject has neither localityName nor stateOrProvinceName.',
      why: 'Mark certificates must give at least one of locality or state/province for the place of business.',
      fix: () => `${CA_FIX_EN} with the address completed.`,
    },
    ja: {
      title: 'マーク証明書に市区町村も都道府県もありません',
      message: () => '証明書の subject に localityName も stateOrProvinceName もありません。',
      why: 'マーク証明書には、事業所の市区町村か都道府県の少なくとも一方が必要です。',
      fix: () => `${CA_FIX_JA}（住所を補って）。`,
    },
  },
  'bimi-certificate-jurisdiction-incomplete': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Jurisdiction fields incomplete',
      message: (a) => `The certificate subject has ${s(a.present)} but no ${s(a.required)}.`,
      why: 'A locality-level jurisdiction (or statute) must also name its state or province.',
      fix: () => `${CA_FIX_EN} with consistent jurisdiction fields.`,
    },
    ja: {
      title: '管轄の項目が不完全です',
      message: (a) => `証明書の subject に ${s(a.present)} がありますが ${s(a.required)} がありません。`,
      why: '市区町村レベルの管轄（または法令）には、その州・都道府県も記載する必要があります。',
      fix: () => `${CA_FIX_JA}（管轄の項目を整えて）。`,
    },
  },
  'bimi-certificate-wrong-mark-field': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Subject field of another mark type',
      message: (a) =>
        `The subject has ${s(a.field)}, which belongs to ${s(a.usedBy)} certificates, not ${s(a.markType)}.`,
      why: 'Fields of other mark types are prohibited and suggest the mark type is wrong.',
      fix: () => `${CA_FIX_EN} with the right mark type and fields.`,
    },
    ja: {
      title: '別のマーク種別の subject 項目があります',
      message: (a) =>
        `subject に ${s(a.field)} がありますが、これは ${s(a.markType)} ではなく ${s(a.usedBy)} の証明書の項目です。`,
      why: 'ほかのマーク種別の項目は禁止されており、マーク種別の誤りを示しています。',
      fix: () => `${CA_FIX_JA}（正しいマーク種別と項目で）。`,
    },
  },
  'bimi-certificate-prior-use-source-missing': {
    severity: 'error',
    protocol: 'bimi',
    en: {
      title: 'Prior Use Mark without its source URL',
      message: (a) => `The Prior Use Mark certificate issued ${s(a.issued)} has no priorUseMarkSourceURL.`,
      why: 'Prior Use Mark certificates issued on or after 2025-04-15 must say where the CA found the mark in use.',
      fix: () => `${CA_FIX_EN} with priorUseMarkSourceURL.`,
    },
    ja: {
      title: '先使用マークにソース URL がありません',
      message: (a) =>
        `${s(a.issued)} に発行された Prior Use Mark の証明書に priorUseMarkSourceURL がありません。`,
      why: '2025-04-15 以降に発行された Prior Use Mark の証明書には、CA がマークの使用を確認した場所が必要です。',
      fix: () => `${CA_FIX_JA}（priorUseMarkSourceURL を含めて）。`,
    },
  },
  'bimi-certificate-unknown-subject-field': {
    severity: 'warning',
    protocol: 'bimi',
    en: {
      title: 'Unknown subject field in the mark certificate',
      message: (a) =>
        `The certificate subject has ${s(a.field)}, which is not a mark certificate subject field.`,
      why: 'The Mark Certificate requirements list the subject fields; others are unexpected.',
      fix: () => 'Ask the issuing Mark Verifying Authority whether the field belongs there.',
    },
    ja: {
      title: 'マーク証明書に不明な subject 項目があります',
      message: (a) => `証明書の subject にマーク証明書の項目ではない ${s(a.field)} があります。`,
      why: 'マーク証明書の要件は subject の項目を定めており、それ以外は想定外です。',
      fix: () => 'その項目が適切か、発行元のマーク検証機関に確認してください。',
    },
  },
  'bimi-certificate-valid': {
    severity: 'info',
    protocol: 'bimi',
    en: {
      title: 'Valid mark certificate',
      message: (a) =>
        `${s(a.kind) || 'Mark certificate'} (${s(a.markType)}) for ${s(a.organization)}, issued by ${s(a.issuer)}, valid until ${s(a.notAfter)}.`,
      why: 'A valid VMC (registered or government mark) or CMC (prior use or modified mark) lets Gmail, Apple Mail and others show the logo; Gmail shows its verified checkmark only with a VMC.',
    },
    ja: {
      title: '有効なマーク証明書',
      message: (a) =>
        `${s(a.organization)} の ${s(a.kind) || 'マーク証明書'}（${s(a.markType)}）。発行者 ${s(a.issuer)}、${s(a.notAfter)} まで有効です。`,
      why: '有効な VMC（登録商標・政府マーク）または CMC（先使用・改変マーク）があれば、Gmail や Apple Mail などがロゴを表示します。Gmail の認証済みチェックマークは VMC の場合だけです。',
    },
  },
} satisfies FindingCatalog;
