/** Retention: Store.prune deletes what was kept too long, and leaves a store as if it had never come. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AggregateRecord } from '../../src/reports/types.ts';
import { WITHDRAW_RECORDS_PER_STEP } from '../../src/store/counted.ts';
import { PRUNE_REPORTS_PER_TRANSACTION } from '../../src/store/prune.ts';
import type { Store } from '../../src/store/types.ts';
import {
  DAY,
  engines,
  engineTitle,
  failureReport,
  freshStore,
  header,
  JAN_1,
  record,
  rollupSums,
  tlsReport,
} from './helpers.ts';

const source = { description: 'test.xml', receivedAt: JAN_1 + 3600 };
const xml = (text: string) => Buffer.from(`<?xml version="1.0"?><feedback>${text}</feedback>`);
/** The cut: what ended before the second day goes. */
const CUT = JAN_1 + DAY;

/** An aggregate report as the tests store it: its id, domain, window and records. */
interface Sent {
  reportId: string;
  domain?: string;
  begin: number;
  end: number;
  records: AggregateRecord[];
}

/** Ended before the cut: on JAN_1, two sources, one of them the kept report's. */
const OLD: Sent = {
  reportId: 'old',
  begin: JAN_1,
  end: JAN_1 + DAY - 1,
  records: [record({ sourceIp: '10.0.0.1', count: 3 }), record({ sourceIp: '10.0.0.2', count: 2 })],
};
/** Three days whose middle is JAN_1's: in the old report's rollup slice, but ends after the cut. */
const SPANNING: Sent = {
  reportId: 'spanning',
  begin: JAN_1 - DAY,
  end: JAN_1 + 2 * DAY,
  records: [record({ sourceIp: '10.0.0.1', count: 5 }), record({ sourceIp: '10.0.0.3', count: 1 })],
};
/** What filled() holds that ended, arrived or was last seen before the cut. */
const OLD_ONES = {
  aggregateReports: 1,
  records: 2,
  messages: 5,
  tlsReports: 1,
  failureReports: 1,
  quarantined: 1,
};

const RECENT: Sent = {
  reportId: 'recent',
  begin: JAN_1 + 3 * DAY,
  end: JAN_1 + 4 * DAY - 1,
  records: [record({ sourceIp: '10.0.0.1', count: 7 })],
};

async function send(store: Store, sent: Sent, bytes = xml(sent.reportId)): Promise<void> {
  const { reportId, domain, begin, end, records } = sent;
  await store.insertAggregateReport({ ...header({ reportId, domain, begin, end }), records }, bytes, source);
}

