/**
 * End-to-end fuzzing of ingest into a store: batches of edited inputs (reports of every kind, as
 * files, gzipped, zipped, mailed, some the same report again with other records) ingested one by
 * one (ingestMessage) and as files by the CLI's bulk path (ingestPaths: batches, rollup sums
 * staged and folded). Afterwards each store is consistent: every input gave its reports or was
 * quarantined with its bytes, every report's records add up to it and the rollup to its reports
 * per policy domain and day, both paths stored the same, and ingesting the batch again adds
 * nothing. A few small batches by default; SUMI_FUZZ_RUNS runs more (a hundredth as many).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/ingest/message.ts';
import { ingestPaths } from '../../src/ingest/paths.ts';
import { openStore } from '../../src/store/open.ts';
import { rollupDay } from '../../src/store/rollup-key.ts';
import type { Store } from '../../src/store/types.ts';
import { gz, mail, zip } from '../reports/fixtures/build.ts';
import { applyEdits, edit, fuzzSettings } from '../reports/fixtures/fuzz.ts';
import { aggregateXml } from './helpers/reports.ts';

const fixture = (name: string) => readFileSync(new URL(`../reports/fixtures/${name}`, import.meta.url));

/** What an input starts as: a report of each kind, and aggregate reports from a small set of IDs. */
const CONTENT = fc.oneof(
  fc
    .constantFrom('rfc7489.xml', 'rfc9990.xml', 'quirks.xml', 'tls.json', 'arf.eml', 'arf-base64.eml')
    .map((name) => ({ name, bytes: fixture(name) })),
  fc
    .record({ id: fc.nat(3), records: fc.integer({ min: 1, max: 4 }), day: fc.nat(2), domain: fc.nat(1) })
    .map(({ id, records, day, domain }) => ({
      name: `r${id}.xml`,
      bytes: Buffer.from(
        aggregateXml({
          reportId: `fuzz-${id}`,
          records,
          begin: 1_700_000_000 + day * 86_400,
          domain: ['example.jp', 'Example.JP.'][domain]!,
        }),
      ),
    })),
);

type Wrapping = 'none' | 'gzip' | 'zip' | 'mail';

/** An input file: content edited, then wrapped, then perhaps edited again (the container's bytes). */
const INPUT = fc
  .record({
    content: CONTENT,
    inner: fc.array(edit, { maxLength: 2 }),
    how: fc.constantFrom<Wrapping>('none', 'gzip', 'zip', 'mail'),
    outer: fc.array(edit, { maxLength: 1 }),
  })
  .map(({ content, inner, how, outer }) => {
    const bytes = applyEdits(content.bytes, inner);
    if (how === 'gzip') return { name: `${content.name}.gz`, bytes: applyEdits(gz(bytes), outer) };
    if (how === 'zip')
      return {
        name: `${content.name}.zip`,
        bytes: applyEdits(zip([{ name: content.name, data: bytes }]), outer),
      };
    if (how === 'mail') {
      const attachment = { contentType: 'application/octet-stream', filename: content.name, data: bytes };
      return {
        name: `${content.name}.eml`,
        bytes: applyEdits(mail('Report Domain: example.jp', [attachment]), outer),
      };
    }
    return { name: content.name, bytes: applyEdits(bytes, outer) };
  });

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** What a store holds, summed, for comparing two stores and a store with itself after a rerun. */
async function contents(store: Store) {
  const counts = await store.countReports();
  const rollup = await sql<{ policy_domain: string; day: number; messages: number }>`
    select policy_domain, day, sum(messages) as messages from source_rollup
    group by policy_domain, day having sum(messages) <> 0 order by policy_domain, day`.execute(store.db);
  return {
    counts,
    rollup: rollup.rows.map((r) => ({ ...r, day: Number(r.day), messages: Number(r.messages) })),
  };
}

