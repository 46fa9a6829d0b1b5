/**
 * Migration 0026: a mailbox source may be paused (imap_sources.paused_at); the sources kept before
 * it stay watched, their settings as they were.
 */
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/auth/accounts.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { engines, engineTitle, JAN_1 } from './helpers.ts';

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(
    `mailbox sources kept before 0026 ${engineTitle(engine)}`,
    () => {
      const opened: Store[] = [];
      afterEach(async () => {
        for (const store of opened.splice(0)) await store.close();
      });
      afterAll(() => engine.cleanup());

      it('migration 0026 keeps them unpaused, with their settings; pausing one keeps when it was first paused', async () => {
        const location = await engine.location();
        const before = await openStore(location);
        const sources = [
          {
            url: 'imaps://dmarc@imap.example/INBOX',
            passwordEnv: 'SUMI_IMAP_PASSWORD',
            archive: 'Sumi/Processed',
          },
          {
            url: 'graph://dmarc@example.jp/Inbox',
            passwordEnv: 'SUMI_IMAP_PASSWORD',
            archive: 'Done',
            leaveOtherMail: true,
            app: { clientId: 'app', secretEnv: 'SUMI_GRAPH_SECRET', tenant: 'contoso.onmicrosoft.com' },
          },
        ];
        try {
          const accounts = new Accounts(before.db, () => JAN_1);
          for (const source of sources) await accounts.addMailboxSource(source);
          // The store as versions before 0026 wrote it.
          await before.db.schema.alterTable('imap_sources').dropColumn('paused_at').execute();
          await sql`delete from sumi_migrations where name = '0026-mailbox-source-paused'`.execute(before.db);
        } finally {
          await before.close();
        }
        const migrated = await openStore(location);
        opened.push(migrated);
        let now = JAN_1 + 60;
        const accounts = new Accounts(migrated.db, () => now);
        const listed = await accounts.listMailboxSources();
        expect(listed).toEqual([
          {
            id: expect.any(Number),
            leaveOtherMail: false,
            app: null,
            createdAt: JAN_1,
            pausedAt: null,
            ...sources[0],
          },
          { id: expect.any(Number), createdAt: JAN_1, pausedAt: null, ...sources[1] },
        ]);

        const id = listed[0]!.id;
        expect(await accounts.updateMailboxSource(id, { paused: true })).toBe(true);
        now += 60;
        expect(await accounts.updateMailboxSource(id, { paused: true })).toBe(true);
        const paused = await accounts.listMailboxSources();
        expect(paused.map((s) => s.pausedAt)).toEqual([JAN_1 + 60, null]);
        // Its settings are kept while it is paused, and once it is resumed.
        expect(paused[0]).toEqual({ ...listed[0], pausedAt: JAN_1 + 60 });
        expect(await accounts.updateMailboxSource(id, { paused: false })).toBe(true);
        expect(await accounts.listMailboxSources()).toEqual(listed);
        expect(await accounts.updateMailboxSource(999_999, { paused: true })).toBe(false);
      });
    },
  );
}
