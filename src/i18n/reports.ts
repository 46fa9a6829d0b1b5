import type { UiCatalog } from './catalog.ts';
import type { Lang } from './lang.ts';

/**
 * Why a report input could not be read, one entry per `ReportError` code (src/reports/errors.ts).
 * `{name}` placeholders are filled from the error's `args`.
 */
export const reportErrorText = {
  'empty-input': {
    en: 'The input is empty.',
    ja: '入力が空です。',
  },
  'input-too-large': {
    en: 'The input is {size, plural, one {# byte} other {# bytes}}, more than the limit of {limit} bytes.',
    ja: '入力が {size} バイトあり、上限の {limit} バイトを超えています。',
  },
  'not-xml': {
    en: 'This is not XML: it starts with "{start}".',
    ja: 'XML ではありません。先頭は「{start}」です。',
  },
  'xml-doctype-forbidden': {
    en: 'The XML has a DOCTYPE ({source}); report XML never needs one and entities are not expanded.',
    ja: 'XML に DOCTYPE 宣言があります（{source}）。レポートの XML に DOCTYPE は不要で、エンティティは展開しません。',
  },
  'xml-not-well-formed': {
    en: 'The XML is not well-formed at line {line}, column {column}: {detail}.',
    ja: 'XML の {line} 行 {column} 桁目が整形式ではありません: {detail}',
  },
  'xml-encoding-unsupported': {
    en: 'The XML declares the character encoding "{encoding}", which cannot be decoded.',
    ja: 'XML が宣言している文字コード「{encoding}」はデコードできません。',
  },
  'xml-too-deep': {
    en: 'The XML nests elements more than {limit} levels deep.',
    ja: 'XML の要素の入れ子が {limit} 階層を超えています。',
  },
  'xml-field-too-long': {
    en: 'The value of <{field}> is longer than {limit} characters.',
    ja: '<{field}> の値が {limit} 文字を超えています。',
  },
  'xml-token-too-long': {
    en: 'The XML has a run of more than {limit} bytes without any element boundary.',
    ja: 'XML に要素の区切りのない部分が {limit} バイトを超えて続いています。',
  },
  'xml-too-many-extension-nodes': {
    en: 'An extension block holds more than {limit} elements.',
    ja: '拡張（extension）ブロックの要素数が {limit} を超えています。',
  },
  'not-a-dmarc-report': {
    en: 'This XML is not a DMARC aggregate report: its root element is <{root}>, not <feedback>.',
    ja: 'この XML は DMARC 集約レポートではありません。ルート要素が <feedback> ではなく <{root}> です。',
  },
  'aggregate-too-many-records': {
    en: 'The report has more than {limit} records.',
    ja: 'レポートのレコード数が上限の {limit} を超えています。',
  },
  'aggregate-missing-field': {
    en: 'The report has no <{field}>, which is needed to identify it.',
    ja: 'レポートを識別するのに必要な <{field}> がありません。',
  },
  'aggregate-invalid-count': {
    en: 'Record {record} has the message count "{value}"; a count must be a whole number from 0 to {limit}.',
    ja: 'レコード {record} のメッセージ数が「{value}」です。0 から {limit} までの整数である必要があります。',
  },
  'aggregate-invalid-date': {
    en: 'The report window <{field}> is "{value}", which is not a time in seconds since 1970 up to the year 2100.',
    ja: 'レポート期間の <{field}> が「{value}」で、1970 年から 2100 年までの UNIX 時刻（秒）ではありません。',
  },
  'gzip-truncated': {
    en: 'The gzip data is cut off before its end.',
    ja: 'gzip データが途中で切れています。',
  },
  'gzip-corrupt': {
    en: 'The gzip data is damaged: {detail}.',
    ja: 'gzip データが壊れています: {detail}',
  },
  'zip-corrupt': {
    en: 'The zip archive cannot be read: {detail}.',
    ja: 'zip アーカイブを読めません: {detail}',
  },
  'zip-too-many-entries': {
    en: 'The zip archive has {count, plural, one {# entry} other {# entries}}, more than the limit of {limit}.',
    ja: 'zip アーカイブに {count} 個のエントリがあり、上限の {limit} を超えています。',
  },
  'zip-entry-encrypted': {
    en: 'The zip entry "{entry}" is encrypted.',
    ja: 'zip のエントリ「{entry}」は暗号化されています。',
  },
  'decompressed-too-large': {
    en: 'Decompressing this would produce more than {limit} bytes.',
    ja: '展開すると {limit} バイトを超えます。',
  },
  'decompression-ratio-exceeded': {
    en: 'This expands more than {limit} times its compressed size, as a decompression bomb does.',
    ja: '圧縮サイズの {limit} 倍を超えて展開されます。解凍爆弾の疑いがあります。',
  },
  'nesting-too-deep': {
    en: 'Archives and mails are nested more than {limit} levels deep.',
    ja: 'アーカイブやメールの入れ子が {limit} 階層を超えています。',
  },
  'too-many-payloads': {
    en: 'The input holds more than {limit} files.',
    ja: '入力に含まれるファイルが {limit} 個を超えています。',
  },
  'mail-too-many-parts': {
    en: 'The mail has about {count} MIME parts, more than the limit of {limit}.',
    ja: 'メールの MIME パートが約 {count} 個あり、上限の {limit} を超えています。',
  },
  'mail-not-parseable': {
    en: 'The mail cannot be parsed: {detail}.',
    ja: 'メールを解析できません: {detail}',
  },
  'no-report-found': {
    en: 'Nothing in this input is a DMARC or SMTP TLS report.',
    ja: 'この入力には DMARC レポートも SMTP TLS レポートも含まれていません。',
  },
  'unknown-payload': {
    en: 'The file "{name}" is neither a DMARC report nor an SMTP TLS report (it starts with "{start}").',
    ja: 'ファイル「{name}」は DMARC レポートでも SMTP TLS レポートでもありません（先頭は「{start}」）。',
  },
  'failure-not-a-report': {
    en: 'This mail is not a DMARC failure report: it has no feedback-report part and does not read as one.',
    ja: 'このメールは DMARC 失敗レポートではありません: feedback-report パートがなく、失敗レポートとしても読めません。',
  },
  'failure-other-feedback': {
    en: 'This mail is ARF feedback of the type "{feedbackType}", not a DMARC failure report (type auth-failure); it says nothing of a domain\'s authentication, and Sumi stores only DMARC and SMTP TLS reports.',
    ja: 'このメールは種類が「{feedbackType}」の ARF フィードバックで、DMARC 失敗レポート（種類 auth-failure）ではありません。ドメインの認証については何も伝えておらず、Sumi が保存するのは DMARC レポートと SMTP TLS レポートだけです。',
  },
  'tls-not-json': {
    en: 'The SMTP TLS report is not valid JSON: {detail}.',
    ja: 'SMTP TLS レポートが正しい JSON ではありません: {detail}',
  },
  'tls-invalid-report': {
    en: 'The SMTP TLS report field "{field}" {problem}.',
    ja: 'SMTP TLS レポートの項目「{field}」に問題があります: {problem}',
  },
} satisfies UiCatalog;

