import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { escapedName } from '../../src/ingest/file-name.ts';
import { inputMessages, READ_WHOLE_BYTES, scanPaths } from '../../src/ingest/inputs.ts';
import { ingestPaths, READ_THREADS_MIN_INPUTS } from '../../src/ingest/paths.ts';
import {
  MAIL_BYTES_FOR_MORE_THREADS,
  MAILS_BEFORE_MORE_THREADS,
  ReadPool,
} from '../../src/ingest/read-pool.ts';
import type { IngestProgress } from '../../src/ingest/totals.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { zip } from '../reports/fixtures/build.ts';
import { aggregateGz, aggregateXml, mbox, messagesFor, plainMail, reportMail } from './helpers/reports.ts';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sumi-ingest-'));
  store = await openStore(path.join(dir, 'sumi.db'));
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function put(relative: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, 'in', relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

/** Rows in one order, whatever order concurrent inputs finished in. */
function sortRows(rows: unknown[][]): unknown[][] {
  return rows
    .map((r) => JSON.stringify(r))
    .sort()
    .map((r) => JSON.parse(r) as unknown[]);
}

/** A mail with a good report (unless `good` is false) and a truncated gzip next to it. */
function mailWithDamagedPart({ good = true } = {}): string {
  const report = aggregateGz({ reportId: 'two-parts' }).toString('base64');
  const bad = aggregateGz({ reportId: 'cut' }).subarray(0, 40).toString('base64');
  return [
    'From: noreply@receiver.example',
    'To: dmarc@example.jp',
    'Subject: two attachments',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    ...(good
      ? [
          '--b',
          'Content-Type: application/gzip; name="good.xml.gz"',
          'Content-Transfer-Encoding: base64',
          '',
          report,
        ]
      : []),
    '--b',
    'Content-Type: application/gzip; name="cut.xml.gz"',
    'Content-Transfer-Encoding: base64',
    '',
    bad,
    '--b--',
    '',
  ].join('\r\n');
}

describe('ingestPaths', () => {
  it('reads files, nested directories, mbox files and Maildir folders', async () => {
    await put('a.xml', aggregateXml({ reportId: 'file-xml', records: 3 }));
    await put('deep/er/b.xml.gz', aggregateGz({ reportId: 'file-gz', records: 2 }));
    await put('mail.eml', reportMail({ reportId: 'file-eml', records: 1 }));
    await put('.DS_Store', 'junk that is skipped');
    // An mbox whose second mail has a body line starting with "From " (escaped as >From).
    const tricky = reportMail({ reportId: 'mbox-2', records: 2 }).replace(
      'This is an aggregate report.',
      'This is an aggregate report.\r\n\r\nFrom the receiver, with love.',
    );
    await put(
      'box.mbox',
      mbox([reportMail({ reportId: 'mbox-1', records: 1 }), tricky, plainMail('in mbox')]),
    );
    await put('Maildir/cur/1700000000.1.host:2,S', reportMail({ reportId: 'md-cur', records: 1 }));
    await put('Maildir/new/1700000000.2.host', reportMail({ reportId: 'md-new', records: 1 }));
    await put('Maildir/tmp/1700000000.3.host', 'still being delivered');
    await put('Maildir/dovecot-uidlist', '3 V1 N4');
    await put('Maildir/.Reports/cur/1700000000.4.host:2,', reportMail({ reportId: 'md-sub', records: 1 }));
    await put('Maildir/.Reports/new/.keep', '');
    await put('Maildir/.Reports/maildirfolder', '');

    const totals = await ingestPaths([path.join(dir, 'in')], { store });
    expect(totals).toMatchObject({
      reports: 8,
      duplicates: 0,
      records: 3 + 2 + 1 + 1 + 2 + 1 + 1 + 1,
      messages: messagesFor(3) + messagesFor(2) * 2 + messagesFor(1) * 5,
      inputs: 9,
    });
    expect(totals.failed.map((f) => [path.relative(dir, f.source), f.error.code])).toEqual([
      ['in/box.mbox #3', 'no-report-found'],
    ]);
    const counts = await store.countReports();
    expect(counts).toMatchObject({ reports: 8, quarantined: 1 });
    const listed = await store.listReports({ limit: 100 });
    expect(listed.find((r) => r.reportId === 'mbox-2')?.source).toMatch(/box\.mbox #2 > attachment 1/);
  });

  it('leaveOtherMail: mail with nothing like a report in a Maildir, an mbox or a .eml is left alone, on the main thread and on read threads', async () => {
    const brokenGzipMail = mailWithDamagedPart({ good: false });
    await put('Maildir/new/1.host', reportMail({ reportId: 'shared-1' }));
    await put('Maildir/new/2.host', plainMail('lunch?'));
    await put('Maildir/cur/3.host:2,S', brokenGzipMail);
    await put('box.mbox', mbox([reportMail({ reportId: 'shared-2' }), plainMail('in mbox')]));
    await put('note.eml', plainMail('saved by hand'));
    // Not a mail: a file that is not a report fails whatever the option says.
    await put('notes.txt', 'to do: publish p=reject');
    const fails = (totals: { failed: { source: string; error: { code: string } }[] }) =>
      totals.failed.map((f) => [path.relative(dir, f.source), f.error.code]).sort();
    for (const [readThreads, fillers] of [
      [0, 0],
      [1, READ_THREADS_MIN_INPUTS],
    ] as const) {
      for (let i = 0; i < fillers; i++) await put(`filler/${i}.xml`, aggregateXml({ reportId: `f${i}` }));
      const into = await openStore(path.join(dir, `leave-${readThreads}.db`));
      try {
        const left = await ingestPaths([path.join(dir, 'in')], {
          store: into,
          readThreads,
          leaveOtherMail: true,
        });
        expect(left).toMatchObject({ reports: 2 + fillers, otherMail: 3 });
        expect(fails(left)).toEqual([
          ['in/Maildir/cur/3.host:2,S > attachment 1 cut.xml.gz', 'gzip-truncated'],
          ['in/notes.txt', 'unknown-payload'],
        ]);
        expect(await into.countReports()).toMatchObject({ quarantined: 2 });
        // Without the option, the same mail is kept in the quarantine and fails, as before.
        const kept = await ingestPaths([path.join(dir, 'in')], { store: into, readThreads });
        expect(kept).toMatchObject({ reports: 0, duplicates: 2 + fillers, otherMail: 0 });
        expect(fails(kept).map(([source]) => source)).toEqual([
          'in/Maildir/cur/3.host:2,S > attachment 1 cut.xml.gz',
          'in/Maildir/new/2.host',
          'in/box.mbox #2',
          'in/note.eml',
          'in/notes.txt',
        ]);
        expect(await into.countReports()).toMatchObject({ quarantined: 5 });
      } finally {
        await into.close();
      }
    }
  });

  it('ARF feedback other than a DMARC failure (abuse, fraud, virus, other) is not a failure report: said so, quarantined or left as other mail', async () => {
    const arf = readFileSync(new URL('../reports/fixtures/arf.eml', import.meta.url), 'utf8');
    await put('auth-failure.eml', arf);
    for (const type of ['abuse', 'fraud', 'virus', 'other']) {
      const feedback = arf
        .replace('Feedback-Type: auth-failure', `Feedback-Type: ${type}`)
        .replace('Auth-Failure: dmarc\n', '')
        .replace('fr-1@', `fr-${type}@`);
      await put(`${type}.eml`, feedback);
    }
    const fails = (totals: { failed: { source: string; error: { code: string } }[] }) =>
      totals.failed.map((f) => [path.relative(dir, f.source), f.error.code]).sort();
    const kept = await ingestPaths([path.join(dir, 'in')], { store });
    expect(kept).toMatchObject({ failureReports: 1, otherMail: 0 });
    expect(fails(kept)).toEqual(
      ['abuse', 'fraud', 'other', 'virus'].map((type) => [`in/${type}.eml`, 'failure-other-feedback']),
    );
    expect(kept.failed[0]?.error.message).toMatch(
      /ARF feedback of the type "\w+", not a DMARC failure report/,
    );
    expect(await store.countReports()).toMatchObject({ failureReports: 1, quarantined: 4 });
    const into = await openStore(path.join(dir, 'leave.db'));
    try {
      const left = await ingestPaths([path.join(dir, 'in')], { store: into, leaveOtherMail: true });
      expect(left).toMatchObject({ failureReports: 1, otherMail: 4, failed: [] });
      expect(await into.countReports()).toMatchObject({ failureReports: 1, quarantined: 0 });
    } finally {
      await into.close();
    }
  });

  it('is idempotent: a second run stores nothing and counts duplicates', async () => {
    await put('a.xml', aggregateXml({ reportId: 'again-1' }));
    await put('b.xml.gz', aggregateGz({ reportId: 'again-2' }));
    await put('c.eml', reportMail({ reportId: 'again-2' })); // the same report in another wrapping
    const first = await ingestPaths([path.join(dir, 'in')], { store });
    expect(first).toMatchObject({ reports: 2, duplicates: 1 });
    const second = await ingestPaths([path.join(dir, 'in')], { store, concurrency: 1 });
    expect(second).toMatchObject({ reports: 0, duplicates: 3, records: 0, messages: 0, failed: [] });
    expect((await store.countReports()).reports).toBe(2);
  });

  it('says a stop cut the run short only when inputs were left unread', async () => {
    for (let i = 0; i < 10; i++) await put(`r${i}.xml`, aggregateXml({ reportId: `stop-${i}` }));
    const run = async (stopWhen: (p: IngestProgress) => boolean) => {
      const controller = new AbortController();
      let cutShort = false;
      const totals = await ingestPaths([path.join(dir, 'in')], {
        store,
        concurrency: 4,
        signal: controller.signal,
        onProgress: (p) => {
          if (stopWhen(p)) controller.abort();
        },
        onCutShort: () => {
          cutShort = true;
        },
      });
      return { inputs: totals.inputs, cutShort };
    };
    // Stopped as the last input is counted, its reports still being committed: nothing undone.
    expect(await run((p) => p.totalBytes !== null && p.bytesDone === p.totalBytes)).toEqual({
      inputs: 10,
      cutShort: false,
    });
    await store.close();
    store = await openStore(path.join(dir, 'again.db'));
    const early = await run(() => true);
    expect(early.cutShort).toBe(true);
    expect(early.inputs).toBeLessThan(10);
  });

  it('quarantines inputs without a report, with a precise reason each', async () => {
    const broken = await put('broken.xml', '<feedback><report_metadata><org_name>x</org_name>');
    const text = await put('notes.txt', 'just some text\n');
    const empty = await put('empty.xml', '');
    const emptyEntry = await put('empty-entry.zip', zip([{ name: 'report.xml', data: '' }]));
    const damaged = await put('two-parts.eml', mailWithDamagedPart());
    const totals = await ingestPaths([path.join(dir, 'in')], { store });
    expect(totals.reports).toBe(1);
    const reasons = Object.fromEntries(totals.failed.map((f) => [f.source, f.error.code]));
    expect(reasons).toEqual({
      [broken]: 'xml-not-well-formed',
      [empty]: 'empty-input',
      [`${emptyEntry} > entry report.xml`]: 'empty-input',
      [text]: 'unknown-payload',
      [`${damaged} > attachment 2 cut.xml.gz`]: 'gzip-truncated',
    });
    const quarantine = await store.listQuarantine();
    expect(quarantine.map((q) => q.errorCode).sort()).toEqual(
      ['empty-input', 'empty-input', 'gzip-truncated', 'unknown-payload', 'xml-not-well-formed'].sort(),
    );
    // Quarantining again is not a new entry: the same bytes are counted.
    await ingestPaths([broken], { store });
    expect((await store.countReports()).quarantined).toBe(5);
  });

  it('reads stdin as one input or as an mbox', async () => {
    const one = await ingestPaths(['-'], {
      store,
      stdin: Readable.from([aggregateGz({ reportId: 'stdin-1' })]),
    });
    expect(one).toMatchObject({ reports: 1, inputs: 1 });
    const box = mbox([reportMail({ reportId: 'stdin-2' }), reportMail({ reportId: 'stdin-3' })]);
    const chunks = Buffer.from(box)
      .toString('latin1')
      .match(/[\s\S]{1,100}/g)!
      .map((c) => Buffer.from(c, 'latin1'));
    const many = await ingestPaths(['-'], { store, stdin: Readable.from(chunks) });
    expect(many).toMatchObject({ reports: 2, inputs: 2 });
    expect((await store.listReports()).map((r) => r.source).sort()).toEqual(
      [
        'stdin > gunzip',
        'stdin #1 > attachment 1 receiver.example!example.jp!stdin-2.xml.gz > gunzip',
        'stdin #2 > attachment 1 receiver.example!example.jp!stdin-3.xml.gz > gunzip',
      ].sort(),
    );
  });

  it('reads every mail of an mbox archived as .mbox.gz, from a file (inline, on a thread, streamed) and stdin', async () => {
    const box = (tag: string) =>
      gzipSync(mbox([1, 2, 3].map((i) => reportMail({ reportId: `${tag}-${i}` }))));
    await put('box.mbox.gz', box('gz'));
    for (let i = 0; i < READ_THREADS_MIN_INPUTS; i++)
      await put(`filler/${i}.xml`, aggregateXml({ reportId: `f${i}` }));
    for (const readThreads of [0, 1]) {
      const into = await openStore(path.join(dir, `gz-box-${readThreads}.db`));
      try {
        const totals = await ingestPaths([path.join(dir, 'in')], { store: into, readThreads });
        expect(totals).toMatchObject({ reports: READ_THREADS_MIN_INPUTS + 3, failed: [] });
        const sources = (await into.listReports()).map((r) => path.relative(dir, r.source));
        expect(sources.filter((s) => s.startsWith('in/box.mbox.gz')).sort()).toEqual([
          'in/box.mbox.gz #1 > attachment 1 receiver.example!example.jp!gz-1.xml.gz > gunzip',
          'in/box.mbox.gz #2 > attachment 1 receiver.example!example.jp!gz-2.xml.gz > gunzip',
          'in/box.mbox.gz #3 > attachment 1 receiver.example!example.jp!gz-3.xml.gz > gunzip',
        ]);
      } finally {
        await into.close();
      }
    }
    // Larger than what is read whole: the file is streamed through gunzip.
    const streamed = await scanPaths([path.join(dir, 'in', 'box.mbox.gz')]);
    const sources: string[] = [];
    for await (const m of inputMessages(streamed, { readWholeBytes: 0 })) {
      expect((await m.load()).toString()).toContain('Content-Type: multipart/mixed');
      sources.push(path.relative(dir, m.source));
    }
    expect(sources).toEqual(['in/box.mbox.gz #1', 'in/box.mbox.gz #2', 'in/box.mbox.gz #3']);
    const piped = await ingestPaths(['-'], { store, stdin: Readable.from([box('stdin')]) });
    expect(piped).toMatchObject({ reports: 3, inputs: 3, failed: [] });
    // A slow writer's pipe: the first chunks hold a few bytes each, plain or gzipped.
    const trickle = (bytes: Buffer) =>
      Readable.from(
        Array.from({ length: Math.ceil(bytes.length / 3) }, (_, i) => bytes.subarray(i * 3, i * 3 + 3)),
      );
    const slow = await ingestPaths(['-'], { store, stdin: trickle(box('slow')) });
    expect(slow).toMatchObject({ reports: 3, inputs: 3, failed: [] });
    const plain = Buffer.from(mbox([1, 2].map((i) => reportMail({ reportId: `slow-plain-${i}` }))));
    expect(await ingestPaths(['-'], { store, stdin: trickle(plain) })).toMatchObject({
      reports: 2,
      inputs: 2,
    });
  });

  it('ingests the mails of a cut .mbox.gz up to the cut, and says where it stopped', async () => {
    const whole = gzipSync(mbox([1, 2, 3].map((i) => reportMail({ reportId: `cut-${i}`, records: 40 }))));
    // Cut within the third mail: the first two come whole out of the gzip stream.
    await put('cut.mbox.gz', whole.subarray(0, Math.floor(whole.length * 0.8)));
    const totals = await ingestPaths([path.join(dir, 'in')], { store, readThreads: 0 });
    expect(totals.reports).toBe(2);
    expect(
      totals.failed.map((f) => [
        path.relative(dir, f.source),
        f.error.message.split(': ').slice(1).join(': '),
      ]),
    ).toEqual([['in/cut.mbox.gz #3', 'gzip: unexpected end of file']]);
  });

  it('refuses an input over the size limit without reading it, and leaves it where it is', async () => {
    const big = await put('big.xml', aggregateXml({ reportId: 'big', records: 50 }));
    const totals = await ingestPaths([big], { store, maxMessageBytes: 1_000 });
    expect(totals.failed.map((f) => f.error.code)).toEqual(['input-too-large']);
    expect((await store.countReports()).quarantined).toBe(0);
  });

  it('reads a file of no stated size (a device, a pipe) and stdin no further than the size limit', async () => {
    // Both ran on for ever before: /dev/zero was read whole into memory, stdin drained to its end.
    const device = await ingestPaths(['/dev/zero'], { store, maxMessageBytes: 100_000 });
    expect(device.failed.map((f) => [f.source, f.error.code])).toEqual([['/dev/zero', 'input-too-large']]);
    const endless = Readable.from(
      (function* () {
        for (;;) yield Buffer.alloc(16_384, 0x20);
      })(),
    );
    const stdin = await ingestPaths(['-'], { store, stdin: endless, maxMessageBytes: 100_000 });
    expect(stdin.failed.map((f) => [f.source, f.error.code])).toEqual([['stdin', 'input-too-large']]);
    expect(endless.destroyed).toBe(true);
  }, 30_000);

  it('throws ENOENT for a path that does not exist, before ingesting anything', async () => {
    await put('a.xml', aggregateXml({ reportId: 'x' }));
    await expect(
      ingestPaths([path.join(dir, 'in'), path.join(dir, 'nope')], { store }),
    ).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect((await store.countReports()).reports).toBe(0);
  });

  it.each([
    ['beside many files (read threads from the start)', READ_THREADS_MIN_INPUTS],
    ['alone (read threads once its mails are many)', 0],
  ])(
    'ingests the mails of a large mbox %s many at a time, in shared batches, on read threads',
    async (_, files) => {
      for (let i = 0; i < files; i++) await put(`a${i}.xml`, aggregateXml({ reportId: `beside-${i}` }));
      const mails = 300;
      await put(
        'z.mbox',
        mbox(Array.from({ length: mails }, (_, i) => reportMail({ reportId: `box-${files}-${i}` }))),
      );
      const batches: number[] = [];
      const counting: Store = Object.create(store, {
        insertAggregateReports: {
          value: (...args: Parameters<Store['insertAggregateReports']>) => {
            batches.push(args[0].filter((item) => item.source.description.includes('z.mbox')).length);
            return store.insertAggregateReports(...args);
          },
        },
      });
      const read = vi.spyOn(ReadPool.prototype, 'read');
      const forMail = vi.spyOn(ReadPool.prototype, 'forMail');
      try {
        const totals = await ingestPaths([path.join(dir, 'in')], { store: counting });
        expect(totals).toMatchObject({ reports: files + mails, failed: [] });
        // One at a time, each mail waited for a batch of its own (20 ms each).
        const mboxBatches = batches.filter((n) => n > 0);
        expect(mboxBatches.reduce((a, b) => a + b, 0)).toBe(mails);
        expect(mboxBatches.length).toBeLessThan(mails / 10);
        expect(read.mock.calls.length).toBeGreaterThan(mails / 2);
        // A little mail (0.4 MB) does not earn another read thread (MAIL_BYTES_FOR_MORE_THREADS).
        expect(forMail).not.toHaveBeenCalled();
      } finally {
        read.mockRestore();
        forMail.mockRestore();
      }
    },
  );

  it.each([
    ['one mbox', 'mbox'],
    ['a folder of .eml files', 'eml'],
  ])(
    'tells the read pool of mail in %s when much is left to read, not of report files beside it',
    async (_, kind) => {
      // 80 mails of 300 KB, 24 MB: the first 50 at least are read with more than
      // MAIL_BYTES_FOR_MORE_THREADS left, however many were stored by then.
      const padding = `${'x'.repeat(76)}\r\n`.repeat(4_000);
      const texts = Array.from({ length: 80 }, (_, i) =>
        reportMail({ reportId: `big-${kind}-${i}` }).replace('This is an aggregate report.', padding),
      );
      expect(texts.join('').length).toBeGreaterThan(MAIL_BYTES_FOR_MORE_THREADS);
      if (kind === 'mbox') await put('big.mbox', mbox(texts));
      else for (const [i, text] of texts.entries()) await put(`eml/m${i}.eml`, text);
      for (let i = 0; i < READ_THREADS_MIN_INPUTS; i++)
        await put(`f${i}.xml`, aggregateXml({ reportId: `f-${kind}-${i}` }));
      const forMail = vi.spyOn(ReadPool.prototype, 'forMail');
      try {
        const totals = await ingestPaths([path.join(dir, 'in')], { store });
        expect(totals).toMatchObject({ reports: 80 + READ_THREADS_MIN_INPUTS, failed: [] });
        expect(forMail.mock.calls.length).toBeGreaterThanOrEqual(MAILS_BEFORE_MORE_THREADS / 2);
        expect(forMail.mock.calls.length).toBeLessThanOrEqual(80);
      } finally {
        forMail.mockRestore();
      }
    },
  );

  it("does not read the store's own files as inputs when the folder ingested holds them", async () => {
    // The store is dir/sumi.db (with its -wal and -shm while open); the reports are in dir/in.
    await put('a.xml', aggregateXml({ reportId: 'beside-the-store' }));
    const totals = await ingestPaths([dir], { store });
    expect(totals).toMatchObject({ reports: 1, inputs: 1, failed: [] });
    expect(await store.countReports()).toMatchObject({ reports: 1, quarantined: 0 });
    expect((await ingestPaths([path.join(dir, 'sumi.db')], { store })).inputs).toBe(0);
  });

  it('stores the reports of one input (a zip of 200) in shared batches, not one batch each', async () => {
    const entries = Array.from({ length: 200 }, (_, i) => ({
      name: `r${i}.xml`,
      data: aggregateXml({ reportId: `zipped-${i}` }),
    }));
    // A refused report among them is quarantined on its own, as before.
    entries.push({
      name: 'bad.xml',
      data: aggregateXml({ reportId: 'zipped-bad' }).replace(/<count>\d+</, '<count>-3<'),
    });
    await put('many.zip', zip(entries));
    let batches = 0;
    const counting: Store = Object.create(store, {
      insertAggregateReports: {
        value: (...args: Parameters<Store['insertAggregateReports']>) => {
          batches++;
          return store.insertAggregateReports(...args);
        },
      },
    });
    const totals = await ingestPaths([path.join(dir, 'in')], { store: counting });
    expect(totals).toMatchObject({ reports: 200, inputs: 1 });
    expect(totals.failed.map((f) => f.source.replace(/.*> /, ''))).toEqual(['entry bad.xml']);
    // One batch each would be 201; on a loaded 2-core machine (a CI run beside a bench) the
    // batch timer ends some early: 24 were seen there, 3 to 10 usually.
    expect(batches).toBeLessThan(50);
  });

  it('starts read threads while it scans many inputs, and closes them when a later path does not exist', async () => {
    for (let i = 0; i < READ_THREADS_MIN_INPUTS; i++)
      await put(`m${i}.xml`, aggregateXml({ reportId: `many-${i}` }));
    const started = vi.spyOn(ReadPool.prototype, 'readFile');
    const closed = vi.spyOn(ReadPool.prototype, 'close');
    try {
      await expect(
        ingestPaths([path.join(dir, 'in'), path.join(dir, 'nope')], { store }),
      ).rejects.toMatchObject({
        code: 'ENOENT',
      });
      expect(closed).toHaveBeenCalledTimes(1);
      expect(started).not.toHaveBeenCalled();
      const totals = await ingestPaths([path.join(dir, 'in')], { store });
      expect(totals.reports).toBe(READ_THREADS_MIN_INPUTS);
      expect(started).toHaveBeenCalledTimes(READ_THREADS_MIN_INPUTS);
      expect(closed).toHaveBeenCalledTimes(2);
    } finally {
      started.mockRestore();
      closed.mockRestore();
    }
  });

  it.each([
    ['in batches', true],
    ['one transaction per report', false],
  ])('stops on a store failure (a runtime failure, not a bad input), %s', async (_, batch) => {
    for (let i = 0; i < 10; i++) await put(`r${i}.xml`, aggregateXml({ reportId: `fail-${i}-${batch}` }));
    let calls = 0;
    const locked = () => Promise.reject(new Error('database is locked'));
    const failing: Store = Object.create(store, {
      insertAggregateReport: {
        value: (...args: Parameters<Store['insertAggregateReport']>) =>
          ++calls === 3 ? locked() : store.insertAggregateReport(...args),
      },
      insertAggregateReports: { value: locked },
    });
    await expect(ingestPaths([path.join(dir, 'in')], { store: failing, batch })).rejects.toThrow(
      'database is locked',
    );
    const after = await ingestPaths([path.join(dir, 'in')], { store });
    expect(after.reports + after.duplicates).toBe(10);
    expect((await store.countReports()).reports).toBe(10);
  });

  it('reads inputs on threads exactly as on the main thread', async () => {
    for (let i = 0; i < 30; i++)
      await put(`x/${i}.xml`, aggregateXml({ reportId: `t-xml-${i}`, records: 1 + (i % 4) }));
    for (let i = 0; i < 30; i++)
      await put(`g/${i}.xml.gz`, aggregateGz({ reportId: `t-gz-${i}`, records: 2 }));
    for (let i = 0; i < 5; i++) await put(`m/${i}.eml`, reportMail({ reportId: `t-eml-${i}` }));
    await put('dup.eml', reportMail({ reportId: 't-gz-3' }));
    await put('box.mbox', mbox([reportMail({ reportId: 't-mbox-1' }), plainMail('not a report')]));
    await put('broken.xml', '<feedback><report_metadata><org_name>x</org_name>');
    await put('notes.txt', 'just some text\n');
    await put('two-parts.eml', mailWithDamagedPart());
    await put('arf.eml', await readFile(new URL('../reports/fixtures/arf.eml', import.meta.url)));
    await put('tls.json', await readFile(new URL('../reports/fixtures/tls.json', import.meta.url)));
    await put('bad-count.xml', aggregateXml({ reportId: 't-bad' }).replace(/<count>\d+</, '<count>-3<'));
    // Parsed on a thread, refused by the store: its XML, not copied back, is unpacked for the quarantine.
    await put(
      'overflow.xml.gz',
      gzipSync(
        aggregateXml({ reportId: 't-overflow', records: 2 }).replace(
          /<count>\d+</g,
          `<count>${Number.MAX_SAFE_INTEGER}<`,
        ),
      ),
    );

    const run = async (readThreads: number, batch = true) => {
      const into = await openStore(path.join(dir, `threads-${readThreads}-${batch}.db`));
      try {
        const totals = await ingestPaths([path.join(dir, 'in')], { store: into, readThreads, batch });
        // The failure report, parsed on a thread, inline, or at store time (one report per transaction).
        const failureReport = await into.getFailureReport(1);
        const reports = (await into.listReports({ limit: 1_000 })).map((r) => [
          r.reportId,
          r.source,
          r.messageCount,
        ]);
        const quarantine = (await into.listQuarantine()).map((q) => [q.source, q.errorCode, q.rawSha256]);
        const failed = totals.failed.map((f) => [f.source, f.error.code]);
        return {
          totals: { ...totals, failed },
          reports,
          quarantine,
          counts: await into.countReports(),
          // When each run stored it differs (a second apart when a run crosses one).
          failureReport: { ...failureReport, receivedAt: undefined, ingestedAt: undefined },
        };
      } finally {
        await into.close();
      }
    };
    const threaded = await run(2);
    const inline = await run(0);
    const unbatched = await run(0, false);
    expect(threaded.failureReport).toMatchObject({
      feedbackType: 'auth-failure',
      rawSha256: expect.any(String),
    });
    expect(threaded.failureReport).toEqual(inline.failureReport);
    expect(threaded.failureReport).toEqual(unbatched.failureReport);
    expect(threaded.counts).toMatchObject({ reports: 67, failureReports: 1, tlsReports: 1 });
    expect(threaded.totals.duplicates).toBe(1);
    expect(threaded.totals.failed.map(([, code]) => code).sort()).toEqual(
      [
        'gzip-truncated',
        'no-report-found',
        'unknown-payload',
        'xml-not-well-formed',
        'aggregate-invalid-count',
        'message-total-too-large',
      ].sort(),
    );
    // The report sent twice is stored from whichever copy is read first (inputs are read
    // concurrently, and a thread loads the mail parser when it first meets a mail): either.
    const twice = 't-gz-3';
    const copy = /\/in\/(g\/3\.xml\.gz|dup\.eml > attachment 1 \S+t-gz-3\.xml\.gz) > gunzip$/;
    for (const { reports } of [threaded, inline])
      expect(reports.find(([id]) => id === twice)?.[1]).toMatch(copy);
    const eitherCopy = (rows: unknown[][]) =>
      rows.map(([id, source, messages]) => [id, id === twice ? 'either copy' : source, messages]);
    expect(sortRows(eitherCopy(threaded.reports))).toEqual(sortRows(eitherCopy(inline.reports)));
    expect(sortRows(threaded.quarantine)).toEqual(sortRows(inline.quarantine));
    expect(sortRows(threaded.totals.failed)).toEqual(sortRows(inline.totals.failed));
    expect(threaded.counts).toEqual(inline.counts);
  });

  it('counts the fullest of differing copies read on threads or inline, whichever is read first', async () => {
    // Five copies of one report, the fullest in the middle, as files, gzip and mail.
    for (const records of [1, 2, 3, 4, 5]) {
      const report = { reportId: 'copies', records: records === 3 ? 6 : records };
      await put(`c${records}.xml`, aggregateXml(report));
      await put(`c${records}.xml.gz`, aggregateGz({ ...report, begin: 1_700_000_000 + records }));
      await put(`c${records}.eml`, reportMail({ ...report, begin: 1_700_000_100 + records }));
    }
    for (let i = 0; i < READ_THREADS_MIN_INPUTS; i++)
      await put(`other-${i}.xml`, aggregateXml({ reportId: `o-${i}` }));
    const runs: string[] = [];
    for (const readThreads of [3, 0]) {
      const into = await openStore(path.join(dir, `copies-${readThreads}.db`));
      try {
        const totals = await ingestPaths([path.join(dir, 'in')], { store: into, readThreads });
        const [counted] = await into.db
          .selectFrom('reports')
          .select(['id', 'source', 'message_count'])
          .where('report_id', '=', 'copies')
          .execute();
        // One of the three copies of six records (the raw SHA-256 decides between them), the same
        // one in both runs.
        expect([counted!.source, Number(counted!.message_count)], `${readThreads} threads`).toEqual([
          expect.stringMatching(/\/in\/c3\.xml(\.gz > gunzip| > attachment 1 \S+)?$/),
          messagesFor(6),
        ]);
        expect((await into.getAggregateReport(counted!.id))?.copies).toHaveLength(14);
        expect(totals).toMatchObject({ reports: 1 + READ_THREADS_MIN_INPUTS, duplicates: 14, copies: 14 });
        expect(totals.messages).toBe(messagesFor(6) + READ_THREADS_MIN_INPUTS * messagesFor(2));
        runs.push(counted!.source);
      } finally {
        await into.close();
      }
    }
    expect(runs[0]).toBe(runs[1]);
  });

  it('keeps a clean gzip as the stored form of its report, and recompresses one with extra members', async () => {
    const xml = aggregateXml({ reportId: 'kept-gz', records: 2 });
    await put('kept.xml.gz', gzipSync(xml));
    const twice = aggregateXml({ reportId: 'two-members', records: 2 });
    const half = Math.floor(twice.length / 2);
    await put('two.xml.gz', Buffer.concat([gzipSync(twice.slice(0, half)), gzipSync(twice.slice(half))]));
    await ingestPaths([path.join(dir, 'in')], { store });
    const rows = await store.db
      .selectFrom('reports')
      .select(['id', 'report_id', 'raw_encoding'])
      .orderBy('report_id')
      .execute();
    expect(rows.map((r) => [r.report_id, r.raw_encoding])).toEqual([
      ['kept-gz', 'gzip'],
      ['two-members', 'br'],
    ]);
    expect((await store.getRawReport(rows[0]!.id))?.toString()).toBe(xml);
    expect((await store.getRawReport(rows[1]!.id))?.toString()).toBe(twice);
  });

  it('reads files and directories whose names are not UTF-8, on threads and inline, showing their bytes escaped', async () => {
    // Names as Windows archives leave them: Shift_JIS (レポート) and Latin-1 (é).
    const sjis = Buffer.from([0x83, 0x8c, 0x83, 0x7c, 0x81, 0x5b, 0x83, 0x67]);
    const inDir = Buffer.from(path.join(dir, 'in'));
    const at = (...names: Buffer[]) => Buffer.concat(names.flatMap((n) => [Buffer.from('/'), n]).slice(1));
    mkdirSync(at(inDir, sjis), { recursive: true });
    for (let i = 0; i < READ_THREADS_MIN_INPUTS; i++) {
      writeFileSync(
        at(inDir, sjis, Buffer.from(`${i}-r\xe9.xml.gz`, 'latin1')),
        aggregateGz({ reportId: `sjis-${i}` }),
      );
    }
    await put('plain.xml', aggregateXml({ reportId: 'plain' }));
    for (const readThreads of [0, 1]) {
      const into = await openStore(path.join(dir, `names-${readThreads}.db`));
      try {
        const totals = await ingestPaths([path.join(dir, 'in')], { store: into, readThreads });
        expect(totals).toMatchObject({ reports: READ_THREADS_MIN_INPUTS + 1, failed: [] });
        const sources = (await into.listReports()).map((r) => path.relative(dir, r.source)).sort();
        expect(sources).toContain('in/\\x83\\x8c\\x83|\\x81[\\x83g/0-r\\xe9.xml.gz > gunzip');
        expect(sources).toContain('in/plain.xml');
      } finally {
        await into.close();
      }
    }
    expect(escapedName(Buffer.from('日本.xml'))).toBe('日本.xml');
    expect(escapedName(Buffer.from([0x61, 0xe3, 0x81, 0x62, 0xf0, 0x9f, 0x98, 0x80]))).toBe('a\\xe3\\x81b😀');
  });

  it('lists what it cannot look at as failed inputs, and reads the rest', async () => {
    await put('good.xml', aggregateXml({ reportId: 'good' }));
    const file = await put('file.xml', aggregateXml({ reportId: 'file' }));
    symlinkSync('loop', path.join(dir, 'in', 'loop'));
    symlinkSync('nowhere', path.join(dir, 'in', 'gone.xml'));
    const totals = await ingestPaths([path.join(dir, 'in'), path.join(file, 'under-a-file')], { store });
    expect(totals.reports).toBe(2);
    expect(totals.inputs).toBe(5);
    const failed = totals.failed.map((f) => [
      path.relative(dir, f.source),
      f.error.message.split(': ').pop(),
    ]);
    expect(failed.sort()).toEqual([
      ['in/file.xml/under-a-file', 'ENOTDIR'],
      ['in/gone.xml', 'ENOENT'],
      ['in/loop', 'ELOOP'],
    ]);
  });

  it('follows links to directories, reading each directory once however many ways lead to it', async () => {
    await put('top.xml', aggregateXml({ reportId: 'top' }));
    await put('sub/inner.xml', aggregateXml({ reportId: 'inner' }));
    const archive = path.join(dir, 'archive');
    mkdirSync(path.join(archive, '2026'), { recursive: true });
    writeFileSync(path.join(archive, '2026', 'old.xml'), aggregateXml({ reportId: 'archived' }));
    // A report archive kept elsewhere and linked into the tree is read like the rest.
    symlinkSync(archive, path.join(dir, 'in', 'archive'));
    // Links back up the tree, to itself, and a second way to the same directory end.
    symlinkSync('..', path.join(dir, 'in', 'sub', 'up'));
    symlinkSync('.', path.join(dir, 'in', 'here'));
    symlinkSync(path.join(archive, '2026'), path.join(dir, 'in', 'sub', 'this-year'));
    const scanned = await scanPaths([path.join(dir, 'in'), path.join(dir, 'in', 'sub')]);
    // In name order, through the link as the tree shows it.
    expect(scanned.map((s) => path.relative(dir, s.path))).toEqual([
      'in/archive/2026/old.xml',
      'in/sub/inner.xml',
      'in/top.xml',
    ]);
    const totals = await ingestPaths([path.join(dir, 'in')], { store });
    expect(totals).toMatchObject({ reports: 3, inputs: 3, failed: [] });
  });

  it('lists Maildir messages and skips tmp/', async () => {
    await put('md/cur/1', 'x');
    await put('md/new/2', 'y');
    await put('md/tmp/3', 'z');
    const scanned = await scanPaths([path.join(dir, 'in', 'md')]);
    expect(scanned.map((s) => path.relative(dir, s.path))).toEqual(['in/md/cur/1', 'in/md/new/2']);
    // Known as mail, read on the main thread or lazily on a read thread.
    for (const lazyFiles of [false, true]) {
      const marks: (true | undefined)[] = [];
      for await (const message of inputMessages(scanned, { lazyFiles })) marks.push(message.mail);
      expect(marks).toEqual([true, true]);
    }
  });

  it('knows a Maildir whose cur/ and new/ are links (a mail store on another disk)', async () => {
    const store = await openStore(path.join(dir, 'linked-maildir.db'));
    const mails = path.join(dir, 'mail-disk');
    mkdirSync(path.join(mails, 'cur'), { recursive: true });
    mkdirSync(path.join(mails, 'new'), { recursive: true });
    writeFileSync(
      path.join(mails, 'cur', '1700000000.1.host:2,S'),
      reportMail({ reportId: 'lm-cur', records: 1 }),
    );
    writeFileSync(
      path.join(mails, 'new', '1700000000.2.host'),
      reportMail({ reportId: 'lm-new', records: 1 }),
    );
    await put('lmd/tmp/1700000000.3.host', 'still being delivered');
    await put('lmd/dovecot-uidlist', '3 V1 N4');
    symlinkSync(path.join(mails, 'cur'), path.join(dir, 'in', 'lmd', 'cur'));
    symlinkSync(path.join(mails, 'new'), path.join(dir, 'in', 'lmd', 'new'));
    const scanned = await scanPaths([path.join(dir, 'in', 'lmd')]);
    // The server's files at the top and the mail still in tmp/ are not inputs; cur/ and new/ hold mail.
    expect(scanned.map((s) => [path.relative(dir, s.path), 'maildir' in s && s.maildir])).toEqual([
      ['in/lmd/cur/1700000000.1.host:2,S', true],
      ['in/lmd/new/1700000000.2.host', true],
    ]);
    const totals = await ingestPaths([path.join(dir, 'in', 'lmd')], { store });
    expect(totals).toMatchObject({ reports: 2, inputs: 2, failed: [] });
    await store.close();
  });
});

describe('inputMessages', () => {
  it('streams a large mbox message by message, with the same result as reading it whole', async () => {
    const mails = Array.from({ length: 50 }, (_, i) => reportMail({ reportId: `stream-${i}`, records: 5 }));
    const file = await put('big.mbox', mbox(mails));
    const scanned = await scanPaths([file]);
    const read = async (readWholeBytes: number) => {
      const out: string[] = [];
      for await (const m of inputMessages(scanned, { readWholeBytes }))
        out.push(`${m.source} ${(await m.load()).length}`);
      return out;
    };
    const streamed = await read(0);
    expect(streamed).toHaveLength(50);
    expect(streamed).toEqual(await read(READ_WHOLE_BYTES));
    expect(streamed[49]).toMatch(/big\.mbox #50 \d+$/);
  });
});

describe('sumi ingest progress', () => {
  it('draws a bar with counts, rate and ETA on a terminal, and nothing otherwise', async () => {
    for (let i = 0; i < 30; i++) await put(`p${i}.xml`, aggregateXml({ reportId: `progress-${i}` }));
    const run = async (isTTY: boolean) => {
      let err = '';
      const stderr = {
        isTTY,
        write: (s: string) => {
          err += s;
          return true;
        },
      };
      const { registerIngest } = await import('../../src/cli/ingest.ts');
      const { Command } = await import('commander');
      const program = new Command('sumi').exitOverride();
      const ctx = { lang: 'en' as const, stdout: { write: () => true }, stderr, env: { TERM: 'xterm' } };
      registerIngest(program, ctx as unknown as Parameters<typeof registerIngest>[1]);
      await program.parseAsync(
        ['ingest', path.join(dir, 'in'), '--db', path.join(dir, `p-${isTTY}.db`), '--concurrency', '1'],
        {
          from: 'user',
        },
      );
      return err;
    };
    expect(await run(false)).toBe('');
    const drawn = await run(true);
    // One report at a time goes at once: the first line may count 1 report.
    expect(drawn).toMatch(/\r\[[#-]{24}\] \d+%\s+\d+ reports?, \d+ records?, \d+ reports\/s/);
    // The line is cleared at the end, so the summary starts on a clean line.
    expect(drawn.endsWith('\r\x1b[K')).toBe(true);
  });
});
