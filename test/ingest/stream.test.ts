import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestMessage, type MessageOptions } from '../../src/ingest/message.ts';
import { ReadPool } from '../../src/ingest/read-pool.ts';
import { openStore } from '../../src/store/open.ts';
import { QUARANTINE_MAX_REASONS } from '../../src/store/quarantine-reason.ts';
import type { Store } from '../../src/store/types.ts';
import { aggregateGz, aggregateXml, messagesFor, reportMail } from './helpers/reports.ts';

let store: Store;
beforeEach(async () => {
  store = await openStore(':memory:');
});
afterEach(async () => {
  await store.close();
});

// A thread that parses streamed reports (stream-parse.ts), for the tests that parse there.
let thread: ReadPool;
beforeAll(() => {
  thread = new ReadPool(1, 1, true);
});
afterAll(async () => {
  await thread.close();
});

// Every aggregate report is streamed here (by default only those over UNPACK_STREAM_ABOVE_BYTES),
// parsed on this thread or on a read thread while this one stores the records.
const streamedHere: MessageOptions = { streamAbove: 0 };
const streamedToThread: MessageOptions = {
  streamAbove: 0,
  streamParser: () => (xml, handlers) => thread.parseAggregate(xml, { ...handlers, engine: store.engine }),
};

describe.each([
  ['parsed here', streamedHere],
  ['parsed on a read thread', streamedToThread],
])('large aggregate reports parsed while decompressing (unpack streamAbove), %s', (_, streamAll) => {
  it('stores the report and keeps the gzip file as its raw bytes', async () => {
    const gz = aggregateGz({ reportId: 'gs-1', records: 300 });
    const outcome = await ingestMessage(store, gz, 'r.xml.gz', '/in/r.xml.gz', streamAll);
    expect(outcome.reports).toEqual([
      {
        kind: 'aggregate',
        status: 'stored',
        id: expect.any(Number),
        source: '/in/r.xml.gz > gunzip',
        records: 300,
        messages: 45_150,
      },
    ]);
    const [summary] = await store.listReports();
    expect(summary!.rawSha256).toBe(createHash('sha256').update(gz).digest('hex'));
    const again = await ingestMessage(store, gz, 'r.xml.gz', '/in/r.xml.gz', streamAll);
    expect(again.reports[0]!.status).toBe('duplicate');
  });

  it('keeps the same report sent again with fewer records as a copy, and counts a fuller one in its place', async () => {
    const first = await ingestMessage(
      store,
      aggregateGz({ reportId: 'gs-2', records: 300 }),
      'r.xml.gz',
      '/in/a',
      streamAll,
    );
    const resent = aggregateGz({ reportId: 'gs-2', records: 200 });
    const again = await ingestMessage(store, resent, 'r.xml.gz', '/in/b', streamAll);
    expect(again.reports).toEqual([
      {
        kind: 'aggregate',
        status: 'duplicate',
        id: first.reports[0]!.id,
        copy: expect.any(Number),
        source: '/in/b > gunzip',
        records: 0,
        messages: 0,
      },
    ]);
    expect(await store.countReports()).toMatchObject({ reports: 1, records: 300 });
    const copy = again.reports[0]!.copy!;
    expect((await store.getRawReport(copy, 'copy'))?.equals(resent)).toBe(true);
    // Fuller: counted in place of the first, which is kept as a copy; streamed, as the first.
    const fuller = aggregateGz({ reportId: 'gs-2', records: 400 });
    const third = await ingestMessage(store, fuller, 'r.xml.gz', '/in/c', streamAll);
    expect(third.reports).toEqual([
      {
        kind: 'aggregate',
        status: 'duplicate',
        id: first.reports[0]!.id,
        copy: expect.any(Number),
        recounted: true,
        source: '/in/c > gunzip',
        records: 100,
        messages: messagesFor(400) - messagesFor(300),
      },
    ]);
    expect(await store.countReports()).toMatchObject({
      reports: 1,
      records: 400,
      messages: messagesFor(400),
    });
    expect((await store.getRawReport(first.reports[0]!.id))?.equals(fuller)).toBe(true);
    const kept = (await store.getAggregateReport(first.reports[0]!.id))?.copies.map((c) => c.source);
    expect(kept).toEqual(['/in/b > gunzip', '/in/a > gunzip']);
  });

  it('hands anything but a gzipped aggregate report to the general unpacker', async () => {
    const mail = gzipSync(reportMail({ reportId: 'gs-2' }));
    const outcome = await ingestMessage(store, mail, 'm.eml.gz', '/in/m.eml.gz', streamAll);
    expect(outcome.reports.map((r) => [r.status, r.source])).toEqual([
      ['stored', '/in/m.eml.gz > gunzip > attachment 1 receiver.example!example.jp!gs-2.xml.gz > gunzip'],
    ]);
  });

  it('leaves nothing of a report that fails midway, and quarantines it with the precise reason', async () => {
    const broken = gzipSync(
      aggregateXml({ reportId: 'gs-3', records: 2_000 }).replace('</feedback>', '</feedbak>'),
    );
    const outcome = await ingestMessage(store, broken, 'b.xml.gz', '/in/b.xml.gz', streamAll);
    expect(outcome.failed.map((f) => f.error.code)).toEqual(['xml-not-well-formed']);
    expect(await store.countReports()).toMatchObject({ reports: 0, records: 0, quarantined: 1 });

    const cut = aggregateGz({ reportId: 'gs-4', records: 2_000 });
    const truncated = await ingestMessage(
      store,
      cut.subarray(0, cut.length - 100),
      'c.xml.gz',
      '/in/c.xml.gz',
      streamAll,
    );
    expect(truncated.failed.map((f) => f.error.code)).toEqual(['gzip-truncated']);
    expect(await store.countReports()).toMatchObject({ reports: 0, records: 0, quarantined: 2 });
  });

  it('stores every record once, in order, across the batches it arrives in', async () => {
    const outcome = await ingestMessage(
      store,
      aggregateGz({ reportId: 'gs-5', records: 2_500 }),
      'r.xml.gz',
      '/in/r.xml.gz',
      streamAll,
    );
    const stored = await store.getAggregateReport(outcome.reports[0]!.id);
    expect(stored!.records.map((r) => r.count)).toEqual(Array.from({ length: 2_500 }, (_, i) => i + 1));
    expect(await store.countReports()).toMatchObject({
      reports: 1,
      records: 2_500,
      messages: messagesFor(2_500),
    });
  });

  it('refuses a report whose records the store refuses, across the batches they arrive in, and keeps nothing of it', async () => {
    // Two counts the store takes alone but not summed (past 2^53), a batch apart.
    const xml = aggregateXml({ reportId: 'gs-6', records: 1_500 })
      .replace('<count>2</count>', '<count>6000000000000000</count>')
      .replace('<count>1200</count>', '<count>6000000000000000</count>');
    const outcome = await ingestMessage(store, gzipSync(xml), 'r.xml.gz', '/in/r.xml.gz', streamAll);
    expect(outcome.reports).toEqual([]);
    expect(outcome.failed.map((f) => f.error.code)).toEqual(['message-total-too-large']);
    expect(await store.countReports()).toMatchObject({ reports: 0, records: 0, quarantined: 1 });
  });
});

describe('quarantine reasons', () => {
  it(`keeps at most QUARANTINE_MAX_REASONS (${QUARANTINE_MAX_REASONS}) reasons in one entry, and counts the rest`, async () => {
    const parts = Array.from({ length: QUARANTINE_MAX_REASONS + 5 }, (_, i) =>
      [
        `--b`,
        `Content-Type: text/csv; name="n${i}.csv"`,
        `Content-Disposition: attachment; filename="n${i}.csv"`,
        '',
        `a,b,${i}`,
      ].join('\r\n'),
    );
    const mail = [
      'From: x@example.net',
      'Subject: csv',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      ...parts,
      '--b--',
      '',
    ].join('\r\n');
    const outcome = await ingestMessage(store, Buffer.from(mail), 'csv.eml', '/in/csv.eml');
    expect(outcome.failed).toHaveLength(QUARANTINE_MAX_REASONS + 5);
    const [entry] = await store.listQuarantine();
    expect(entry!.errorMessage).toMatch(/; and 5 more$/);
  });
});