/**
 * What the parser changed or noticed while reading a report it accepted, one entry per
 * warning code (src/reports/warnings.ts). `{field}` names the element, `{example}` shows one value.
 */
export const reportWarningText = {
  bom: {
    en: 'The file starts with a byte order mark; it was skipped.',
    ja: 'ファイル先頭のバイトオーダーマーク（BOM）を読み飛ばしました。',
  },
  'declared-encoding': {
    en: 'The XML is encoded as {example}, not UTF-8; it was decoded accordingly.',
    ja: 'XML の文字コードが UTF-8 ではなく {example} だったため、それに従って読みました。',
  },
  'json-encoding': {
    en: 'The JSON is encoded as {example}, not the UTF-8 RFC 8259 asks for; it was decoded accordingly.',
    ja: 'JSON の文字コードが RFC 8259 の求める UTF-8 ではなく {example} だったため、それに従って読みました。',
  },
  'original-header-charset': {
    en: "The original message's headers were written raw in {example}, not UTF-8; they were decoded accordingly.",
    ja: '元のメッセージのヘッダーが UTF-8 ではなく {example} のまま書かれていたため、それに従って読みました。',
  },
  'original-header-charset-unknown': {
    en: "The original message's headers hold bytes that are not UTF-8 nor in a charset named or recognised; they show as U+FFFD, and the mail is kept as it came.",
    ja: '元のメッセージのヘッダーに、UTF-8 でも、示された文字コードや判別できる文字コードでもないバイトがあります。U+FFFD として表示し、メールは受け取ったまま保存しています。',
  },
  'latin1-bytes': {
    en: 'Bytes that are not UTF-8 were read as windows-1252 (Latin-1), as the report names no other encoding.',
    ja: 'UTF-8 として不正なバイトを、レポートが他の文字コードを示していないため windows-1252（Latin-1）として読みました。',
  },
  'invalid-bytes-replaced': {
    en: 'Bytes that are not valid in the declared encoding were replaced by U+FFFD.',
    ja: '宣言された文字コードとして不正なバイトを U+FFFD に置き換えました。',
  },
  'leading-whitespace': {
    en: 'Whitespace before the XML declaration was skipped.',
    ja: 'XML 宣言の前の空白を読み飛ばしました。',
  },
  'unknown-namespace': {
    en: 'The report uses the XML namespace "{example}", which is not a DMARC one; it was read anyway.',
    ja: 'DMARC のものではない XML 名前空間「{example}」が使われていましたが、そのまま読みました。',
  },
  'prefixed-elements': {
    en: 'Elements carry a namespace prefix (<{example}>); the prefix was ignored.',
    ja: '要素に名前空間接頭辞が付いていました（<{example}>）。接頭辞は無視しました。',
  },
  'element-alias': {
    en: '<{field}> is an early-draft or non-standard name; it was read as <{example}>.',
    ja: '<{field}> はドラフト段階または標準外の要素名のため、<{example}> として読みました。',
  },
  'misplaced-declaration': {
    en: 'The XML declaration is not at the start of the file; it was ignored.',
    ja: 'XML 宣言がファイルの先頭になかったため、無視しました。',
  },
  'multiple-auth-results': {
    en: 'A record has several <auth_results> blocks; their results were merged.',
    ja: '1 つのレコードに <auth_results> が複数あったため、結果をまとめました。',
  },
  'value-case': {
    en: '<{field}> values are not in lower case (e.g. "{example}"); they were lower-cased.',
    ja: '<{field}> の値が小文字ではありませんでした（例:「{example}」）。小文字にそろえました。',
  },
  'value-alias': {
    en: '<{field}> uses a non-standard spelling ("{example}"); it was mapped to the standard value.',
    ja: '<{field}> に標準外の表記（「{example}」）があり、標準の値に読み替えました。',
  },
  'invalid-value': {
    en: '<{field}> has a value that is not allowed ("{example}"); it was left empty.',
    ja: '<{field}> に許されない値（「{example}」）があったため、空として扱いました。',
  },
  'empty-value': {
    en: '<{field}> is present but empty; it was treated as absent.',
    ja: '<{field}> が空だったため、無いものとして扱いました。',
  },
  'duplicate-element': {
    en: '<{field}> appears more than once; the last value was kept.',
    ja: '<{field}> が複数回現れたため、最後の値を採りました。',
  },
  'unknown-element': {
    en: 'The element <{field}> is not part of any DMARC report format; it was ignored.',
    ja: '<{field}> はどの DMARC レポート形式にもない要素のため、無視しました。',
  },
  'fractional-epoch': {
    en: '<{field}> has a fractional time ("{example}"); the fraction was dropped.',
    ja: '<{field}> の時刻に小数部がありました（「{example}」）。小数部を切り捨てました。',
  },
  'epoch-milliseconds': {
    en: '<{field}> is in milliseconds ("{example}"); it was converted to seconds.',
    ja: '<{field}> がミリ秒単位でした（「{example}」）。秒に変換しました。',
  },
  'window-reversed': {
    en: 'The report window ends before it begins.',
    ja: 'レポート期間の終了が開始より前になっています。',
  },
  'report-id-brackets': {
    en: 'The report ID is wrapped in angle brackets ("{example}"); they were removed (the original is kept).',
    ja: 'レポート ID が山括弧で囲まれていたため（「{example}」）、外しました（元の値も保存しています）。',
  },
  'invalid-source-ip': {
    en: 'A record\'s source IP "{example}" is not an IP address; the record was kept without one.',
    ja: 'レコードの送信元 IP「{example}」が IP アドレスではありません。IP なしでレコードを保存しました。',
  },
  'date-without-zone': {
    en: '{field} "{example}" gives no time zone; it was read as UTC.',
    ja: '{field}「{example}」にタイムゾーンがないため、UTC として読みました。',
  },
  'date-unknown-zone': {
    en: '{field} "{example}" names a time zone RFC 5322 does not define; it was read as UTC (RFC 5322 §4.3).',
    ja: '{field}「{example}」のタイムゾーンは RFC 5322 が定めていないものです。UTC として読みました（RFC 5322 4.3 節）。',
  },
  'invalid-date': {
    en: '{field} "{example}" is not a date that can be read or that exists; it was left empty.',
    ja: '{field}「{example}」は読めない日付か、存在しない日付です。空として扱いました。',
  },
  'count-too-large': {
    en: '{field} "{example}" is larger than any count kept; it was left unknown.',
    ja: '{field}「{example}」は保存できる件数を超えるため、不明として扱いました。',
  },
  'invalid-port': {
    en: '{field} "{example}" is not a port number (0 to 65535); it was left empty.',
    ja: '{field}「{example}」はポート番号（0〜65535）ではないため、空として扱いました。',
  },
  'ip-normalised': {
    en: 'Source IPs were written in a non-canonical form (e.g. "{example}"); they were canonicalised.',
    ja: '送信元 IP が正規形で書かれていなかったため（例:「{example}」）、正規形に直しました。',
  },
  'empty-reason': {
    en: 'A record has an empty <reason>; it was dropped.',
    ja: 'レコードに空の <reason> があったため、除きました。',
  },
  'missing-count': {
    en: 'A record has no <count>; it was read as 0.',
    ja: 'レコードに <count> がないため、0 として読みました。',
  },
  'no-records': {
    en: 'The report has no records.',
    ja: 'レポートにレコードがありません。',
  },
  'gzip-trailing-data': {
    en: 'The gzip data is followed by {example} extra bytes; they were ignored.',
    ja: 'gzip データの後ろに余分な {example} バイトがあったため、無視しました。',
  },
  'gzip-multi-member': {
    en: 'The gzip data has several members; they were joined.',
    ja: 'gzip データが複数のメンバーからなっていたため、連結しました。',
  },
  'tls-unknown-value': {
    en: '"{field}" has a value that RFC 8460 does not define ("{example}"); it was kept as is.',
    ja: '「{field}」に RFC 8460 が定めていない値（「{example}」）がありました。そのまま保存しました。',
  },
  'tls-type-coerced': {
    en: '"{field}" had the wrong JSON type ("{example}"); it was converted.',
    ja: '「{field}」の JSON 型が誤っていたため（「{example}」）、変換しました。',
  },
} satisfies UiCatalog;

