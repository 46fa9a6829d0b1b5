/**
 * Migration 0024: ARF feedback other than a DMARC failure report, stored in failure_reports by
 * versions before it was told apart, goes to the quarantine as a fresh ingest of the same mail
 * puts it there; DMARC failure reports stay.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/ingest/message.ts';
import { parseFailureReport } from '../../src/reports/failure.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { engines, engineTitle, freshStore, JAN_1 } from './helpers.ts';

const arf = readFileSync(new URL('../reports/fixtures/arf.eml', import.meta.url), 'utf8');
const untyped = readFileSync(new URL('../reports/fixtures/no-feedback-type.eml', import.meta.url), 'utf8');

/** An ARF mail of Feedback-Type `type`, with Auth-Failure or without, and a Message-ID of its own. */
function feedback(type: string, authFailure: boolean, id: string): Buffer {
  let mail = arf
    .replace('Feedback-Type: auth-failure', `Feedback-Type: ${type}`)
    .replace('fr-1@', `fr-${id}@`);
  if (!authFailure) mail = mail.replace('Auth-Failure: dmarc\n', '');
  return Buffer.from(mail);
}

/** The inputs, by the name each was read from. */
const INPUTS: [string, Buffer][] = [
  ['auth-failure.eml', feedback('auth-failure', true, 'a')],
  ['auth-failure-unmarked.eml', feedback('auth-failure', false, 'b')],
  ['abuse-marked.eml', feedback('abuse', true, 'c')],
  ['untyped.eml', Buffer.from(untyped)],
  ...['abuse', 'fraud', 'virus', 'other', 'not-spam', 'Complaint-X'].map((type): [string, Buffer] => [
    `${type}.eml`,
    feedback(type, false, type),
  ]),
];
const receivedAt = JAN_1;
/** An abuse complaint that comes again from elsewhere. */
const complaint = INPUTS.find(([name]) => name === 'abuse.eml')![1];

/** What a store holds of failure reports and the quarantine, ids and times aside. */
async function contents(store: Store) {
  const reports = await store.db
    .selectFrom('failure_reports')
    .select(['id', 'source', 'feedback_type'])
    .orderBy('source')
    .execute();
  const domains = await store.db
    .selectFrom('failure_report_domains')
    .select(['failure_report_id', 'domain'])
    .execute();
  const quarantine = await store.listQuarantine();
  return {
    failureReports: reports.map(({ id, ...row }) => ({
      ...row,
      domains: domains.filter((d) => Number(d.failure_report_id) === Number(id)).map((d) => d.domain),
    })),
    domains: domains.length,
    quarantine: await Promise.all(
      quarantine
        .sort((a, b) => (a.source < b.source ? -1 : 1))
        .map(async ({ id, firstSeenAt, lastSeenAt, ...entry }) => ({
          ...entry,
          // Latest first: bytes seen twice in one second on a fresh ingest list their places by name.
          sources: [...entry.sources].sort(),
          bytes: (await store.getRawReport(id, 'quarantine'))?.toString('utf8'),
        })),
    ),
    counts: await store.countReports(),
  };
}

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(
    `ARF feedback of other types stored before ${engineTitle(engine)}`,
    () => {
      const opened: Store[] = [];
      afterEach(async () => {
        for (const store of opened.splice(0)) await store.close();
      });
      afterAll(() => engine.cleanup());

      it('migration 0024 moves it to the quarantine as a fresh ingest of the same mail quarantines it', async () => {
        const fresh = await freshStore(engine, opened);
        for (const [name, bytes] of INPUTS) await ingestMessage(fresh, bytes, name, name, { receivedAt });
        // The same abuse complaint again from elsewhere, later: one entry, seen twice.
        await ingestMessage(fresh, complaint, 'again/other.eml', 'again/other.eml', { receivedAt });
        const expected = await contents(fresh);
        expect(expected.failureReports.map((r) => r.source)).toEqual([
          'abuse-marked.eml',
          'auth-failure-unmarked.eml',
          'auth-failure.eml',
          'untyped.eml',
        ]);
        expect(expected.quarantine.map((q) => [q.source, q.errorCode, q.times])).toEqual([
          ['Complaint-X.eml', 'failure-other-feedback', 1],
          ['again/other.eml', 'failure-other-feedback', 2],
          ['fraud.eml', 'failure-other-feedback', 1],
          ['not-spam.eml', 'failure-other-feedback', 1],
          ['other.eml', 'failure-other-feedback', 1],
          ['virus.eml', 'failure-other-feedback', 1],
        ]);

        // The store as versions before wrote it: every ARF mail a failure report.
        const location = await engine.location();
        const before = await openStore(location);
        try {
          for (const [name, bytes] of INPUTS)
            await before.insertFailureReport(await parseFailureReport(bytes), bytes, {
              description: name,
              receivedAt,
            });
          await before.db
            .updateTable('failure_reports')
            .set((eb) => ({ ingested_at: eb('ingested_at', '-', 10) }))
            .execute();
          // Then the same complaint from elsewhere, quarantined by today's ingest.
          await ingestMessage(before, complaint, 'again/other.eml', 'again/other.eml', {
            receivedAt,
          });
          const written = await contents(before);
          expect(written.failureReports).toHaveLength(INPUTS.length);
          expect(written.quarantine.map((q) => q.source)).toEqual(['again/other.eml']);
          await sql`delete from sumi_migrations where name = '0024-other-feedback-quarantined'`.execute(
            before.db,
          );
        } finally {
          await before.close();
        }
        const migrated = await openStore(location);
        opened.push(migrated);
        expect(await contents(migrated)).toEqual(expected);
      });
    },
  );
}
