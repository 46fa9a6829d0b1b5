import { inflateRawSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { format, placeholderNames, type UiCatalog } from '../../src/i18n/catalog.ts';
import {
  gzipFaultText,
  jsonFaultText,
  mailFaultText,
  reportErrorText,
  reportWarningText,
  sourceWords,
  uploadSource,
  zipFaultText,
} from '../../src/i18n/reports.ts';
import { gzipFault } from '../../src/reports/gzip.ts';
import {
  describeReportError,
  describeReportWarning,
  parseAggregateReport,
  parseTlsReport,
  ReportError,
  type ReportErrorCode,
  type Unpacked,
  unpackAll,
} from '../../src/reports/index.ts';
import { mailFault } from '../../src/reports/mail.ts';
import { jsonFault } from '../../src/reports/tls.ts';
import { zipFault } from '../../src/reports/zip.ts';
import { aggregateXml, gz, zip } from './fixtures/build.ts';

describe('report error and warning texts', () => {
  it('has English and Japanese for every code, with the same placeholders', () => {
    for (const [code, text] of Object.entries({ ...reportErrorText, ...reportWarningText })) {
      expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(placeholderNames(text.ja), code).toEqual(placeholderNames(text.en));
      expect(text.ja, code).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });

  it('describes an error in both languages, with its provenance', () => {
    const err = new ReportError(
      'zip-too-many-entries',
      { count: 5000, limit: 1000 },
      { provenance: 'm.eml > attachment 1 r.zip' },
    );
    expect(err.message).toBe('The zip archive has 5000 entries, more than the limit of 1000.');
    expect(describeReportError(err, 'en')).toBe(
      'm.eml > attachment 1 r.zip: The zip archive has 5000 entries, more than the limit of 1000.',
    );
    expect(describeReportError(err, 'ja')).toBe(
      'm.eml > 添付 1 r.zip: zip アーカイブに 5000 個のエントリがあり、上限の 1000 を超えています。',
    );
  });

  it("says what makes XML not well-formed in the reader's language", async () => {
    const error = await parseAggregateReport(Buffer.from('<feedback><oops></feedback>')).catch((e) => e);
    expect(error).toBeInstanceOf(ReportError);
    expect(describeReportError(error, 'en')).toBe(
      'The XML is not well-formed at line 1, column 17: unexpected close tag </feedback> where </oops> was expected.',
    );
    expect(describeReportError(error, 'ja')).toBe(
      'XML の 1 行 17 桁目が整形式ではありません: </oops> があるべき所に終了タグ </feedback> があります',
    );
  });

  it("says what is wrong with an SMTP TLS report's field in the reader's language", async () => {
    const json = {
      'organization-name': 'o',
      'report-id': 'r',
      'date-range': { 'start-datetime': 'yesterday' },
    };
    const error = await parseTlsReport(Buffer.from(JSON.stringify(json))).catch((e) => e);
    expect(error).toBeInstanceOf(ReportError);
    expect(describeReportError(error, 'en')).toBe(
      'The SMTP TLS report field "date-range.start-datetime" is not an RFC 3339 date-time (yesterday).',
    );
    expect(describeReportError(error, 'ja')).toBe(
      'SMTP TLS レポートの項目「date-range.start-datetime」に問題があります: RFC 3339 の日時ではありません（yesterday）',
    );
  });

  it("says each step inside an input in the reader's words, never the input's own name", () => {
    const where = 'in/entry > x.eml > attachment 2 r.zip > entry d/gunzip > gunzip > body > attachment 3';
    expect(sourceWords(where, 'en')).toBe(where);
    expect(sourceWords(where, 'ja')).toBe(
      'in/entry > x.eml > 添付 2 r.zip > zip 内 d/gunzip > gzip 展開 > 本文 > 添付 3',
    );
    expect(sourceWords('imap://u@host/INBOX;UID=7', 'ja')).toBe('imap://u@host/INBOX;UID=7');
  });

  it("says who uploaded a file in the reader's words, from the form an upload is kept in only", () => {
    const kept = `${uploadSource('alice', 'r.zip')} > entry a.xml`;
    expect(kept).toBe('upload://alice/r.zip > entry a.xml');
    expect(sourceWords(kept, 'en')).toBe('upload by alice: r.zip > entry a.xml');
    expect(sourceWords(kept, 'ja')).toBe('alice によるアップロード: r.zip > zip 内 a.xml');
    expect(sourceWords(`${uploadSource('bob@example.jp', 'box.mbox')} #2`, 'ja')).toBe(
      'bob@example.jp によるアップロード: box.mbox #2',
    );
    // A file so named, and an upload kept in the English of before, are said as they are.
    expect(sourceWords('upload by alice: r.zip > entry a.xml', 'ja')).toBe(
      'upload by alice: r.zip > zip 内 a.xml',
    );
    expect(sourceWords('in/upload://alice/r.zip', 'ja')).toBe('in/upload://alice/r.zip');
  });

  it('describes a warning', () => {
    expect(
      describeReportWarning(
        { code: 'value-case', field: 'policy_published/p', count: 2, example: 'Reject' },
        'en',
      ),
    ).toBe('<policy_published/p> values are not in lower case (e.g. "Reject"); they were lower-cased.');
  });
});

/** The one failure of unpacking `bytes`, said in English and in Japanese. */
async function failureWords(
  bytes: Buffer,
  name: string,
): Promise<{ en: string; ja: string; detail: unknown }> {
  const failures = (await unpackAll(bytes, name)).filter(
    (i): i is Extract<Unpacked, { kind: 'error' }> => i.kind === 'error',
  );
  expect(failures).toHaveLength(1);
  const { error } = failures[0]!;
  expect(englishIn(describeReportError(error, 'ja'), error.code)).toEqual([]);
  return {
    en: describeReportError(error, 'en'),
    ja: describeReportError(error, 'ja'),
    detail: error.args.detail,
  };
}

/**
 * The words said for a library's message in a Japanese line (after the sentence around `{detail}`):
 * no English word is left in them, but the name of a format.
 */
function englishIn(line: string, code: ReportErrorCode): string[] {
  const before = reportErrorText[code].ja.split('{detail}')[0]!;
  const said = line.slice(line.indexOf(before) + before.length);
  return [...said.matchAll(/[A-Za-z]{3,}/g)]
    .map((m) => m[0])
    .filter((word) => !['zip', 'gzip', 'deflate', 'JSON', 'MIME'].includes(word));
}

describe("what a library found wrong, in the reader's language", () => {
  const xml = Buffer.from(aggregateXml());

  it('says damaged gzip data in Japanese (zlib, and Sumi on the header), in English as before', async () => {
    const data = gz(xml);
    // The first deflate block says it is of type 3, which does not exist.
    const blockType = Buffer.from(data);
    blockType[10] = 0x07;
    expect(await failureWords(blockType, 'r.xml.gz')).toEqual({
      en: 'r.xml.gz: The gzip data is damaged: invalid block type.',
      ja: 'r.xml.gz: gzip データが壊れています: deflate ブロックの種類が不正です',
      detail: 'invalid block type',
    });
    const header = Buffer.from(data);
    header[2] = 7;
    expect(await failureWords(header, 'r.xml.gz')).toEqual({
      en: 'r.xml.gz: The gzip data is damaged: not a deflate gzip header.',
      ja: 'r.xml.gz: gzip データが壊れています: deflate 圧縮の gzip ヘッダではありません',
      detail: 'not a deflate gzip header',
    });
  });

  it('says an unreadable zip archive in Japanese (yauzl, and zlib in an entry), in English as before', async () => {
    const archive = zip([{ name: 'a.xml', data: xml }]);
    expect(await failureWords(archive.subarray(0, archive.length - 30), 'r.zip')).toEqual({
      en: 'r.zip: The zip archive cannot be read: End of central directory record signature not found. Either not a zip file, or file is truncated..',
      ja: 'r.zip: zip アーカイブを読めません: 中央ディレクトリの終端レコードが見つかりません。zip ファイルではないか、途中で切れています',
      detail:
        'End of central directory record signature not found. Either not a zip file, or file is truncated.',
    });
    const header = Buffer.from(archive);
    header.writeUInt32LE(0x11111111, header.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
    expect(await failureWords(header, 'r.zip')).toEqual({
      en: 'r.zip: The zip archive cannot be read: invalid central directory file header signature: 0x11111111.',
      ja: 'r.zip: zip アーカイブを読めません: 中央ディレクトリのファイルヘッダの署名が不正です（0x11111111）',
      detail: 'invalid central directory file header signature: 0x11111111',
    });
    // The entry's deflate data starts after its 30-byte local header and its name.
    const entry = Buffer.from(archive);
    entry[30 + 'a.xml'.length] = 0x07;
    expect(await failureWords(entry, 'r.zip')).toEqual({
      en: 'r.zip > entry a.xml: The zip archive cannot be read: invalid block type.',
      ja: 'r.zip > zip 内 a.xml: zip アーカイブを読めません: deflate ブロックの種類が不正です',
      detail: 'invalid block type',
    });
  });

  it('says a mail postal-mime refuses in Japanese, in English as before', async () => {
    // 21 multiparts, one inside the other: one more than MAIL_MAX_NESTING.
    const lines = ['From: a@example.jp', 'Subject: deep', 'MIME-Version: 1.0'];
    for (let depth = 0; depth <= 20; depth++) {
      lines.push(`Content-Type: multipart/mixed; boundary="b${depth}"`, '', `--b${depth}`);
    }
    lines.push('Content-Type: text/plain', '', 'x', '');
    const deep = Buffer.from(lines.join('\r\n'));
    expect(await failureWords(deep, 'deep.eml')).toEqual({
      en: 'deep.eml: The mail cannot be parsed: Maximum MIME nesting depth of 20 levels exceeded.',
      ja: 'deep.eml: メールを解析できません: MIME パートの入れ子が上限の 20 階層を超えています',
      detail: 'Maximum MIME nesting depth of 20 levels exceeded',
    });
  });

  it('says why an SMTP TLS report is not JSON in Japanese (V8), in English as before', async () => {
    const token = await parseTlsReport(Buffer.from('{"a":}')).catch((e) => e);
    expect(describeReportError(token, 'en')).toBe(
      'The SMTP TLS report is not valid JSON: Unexpected token \'}\', "{"a":}" is not valid JSON.',
    );
    expect(describeReportError(token, 'ja')).toBe(
      'SMTP TLS レポートが正しい JSON ではありません: 「{"a":}」の中に予期しない文字「}」があります',
    );
    const colon = await parseTlsReport(Buffer.from('{"a" 1}')).catch((e) => e);
    expect(describeReportError(colon, 'en')).toMatch(
      /^The SMTP TLS report is not valid JSON: Expected ':' after property name in JSON at position 5( \(line 1 column 6\))?\.$/,
    );
    expect(describeReportError(colon, 'ja')).toBe(
      'SMTP TLS レポートが正しい JSON ではありません: 位置 5 でプロパティ名の後に「:」がありません',
    );
    const cut = await parseTlsReport(Buffer.from('{"a": [1,')).catch((e) => e);
    expect(describeReportError(cut, 'en')).toBe(
      'The SMTP TLS report is not valid JSON: Unexpected end of JSON input.',
    );
    expect(describeReportError(cut, 'ja')).toBe(
      'SMTP TLS レポートが正しい JSON ではありません: JSON が途中で終わっています',
    );
    for (const error of [token, colon, cut]) {
      expect(englishIn(describeReportError(error, 'ja'), 'tls-not-json')).toEqual([]);
    }
  });

  it('quotes a message it does not know, in both languages, as before', () => {
    for (const code of ['gzip-corrupt', 'zip-corrupt', 'mail-not-parseable', 'tls-not-json'] as const) {
      const error = new ReportError(code, { detail: 'something new' });
      expect(describeReportError(error, 'en')).toMatch(/: something new\.$/);
      expect(describeReportError(error, 'ja')).toMatch(/: something new$/);
      // A fault this version does not know, as an entry kept by a later one may carry.
      const later = new ReportError(code, { detail: 'something new', fault: 'toString' });
      expect(describeReportError(later, 'ja')).toMatch(/: something new$/);
    }
  });
});

/** The message zlib gives for raw deflate (or zlib-wrapped) data that is damaged. */
function zlibMessage(inflate: typeof inflateRawSync, data: number[]): string {
  try {
    inflate(Buffer.from(data));
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`inflated: ${data}`);
}

describe("recognising a library's messages", () => {
  const libraries: [
    string,
    (message: string) => Record<string, string | number> | undefined,
    UiCatalog,
    string[],
  ][] = [
    [
      'zlib and gzip',
      gzipFault,
      gzipFaultText,
      [
        zlibMessage(inflateSync, [0x00, 0x00, 0x00]),
        zlibMessage(inflateSync, [0x07, 0x1c]),
        zlibMessage(inflateRawSync, [0x07]),
        zlibMessage(inflateRawSync, [0x01, 0x05, 0x00, 0x00, 0x00]),
        zlibMessage(inflateRawSync, [0x03, 0x02, 0x00]),
        zlibMessage(inflateRawSync, [0x05, 0xff, 0xff, 0xff, 0xff]),
        zlibMessage(inflateRawSync, [0x00]),
        'invalid code lengths set',
        'invalid literal/lengths set',
        'invalid distances set',
        'incorrect data check',
        'invalid window size',
        'checksum mismatch',
        'not a deflate gzip header',
      ],
    ],
    [
      'yauzl and zlib',
      zipFault,
      zipFaultText,
      [
        'End of central directory record signature not found. Either not a zip file, or file is truncated.',
        'Invalid comment length. Expected: 2. Found: 0. Are there extra bytes at the end of the file? Or is the end of central dir signature `PK☺☻` in the comment?',
        'multi-disk zip files are not supported: found disk number: 3',
        'invalid central directory file header signature: 0x11111111',
        'invalid local file header signature: 0x0',
        'compressed/uncompressed size mismatch for stored file: 1000 != 2000',
        'unsupported compression method: 9',
        'invalid relative path: ../../etc/passwd',
        'absolute path: /etc/passwd',
        'file data overflows file bounds: 35 + 1000 > 400',
        'too many bytes in the stream. expected 1000. got at least 16384',
        'not enough bytes in the stream. expected 1000. got only 12',
        'unexpected EOF',
        'too many length or distance symbols',
      ],
    ],
    [
      'postal-mime',
      mailFault,
      mailFaultText,
      ['Maximum MIME nesting depth of 20 levels exceeded', 'Maximum header size of 2097152 bytes exceeded'],
    ],
    [
      'V8',
      jsonFault,
      jsonFaultText,
      [
        '{"a":}',
        '',
        '{',
        '{"a" 1}',
        '[1 2]',
        '"abc',
        '"\\x"',
        '"\u0001"',
        '-',
        '1e',
        '1.',
        '{}x',
        'abc',
        '{"a":01}',
      ]
        .concat([
          '{"a":1,}',
          'a'.repeat(40),
          `{"${'a'.repeat(30)}": tru, "${'b'.repeat(30)}": 1}`,
          '{"a":1,"k":x}',
        ])
        .map((text) => {
          try {
            JSON.parse(text);
          } catch (err) {
            return (err as Error).message;
          }
          throw new Error(`parsed: ${text}`);
        }),
    ],
  ];

  for (const [library, faultOf, catalog, messages] of libraries) {
    it(`knows ${library}'s messages, and their values say them again in English`, () => {
      for (const message of messages) {
        const args = faultOf(message);
        expect(args, message).toBeDefined();
        const { fault, ...values } = args!;
        expect(Object.hasOwn(catalog, fault as string), message).toBe(true);
        expect(format(catalog[fault as string]!.en, values)).toBe(
          message.replace(/ \(line \d+ column \d+\)$/, ''),
        );
        expect(Object.keys(values)).not.toContain('detail');
      }
      expect(faultOf('something new')).toBeUndefined();
    });
  }

  it("leaves out what later V8 versions add to a JSON message (Node 22's line and column)", () => {
    expect(jsonFault("Expected ':' after property name in JSON at position 5 (line 1 column 6)")).toEqual({
      fault: 'expected-colon',
      position: '5',
    });
  });
});