/**
 * How a file uploaded through the dashboard or the API is kept as a source: `upload://NAME/FILE`,
 * the uploader's user name (which holds no '/') and the file's name, a URL as every input that is
 * no file is kept (smtp://, imaps://, graph://, gmail://). sourceWords says it in the reader's
 * words. A file's name never holds '/', so no file is taken for an upload (an upload's source was
 * kept as `upload by NAME: FILE` before: such rows stay as they are, in English).
 */
export function uploadSource(username: string, file: string): string {
  return `upload://${username}/${file}`;
}

const UPLOAD_SOURCE = /^upload:\/\/([^/]+)\/(.*)$/s;

/**
 * Where an input or a part of it was, in the reader's words: `mail.eml > attachment 2 r.zip >
 * entry a.xml > gunzip` is how the store keeps it (one form, in every language, as a path is);
 * in Japanese each step inside the input is said in Japanese. The input's own name (the first
 * step) is never changed, but for an upload's (uploadSource), said as who uploaded which file.
 */
export function sourceWords(source: string, lang: Lang): string {
  const [input = '', ...steps] = source.split(' > ');
  const upload = UPLOAD_SOURCE.exec(input);
  const first = !upload
    ? input
    : lang === 'ja'
      ? `${upload[1]} によるアップロード: ${upload[2]}`
      : `upload by ${upload[1]}: ${upload[2]}`;
  return [first, ...(lang === 'ja' ? steps.map(stepInJapanese) : steps)].join(' > ');
}

