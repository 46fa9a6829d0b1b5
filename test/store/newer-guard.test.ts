import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Accounts } from '../../src/auth/accounts.ts';
import { StoreAccessError } from '../../src/store/errors.ts';
import { POSTGRES_MIGRATION_LOCK, READ_RECHECK_MS } from '../../src/store/newer-guard.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import {
  engines,
  engineTitle,
  header,
  holdingWriteLock,
  newerMigration,
  record,
  runAside,
} from './helpers.ts';

const source = { description: 'test.xml', receivedAt: null };
const NEWER = '9999-from-a-newer-sumi';
const MIGRATION = newerMigration(NEWER);

function report(reportId: string) {
  return { ...header({ reportId }), records: [record()] };
}

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(
    `a store a newer Sumi migrates while it is open ${engineTitle(engine)}`,
    () => {
      const opened: Store[] = [];
      afterEach(async () => {
        for (const store of opened.splice(0)) await store.close();
      });
      afterAll(() => engine.cleanup());

      async function open(): Promise<{ url: string; store: Store }> {
        const url = await engine.location();
        const store = await openStore(url);
        opened.push(store);
        return { url, store };
      }

      /** The refusal a write meets: the engine's code, naming the newer migration. */
      function expectRefusal(error: unknown): void {
        expect(error).toBeInstanceOf(StoreAccessError);
        const refusal = error as StoreAccessError;
        expect(refusal.code).toBe(engine.name === 'sqlite' ? 'sqlite-newer' : 'postgres-newer');
        expect(refusal.args.migration).toBe(NEWER);
        expect(refusal.message).toContain(`was migrated by a newer Sumi: it has migration ${NEWER}`);
      }

      it('refuses the next write, naming the migration, and every write after it; nothing is written', async () => {
        const { url, store } = await open();
        expect((await store.insertAggregateReport(report('before'), Buffer.from('a'), source)).status).toBe(
          'stored',
        );
        expect(store.outdated.aborted).toBe(false);
        await runAside(url, MIGRATION);
        const refused = await store
          .insertAggregateReport(report('after'), Buffer.from('b'), source)
          .catch((error: unknown) => error);
        expectRefusal(refused);
        // Said to the long-running commands, which stop on it.
        expect(store.outdated.aborted).toBe(true);
        expect(store.outdated.reason).toBe(refused);
        // Every write after it, batched, alone in its transaction, or outside one.
        await expect(
          store.insertAggregateReports([{ report: report('batch'), raw: Buffer.from('c'), source }]),
        ).rejects.toBe(refused);
        await expect(
          store.quarantine(Buffer.from('d'), source, { code: 'not-a-report', message: 'no' }),
        ).rejects.toBe(refused);
        await expect(
          store.db.insertInto('audit_log').values({ at: 1, action: 'after' }).execute(),
        ).rejects.toBe(refused);
        // Nothing was written; reading goes on.
        expect(await store.countReports()).toMatchObject({ reports: 1, quarantined: 0 });
        expect(await store.db.selectFrom('audit_log').select('id').execute()).toEqual([]);
      });

      it('finds a migration that changes rows only', async () => {
        const { url, store } = await open();
        await runAside(url, MIGRATION.slice(1));
        expectRefusal(
          await store.db
            .insertInto('audit_log')
            .values({ at: 1, action: 'after' })
            .execute()
            .catch((error: unknown) => error),
        );
      });

      it('is noticed by a process that only reads, within READ_RECHECK_MS; the read goes on', async () => {
        const { url, store } = await open();
        await store.insertAggregateReport(report('before'), Buffer.from('a'), source);
        await runAside(url, MIGRATION);
        vi.useFakeTimers({ toFake: ['Date'] });
        try {
          expect((await store.countReports()).reports).toBe(1);
          expect(store.outdated.aborted).toBe(false);
          vi.setSystemTime(Date.now() + READ_RECHECK_MS + 1);
          // Before: a sumi serve only read from went on, never stopping.
          expect((await store.countReports()).reports).toBe(1);
          expect(store.outdated.aborted).toBe(true);
          expectRefusal(store.outdated.reason);
        } finally {
          vi.useRealTimers();
        }
      });

      it("fails a read the newer shape broke with the refusal, not the engine's words", async () => {
        const { url, store } = await open();
        await store.insertAggregateReport(report('before'), Buffer.from('a'), source);
        await runAside(url, [
          'alter table reports rename column policy_domain to newer_domain',
          ...MIGRATION.slice(1),
        ]);
        // Before: SQLite's "no such column", PostgreSQL's "column does not exist".
        expectRefusal(
          await store.db
            .selectFrom('reports')
            .select('policy_domain')
            .execute()
            .catch((error: unknown) => error),
        );
        expect(store.outdated.aborted).toBe(true);
      });

      /**
       * What `write` meets when it waits for a newer Sumi's migration under way: on SQLite another
       * process migrating holds the write lock; on PostgreSQL the migration's advisory lock.
       */
      async function waitingForMigration(url: string, write: () => Promise<unknown>): Promise<unknown> {
        const attempt = () => write().catch((error: unknown) => error);
        if (engine.name === 'sqlite') {
          const { released } = await holdingWriteLock(url, 500, MIGRATION.join('; '));
          const met = await attempt();
          await released;
          return met;
        }
        const migrating = new pg.Client({ connectionString: url });
        await migrating.connect();
        try {
          await migrating.query(`select pg_advisory_lock(${POSTGRES_MIGRATION_LOCK})`);
          const met = attempt();
          await new Promise((resolve) => setTimeout(resolve, 300));
          await migrating.query(['begin', ...MIGRATION, 'commit'].join(';\n'));
          await migrating.query(`select pg_advisory_unlock(${POSTGRES_MIGRATION_LOCK})`);
          return await met;
        } finally {
          await migrating.end();
        }
      }

      it('refuses a write that waited for the migration under way', async () => {
        const { url, store } = await open();
        expectRefusal(
          await waitingForMigration(url, () =>
            store.insertAggregateReport(report('waited'), Buffer.from('a'), source),
          ),
        );
        expect((await store.countReports()).reports).toBe(0);
      });

      // An admin's change of role counts the admins and writes in one transaction, which must see
      // the migration it waited for as any write does (on PostgreSQL a serializable one did not).
      it("refuses an admin's change of role that waited for the migration under way", async () => {
        const { url, store } = await open();
        const accounts = new Accounts(store.db);
        await accounts.createUser({ username: 'root', password: null, role: 'admin' });
        const other = await accounts.createUser({ username: 'other', password: null, role: 'admin' });
        expectRefusal(
          await waitingForMigration(url, () => accounts.updateUser(other.id, { role: 'viewer' })),
        );
        const roles = await store.db.selectFrom('users').select('role').where('id', '=', other.id).execute();
        expect(roles).toEqual([{ role: 'admin' }]);
      });
    },
  );
}
