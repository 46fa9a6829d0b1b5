/**
 * An aggregate report's policy domain and its records' From domains compare as lookups compare a
 * domain (lookupDomain), at ingest and, through migration 0023, in a store written before: the
 * migrated store's rollup, reports and copies are what a fresh ingest of the same inputs gives.
 */
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AggregateRecord, AggregateReportHeader } from '../../src/reports/types.ts';
import { recordOfRow } from '../../src/store/aggregate-rows.ts';
import { openStore } from '../../src/store/open.ts';
import { RollupAccumulator } from '../../src/store/rollup.ts';
import { orEmpty, pushRollupAuth, rollupReportOfRow } from '../../src/store/rollup-key.ts';
import type { Store } from '../../src/store/types.ts';
import { lookupDomain } from '../../src/store/values.ts';
import { DAY, engines, engineTitle, freshStore, header, JAN_1, record, rollupSums } from './helpers.ts';

const source = { description: 'test.xml', receivedAt: JAN_1 + 3600 };

/** A report of `messages` per record, From domains as given, on day `day`. */
function report(
  orgName: string,
  reportId: string,
  domain: string,
  froms: readonly string[],
  { messages = 1, day = 0, ip = '192.0.2.1' } = {},
): AggregateReportHeader & { records: AggregateRecord[] } {
  return {
    ...header({ orgName, reportId, domain, begin: JAN_1 + day * DAY }),
    records: froms.map(
      (headerFrom, i): AggregateRecord =>
        record({ headerFrom, count: messages + i, sourceIp: i % 2 === 0 ? ip : '198.51.100.7' }),
    ),
  };
}

/**
 * The inputs, in the steps a store written before 0023 took them in: each step's reports are
 * ingested together, so that a report sent twice in one spelling is one report with a copy.
 */
const STEPS: { name: string; report: AggregateReportHeader & { records: AggregateRecord[] } }[][] = [
  [
    // Sent twice in one spelling, with other content: one report and a copy.
    {
      name: 'a-upper',
      report: report('A', 'r1', 'Example.JP', ['Example.JP', 'example.jp'], { messages: 3 }),
    },
    { name: 'a-upper-2', report: report('A', 'r1', 'Example.JP', ['example.jp'], { messages: 1 }) },
  ],
  // The same report in two other spellings; the lower-case one is the fullest: it is counted.
  // (Lower case last: the code before 0023 is played by today's, whose lookups find it.)
  [{ name: 'a-dot', report: report('A', 'r1', 'example.jp.', ['example.jp'], { messages: 2 }) }],
  [
    {
      name: 'a-lower',
      report: report('A', 'r1', 'example.jp', ['example.jp', 'EXAMPLE.JP.'], { messages: 5 }),
    },
  ],
  // Two spellings of one report on other days, the lower-case one the fuller.
  [
    {
      name: 'b-upper',
      report: report('B', 'r2', 'EXAMPLE.JP', ['News.Example.JP'], { messages: 4, day: 2 }),
    },
  ],
  [
    {
      name: 'b-lower',
      report: report('B', 'r2', 'example.jp', ['news.example.jp'], { messages: 9, day: 1 }),
    },
  ],
  // Other reports in other spellings: no duplicates, their sums merge on one key.
  [{ name: 'c', report: report('C', 'r3', 'Example.jp.', ['Example.JP', 'news.example.jp'], { day: 1 }) }],
  [{ name: 'd', report: report('D', 'r4', 'example.com', ['Mail.Example.COM', 'mail.example.com']) }],
  [{ name: 'e', report: report('E', 'r5', 'ＥＸＡＭＰＬＥ．ｊｐ', ['Ｍａｉｌ．example.jp'], { day: 3 }) }],
];

const raw = (name: string) => Buffer.from(`<feedback>${name}</feedback>`);
type Steps = typeof STEPS;

/**
 * Inputs larger than one step of each of the migration's loops: a policy domain that changes
 * over 40 days of 60 From domains each (rows moved in parts, more of them than the rollup holds
 * before writing), 520 From domains that change under one that stays, and a report of 5,100
 * records sent in two spellings (withdrawn in steps).
 */
const LARGE_STEPS: Steps = [
  Array.from({ length: 40 }, (_, day) => ({
    name: `f-${day}`,
    report: report(
      'F',
      `f-${day}`,
      'Big.Example',
      Array.from({ length: 60 }, (_, i) => `From${i}.Big.Example`),
      { day },
    ),
  })),
  [
    {
      name: 'g',
      report: report(
        'G',
        'g',
        'lower.example',
        Array.from({ length: 520 }, (_, i) => `Sender${i}.Example.`),
      ),
    },
  ],
  [
    {
      name: 'h-upper',
      report: report(
        'H',
        'h',
        'Huge.Example',
        Array.from({ length: 5_100 }, () => 'huge.example'),
      ),
    },
  ],
  [
    {
      name: 'h-lower',
      report: report(
        'H',
        'h',
        'huge.example',
        Array.from({ length: 5_100 }, () => 'Huge.example'),
        { messages: 2 },
      ),
    },
  ],
];

