import { describe, expect, it } from 'vitest';
import { placeholderNames } from '../../src/i18n/catalog.ts';
import { reportErrorText, reportWarningText, sourceWords } from '../../src/i18n/reports.ts';
import {
  describeReportError,
  describeReportWarning,
  parseAggregateReport,
  parseTlsReport,
  ReportError,
} from '../../src/reports/index.ts';

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

  it('describes a warning', () => {
    expect(
      describeReportWarning(
        { code: 'value-case', field: 'policy_published/p', count: 2, example: 'Reject' },
        'en',
      ),
    ).toBe('<policy_published/p> values are not in lower case (e.g. "Reject"); they were lower-cased.');
  });
});
