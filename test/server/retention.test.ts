/** The retention policy: kept in the settings, applied by sumi serve once a day, previewed and changed through the API. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/auth/accounts.ts';
import { RETENTION_EVERY_S, RetentionJob } from '../../src/server/retention.ts';
import { readRetention, writeRetentionPolicy } from '../../src/store/prune.ts';
import type { Store } from '../../src/store/types.ts';
import { DAY, engines, engineTitle, freshStore, header, JAN_1, record } from '../store/helpers.ts';
import { useHarness } from './helpers.ts';

/** A day 100 days after JAN_1: JAN_1's report is 100 days old, the one that ended the day before is not. */
const NOW = JAN_1 + 100 * DAY;

async function send(store: Store, reportId: string, begin: number, domain = 'example.jp'): Promise<void> {
  await store.insertAggregateReport(
    { ...header({ reportId, begin, domain }), records: [record({ headerFrom: domain, count: 4 })] },
    Buffer.from(`<feedback>${reportId}</feedback>`),
    { description: reportId },
  );
}

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(`RetentionJob ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });
    afterAll(() => engine.cleanup());

    it('applies the policy when due: at once, then a day after its last run, and at once when it changes', async () => {
      const store = await freshStore(engine, opened);
      await send(store, 'old', JAN_1);
      await send(store, 'yesterday', NOW - 2 * DAY);
      const clock = { now: NOW };
      const accounts = new Accounts(store.db, () => clock.now);
      const job = new RetentionJob({ store, accounts, now: () => clock.now });
      // No policy: everything is kept, and nothing is said to have run.
      expect(await job.check()).toBeNull();
      expect((await readRetention(store.db)).lastRun).toBeNull();

      await writeRetentionPolicy(
        store.db,
        { reportsDays: 30, failureReportsDays: null, quarantineDays: null },
        NOW - 10,
      );
      expect(await job.check()).toMatchObject({ aggregateReports: 1, records: 1, messages: 4 });
      expect((await store.listReports()).map((r) => r.reportId)).toEqual(['yesterday']);
      expect((await readRetention(store.db)).lastRun).toEqual({
        at: NOW,
        deleted: expect.objectContaining({ aggregateReports: 1 }),
        error: null,
      });
      // In the audit log, as a change made by no one in particular.
      expect((await accounts.listAudit({ limit: 5, offset: 0 }))[0]).toMatchObject({
        action: 'retention.run',
        username: null,
        detail: {
          policy: { reportsDays: 30, failureReportsDays: null, quarantineDays: null },
          deleted: expect.objectContaining({ aggregateReports: 1 }),
        },
      });
      // Not again within a day.
      clock.now = NOW + RETENTION_EVERY_S - 1;
      expect(await job.check()).toBeNull();
      // A changed policy runs at once.
      await writeRetentionPolicy(
        store.db,
        { reportsDays: 1, failureReportsDays: null, quarantineDays: null },
        clock.now,
      );
      expect(await job.check()).toMatchObject({ aggregateReports: 1 });
      expect(await store.listReports()).toEqual([]);
      // A day on: due again, nothing left to delete.
      clock.now += RETENTION_EVERY_S;
      expect(await job.check()).toMatchObject({ aggregateReports: 0 });
      await job.close();
    });

    it('keeps why a run failed, for the settings page, and says it', async () => {
      const store = await freshStore(engine, opened);
      await writeRetentionPolicy(
        store.db,
        { reportsDays: 30, failureReportsDays: null, quarantineDays: null },
        NOW,
      );
      const failing = new Proxy(store, {
        get(target, key, receiver) {
          if (key === 'prune') return () => Promise.reject(new Error('permission denied for table reports'));
          return Reflect.get(target, key, receiver);
        },
      });
      const said: string[] = [];
      const job = new RetentionJob({ store: failing, now: () => NOW, onError: (e) => said.push(e.message) });
      job.start();
      await expect.poll(() => said).toEqual(['permission denied for table reports']);
      expect((await readRetention(store.db)).lastRun).toEqual({
        at: NOW,
        deleted: null,
        error: 'permission denied for table reports',
      });
      await job.close();
    });
  });
}

const sqlite = engines.find((e) => e.name === 'sqlite')!;

describe('the retention policy through the API', () => {
  const as = useHarness(sqlite, async (h) => {
    // A report of a.example ended 100 days ago, beside the harness's recent ones.
    await send(h.store, 'a-old', h.clock.now - (h.clock.now % DAY) - 100 * DAY, 'a.example');
  });
  const policy = { reportsDays: 30, failureReportsDays: null, quarantineDays: null };

  it('is read and changed by an admin (audited), and previewed without deleting anything', async () => {
    const admin = await as('root');
    expect((await admin.get('/api/retention')).json()).toEqual({
      reportsDays: null,
      failureReportsDays: null,
      quarantineDays: null,
      updatedAt: null,
      lastRun: null,
    });
    const preview = await admin.request('POST', '/api/retention/preview', policy);
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({ aggregateReports: 1, records: 1, messages: 4 });
    const changed = await admin.request('PATCH', '/api/retention', { failureReportsDays: 90 });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ reportsDays: null, failureReportsDays: 90, quarantineDays: null });
    expect((await admin.request('PATCH', '/api/retention', { reportsDays: 400 })).json()).toMatchObject({
      reportsDays: 400,
      failureReportsDays: 90,
    });
    const audit = (await admin.get('/api/audit')).json().entries;
    expect(audit[0]).toMatchObject({
      action: 'retention.update',
      detail: { reportsDays: 400, failureReportsDays: 90, quarantineDays: null },
    });
    // The preview deleted nothing.
    expect((await admin.request('POST', '/api/retention/preview', policy)).json().aggregateReports).toBe(1);
  });

  it('refuses days that are not a whole number from 1, and anyone but an admin', async () => {
    const admin = await as('root');
    for (const body of [
      { reportsDays: 0 },
      { quarantineDays: 1.5 },
      { failureReportsDays: '30' },
      { reportsDays: 1_000_000 },
    ]) {
      const refused = await admin.request('PATCH', '/api/retention', body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
    }
    const alice = await as('alice');
    for (const [method, url, body] of [
      ['GET', '/api/retention', undefined],
      ['PATCH', '/api/retention', { reportsDays: 1 }],
      ['POST', '/api/retention/preview', policy],
    ] as const) {
      expect((await alice.request(method, url, body)).statusCode, `${method} ${url}`).toBe(403);
    }
  });
});

describe('answers kept by the dashboard', () => {
  let store: Store;
  const as = useHarness(sqlite, async (h) => {
    store = h.store;
    clock = h.clock;
    await send(h.store, 'a-old', h.clock.now - (h.clock.now % DAY) - 100 * DAY, 'a.example');
  });
  let clock: { now: number };

  it('are dropped when a prune deletes reports, by this process or another', async () => {
    const alice = await as('alice');
    const messages = async () =>
      (await alice.get('/api/domains/a.example/summary?since=200d')).json().totals.messages as number;
    const before = await messages();
    expect(before).toBeGreaterThanOrEqual(4);
    await store.prune({ reportsBefore: clock.now - 30 * DAY });
    // The next look at the store (at most ANALYSIS_VERSION_MS later) sees the prune.
    clock.now += 1;
    expect(await messages()).toBe(before - 4);
  });
});
