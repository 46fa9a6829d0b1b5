/**
 * Fuzzing of what ingest reads before the report readers: mbox splitting (mailboxes written as
 * mboxrd writers write them come back message for message, however the file is cut into chunks;
 * edited ones split alike in chunks and whole, within the message limit) and file names shown
 * to people (any bytes, shown as text that gives the bytes back). SUMI_FUZZ_SEED and
 * SUMI_FUZZ_RUNS run a longer campaign, as for test/reports/fuzz.test.ts.
 */
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapedName } from '../../src/ingest/file-name.ts';
import { type MboxMessage, splitMbox } from '../../src/ingest/mbox.ts';
import { applyEdits, edit, fuzzSettings } from '../reports/fixtures/fuzz.ts';

/** Lines a mail's body may hold, those an mbox must escape among them. */
const LINE = fc.oneof(
  fc.constantFrom(
    'From the DMARC team',
    'From x Mon Jan  1 00:00:00 2024',
    '>From quoted',
    '>>From twice',
    '>not from',
  ),
  fc.constantFrom('', '\r', 'Subject: report', 'From:', 'From', ' From indented', '\u00e9t\u00e9'),
  fc.string({ maxLength: 12 }).map((text) => text.replace(/[\r\n]/g, ' ')),
);
const MESSAGE = fc.array(
  fc
    .record({ text: LINE, crlf: fc.boolean() })
    .map(({ text, crlf }) => Buffer.from(`${text}${crlf ? '\r\n' : '\n'}`)),
  { maxLength: 8 },
);
const SEPARATOR = fc.constantFrom(
  'From dmarc@example.jp Tue Nov 14 22:13:20 2023',
  'From - Wed Jan 05 10:24:12 +0000 2022',
  'From "a b"@example.jp Mon Jan  1 00:00:00 2024',
  'From MAILER-DAEMON Fri Jul  8 12:08:34 2011',
);

/** A mailbox as mboxrd writers write it: a From_ line, the lines with `>*From ` escaped, an empty line. */
function mboxrd(messages: readonly { separator: string; lines: Buffer[] }[]): {
  bytes: Buffer;
  offsets: number[];
} {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let size = 0;
  const push = (part: Buffer) => {
    parts.push(part);
    size += part.length;
  };
  for (const { separator, lines } of messages) {
    offsets.push(size);
    push(Buffer.from(`${separator}\n`));
    for (const line of lines)
      push(/^>*From /.test(line.toString('latin1')) ? Buffer.concat([Buffer.from('>'), line]) : line);
    push(Buffer.from('\n'));
  }
  return { bytes: Buffer.concat(parts, size), offsets };
}

async function split(bytes: Buffer, chunk: number, max?: number): Promise<MboxMessage[]> {
  const chunks = (async function* () {
    for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
  })();
  const out: MboxMessage[] = [];
  for await (const message of splitMbox(chunks, max)) out.push(message);
  return out;
}

describe('fuzzing mbox splitting', () => {
  it('gives back every message of an mboxrd mailbox, however it is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ separator: SEPARATOR, lines: MESSAGE }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 80 }),
        async (messages, chunk) => {
          const { bytes, offsets } = mboxrd(messages);
          const read = await split(bytes, chunk);
          expect(read).toEqual(
            messages.map(({ separator, lines }, i) => ({
              index: i + 1,
              offset: offsets[i],
              separator: separator.slice(5),
              bytes: Buffer.concat(lines),
            })),
          );
        },
      ),
      fuzzSettings(0.15),
    );
  });

  it('splits an edited mailbox alike in chunks and whole, and keeps no message past the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ separator: SEPARATOR, lines: MESSAGE }), { minLength: 1, maxLength: 6 }),
        fc.array(edit, { maxLength: 4 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 200 }),
        async (messages, edits, chunk, max) => {
          const bytes = applyEdits(mboxrd(messages).bytes, edits);
          expect(await split(bytes, chunk)).toEqual(await split(bytes, bytes.length + 1));
          let before = -1;
          for (const message of await split(bytes, chunk, max)) {
            expect(message.offset).toBeGreaterThan(before);
            before = message.offset;
            if ('bytes' in message) expect(message.bytes.length).toBeLessThanOrEqual(max);
            else expect(message.tooLarge).toBeGreaterThan(max);
          }
        },
      ),
      fuzzSettings(0.15),
    );
  });
});

describe('fuzzing file names', () => {
  it('shows any bytes of a name as well-formed text that gives the bytes back', () => {
    const nameBytes = fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      fc.string({ unit: 'grapheme', maxLength: 8 }).map((text) => new Uint8Array(Buffer.from(text))),
    );
    fc.assert(
      fc.property(nameBytes, (name) => {
        const shown = escapedName(name);
        // No lone surrogate: the text is UTF-8 as it is.
        expect(Buffer.from(shown).toString()).toBe(shown);
        if (isUtf8(name)) expect(shown).toBe(Buffer.from(name).toString());
        // Without a backslash of its own, the name's bytes are the text's with each \xNN one byte.
        if (!name.includes(0x5c)) {
          const back = Buffer.concat(
            shown
              .split(/(\\x[0-9a-f]{2})/)
              .map((piece) =>
                /^\\x[0-9a-f]{2}$/.test(piece)
                  ? Buffer.from([Number.parseInt(piece.slice(2), 16)])
                  : Buffer.from(piece),
              ),
          );
          expect(back).toEqual(Buffer.from(name));
        }
      }),
      fuzzSettings(),
    );
  });
});
