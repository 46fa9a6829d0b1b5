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

/** The length of the UTF-8 character at `at` (1 to 4 bytes), or 0 when none starts there. */
function utf8SequenceLength(bytes: Uint8Array, at: number): number {
  // No shorter prefix of a character is valid UTF-8 on its own: the first valid length is it.
  for (let length = 1; length <= 4 && at + length <= bytes.length; length++) {
    if (isUtf8(bytes.subarray(at, at + length))) return length;
  }
  return 0;
}