/** Every report's records add up to it, and the rollup's sums per policy domain and day to the reports'. */
async function expectConsistent(store: Store): Promise<void> {
  const reports = await store.db
    .selectFrom('reports')
    .select(['id', 'policy_domain', 'date_begin', 'date_end', 'record_count', 'message_count'])
    .execute();
  const records = await sql<{ report_id: number; n: number; messages: number }>`
    select report_id, count(*) as n, sum(count) as messages from records group by report_id`.execute(
    store.db,
  );
  const byReport = new Map(records.rows.map((r) => [Number(r.report_id), r]));
  const expected = new Map<string, number>();
  for (const report of reports) {
    const own = byReport.get(report.id);
    expect(Number(own?.n ?? 0), `report ${report.id}'s records`).toBe(report.record_count);
    expect(Number(own?.messages ?? 0), `report ${report.id}'s messages`).toBe(report.message_count);
    const slice = `${report.policy_domain} ${rollupDay({ begin: report.date_begin, end: report.date_end })}`;
    expected.set(slice, (expected.get(slice) ?? 0) + report.message_count);
  }
  const ids = new Set(reports.map((r) => r.id));
  expect(
    [...byReport.keys()].filter((id) => !ids.has(id)),
    'records of no report',
  ).toEqual([]);
  const rolled = new Map(
    (await contents(store)).rollup.map((r) => [`${r.policy_domain} ${r.day}`, r.messages] as const),
  );
  expect(rolled).toEqual(new Map([...expected].filter(([, messages]) => messages !== 0)));
}

describe('fuzzing ingest into a store', () => {
  it('stores or quarantines every edited input, keeps the rollup equal to the records, and adds nothing the second time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(INPUT, { minLength: 1, maxLength: 8 }), async (inputs) => {
        const dir = mkdtempSync(path.join(tmpdir(), 'sumi-fuzz-store-'));
        dirs.push(dir);
        const one = await openStore(':memory:');
        const bulk = await openStore(path.join(dir, 'sumi.db'));
        try {
          // One by one: what each input came to.
          for (const [i, input] of inputs.entries()) {
            const source = `${i}-${input.name}`;
            const outcome = await ingestMessage(one, input.bytes, input.name, source);
            if (outcome.reports.length > 0) continue;
            expect(outcome.quarantined, `${source} neither stored nor quarantined`).toBe(true);
            const sha256 = createHash('sha256').update(input.bytes).digest('hex');
            const kept = (await one.findRaw(sha256)).find((raw) => raw.kind === 'quarantine');
            expect(kept, `${source}'s bytes`).toBeDefined();
            expect(await one.getRawReport(kept!.id, 'quarantine')).toEqual(input.bytes);
          }
          await expectConsistent(one);
          const before = await contents(one);
          for (const [i, input] of inputs.entries()) {
            const again = await ingestMessage(one, input.bytes, input.name, `${i}-${input.name}`);
            expect(again.reports.filter((r) => r.status === 'stored' || r.recounted)).toEqual([]);
          }
          expect(await contents(one)).toEqual(before);

          // As files, by the CLI's path: the same store as one by one, and nothing new again.
          const files = path.join(dir, 'in');
          mkdirSync(files);
          for (const [i, input] of inputs.entries())
            writeFileSync(path.join(files, `${i}-${input.name}`), input.bytes);
          const first = await ingestPaths([files], { store: bulk, readThreads: 0 });
          expect(first.inputs).toBe(inputs.length);
          await expectConsistent(bulk);
          expect(await contents(bulk)).toEqual(before);
          const second = await ingestPaths([files], { store: bulk, readThreads: 0 });
          expect({ reports: second.reports, records: second.records, messages: second.messages }).toEqual({
            reports: 0,
            records: 0,
            messages: 0,
          });
          expect(await contents(bulk)).toEqual(before);
        } finally {
          await one.close();
          await bulk.close();
        }
      }),
      fuzzSettings(0.005),
    );
  });
});
