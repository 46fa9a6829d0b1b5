import { describe, expect, it } from 'vitest';
import { japaneseText, legacyDecoding } from '../../src/reports/legacy-text.ts';

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const hex = (digits: string) => Buffer.from(digits, 'hex');

describe('legacyDecoding', () => {
  it('does not take Latin-1 letters that Shift_JIS or EUC-JP happen to read for Japanese', () => {
    // Two accented letters in a row are one EUC-JP kanji; an accented capital is a half-width kana
    // in Shift_JIS: each was read as Japanese ("Gr館e", "informa苺es", "MﾜNCHEN").
    for (const word of ['Gr\u00fc\u00dfe', 'informa\u00e7\u00f5es', 'M\u00dcNCHEN', 'Gr\u00fc\u00df']) {
      expect(legacyDecoding(latin1(word), [])).toBeNull();
      expect(japaneseText(latin1(word))).toBeNull();
    }
    // Named, the charset reads them as written.
    expect(legacyDecoding(latin1('Gr\u00fc\u00dfe'), ['iso-8859-1'])).toEqual({
      encoding: 'iso-8859-1',
      text: 'Gr\u00fc\u00dfe',
    });
  });

  it('still reads Japanese text without kana: words of kanji, a kanji beside a digit or a space', () => {
    const cases: [Buffer, string][] = [
      [hex('444d415243caf3b9f0'), 'DMARC報告'], // EUC-JP
      [hex('c2e831b2f3'), '第1回'],
      [hex('52653a20b7ef'), 'Re: 件'],
      [hex('8ed082cc838c837c815b8367'), '社のレポート'], // Shift_JIS
    ];
    for (const [bytes, text] of cases) expect(legacyDecoding(bytes, [])?.text).toBe(text);
  });
});
