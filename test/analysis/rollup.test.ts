/**
 * The rollups the analysis reads, as ingest keeps them: the batch path and the one-report path
 * give the same figures, and hostile records (hundreds of auth results, a huge From) are kept
 * within the rollup's caps on both engines.
 */

import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { failureReports } from '../../src/analysis/failures.ts';
import { policyHistory } from '../../src/analysis/history.ts';
import { domainOverviews } from '../../src/analysis/overview.ts';
import { plan } from '../../src/analysis/plan.ts';
import { reporters } from '../../src/analysis/reporters.ts';
import { simulate } from '../../src/analysis/simulate.ts';
import { sources } from '../../src/analysis/sources.ts';
import { subdomains } from '../../src/analysis/subdomains.ts';
import { summary } from '../../src/analysis/summary.ts';
import { parseAggregateReportToObject } from '../../src/reports/aggregate.ts';
import { compactRollup } from '../../src/store/rollup.ts';
import { SOURCE_ROLLUP_CAPS, SOURCE_ROLLUP_KEY } from '../../src/store/rollup-key.ts';
import type { Store } from '../../src/store/types.ts';
import { engines, engineTitle, freshStore } from '../store/helpers.ts';
import { DAY, FIXTURE_REPORTS, JAN_1, loadFixture, PERIOD } from './fixture.ts';

