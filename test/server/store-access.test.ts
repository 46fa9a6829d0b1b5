/**
 * A server whose store refuses what an upload needs (the PostgreSQL server refusing the role's
 * connections once the store is open): the uploader hears 503 in their language, without the
 * role's or database's names, and the log has the store's words.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Accounts } from '../../src/auth/accounts.ts';
import { buildServer } from '../../src/server/app.ts';
import { openStore } from '../../src/store/open.ts';
import { aggregateXml } from '../ingest/helpers/reports.ts';
import { postgresServer, withOwnPostgresRole } from '../store/helpers.ts';
import { Client, multipart, PASSWORD } from './helpers.ts';

const skip = 'skip' in postgresServer ? postgresServer.skip : undefined;

describe('an upload the store cannot take', () => {
  it.skipIf(skip)(
    `answers 503 store-unavailable and logs why${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      await withOwnPostgresRole('sumi_test_upload_refused', async (server, name, url) => {
        const store = await openStore(url);
        const webRoot = mkdtempSync(path.join(tmpdir(), 'sumi-web-'));
        writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Sumi</title>');
        const logged: string[] = [];
        const app = await buildServer({
          store,
          accounts: new Accounts(store.db),
          webRoot,
          baseUrl: 'http://127.0.0.1:8080',
          checkSession: () => Promise.reject(new Error('this test checks no domain')),
          logger: { level: 'error', stream: { write: (line: string) => logged.push(line) } },
        });
        try {
          await new Accounts(store.db).createUser({ username: 'root', password: PASSWORD, role: 'admin' });
          const root = new Client(app);
          expect((await root.login('root')).statusCode).toBe(200);
          await server.query(`alter role ${name} connection limit 0`);
          await server.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`, [
            name,
          ]);
          // The pool drops the connections the server closed once it has read why.
          await new Promise((resolve) => setTimeout(resolve, 200));
          const upload = multipart([
            { name: 'report.xml', content: aggregateXml({ reportId: 'refused-1' }) },
          ]);
          for (const [lang, words] of [
            [
              'en',
              /^The server cannot use its store now \(not reachable, or refusing what this needs\); its log says why\./,
            ],
            ['ja', /^サーバーが今ストアを使えません/],
          ] as const) {
            const response = await root.request('POST', `/api/uploads?lang=${lang}`, undefined, upload);
            expect(response.statusCode, response.body).toBe(503);
            expect(response.json().error.code).toBe('store-unavailable');
            expect(response.json().error.message).toMatch(words);
            expect(response.body).not.toContain(name);
          }
          expect(logged.map((line) => JSON.parse(line).msg).join('\n')).toContain(
            `too many connections for role "${name}"`,
          );
          await server.query(`alter role ${name} connection limit -1`);
          expect((await store.countReports()).reports).toBe(0);
        } finally {
          await app.close();
          await store.close();
          rmSync(webRoot, { recursive: true, force: true });
        }
      });
    },
  );

  it('answers 503 for a store failing as it is used (its disk full), and tells the error log why', async () => {
    const opened = await openStore(':memory:');
    const full = () =>
      Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    const store = Object.create(opened, {
      insertAggregateReport: { value: full },
      insertAggregateReports: { value: full },
    }) as typeof opened;
    const webRoot = mkdtempSync(path.join(tmpdir(), 'sumi-web-'));
    writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Sumi</title>');
    const told: { method: string; url: string; error: string }[] = [];
    const app = await buildServer({
      store,
      accounts: new Accounts(opened.db),
      webRoot,
      baseUrl: 'http://127.0.0.1:8080',
      checkSession: () => Promise.reject(new Error('this test checks no domain')),
      storeUrl: '/var/lib/sumi/sumi.db',
      errorLog: (failure) => told.push(failure),
    });
    try {
      await new Accounts(opened.db).createUser({ username: 'root', password: PASSWORD, role: 'admin' });
      const root = new Client(app);
      expect((await root.login('root')).statusCode).toBe(200);
      const upload = multipart([{ name: 'report.xml', content: aggregateXml({ reportId: 'full-1' }) }]);
      const response = await root.request('POST', '/api/uploads', undefined, upload);
      expect(response.statusCode, response.body).toBe(503);
      expect(response.json().error.code).toBe('store-unavailable');
      expect(response.body).not.toContain('/var/lib/sumi');
      expect(told).toEqual([
        {
          method: 'POST',
          url: '/api/uploads',
          error: 'the disk holding the SQLite store /var/lib/sumi/sumi.db is full: database or disk is full',
        },
      ]);
    } finally {
      await app.close();
      await opened.close();
      rmSync(webRoot, { recursive: true, force: true });
    }
  });
});