function stepInJapanese(step: string): string {
  const attachment = /^attachment (\d+)(?: (.*))?$/s.exec(step);
  if (attachment) return `添付 ${attachment[1]}${attachment[2] === undefined ? '' : ` ${attachment[2]}`}`;
  if (step.startsWith('entry ')) return `zip 内 ${step.slice('entry '.length)}`;
  if (step === 'gunzip') return 'gzip 展開';
  if (step === 'body') return '本文';
  return step;
}

/**
 * What makes a report's XML not well-formed, one entry per fault the tokenizer finds
 * (reports/xml-tokenizer.ts): the `detail` of an `xml-not-well-formed` error, said in the
 * reader's language from its `fault` and values.
 */
export const xmlFaultText = {
  'ends-inside-markup': {
    en: 'the document ends inside markup',
    ja: '文書がマークアップの途中で終わっています',
  },
  'ends-before-close': {
    en: 'the document ends before </{name}>',
    ja: '文書が </{name}> の前で終わっています',
  },
  'no-root': { en: 'the document has no root element', ja: '文書にルート要素がありません' },
  'text-outside-root': { en: 'text outside the root element', ja: 'ルート要素の外にテキストがあります' },
  'tag-without-name': { en: 'a tag must start with a name', ja: 'タグが名前で始まっていません' },
  'slash-without-gt': {
    en: '"/" not followed by ">" in <{name}>',
    ja: '<{name}> で「/」の後に「>」がありません',
  },
  'unexpected-character': {
    en: 'unexpected character in <{name}>',
    ja: '<{name}> に予期しない文字があります',
  },
  'attribute-without-value': {
    en: 'attribute {attribute} has no value',
    ja: '属性 {attribute} に値がありません',
  },
  'attribute-not-quoted': {
    en: "attribute {attribute}'s value is not quoted",
    ja: '属性 {attribute} の値が引用符で囲まれていません',
  },
  'less-than-in-attribute': {
    en: '"<" in the value of attribute {attribute}',
    ja: '属性 {attribute} の値に「<」があります',
  },
  'attribute-repeated': { en: 'attribute {attribute} repeated', ja: '属性 {attribute} が重複しています' },
  'second-root': { en: 'a second root element <{name}>', ja: '2 つ目のルート要素 <{name}> があります' },
  'close-outside-root': {
    en: 'close tag </{name}> outside the root element',
    ja: 'ルート要素の外に終了タグ </{name}> があります',
  },
  'unexpected-close': {
    en: 'unexpected close tag </{name}> where </{expected}> was expected',
    ja: '</{expected}> があるべき所に終了タグ </{name}> があります',
  },
  'cdata-outside-root': { en: 'CDATA outside the root element', ja: 'ルート要素の外に CDATA があります' },
  doctype: { en: 'a DOCTYPE', ja: 'DOCTYPE 宣言があります' },
  'unknown-bang': { en: 'unknown markup after "<!"', ja: '「<!」の後に不明なマークアップがあります' },
  'pi-without-target': {
    en: 'a processing instruction without a target',
    ja: 'ターゲットのない処理命令があります',
  },
  'late-declaration': {
    en: 'an XML declaration not at the start of the document',
    ja: '文書の先頭以外に XML 宣言があります',
  },
  'bad-reference': {
    en: '{reference} is not a predefined entity or a character reference',
    ja: '{reference} は定義済みの実体参照でも文字参照でもありません',
  },
} satisfies UiCatalog;