for (const engine of engines) {
  describe.skipIf(engine.skip)(`analysis rollups ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });
    afterAll(() => engine.cleanup());

    it('reports stored in one batch give the same figures as one at a time', async () => {
      const single = await freshStore(engine, opened);
      await loadFixture(single);
      const batch = await freshStore(engine, opened);
      const items = await Promise.all(
        FIXTURE_REPORTS.map(async (text, i) => ({
          report: await parseAggregateReportToObject(text),
          raw: Buffer.from(text),
          source: { description: `fixture report ${i + 1}` },
        })),
      );
      const outcomes = await batch.insertAggregateReports(items);
      expect(outcomes.every((o) => !(o instanceof Error) && o.status === 'stored')).toBe(true);
      for (const question of [
        (s: Store) => summary(s, 'example.jp', PERIOD),
        (s: Store) => sources(s, 'example.jp', PERIOD),
        (s: Store) => simulate(s, 'example.jp', { policy: 'reject', period: PERIOD }),
      ]) {
        expect(await question(batch)).toEqual(await question(single));
      }
    });

    it('counts no sender for a record of 0 messages', async () => {
      const s = await freshStore(engine, opened);
      const text = `<?xml version="1.0"?><feedback><report_metadata><org_name>R</org_name><email>r@r.example</email>
<report_id>zero</report_id><date_range><begin>${JAN_1}</begin><end>${JAN_1 + 86_399}</end></date_range></report_metadata>
<policy_published><domain>example.jp</domain><p>none</p></policy_published>
${['192.0.2.1', '192.0.2.2']
  .map(
    (ip, i) =>
      `<record><row><source_ip>${ip}</source_ip><count>${i === 0 ? 0 : 5}</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.jp</header_from></identifiers><auth_results><spf><domain>example.jp</domain><result>pass</result></spf></auth_results></record>`,
  )
  .join('')}</feedback>`;
      const outcome = await s.insertAggregateReport(
        await parseAggregateReportToObject(text),
        Buffer.from(text),
        {
          description: 'zero',
        },
      );
      expect(outcome).toMatchObject({ status: 'stored', records: 2, messages: 5 });
      const result = await sources(s, 'example.jp', PERIOD);
      expect(result.senders.map((x) => [x.ip, x.messages])).toEqual([['192.0.2.2', 5]]);
    });

    it('keeps hostile records within the rollup caps', async () => {
      const s = await freshStore(engine, opened);
      const longFrom = `${'a'.repeat(60)}.`.repeat(20) + 'example.jp';
      const dkims = Array.from(
        { length: 300 },
        (_, i) => `<dkim><domain>d${i}.${'x'.repeat(50)}.example</domain><result>pass</result></dkim>`,
      ).join('');
      const text = `<?xml version="1.0"?><feedback><report_metadata><org_name>Hostile &lt;script&gt;</org_name>
<email>x@y.example</email><report_id>h1</report_id><date_range><begin>${JAN_1}</begin><end>${JAN_1 + 86_399}</end></date_range></report_metadata>
<policy_published><domain>example.jp</domain><p>none</p></policy_published>
<record><row><source_ip>192.0.2.99</source_ip><count>7</count><policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf>
${Array.from({ length: 60 }, () => '<reason><type>local_policy</type><comment>x</comment></reason>').join('')}</policy_evaluated></row>
<identifiers><header_from>${longFrom}</header_from></identifiers><auth_results>${dkims}<spf><domain>example.jp</domain><result>fail</result></spf></auth_results></record>
</feedback>`;
      const outcome = await s.insertAggregateReport(
        await parseAggregateReportToObject(text),
        Buffer.from(text),
        {
          description: 'hostile',
        },
      );
      expect(outcome.status).toBe('stored');
      const row = await s.db.selectFrom('source_rollup').selectAll().executeTakeFirstOrThrow();
      expect(row.header_from.length).toBe(SOURCE_ROLLUP_CAPS.headerFrom);
      expect(row.dkim_auth.length).toBeLessThanOrEqual(SOURCE_ROLLUP_CAPS.dkimAuth);
      expect(row.reasons.length).toBeLessThanOrEqual(SOURCE_ROLLUP_CAPS.reasons);
      const result = await sources(s, 'example.jp', PERIOD);
      expect(result.senders.map((x) => [x.ip, x.messages, x.dmarcFail])).toEqual([['192.0.2.99', 7, 7]]);
      // The receiver let it through under local policy: a stricter policy would not block it there.
      const sim = await simulate(s, 'example.jp', { policy: 'reject', period: PERIOD });
      expect([sim.dmarc_fail, sim.would_reject]).toEqual([7, 0]);
    });

    // SQLite keeps one row per key as it writes (a primary key); PostgreSQL appends.
    if (engine.name === 'postgres')
      it('PostgreSQL: a key in several rows (appended, not yet compacted) reads as one, and compaction makes it one row', async () => {
        const s = await freshStore(engine, opened);
        await loadFixture(s);
        const asked = () =>
          Promise.all([
            summary(s, 'example.jp', PERIOD),
            sources(s, 'example.jp', PERIOD),
            simulate(s, 'example.jp', { policy: 'reject', period: PERIOD }),
            subdomains(s, 'example.jp', PERIOD),
            reporters(s, 'example.jp', PERIOD),
            policyHistory(s, 'example.jp', PERIOD, { steps: true }),
            failureReports(s, 'example.jp', { period: PERIOD }),
            plan(s, 'example.jp', { now: PERIOD.until + DAY }),
            domainOverviews(s, PERIOD),
          ]);
        const merged = await rollupRows(s);
        const before = await asked();
        // Each row split in two, as appends from two batches leave it.
        await sql`insert into source_rollup select policy_domain, day, source_ip, header_from, disposition, dkim,
          spf, adkim, aspf, dkim_auth, spf_auth, reasons, messages / 2 from source_rollup where messages > 1`.execute(
          s.db,
        );
        await sql`update source_rollup set messages = messages - messages / 2
          where ctid in (select min(ctid) from source_rollup group by ${sql.raw(SOURCE_ROLLUP_KEY.join(', '))} having count(*) > 1)`.execute(
          s.db,
        );
        expect((await rollupRows(s)).length).toBeGreaterThan(merged.length);
        expect(await asked()).toEqual(before);
        const slices = merged.map((row) => ({ policyDomain: row.policy_domain, day: Number(row.day) }));
        await compactRollup(s.db, slices);
        expect(await rollupRows(s)).toEqual(merged);
      });

    if (engine.name === 'postgres')
      it('PostgreSQL: the slices a stopped bulk ingest left uncompacted are found and compacted by foldAbandonedRollup, every few hours at most', async () => {
        const s = await freshStore(engine, opened);
        await loadFixture(s);
        const merged = await rollupRows(s);
        // A key split in two rows, and a key withdrawn to 0 in a second row, as a killed run leaves them.
        const withdrawn = merged.at(-1);
        await sql`insert into source_rollup select policy_domain, day, source_ip, header_from, disposition, dkim,
          spf, adkim, aspf, dkim_auth, spf_auth, reasons, 0 from source_rollup where ctid = (select min(ctid) from source_rollup)`.execute(
          s.db,
        );
        await sql`insert into source_rollup select policy_domain, day, source_ip, header_from, disposition, dkim,
          spf, adkim, aspf, dkim_auth, spf_auth, reasons, -messages from source_rollup
          where policy_domain = ${withdrawn!.policy_domain} and day = ${withdrawn!.day} and source_ip = ${withdrawn!.source_ip}
            and header_from is not distinct from ${withdrawn!.header_from} and disposition is not distinct from ${withdrawn!.disposition}
            and dkim is not distinct from ${withdrawn!.dkim} and spf is not distinct from ${withdrawn!.spf}
            and dkim_auth is not distinct from ${withdrawn!.dkim_auth} and spf_auth is not distinct from ${withdrawn!.spf_auth}
            and reasons is not distinct from ${withdrawn!.reasons}`.execute(s.db);
        expect((await rollupRows(s)).length).toBe(merged.length + 2);
        expect(await s.foldAbandonedRollup()).toBeGreaterThan(0);
        expect(await rollupRows(s)).toEqual(merged.filter((row) => row !== withdrawn));
        // Looked for at most every few hours: a row split again waits for the next look.
        await sql`insert into source_rollup select policy_domain, day, source_ip, header_from, disposition, dkim,
          spf, adkim, aspf, dkim_auth, spf_auth, reasons, 0 from source_rollup where ctid = (select min(ctid) from source_rollup)`.execute(
          s.db,
        );
        expect(await s.foldAbandonedRollup()).toBe(0);
        expect((await rollupRows(s)).length).toBe(merged.length);
      });
  });
}

function rollupRows(store: Store) {
  let query = store.db.selectFrom('source_rollup').selectAll();
  for (const column of SOURCE_ROLLUP_KEY) query = query.orderBy(column);
  return query.execute();
}
