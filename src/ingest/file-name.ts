/** File names as the file system holds them (bytes) shown to people. Pure. */
import { isUtf8 } from 'node:buffer';

/** A file name's bytes for people: UTF-8 as it is, any byte that is not part of it as `\xNN`. */
export function escapedName(name: Uint8Array): string {
  let out = '';
  let at = 0;
  while (at < name.length) {
    const length = utf8SequenceLength(name, at);
    if (length === 0) {
      out += `\\x${name[at]!.toString(16).padStart(2, '0')}`;
      at++;
    } else {
      out += Buffer.from(name.buffer, name.byteOffset + at, length).toString();
      at += length;
    }
  }
  return out;
}

/** The length of the well-formed UTF-8 sequence at `at` (1 to 4), or 0 when none starts there. */
function utf8SequenceLength(bytes: Uint8Array, at: number): number {
  const lead = bytes[at]!;
  if (lead < 0x80) return 1;
  const length =
    lead >= 0xc2 && lead <= 0xdf
      ? 2
      : lead >= 0xe0 && lead <= 0xef
        ? 3
        : lead >= 0xf0 && lead <= 0xf4
          ? 4
          : 0;
  if (length === 0 || at + length > bytes.length) return 0;
  return isUtf8(bytes.subarray(at, at + length)) ? length : 0;
}
