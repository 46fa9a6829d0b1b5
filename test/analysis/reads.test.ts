/**
 * The store reads behind the questions, on both engines: senders grouped by shape in SQL come
 * back as the plain per-sender GROUP BY would give them (sums over days, a sender without an
 * IP, IPv6, one sender with several shapes), and the policy domains under a domain are found
 * by walking the distinct names (no sibling, no LIKE wildcard match).
 */
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  readPolicyDomainsUnder,
  readSenderIps,
  readSourceRows,
  type SourceRollupRow,
} from '../../src/analysis/reads.ts';
import type { AggregateRecord } from '../../src/reports/types.ts';
import type { Store } from '../../src/store/types.ts';
import { DAY, engines, engineTitle, freshStore, header, JAN_1, record } from '../store/helpers.ts';

const PERIOD = { since: JAN_1, until: JAN_1 + 2 * DAY };

const failing = (overrides: Partial<AggregateRecord>) =>
  record({
    policyEvaluated: { disposition: 'none', dkim: 'fail', spf: 'fail', reasons: [] },
    authResults: {
      dkim: [],
      spf: [{ domain: 'example.jp', scope: 'mfrom', result: 'fail', humanResult: null }],
    },
    ...overrides,
  });

async function store(s: Store, day: number, id: string, records: AggregateRecord[], domain = 'example.jp') {
  const outcome = await s.insertAggregateReport(
    { ...header({ reportId: id, begin: JAN_1 + day * DAY, domain }), records },
    Buffer.from(id),
    { description: id },
  );
  expect(outcome.status).toBe('stored');
}

const key = (r: SourceRollupRow) =>
  [r.sourceIp, r.headerFrom, r.dkim, r.spf, r.adkim, r.aspf, r.dkimAuth, r.spfAuth, r.reasons].join('|');
const sorted = (rows: SourceRollupRow[]) =>
  rows.map((r) => ({ ...r })).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

for (const engine of engines) {
  describe.skipIf(engine.skip)(`analysis reads ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });
    afterAll(() => engine.cleanup());

    it('readSourceRows gives one row per sender and shape, summed over the days', async () => {
      const s = await freshStore(engine, opened);
      // Day 0 and day 1: the same passing sender (summed), spoofers sharing one shape, a sender
      // with a passing and a failing shape, an IPv6 sender and one the report gave no IP for.
      await store(s, 0, 'r0', [
        record({ sourceIp: '192.0.2.1', count: 10 }),
        failing({ sourceIp: '198.51.100.7', count: 2 }),
        failing({ sourceIp: '198.51.100.8', count: 3 }),
        record({ sourceIp: '2001:db8::25', count: 4 }),
        failing({ sourceIp: null, count: 6 }),
      ]);
      await store(s, 1, 'r1', [
        record({ sourceIp: '192.0.2.1', count: 5 }),
        failing({ sourceIp: '192.0.2.1', count: 1 }),
        failing({ sourceIp: '198.51.100.7', count: 4 }),
      ]);
      // Outside the period, and another policy domain: not counted.
      await store(s, 5, 'r5', [record({ sourceIp: '192.0.2.1', count: 100 })]);
      await store(s, 0, 'other', [record({ sourceIp: '192.0.2.1', count: 100 })], 'other.example');

      const rows = await readSourceRows(s, 'example.jp', PERIOD);
      const pass = {
        dkim: 'pass',
        spf: 'pass',
        dkimAuth: 'example.jp:pass',
        spfAuth: 'bounce.example.jp:mfrom:pass',
      };
      const fail = { dkim: 'fail', spf: 'fail', dkimAuth: '', spfAuth: 'example.jp:mfrom:fail' };
      const common = { headerFrom: 'example.jp', adkim: 'r', aspf: 's', reasons: '' };
      expect(sorted(rows)).toEqual(
        sorted([
          { sourceIp: '192.0.2.1', ...common, ...pass, messages: 15 },
          { sourceIp: '192.0.2.1', ...common, ...fail, messages: 1 },
          { sourceIp: '198.51.100.7', ...common, ...fail, messages: 6 },
          { sourceIp: '198.51.100.8', ...common, ...fail, messages: 3 },
          { sourceIp: '2001:db8::25', ...common, ...pass, messages: 4 },
          { sourceIp: '', ...common, ...fail, messages: 6 },
        ]),
      );

      // The same as the plain per-sender GROUP BY over the rollup.
      const plain = await s.db
        .selectFrom('source_rollup')
        .select([
          'source_ip as sourceIp',
          'header_from as headerFrom',
          'dkim',
          'spf',
          'adkim',
          'aspf',
          'dkim_auth as dkimAuth',
          'spf_auth as spfAuth',
          'reasons',
          sql<number>`sum(messages)`.as('messages'),
        ])
        .where('policy_domain', '=', 'example.jp')
        .where('day', '>=', PERIOD.since)
        .where('day', '<=', PERIOD.until)
        .groupBy([
          'source_ip',
          'header_from',
          'dkim',
          'spf',
          'adkim',
          'aspf',
          'dkim_auth',
          'spf_auth',
          'reasons',
        ])
        .execute();
      expect(sorted(rows)).toEqual(sorted(plain.map((r) => ({ ...r, messages: Number(r.messages) }))));
    });

    it('readSenderIps: the distinct IPs of the period, without the empty one', async () => {
      const s = await freshStore(engine, opened);
      await store(s, 0, 'r0', [
        record({ sourceIp: '192.0.2.1' }),
        failing({ sourceIp: null }),
        record({ sourceIp: '2001:db8::25' }),
      ]);
      await store(s, 1, 'r1', [record({ sourceIp: '192.0.2.1' }), failing({ sourceIp: '198.51.100.7' })]);
      await store(s, 5, 'r5', [record({ sourceIp: '203.0.113.9' })]);
      expect((await readSenderIps(s, 'example.jp', PERIOD)).sort()).toEqual([
        '192.0.2.1',
        '198.51.100.7',
        '2001:db8::25',
      ]);
    });

    it('readSourceRows: no reports, no rows', async () => {
      const s = await freshStore(engine, opened);
      expect(await readSourceRows(s, 'example.jp', PERIOD)).toEqual([]);
    });

    it('readPolicyDomainsUnder finds the domain and its subdomains with reports, not siblings', async () => {
      const s = await freshStore(engine, opened);
      for (const [i, domain] of [
        'example.jp',
        'shop.example.jp',
        'a.b.example.jp',
        'xexample.jp',
        'example.jp.evil.example',
        'ex_mple.jp',
        'other.example',
      ].entries()) {
        await store(s, 0, `r${i}`, [record()], domain);
      }
      expect((await readPolicyDomainsUnder(s, 'example.jp')).sort()).toEqual([
        'a.b.example.jp',
        'example.jp',
        'shop.example.jp',
      ]);
      // `_` is a LIKE wildcard: ex_mple.jp's subdomains only, not example.jp's.
      expect(await readPolicyDomainsUnder(s, 'ex_mple.jp')).toEqual(['ex_mple.jp']);
      expect(await readPolicyDomainsUnder(s, 'none.example')).toEqual([]);
    });

    it('readPolicyDomainsUnder on an empty store', async () => {
      const s = await freshStore(engine, opened);
      expect(await readPolicyDomainsUnder(s, 'example.jp')).toEqual([]);
    });
  });
}
