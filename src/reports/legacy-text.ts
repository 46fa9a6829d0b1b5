/**
 * Text whose bytes came without a trustworthy encoding label, in the legacy encodings Japanese
 * software writes (a zip entry's name from Japanese Windows, a mail header written raw). Pure.
 */

import { TextDecoder } from 'node:util';

const decoders = new Map<string, TextDecoder>();

/**
 * The bytes read in `encoding` (a WHATWG label), or null when they are not valid in it. Throws
 * a RangeError for a label TextDecoder does not know.
 */
export function decodeWhole(encoding: string, bytes: Uint8Array): string | null {
  let decoder = decoders.get(encoding);
  if (decoder === undefined) {
    decoder = new TextDecoder(encoding, { fatal: true });
    decoders.set(encoding, decoder);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * 8-bit bytes read as Shift_JIS or EUC-JP, whichever takes them whole into Japanese text
 * (readsAsJapanese); null when neither does. EUC-JP uses only bytes 0xA1-0xFE (with 0x8E and 0x8F
 * for a few); Shift_JIS's common lead bytes (0x81-0x9F: kana, most kanji) are outside that, so
 * bytes all in it are tried as EUC-JP first, and others are not EUC-JP at all (ICU's decoder
 * takes 0x80-0x8D as C1 controls, which the WHATWG one refuses: a CP437 é, 0x82, came out as
 * U+0082).
 */
export function japaneseText(bytes: Uint8Array): string | null {
  return japaneseDecoding(bytes)?.text ?? null;
}

/** japaneseText, with the encoding that took the bytes. */
function japaneseDecoding(bytes: Uint8Array): { encoding: 'euc-jp' | 'shift_jis'; text: string } | null {
  const euc = bytes.every((b) => b < 0x80 || (b >= 0xa1 && b <= 0xfe) || b === 0x8e || b === 0x8f);
  const order = euc ? (['euc-jp', 'shift_jis'] as const) : (['shift_jis'] as const);
  for (const encoding of order) {
    const text = decodeWhole(encoding, bytes);
    if (text !== null && readsAsJapanese(text)) return { encoding, text };
  }
  return null;
}

/**
 * 8-bit text without a trustworthy label read as its writer meant it: in the first of `labels`
 * (charsets the mail or part names) that takes the bytes whole, else in Shift_JIS or EUC-JP when
 * one reads them as Japanese text; null when none does. A label naming UTF-8 or ASCII, which such
 * bytes are not in, or one TextDecoder does not know, tells nothing and is passed over. The
 * encoding said is the label as written, or `Shift_JIS` / `EUC-JP`.
 */
export function legacyDecoding(
  bytes: Uint8Array,
  labels: readonly (string | null)[],
): { encoding: string; text: string } | null {
  for (const label of labels) {
    if (label === null || /^(utf-?8|us-ascii|ascii)$/i.test(label)) continue;
    let text: string | null;
    try {
      text = decodeWhole(label, bytes);
    } catch {
      continue;
    }
    if (text !== null) return { encoding: label, text };
  }
  const japanese = japaneseDecoding(bytes);
  if (japanese === null) return null;
  return { encoding: japanese.encoding === 'euc-jp' ? 'EUC-JP' : 'Shift_JIS', text: japanese.text };
}

/**
 * Text in a legacy Japanese encoding, told from text in another that Shift_JIS or EUC-JP happen
 * to take whole: no C1 control or private-use character, and kana or Japanese punctuation, or a
 * kanji (or half-width kana) that is not one alone beside a Latin letter. Latin-1 letters make such
 * lone ones: two accented letters in a row are one EUC-JP kanji ("Grüße": "Gr館e", "informações":
 * "informa苺es"), an accented capital a half-width kana in Shift_JIS ("MÜNCHEN": "MﾜNCHEN");
 * Japanese text has kana, words of two kanji or more, or a kanji beside a digit or a space ("第1回").
 */
function readsAsJapanese(text: string): boolean {
  if (/[\u0080-\u009f\ue000-\uf8ff]/.test(text)) return false;
  if (/[\u3000-\u30ff]/.test(text)) return true;
  for (const run of text.matchAll(/[\u3400-\u9fff\uff66-\uff9f]+/g)) {
    const before = text.charCodeAt(run.index - 1);
    const after = text.charCodeAt(run.index + run[0].length);
    if (run[0].length > 1 || !(isLatinLetter(before) || isLatinLetter(after))) return true;
  }
  return false;
}

/** An ASCII letter's code (NaN, past either end of a text, is none). */
const isLatinLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