const items = (step: Steps[number]) =>
  step.map(({ name, report }) => ({ report, raw: raw(name), source: { ...source, description: name } }));

/** What a store holds of its aggregate reports, ids aside. */
async function contents(store: Store) {
  const reports = await store.db
    .selectFrom('reports')
    .innerJoin('reporters', 'reporters.id', 'reports.reporter_id')
    .select([
      'reports.id',
      'reporters.org_name',
      'reports.report_id',
      'reports.policy_domain',
      'reports.policy_domain_raw',
      'reports.source',
      'reports.record_count',
      'reports.message_count',
    ])
    .orderBy('reporters.org_name')
    .orderBy('reports.report_id')
    .execute();
  const copies = await store.db.selectFrom('report_copies').select(['report_id', 'source']).execute();
  return {
    reports: reports.map(({ id, ...row }) => ({
      ...row,
      record_count: Number(row.record_count),
      message_count: Number(row.message_count),
      copies: copies
        .filter((copy) => copy.report_id === id)
        .map((copy) => copy.source)
        .sort(),
    })),
    rollup: await rollupSums(store),
    records: Number(
      (
        await store.db
          .selectFrom('records')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  };
}

/**
 * The store as the code before 0023 wrote it: each step ingested with its rollup held back and
 * its policy domains put back as the reports wrote them, then the rollup summed as that code
 * keyed it (the report's policy domain and the records' From domains as written), half of it
 * staged and not yet folded as a killed run leaves it: in rollup_pending on SQLite, appended
 * unmerged to source_rollup on PostgreSQL.
 */
async function writtenBefore0023(
  location: string,
  steps: Steps = STEPS,
): Promise<Awaited<ReturnType<typeof contents>>> {
  const store = await openStore(location);
  try {
    for (const step of steps) {
      await store.insertAggregateReports(items(step), { rollup: false });
      await store.db
        .updateTable('reports')
        .set({ policy_domain: sql.ref('policy_domain_raw'), policy_domain_raw: null })
        .where('policy_domain_raw', 'is not', null)
        .execute();
    }
    const engine = store.engine;
    const folded = new RollupAccumulator(engine, (value) => value);
    const staged = new RollupAccumulator(engine, (value) => value, { target: 'rollup_pending' });
    const reports = await store.db.selectFrom('reports').selectAll().orderBy('id').execute();
    for (const [n, row] of reports.entries()) {
      const rollupReport = rollupReportOfRow(row);
      const records = await store.db
        .selectFrom('records')
        .selectAll()
        .where('report_id', '=', row.id)
        .execute();
      for (const [i, stored] of records.entries()) {
        const r = recordOfRow(engine, stored);
        const auth: unknown[] = [];
        pushRollupAuth((value) => value, r, auth);
        const at = (n + i) % 2 === 0 ? folded : staged;
        const t = (value: string | null) => value;
        at.addParts(
          rollupReport,
          r.sourceIp ?? '',
          orEmpty(t, r.headerFrom),
          orEmpty(t, r.policyEvaluated.disposition),
          orEmpty(t, r.policyEvaluated.dkim),
          orEmpty(t, r.policyEvaluated.spf),
          auth,
          r.count,
        );
      }
    }
    for (const statement of [...folded.take(), ...staged.take()]) await store.db.executeQuery(statement);
    const written = await contents(store);
    await sql`alter table reports drop column policy_domain_raw`.execute(store.db);
    await sql`delete from sumi_migrations where name = '0023-policy-domain-lookup'`.execute(store.db);
    return written;
  } finally {
    await store.close();
  }
}

describe('lookupDomain', () => {
  it('gives one form whatever the case, spaces around or trailing dots, and leaves that form as it is', () => {
    for (const name of ['Example.JP', 'example.jp.', ' EXAMPLE.jp.. ', 'example.jp\u3000', '\texample.JP .'])
      expect(lookupDomain(name), JSON.stringify(name)).toBe('example.jp');
    expect(lookupDomain('ＥＸＡＭＰＬＥ．ｊｐ')).toBe('ｅｘａｍｐｌｅ．ｊｐ');
    for (const name of ['Example.JP', 'a..', 'a. .', '', '.', ' ', 'İ.example', 'x\u0000Y.'])
      expect(lookupDomain(lookupDomain(name)), JSON.stringify(name)).toBe(lookupDomain(name));
  });
});

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(
    `policy domains as lookups compare them ${engineTitle(engine)}`,
    () => {
      const opened: Store[] = [];
      afterEach(async () => {
        for (const store of opened.splice(0)) await store.close();
      });
      afterAll(() => engine.cleanup());

      it('counts a report sent with its policy domain in another case once, and keys the rollup by lower-case domains', async () => {
        const store = await freshStore(engine, opened);
        for (const step of STEPS) await store.insertAggregateReports(items(step));
        const { reports, rollup } = await contents(store);
        expect(reports.map((r) => [r.org_name, r.policy_domain, r.source, r.copies])).toEqual([
          ['A', 'example.jp', 'a-lower', ['a-dot', 'a-upper', 'a-upper-2']],
          ['B', 'example.jp', 'b-lower', ['b-upper']],
          ['C', 'example.jp', 'c', []],
          ['D', 'example.com', 'd', []],
          ['E', 'ｅｘａｍｐｌｅ．ｊｐ', 'e', []],
        ]);
        // What the report wrote is kept, and shown in its policy.
        expect(reports.map((r) => r.policy_domain_raw)).toEqual([
          null,
          null,
          'Example.jp.',
          null,
          'ＥＸＡＭＰＬＥ．ｊｐ',
        ]);
        const c = (await store.listReports({ domain: 'EXAMPLE.jp.' })).find((r) => r.orgName === 'C')!;
        expect((await store.getAggregateReport(c.id))?.policyPublished.domain).toBe('Example.jp.');
        expect(new Set(rollup.map((row) => row.policy_domain))).toEqual(
          new Set(['example.jp', 'example.com', 'ｅｘａｍｐｌｅ．ｊｐ']),
        );
        expect(new Set(rollup.map((row) => row.header_from))).toEqual(
          new Set(['example.jp', 'news.example.jp', 'mail.example.com', 'ｍａｉｌ．example.jp']),
        );
        // Every counted message once in the rollup.
        expect(rollup.reduce((sum, row) => sum + row.messages, 0)).toBe(
          reports.reduce((sum, r) => sum + r.message_count, 0),
        );
      });

      it('migration 0023 brings a store written before to what a fresh ingest of the same inputs gives, pending sums too', async () => {
        const fresh = await freshStore(engine, opened);
        for (const step of STEPS) await fresh.insertAggregateReports(items(step));
        const expected = await contents(fresh);

        const location = await engine.location();
        const written = await writtenBefore0023(location);
        // Before: report A three times, B twice, counted each time, under seven spellings.
        expect(written.reports).toHaveLength(8);
        expect(new Set(written.reports.map((row) => row.policy_domain)).size).toBe(7);
        const before = await openStore(location);
        opened.push(before);
        const migrated = await contents(before);
        expect(migrated.rollup).toEqual(expected.rollup);
        expect(migrated.reports).toEqual(expected.reports);
        expect(migrated.records).toBe(expected.records);
        // Each key in one row: PostgreSQL's moved slices compacted, SQLite's staged sums folded.
        const rows = await before.db.selectFrom('source_rollup').select('messages').execute();
        expect(rows).toHaveLength(expected.rollup.length);
        if (engine.name === 'sqlite') {
          const pending = await before.db.selectFrom('rollup_pending').select('id').execute();
          expect(pending).toEqual([]);
        }
        // Reports coming after merge with what was migrated, as with the fresh store.
        const later = [
          {
            report: report('A', 'r1', 'EXAMPLE.JP', ['example.jp'], { messages: 1 }),
            raw: raw('late'),
            source,
          },
        ];
        expect((await before.insertAggregateReports(later))[0]).toMatchObject({ status: 'duplicate' });
        expect((await fresh.insertAggregateReports(later))[0]).toMatchObject({ status: 'duplicate' });
        expect(await contents(before)).toEqual(await contents(fresh));
      });

      it('migration 0023 moves and withdraws in steps, and the store is still what a fresh ingest gives', async () => {
        const fresh = await freshStore(engine, opened);
        for (const step of LARGE_STEPS) await fresh.insertAggregateReports(items(step));
        const expected = await contents(fresh);
        const location = await engine.location();
        await writtenBefore0023(location, LARGE_STEPS);
        const before = await openStore(location);
        opened.push(before);
        const migrated = await contents(before);
        expect(migrated.reports).toEqual(expected.reports);
        expect(migrated.rollup.length).toBeGreaterThan(2_900);
        expect(migrated.rollup).toEqual(expected.rollup);
        expect(migrated.records).toBe(expected.records);
        const rows = await before.db.selectFrom('source_rollup').select('messages').execute();
        expect(rows).toHaveLength(expected.rollup.length);
      }, 120_000);
    },
  );
}