export type XmlFault = keyof typeof xmlFaultText;

/**
 * What is wrong with a field of an SMTP TLS report (reports/tls.ts): the `problem` of a
 * `tls-invalid-report` error, said in the reader's language from its `fault` and values.
 */
export const tlsProblemText = {
  'not-object': { en: 'is not an object', ja: 'オブジェクトではありません' },
  'not-list': { en: 'is not a list', ja: 'リストではありません' },
  'too-many': { en: 'has more than {max} entries', ja: '要素が {max} 個を超えています' },
  'missing-text': { en: 'is missing or not text', ja: 'ないか、テキストではありません' },
  'not-text': { en: 'is not text', ja: 'テキストではありません' },
  'not-text-list': { en: 'is not a list of text', ja: 'テキストのリストではありません' },
  'not-session-count': {
    en: 'is not a session count ({value})',
    ja: 'セッション数ではありません（{value}）',
  },
  'not-date-time': {
    en: 'is not an RFC 3339 date-time ({value})',
    ja: 'RFC 3339 の日時ではありません（{value}）',
  },
} satisfies UiCatalog;

export type TlsProblem = keyof typeof tlsProblemText;

/*
 * What a library found wrong with an input, one entry per message it can give: the English is
 * the library's own message, with `{name}` where it carries a value (recognised by that shape,
 * in reports/errors.ts `faultOf`; the error keeps the message itself as its English `detail`),
 * the Japanese says the same. A message not listed is quoted as it came, in every language.
 */

