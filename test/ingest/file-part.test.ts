/**
 * A part of a file (FileAt.part): the mails a watched mbox had appended since it was last read,
 * read alone by every reader of files: whole on this thread, whole on a read thread, streamed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InputFile, type InputMessage, inputMessages, readCappedSync } from '../../src/ingest/inputs.ts';
import { mbox, reportMail } from './helpers/reports.ts';

describe('a part of a file', () => {
  let dir: string;
  let spool: string;
  let part: InputFile;
  const before = mbox([reportMail({ reportId: 'part-read-before' })]);
  const appended = mbox([reportMail({ reportId: 'part-1' }), reportMail({ reportId: 'part-2' })]);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sumi-part-'));
    spool = path.join(dir, 'dmarc');
    // Bytes after the part too: a mail being delivered as the listing was made is not read.
    await writeFile(spool, `${before}${appended}From half-delivered`);
    const start = Buffer.byteLength(before);
    const length = Buffer.byteLength(appended);
    part = { path: spool, size: length, mtime: 1_700_000_000, maildir: false, part: { start, length } };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const collect = async (options: Parameters<typeof inputMessages>[1]) => {
    const messages: InputMessage[] = [];
    for await (const message of inputMessages([part], options)) messages.push(message);
    return messages;
  };

  it('is read alone on a read thread, fewer bytes when the file is shorter, and refused over the limit', () => {
    expect(readCappedSync(part, 1 << 20).toString()).toBe(appended);
    const past = { path: spool, part: { start: Buffer.byteLength(before), length: 1 << 20 } };
    expect(readCappedSync(past, 2 << 20).toString()).toBe(`${appended}From half-delivered`);
    expect(() => readCappedSync(part, 10)).toThrow(/over the limit of 10/);
  });

  it.each([
    ['read whole', {}],
    ['streamed', { readWholeBytes: 0 }],
  ])('gives its mails alone, named from where it starts (%s)', async (_, options) => {
    const messages = await collect(options);
    const where = `${spool}@${Buffer.byteLength(before)}`;
    expect(messages.map((m) => m.source)).toEqual([`${where} #1`, `${where} #2`]);
    const texts = await Promise.all(messages.map(async (m) => (await m.load()).toString()));
    expect(texts[0]).toContain('part-1');
    expect(texts[1]).toContain('part-2');
    expect(texts.join('')).not.toContain('part-read-before');
  });

  it('is handed to a read thread with its part', async () => {
    const [message] = await collect({ lazyFiles: true });
    expect(message?.file).toMatchObject({ path: spool, part: part.part });
    expect((await message!.load()).toString()).toBe(appended);
  });
});
