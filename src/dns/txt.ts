import type { TxtRecord } from './types.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Turns the character-strings of one TXT/SPF record into text, keeping the string boundaries. */
export function decodeTxt(chunks: readonly Uint8Array[]): TxtRecord {
  const strings: string[] = [];
  const lengths: number[] = [];
  let invalid = false;
  for (const chunk of chunks) {
    lengths.push(chunk.length);
    try {
      strings.push(utf8.decode(chunk));
    } catch {
      // Undecodable bytes are kept visible (as Latin-1) and flagged rather than dropped.
      invalid = true;
      strings.push(Buffer.from(chunk).toString('latin1'));
    }
  }
  const record: TxtRecord = { text: strings.join(''), strings, lengths };
  if (invalid) record.invalidUtf8 = true;
  return record;
}