/**
 * What zlib finds wrong with deflate data (its inflate messages, and Node's for data that ends
 * early): the `detail` of a `gzip-corrupt` or `zip-corrupt` error.
 */
const zlibFaultText = {
  'incorrect-header-check': { en: 'incorrect header check', ja: 'ヘッダの検査値が正しくありません' },
  'unknown-compression-method': { en: 'unknown compression method', ja: '圧縮方式が不明です' },
  'invalid-window-size': { en: 'invalid window size', ja: 'ウィンドウサイズが不正です' },
  'unknown-header-flags': { en: 'unknown header flags set', ja: 'ヘッダに不明なフラグが立っています' },
  'header-crc-mismatch': { en: 'header crc mismatch', ja: 'ヘッダの CRC が一致しません' },
  'invalid-block-type': { en: 'invalid block type', ja: 'deflate ブロックの種類が不正です' },
  'invalid-stored-block-lengths': {
    en: 'invalid stored block lengths',
    ja: '無圧縮ブロックの長さが不正です',
  },
  'too-many-length-or-distance-symbols': {
    en: 'too many length or distance symbols',
    ja: '長さまたは距離の符号の数が多すぎます',
  },
  'invalid-code-lengths-set': { en: 'invalid code lengths set', ja: '符号長の表が不正です' },
  'invalid-bit-length-repeat': { en: 'invalid bit length repeat', ja: '符号長の繰り返しが不正です' },
  'missing-end-of-block': {
    en: 'invalid code -- missing end-of-block',
    ja: 'ブロックの終わりを示す符号がありません',
  },
  'invalid-literal-lengths-set': {
    en: 'invalid literal/lengths set',
    ja: 'リテラル・長さの符号表が不正です',
  },
  'invalid-distances-set': { en: 'invalid distances set', ja: '距離の符号表が不正です' },
  'invalid-literal-length-code': {
    en: 'invalid literal/length code',
    ja: 'リテラル・長さの符号が不正です',
  },
  'invalid-distance-code': { en: 'invalid distance code', ja: '距離の符号が不正です' },
  'invalid-distance-too-far-back': {
    en: 'invalid distance too far back',
    ja: '距離の符号がデータの先頭より前を指しています',
  },
  'incorrect-data-check': { en: 'incorrect data check', ja: 'データの検査値が一致しません' },
  'incorrect-length-check': { en: 'incorrect length check', ja: 'データの長さの検査値が一致しません' },
  'unexpected-end-of-file': { en: 'unexpected end of file', ja: '圧縮データが途中で終わっています' },
} satisfies UiCatalog;

/** What is wrong with gzip data: zlib's words, and Sumi's own on the gzip member around them. */
export const gzipFaultText = {
  ...zlibFaultText,
  'checksum-mismatch': {
    en: 'checksum mismatch',
    ja: '展開したデータが末尾の CRC-32 または長さと一致しません',
  },
  'not-deflate-gzip-header': {
    en: 'not a deflate gzip header',
    ja: 'deflate 圧縮の gzip ヘッダではありません',
  },
} satisfies UiCatalog;

/**
 * What makes a zip archive or an entry unreadable: yauzl's messages (those it gives for an
 * archive in memory, read as reports/zip.ts reads it), and zlib's for an entry's data.
 */
