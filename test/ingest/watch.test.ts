import { appendFile, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type InputError, type InputFile, type ScannedPath, scanPaths } from '../../src/ingest/inputs.ts';
import { ingestScanned } from '../../src/ingest/paths.ts';
import { emptyTotals, type IngestTotals } from '../../src/ingest/totals.ts';
import {
  MBOX_PART_MIN_BYTES,
  NotAFolderError,
  type WatchEvent,
  WatchListing,
  watchPaths,
} from '../../src/ingest/watch.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { until } from '../helpers/until.ts';
import { aggregateGz, aggregateXml, mbox, reportMail } from './helpers/reports.ts';

const file = (p: string, size: number, mtime = 1_700_000_000, maildir = false): InputFile => ({
  path: p,
  size,
  mtime,
  maildir,
});
const paths = (scanned: ScannedPath[]) => scanned.map((s) => s.path);

describe('what a watch listing takes', () => {
  it('takes everything at the start, then a new file once two listings saw it the same', () => {
    const listing = new WatchListing();
    expect(paths(listing.fresh([file('/in/a.xml', 10)], true))).toEqual(['/in/a.xml']);
    // Being copied in: seen, then grown, then the same twice.
    expect(listing.fresh([file('/in/a.xml', 10), file('/in/b.xml', 5)], false)).toEqual([]);
    expect(listing.waiting).toBe(1);
    expect(listing.fresh([file('/in/a.xml', 10), file('/in/b.xml', 9)], false)).toEqual([]);
    expect(paths(listing.fresh([file('/in/a.xml', 10), file('/in/b.xml', 9)], false))).toEqual(['/in/b.xml']);
    expect(listing.waiting).toBe(0);
    expect(listing.fresh([file('/in/a.xml', 10), file('/in/b.xml', 9)], false)).toEqual([]);
  });

  it('takes a file saved again under the same name, and one removed and put back', () => {
    const listing = new WatchListing();
    listing.fresh([file('/in/daily.xml', 10)], true);
    const again = file('/in/daily.xml', 12, 1_700_086_400);
    expect(listing.fresh([again], false)).toEqual([]);
    expect(paths(listing.fresh([again], false))).toEqual(['/in/daily.xml']);
    expect(listing.fresh([], false)).toEqual([]);
    listing.fresh([again], false);
    expect(paths(listing.fresh([again], false))).toEqual(['/in/daily.xml']);
  });

  it("takes a Maildir's mail at once, and not again when a mail program moves it to cur/ with flags", () => {
    const listing = new WatchListing();
    listing.fresh([], true);
    const delivered = file('/mail/new/1700000000.M1P2.host', 800, 1_700_000_000, true);
    expect(paths(listing.fresh([delivered], false))).toEqual([delivered.path]);
    const read = file('/mail/cur/1700000000.M1P2.host:2,S', 800, 1_700_000_000, true);
    expect(listing.fresh([read], false)).toEqual([]);
    // Another Maildir's mail of the same unique name is another mail.
    const other = file('/other/new/1700000000.M1P2.host', 800, 1_700_000_000, true);
    expect(paths(listing.fresh([read, other], false))).toEqual([other.path]);
  });

  it('tells of a path it cannot read once, not at every listing', () => {
    const listing = new WatchListing();
    const unlisted = { path: '/in/private', unlisted: new Error('EACCES') as InputError };
    expect(paths(listing.fresh([unlisted], true))).toEqual(['/in/private']);
    expect(listing.fresh([unlisted], false)).toEqual([]);
  });
});

