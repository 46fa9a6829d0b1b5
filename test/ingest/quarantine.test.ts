import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retryQuarantined } from '../../src/ingest/quarantine.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { reportMail } from './helpers/reports.ts';

let store: Store;
beforeEach(async () => {
  store = await openStore(':memory:');
});
afterEach(async () => {
  await store.close();
});

const reason = { code: 'xml-not-well-formed', message: 'an older parser gave up' };

describe('retryQuarantined', () => {
  it('reads at most `limit` entries again, the latest first, and the rest on the next call', async () => {
    // Quarantined by an older version (by hand here): three mails it could not read.
    for (const n of [1, 2, 3]) {
      await store.quarantine(
        Buffer.from(reportMail({ reportId: `q-${n}` })),
        { description: `m${n}.eml` },
        reason,
      );
    }
    const first = await retryQuarantined(store, { limit: 1 });
    expect(first).toMatchObject({ retried: 1, released: 1, totals: { reports: 1 } });
    expect((await store.listQuarantine()).length).toBe(2);
    const rest = await retryQuarantined(store);
    expect(rest).toMatchObject({ retried: 2, released: 2, totals: { reports: 2 } });
    expect(await store.listQuarantine()).toEqual([]);
    expect((await store.listReports()).map((r) => r.reportId).sort()).toEqual(['q-1', 'q-2', 'q-3']);
  });

  it('names each stored report by where its input came from', async () => {
    await store.quarantine(
      Buffer.from(reportMail({ reportId: 'q-9' })),
      { description: '/var/mail/x.eml' },
      reason,
    );
    await retryQuarantined(store);
    const [report] = await store.listReports();
    expect(report!.source).toMatch(/^\/var\/mail\/x\.eml > attachment 1 /);
  });

  it('keeps an entry that still fails as it was received: reading it again is not receiving it again', async () => {
    const garbage = Buffer.from('not a report at all\n');
    await store.quarantine(garbage, { description: 'in/x.bin', receivedAt: 1_700_000_000 }, reason);
    const [before] = await store.listQuarantine();
    for (const _ of [1, 2]) {
      expect(await retryQuarantined(store)).toMatchObject({ retried: 1, released: 0 });
    }
    const [after] = await store.listQuarantine();
    expect(after).toMatchObject({
      id: before!.id,
      times: 1,
      firstSeenAt: before!.firstSeenAt,
      lastSeenAt: before!.lastSeenAt,
      // Today's reason for it.
      errorCode: 'unknown-payload',
    });
    // Received again for real: counted.
    await store.quarantine(garbage, { description: 'in/x.bin' }, reason);
    expect((await store.listQuarantine())[0]).toMatchObject({ times: 2 });
  });
});