export const zipFaultText = {
  ...zlibFaultText,
  'end-record-not-found': {
    en: 'End of central directory record signature not found. Either not a zip file, or file is truncated.',
    ja: '中央ディレクトリの終端レコードが見つかりません。zip ファイルではないか、途中で切れています',
  },
  'invalid-comment-length': {
    en: 'Invalid comment length. Expected: {expected}. Found: {found}. Are there extra bytes at the end of the file? Or is the end of central dir signature `PK☺☻` in the comment?',
    ja: 'アーカイブのコメント長が {found} バイトとありますが、終端レコードの後には {expected} バイトあります。ファイルの末尾に余分なバイトがあるか、コメントの中に終端レコードの署名があるようです',
  },
  'invalid-zip64-end-record-signature': {
    en: 'invalid zip64 end of central directory record signature',
    ja: 'zip64 の中央ディレクトリ終端レコードの署名が不正です',
  },
  'multi-disk': {
    en: 'multi-disk zip files are not supported: found disk number: {disk}',
    ja: '複数のディスクに分かれた zip には対応していません（ディスク番号 {disk}）',
  },
  'invalid-central-header-signature': {
    en: 'invalid central directory file header signature: 0x{signature}',
    ja: '中央ディレクトリのファイルヘッダの署名が不正です（0x{signature}）',
  },
  'strong-encryption': {
    en: 'strong encryption is not supported',
    ja: 'PKWARE の強力な暗号化には対応していません',
  },
  'extra-field-too-long': {
    en: 'extra field length exceeds extra field buffer size',
    ja: '拡張フィールドの長さが拡張フィールド領域を超えています',
  },
  'absolute-path': { en: 'absolute path: {path}', ja: 'エントリ名「{path}」が絶対パスです' },
  'invalid-relative-path': {
    en: 'invalid relative path: {path}',
    ja: 'エントリ名「{path}」に親ディレクトリ（..）への参照があります',
  },
  'zip64-no-uncompressed-size': {
    en: 'zip64 extended information extra field does not include uncompressed size',
    ja: 'zip64 拡張情報フィールドに展開後のサイズがありません',
  },
  'zip64-no-compressed-size': {
    en: 'zip64 extended information extra field does not include compressed size',
    ja: 'zip64 拡張情報フィールドに圧縮後のサイズがありません',
  },
  'zip64-no-header-offset': {
    en: 'zip64 extended information extra field does not include relative header offset',
    ja: 'zip64 拡張情報フィールドにローカルヘッダの位置がありません',
  },
  'stored-size-mismatch': {
    en: 'compressed/uncompressed size mismatch for stored file: {compressed} != {uncompressed}',
    ja: '無圧縮のエントリの圧縮後サイズ（{compressed}）と展開後サイズ（{uncompressed}）が一致しません',
  },
  'unsupported-compression-method': {
    en: 'unsupported compression method: {method}',
    ja: '対応していない圧縮方式です（{method}）',
  },
  'invalid-local-header-signature': {
    en: 'invalid local file header signature: 0x{signature}',
    ja: 'ローカルファイルヘッダの署名が不正です（0x{signature}）',
  },
  'data-overflows-file': {
    en: 'file data overflows file bounds: {start} + {size} > {total}',
    ja: 'エントリのデータがファイルの末尾を越えています（{start} + {size} > {total}）',
  },
  'unexpected-eof': { en: 'unexpected EOF', ja: 'ファイルが途中で終わっています' },
  'too-many-bytes': {
    en: 'too many bytes in the stream. expected {expected}. got at least {actual}',
    ja: '展開したデータが記録されたサイズの {expected} バイトより長く、少なくとも {actual} バイトあります',
  },
  'not-enough-bytes': {
    en: 'not enough bytes in the stream. expected {expected}. got only {actual}',
    ja: '展開したデータが記録されたサイズの {expected} バイトより短く、{actual} バイトしかありません',
  },
} satisfies UiCatalog;