async function rows(
  store: Store,
  table: 'reports' | 'records' | 'report_copies' | 'tls_reports' | 'tls_policies',
) {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(`Store.prune ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    const open = () => freshStore(engine, opened);
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });
    afterAll(() => engine.cleanup());

    /** A store holding an old, a spanning and a recent aggregate report, and one of each other kind old and new. */
    async function filled(): Promise<Store> {
      const store = await open();
      await send(store, OLD);
      // Another copy of the old report, with other bytes and fewer messages: kept beside it.
      await send(
        store,
        { ...OLD, records: [record({ sourceIp: '10.0.0.1', count: 3 })] },
        xml('old, once more'),
      );
      await send(store, SPANNING);
      await send(store, RECENT);
      await store.insertTlsReport(tlsReport(), Buffer.from('{"tls":"old"}'), source);
      const later = { begin: JAN_1 + 3 * DAY, end: JAN_1 + 4 * DAY - 1, beginIso: '', endIso: '' };
      await store.insertTlsReport(
        tlsReport({ reportId: 'tls-recent', window: later }),
        Buffer.from('{"tls":"recent"}'),
        source,
      );
      await store.insertFailureReport(failureReport(), Buffer.from('old failure'), source);
      await store.insertFailureReport(
        failureReport({ arrivalDate: 'Sat, 04 Jan 2025 00:00:00 +0000', arrivalTime: JAN_1 + 3 * DAY }),
        Buffer.from('recent failure'),
        source,
      );
      const reason = { code: 'not-xml', message: 'not XML' };
      const stale = await store.quarantine(Buffer.from('stale'), { description: 'stale' }, reason);
      await store.quarantine(Buffer.from('fresh'), { description: 'fresh' }, reason);
      await store.db
        .updateTable('quarantine')
        .set({ last_seen_at: JAN_1 })
        .where('id', '=', stale.id)
        .execute();
      return store;
    }

    it('counts what would go without deleting it (dry run)', async () => {
      const store = await filled();
      const before = await store.countReports();
      const counted = await store.prune({
        reportsBefore: CUT,
        failureReportsBefore: CUT,
        quarantineBefore: CUT,
        dryRun: true,
      });
      expect(counted).toEqual(OLD_ONES);
      expect(await store.countReports()).toEqual(before);
    });

    it('deletes each kind kept too long, with its records, copies and rollup sums, and nothing else', async () => {
      const store = await filled();
      const totals = await store.prune({
        reportsBefore: CUT,
        failureReportsBefore: CUT,
        quarantineBefore: CUT,
      });
      expect(totals).toEqual(OLD_ONES);
      const left = await store.listReports({ limit: 10 });
      expect(left.map((r) => r.reportId).sort()).toEqual(['recent', 'spanning']);
      expect(await store.countReports()).toMatchObject({ failureReports: 1, tlsReports: 1, quarantined: 1 });
      expect(await rows(store, 'tls_reports')).toBe(1);
      expect(await rows(store, 'records')).toBe(3);
      expect(await rows(store, 'report_copies')).toBe(0);
      expect(await rows(store, 'tls_policies')).toBeGreaterThan(0);
      expect((await store.listQuarantine()).map((q) => q.source)).toEqual(['fresh']);

      // The rollup as if the old report had never come: its source gone from the shared slice,
      // the spanning report's sum for the source they share what it alone counted.
      const never = await open();
      await send(never, SPANNING);
      await send(never, RECENT);
      expect(await rollupSums(store)).toEqual(await rollupSums(never));
      expect((await rollupSums(store)).find((r) => r.source_ip === '10.0.0.2')).toBeUndefined();

      // Nothing more to go.
      expect(
        await store.prune({ reportsBefore: CUT, failureReportsBefore: CUT, quarantineBefore: CUT }),
      ).toEqual({
        aggregateReports: 0,
        records: 0,
        messages: 0,
        tlsReports: 0,
        failureReports: 0,
        quarantined: 0,
      });
    });

    it('never gives a deleted report id to a report stored after it, however new the deleted one was', async () => {
      const store = await open();
      // The old ones last: each has its table's largest id when it is deleted.
      await send(store, RECENT);
      await send(store, OLD);
      await store.insertFailureReport(
        failureReport({ arrivalDate: 'Sat, 04 Jan 2025 00:00:00 +0000', arrivalTime: JAN_1 + 3 * DAY }),
        Buffer.from('recent failure'),
        source,
      );
      const later = { begin: JAN_1 + 3 * DAY, end: JAN_1 + 4 * DAY - 1, beginIso: '', endIso: '' };
      await store.insertTlsReport(
        tlsReport({ reportId: 'tls-recent', window: later }),
        Buffer.from('{"tls":"recent"}'),
        source,
      );
      const largest = async () => ({
        aggregate: Number(
          (await store.db.selectFrom('reports').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow())
            .id,
        ),
        failure: (await store.insertFailureReport(failureReport(), Buffer.from('old failure'), source)).id,
        tls: Number(
          ((await store.insertTlsReport(tlsReport(), Buffer.from('{"tls":"old"}'), source)) as { id: number })
            .id,
        ),
      });
      const deleted = await largest();
      await store.prune({ reportsBefore: CUT, failureReportsBefore: CUT });
      expect(await store.countReports()).toMatchObject({ reports: 1, failureReports: 1, tlsReports: 1 });
      // Stored alone, in a batch, and each other kind.
      const alone = await store.insertAggregateReport(
        { ...header({ reportId: 'after-alone', begin: RECENT.begin, end: RECENT.end }), records: [record()] },
        xml('after-alone'),
        source,
      );
      const [batched] = await store.insertAggregateReports([
        {
          report: {
            ...header({ reportId: 'after-batch', begin: RECENT.begin, end: RECENT.end }),
            records: [record()],
          },
          raw: xml('after-batch'),
          source,
        },
      ]);
      const failure = await store.insertFailureReport(
        failureReport({ arrivalTime: JAN_1 + 3 * DAY }),
        Buffer.from('new failure'),
        source,
      );
      const tls = await store.insertTlsReport(
        tlsReport({ reportId: 'tls-after', window: later }),
        Buffer.from('{"tls":"after"}'),
        source,
      );
      const id = (outcome: unknown) => Number((outcome as { id: number }).id);
      expect(id(alone)).toBeGreaterThan(deleted.aggregate);
      expect(id(batched)).toBeGreaterThan(id(alone));
      expect(id(failure)).toBeGreaterThan(deleted.failure);
      expect(id(tls)).toBeGreaterThan(deleted.tls);
    });

    it('keeps the kinds it is not given', async () => {
      const store = await filled();
      const before = await store.countReports();
      expect(await store.prune({ failureReportsBefore: CUT })).toMatchObject({
        aggregateReports: 0,
        failureReports: 1,
      });
      const after = await store.countReports();
      expect(after).toEqual({ ...before, failureReports: before.failureReports - 1 });
    });

    it('withdraws a batch of reports together a step of records at a time, and a report larger than a step in steps', async () => {
      const store = await open();
      const never = await open();
      // Sizes that fill a step, overflow it, and one larger than a step: each way of grouping.
      const step = WITHDRAW_RECORDS_PER_STEP;
      const sizes = [2, Math.floor(step * 0.4), Math.floor(step * 0.4), Math.floor(step * 0.4), step + 7, 3];
      for (const [n, size] of sizes.entries()) {
        await send(store, {
          reportId: `sized-${n}`,
          begin: JAN_1,
          end: JAN_1 + DAY - 1,
          records: Array.from({ length: size }, (_, i) =>
            record({ sourceIp: `10.${n}.${i >> 8}.${i & 255}`, count: 1 + (i % 3) }),
          ),
        });
      }
      await send(store, SPANNING);
      await send(never, SPANNING);
      const totals = await store.prune({ reportsBefore: CUT });
      expect(totals).toMatchObject({
        aggregateReports: sizes.length,
        records: sizes.reduce((a, b) => a + b, 0),
      });
      expect(await rows(store, 'records')).toBe(SPANNING.records.length);
      expect(await rollupSums(store)).toEqual(await rollupSums(never));
    }, 60_000);

    it('deletes a batch per transaction, and a stop between batches leaves every report whole and the rollup right', async () => {
      const store = await open();
      const many = PRUNE_REPORTS_PER_TRANSACTION + 5;
      for (let i = 0; i < many; i++) {
        await send(store, {
          reportId: `old-${i}`,
          domain: i % 2 ? 'example.jp' : 'example.com',
          begin: JAN_1,
          end: JAN_1 + DAY - 1,
          records: [
            record({ sourceIp: `10.1.${i >> 8}.${i & 255}`, count: 2 }),
            record({ sourceIp: '10.0.0.1' }),
          ],
        });
      }
      await send(store, SPANNING);
      const controller = new AbortController();
      const seen: number[] = [];
      const first = await store.prune({
        reportsBefore: CUT,
        signal: controller.signal,
        onProgress: (totals) => {
          seen.push(totals.aggregateReports);
          controller.abort();
        },
      });
      expect(seen).toEqual([PRUNE_REPORTS_PER_TRANSACTION]);
      expect(first).toMatchObject({ aggregateReports: PRUNE_REPORTS_PER_TRANSACTION, records: 2 * seen[0]! });
      // Each report left whole: its records all there.
      expect(await rows(store, 'records')).toBe(2 * 5 + SPANNING.records.length);
      const rest = await store.prune({ reportsBefore: CUT });
      expect(rest.aggregateReports).toBe(5);
      const never = await open();
      await send(never, SPANNING);
      expect(await rollupSums(store)).toEqual(await rollupSums(never));
    }, 60_000);
  });
}