describe('watchPaths', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sumi-watch-'));
    store = await openStore(path.join(dir, 'sumi.db'));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ingests what is there, then what arrives in the folder and the Maildir, until stopped', async () => {
    const drop = path.join(dir, 'drop');
    const maildir = path.join(dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(maildir, sub), { recursive: true });
    await mkdir(drop);
    await writeFile(path.join(drop, 'first.xml'), aggregateXml({ reportId: 'watch-1', records: 2 }));
    const events: WatchEvent[] = [];
    const controller = new AbortController();
    const watching = watchPaths([drop, maildir], {
      store,
      intervalMs: 100,
      signal: controller.signal,
      onEvent: (event) => events.push(event),
    });
    const stored = () => events.reduce((sum, e) => sum + (e.type === 'ingested' ? e.totals.reports : 0), 0);
    await until('the first report is stored', () => stored() === 1);
    expect(events.map((e) => e.type)).toEqual(['ingested', 'watching']);

    await writeFile(path.join(drop, 'second.xml.gz'), aggregateGz({ reportId: 'watch-2', records: 3 }));
    // Delivered as a mail server does: written in tmp/, then moved to new/ (tmp/ is never read).
    await writeFile(path.join(maildir, 'tmp', '1700000000.M1.host'), reportMail({ reportId: 'watch-3' }));
    await until('the second report is stored', () => stored() === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(stored()).toBe(2);
    await rename(
      path.join(maildir, 'tmp', '1700000000.M1.host'),
      path.join(maildir, 'new', '1700000000.M1.host'),
    );
    await until('the mailed report is stored', () => stored() === 3);
    // Read by a mail program: moved to cur/ with flags, not ingested again.
    await rename(
      path.join(maildir, 'new', '1700000000.M1.host'),
      path.join(maildir, 'cur', '1700000000.M1.host:2,S'),
    );
    await new Promise((r) => setTimeout(r, 400));
    controller.abort();
    const totals: IngestTotals = await watching;
    expect(totals).toMatchObject({ reports: 3, duplicates: 0, records: 7, inputs: 3, failed: [] });
    expect((await store.countReports()).reports).toBe(3);
  });

  it('reads a folder soon after the file system says it changed, not only at the interval', async () => {
    const maildir = path.join(dir, 'Maildir');
    const drop = path.join(dir, 'drop');
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(maildir, sub), { recursive: true });
    await mkdir(drop);
    const controller = new AbortController();
    let stored = 0;
    let watching = false;
    const watch = watchPaths([maildir, drop], {
      store,
      intervalMs: 3_600_000,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'watching') watching = true;
        else if (event.type === 'ingested') stored += event.totals.reports;
      },
    });
    await until('watching', () => watching);
    await writeFile(path.join(maildir, 'new', '1700000000.M2.host'), reportMail({ reportId: 'heard-1' }));
    await until('the delivered mail is stored', () => stored === 1);
    // A file in a plain folder: taken at the listing after the one that first saw it (2 s).
    await writeFile(path.join(drop, 'saved.xml'), aggregateXml({ reportId: 'heard-2' }));
    await until('the saved report is stored', () => stored === 2);
    controller.abort();
    expect(await watch).toMatchObject({ reports: 2, inputs: 2, failed: [] });
  });

  it('tries again what it could not store (the store failing), and goes on watching', async () => {
    const drop = path.join(dir, 'drop');
    await mkdir(drop);
    await writeFile(path.join(drop, 'a.xml'), aggregateXml({ reportId: 'retried-1', records: 2 }));
    let failing = true;
    const flaky: Store = Object.create(store, {
      insertAggregateReports: {
        value: (...args: Parameters<Store['insertAggregateReports']>) => {
          if (failing) {
            failing = false;
            return Promise.reject(new Error('connection terminated unexpectedly'));
          }
          return store.insertAggregateReports(...args);
        },
      },
    });
    const events: WatchEvent[] = [];
    const controller = new AbortController();
    const watch = watchPaths([drop], {
      store: flaky,
      intervalMs: 100,
      signal: controller.signal,
      onEvent: (event) => events.push(event),
    });
    await until('the report is stored', () => events.some((e) => e.type === 'ingested'));
    await writeFile(path.join(drop, 'b.xml'), aggregateXml({ reportId: 'retried-2' }));
    await until('the next report is stored', () => events.filter((e) => e.type === 'ingested').length === 2);
    controller.abort();
    expect(await watch).toMatchObject({ reports: 2, failed: [] });
    expect(events.map((e) => e.type)).toEqual(['failed', 'ingested', 'watching', 'ingested']);
    expect(events[0]).toMatchObject({
      retryMs: 100,
      error: { message: 'connection terminated unexpectedly' },
    });
    expect((await store.countReports()).reports).toBe(2);
  });

  it('reads only the mails appended to a growing mbox spool, and a spool replaced whole', async () => {
    const spool = path.join(dir, 'dmarc');
    const mails = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) =>
        reportMail({ reportId: `spool-${from + i}`, records: 120 }),
      );
    await writeFile(spool, mbox(mails(1, 30)));
    const before = (await stat(spool)).size;
    expect(before).toBeGreaterThanOrEqual(MBOX_PART_MIN_BYTES);
    const events: WatchEvent[] = [];
    const controller = new AbortController();
    const watching = watchPaths([spool], {
      store,
      intervalMs: 100,
      signal: controller.signal,
      onEvent: (event) => events.push(event),
    });
    const passes = () => events.flatMap((e) => (e.type === 'ingested' ? [e.totals] : []));
    await until('the spool is read', () => passes().length === 1);
    expect(passes()[0]).toMatchObject({ reports: 30, duplicates: 0 });

    // Delivered: one mail appended. Only it is read, from where the last read ended.
    await appendFile(spool, mbox(mails(31, 31)));
    await until('the appended mail is read', () => passes().length === 2);
    expect(passes()[1]).toMatchObject({ reports: 1, duplicates: 0, inputs: 1, failed: [] });
    const source = await store.db
      .selectFrom('reports')
      .select('source')
      .where('report_id', '=', 'spool-31')
      .executeTakeFirstOrThrow();
    expect(source.source.startsWith(`${spool}@${before} #1 > attachment 1 `)).toBe(true);

    // Replaced (a mail program rewrote it, a new file in its place): read whole, the rest duplicates.
    await writeFile(`${spool}.new`, mbox(mails(1, 32)));
    await rename(`${spool}.new`, spool);
    await until('the replaced spool is read', () => passes().length === 3);
    expect(passes()[2]).toMatchObject({ reports: 1, duplicates: 31 });

    // Rewritten in place by a mail program, its first mail deleted, and two mails delivered since:
    // longer than it was, but the bytes before where the read ended are others. Read whole.
    await writeFile(spool, mbox(mails(2, 34)));
    await until('the rewritten spool is read', () => passes().length === 4);
    expect(passes()[3]).toMatchObject({ reports: 2, duplicates: 31 });
    controller.abort();
    expect(await watching).toMatchObject({ reports: 34, failed: [] });
    expect((await store.countReports()).reports).toBe(34);
  });

  it('reads a spool delivered to after it was listed only as far as listed, the rest with the next listing', async () => {
    const spool = path.join(dir, 'dmarc');
    const mail = (n: number) => reportMail({ reportId: `late-${n}`, records: 120 });
    await writeFile(spool, mbox(Array.from({ length: 30 }, (_, i) => mail(i + 1))));
    const listing = new WatchListing();
    const ingest = async (inputs: ScannedPath[]) => {
      const totals = emptyTotals();
      await ingestScanned(inputs, { store }, totals);
      await listing.markMboxes(inputs);
      return totals;
    };
    const first = await listing.appendedParts(listing.fresh(await scanPaths([spool]), true));
    // A mail delivered between the listing and the read: the read stops where the listing saw the
    // spool end (before: it read the mail too, and the next listing read it again as a duplicate).
    await appendFile(spool, mbox([mail(31)]));
    expect(await ingest(first)).toMatchObject({ reports: 30, duplicates: 0, failed: [] });
    const [named] = await store.db
      .selectFrom('reports')
      .select('source')
      .where('report_id', '=', 'late-1')
      .execute();
    expect(named?.source.startsWith(`${spool} #1 > `)).toBe(true);
    listing.fresh(await scanPaths([spool]), false);
    const next = await listing.appendedParts(listing.fresh(await scanPaths([spool]), false));
    expect(await ingest(next)).toMatchObject({ reports: 1, duplicates: 0, failed: [] });
    expect((await store.countReports()).reports).toBe(31);
  });

  it('refuses stdin, a device and a path that is not there, before ingesting anything', async () => {
    const options = { store, intervalMs: 100, signal: new AbortController().signal };
    await expect(watchPaths([dir, '/dev/null'], options)).rejects.toBeInstanceOf(NotAFolderError);
    await expect(watchPaths(['-'], options)).rejects.toBeInstanceOf(NotAFolderError);
    await expect(watchPaths([path.join(dir, 'nope')], options)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await store.countReports()).reports).toBe(0);
  });
});