/** Why postal-mime refuses a mail: the `detail` of a `mail-not-parseable` error. */
export const mailFaultText = {
  'nesting-too-deep': {
    en: 'Maximum MIME nesting depth of {limit} levels exceeded',
    ja: 'MIME パートの入れ子が上限の {limit} 階層を超えています',
  },
  'headers-too-large': {
    en: 'Maximum header size of {limit} bytes exceeded',
    ja: 'ヘッダが合計で上限の {limit} バイトを超えています',
  },
} satisfies UiCatalog;

/**
 * Why text is not JSON, as V8's JSON.parse says it (Node 20; later versions add "(line L column
 * C)", left out before matching): the `detail` of a `tls-not-json` error. `{position}` counts
 * characters from 0; `{context}` is the input around the fault, as V8 quotes it.
 */
export const jsonFaultText = {
  'unexpected-end': { en: 'Unexpected end of JSON input', ja: 'JSON が途中で終わっています' },
  'unexpected-number': {
    en: 'Unexpected number in JSON at position {position}',
    ja: '位置 {position} に予期しない数値があります',
  },
  'unexpected-string': {
    en: 'Unexpected string in JSON at position {position}',
    ja: '位置 {position} に予期しない文字列があります',
  },
  'unterminated-string': {
    en: 'Unterminated string in JSON at position {position}',
    ja: '位置 {position} で文字列が閉じられていません',
  },
  'expected-property-name-or-brace': {
    en: "Expected property name or '}' in JSON at position {position}",
    ja: '位置 {position} にプロパティ名か「}」が必要です',
  },
  'expected-comma-or-bracket': {
    en: "Expected ',' or ']' after array element in JSON at position {position}",
    ja: '位置 {position} で配列の要素の後に「,」か「]」がありません',
  },
  'expected-comma-or-brace': {
    en: "Expected ',' or '}' after property value in JSON at position {position}",
    ja: '位置 {position} でプロパティの値の後に「,」か「}」がありません',
  },
  'expected-colon': {
    en: "Expected ':' after property name in JSON at position {position}",
    ja: '位置 {position} でプロパティ名の後に「:」がありません',
  },
  'expected-double-quoted-property-name': {
    en: 'Expected double-quoted property name in JSON at position {position}',
    ja: '位置 {position} に二重引用符で囲んだプロパティ名が必要です',
  },
  'non-whitespace-after-json': {
    en: 'Unexpected non-whitespace character after JSON at position {position}',
    ja: 'JSON の終わりの後、位置 {position} に空白以外の文字があります',
  },
  'bad-escaped-character': {
    en: 'Bad escaped character in JSON at position {position}',
    ja: '位置 {position} のエスケープが不正です',
  },
  'bad-control-character': {
    en: 'Bad control character in string literal in JSON at position {position}',
    ja: '位置 {position} で文字列に制御文字がそのまま入っています',
  },
  'bad-unicode-escape': {
    en: 'Bad Unicode escape in JSON at position {position}',
    ja: '位置 {position} の \\u エスケープが不正です',
  },
  'no-number-after-minus': {
    en: 'No number after minus sign in JSON at position {position}',
    ja: '位置 {position} でマイナス記号の後に数字がありません',
  },
  'exponent-missing-number': {
    en: 'Exponent part is missing a number in JSON at position {position}',
    ja: '位置 {position} で指数部に数字がありません',
  },
  'unterminated-fraction': {
    en: 'Unterminated fractional number in JSON at position {position}',
    ja: '位置 {position} で小数点の後に数字がありません',
  },
  'not-valid-json': { en: '"{context}" is not valid JSON', ja: '「{context}」は JSON として読めません' },
  'unexpected-token': {
    en: `Unexpected token '{token}', "{context}" is not valid JSON`,
    ja: '「{context}」の中に予期しない文字「{token}」があります',
  },
  'unexpected-token-at-start': {
    en: `Unexpected token '{token}', "{context}"... is not valid JSON`,
    ja: '「{context}…」の中に予期しない文字「{token}」があります',
  },
  'unexpected-token-at-end': {
    en: `Unexpected token '{token}', ..."{context}" is not valid JSON`,
    ja: '「…{context}」の中に予期しない文字「{token}」があります',
  },
  'unexpected-token-inside': {
    en: `Unexpected token '{token}', ..."{context}"... is not valid JSON`,
    ja: '「…{context}…」の中に予期しない文字「{token}」があります',
  },
} satisfies UiCatalog;
