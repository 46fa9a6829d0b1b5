import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { looksLikeGzippedMbox, splitMbox } from '../../src/ingest/mbox.ts';

async function split(text: string | Buffer, chunkSize = 7, max?: number) {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const chunks = (async function* () {
    for (let at = 0; at < bytes.length; at += chunkSize) yield bytes.subarray(at, at + chunkSize);
  })();
  const out = [];
  for await (const m of splitMbox(chunks, max)) out.push(m);
  return out;
}
const texts = (messages: Awaited<ReturnType<typeof split>>) =>
  messages.map((m) => ('bytes' in m ? m.bytes.toString() : `too large: ${m.tooLarge}`));

describe('splitMbox', () => {
  it('splits on From_ lines at the start or after an empty line, whatever the chunking', async () => {
    const box =
      'From a@example Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody 1\n\n' +
      'From b@example Mon Jan  1 00:00:01 2024\nSubject: two\n\nbody 2\n';
    for (const size of [1, 3, 7, 64, 4096]) {
      expect(texts(await split(box, size))).toEqual(['Subject: one\n\nbody 1\n', 'Subject: two\n\nbody 2\n']);
    }
    const [first] = await split(box);
    expect(first).toMatchObject({ index: 1, offset: 0, separator: 'a@example Mon Jan  1 00:00:00 2024' });
  });

  it('unescapes >From (mboxrd) and keeps a From line inside a paragraph', async () => {
    const box =
      'From x Mon Jan  1 00:00:00 2024\nSubject: q\n\n>From the start\n>>From quoted\ntext\nFrom inside a paragraph\n>not from\n\n';
    expect(texts(await split(box))).toEqual([
      'Subject: q\n\nFrom the start\n>From quoted\ntext\nFrom inside a paragraph\n>not from\n',
    ]);
  });

  it('splits only on whole From_ lines when the first separator is one (a body line of an unescaped mbox)', async () => {
    const box =
      'From dmarc@example.jp Tue Nov 14 22:13:20 2023\nSubject: one\n\nDear admin,\n\nFrom the DMARC team: see the report.\n\n' +
      'From - Wed Jan 05 10:24:12 +0000 2022\nSubject: two\n\nbody\n\n' +
      'From "a b"@example.jp Thu, Jan  6 01:02 2022\nSubject: three\n\nbody\n\n' +
      'From  Fri Jan  7 01:02:03 2022\nSubject: four\n\nbody\n';
    for (const size of [1, 5, 4096]) {
      expect(texts(await split(box, size))).toEqual([
        'Subject: one\n\nDear admin,\n\nFrom the DMARC team: see the report.\n',
        'Subject: two\n\nbody\n',
        'Subject: three\n\nbody\n',
        'Subject: four\n\nbody\n',
      ]);
    }
    // A mailbox whose writer puts something else after the sender keeps splitting on any From_ line.
    expect(texts(await split('From x 1700000000\nA: 1\n\nFrom y 1700000001\nB: 2\n'))).toEqual([
      'A: 1\n',
      'B: 2\n',
    ]);
  });

  it('keeps CRLF line ends and the message bytes exactly', async () => {
    const box = Buffer.concat([
      Buffer.from('From x Mon Jan  1 00:00:00 2024\r\nA: \xff\r\n\r\nbin\r\n\r\n', 'latin1'),
      Buffer.from('From y Mon Jan  1 00:00:00 2024\r\nB: 2\r\n'),
    ]);
    const messages = await split(box, 5);
    expect(messages.map((m) => ('bytes' in m ? m.bytes.toString('latin1') : ''))).toEqual([
      'A: \xff\r\n\r\nbin\r\n',
      'B: 2\r\n',
    ]);
  });

  it('ignores bytes before the first From_ line and handles an empty mailbox', async () => {
    expect(await split('')).toEqual([]);
    expect(texts(await split('junk\n\nFrom x Mon\nA: 1\n'))).toEqual(['A: 1\n']);
  });

  it('reports a message over the size limit without holding it', async () => {
    const big = `From x Mon\nA: ${'y'.repeat(500)}\n\nFrom z Mon\nB: 1\n`;
    expect(texts(await split(big, 16, 100))).toEqual(['too large: 504', 'B: 1\n']);
  });
});

describe('looksLikeGzippedMbox', () => {
  const box = 'From MAILER-DAEMON Tue Nov 14 22:13:20 2023\nSubject: one\n\nbody\n';
  it('sees an mbox inside a gzip, whatever the file is called but a report gzip', () => {
    expect(looksLikeGzippedMbox(gzipSync(box), 'dmarc.mbox.gz')).toBe(true);
    expect(looksLikeGzippedMbox(gzipSync(box), 'archive')).toBe(true);
    expect(looksLikeGzippedMbox(gzipSync(box), 'stdin')).toBe(true);
    // Named as a report's gzip: taken for one without inflating it.
    expect(looksLikeGzippedMbox(gzipSync(box), 'google.com!example.jp!1!2.xml.gz')).toBe(false);
    expect(looksLikeGzippedMbox(gzipSync('<feedback/>'), 'report.gz')).toBe(false);
    expect(looksLikeGzippedMbox(Buffer.from(box), 'plain.mbox')).toBe(false);
    // Cut after its start: still seen (the rest is read as it streams).
    const long = gzipSync(box.repeat(2000).replace(/body/g, () => Math.random().toString(36)));
    expect(looksLikeGzippedMbox(long.subarray(0, 100), 'cut.mbox.gz')).toBe(true);
    expect(
      looksLikeGzippedMbox(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8]), 'x.gz'),
    ).toBe(false);
  });
});
