/**
 * `sumi serve`, `sumi user` and `sumi demo` as people run them: the first-run setup link, users
 * from the command line, the demo's check output, and the demo dashboard over real HTTP.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/auth/accounts.ts';
import type { CliContext } from '../../src/cli/output.ts';
import { startServer } from '../../src/cli/serve.ts';
import { openStore } from '../../src/store/open.ts';
import { sumi } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';
import { dovecotInstalled, startDovecot } from '../ingest/helpers/dovecot.ts';
import { childOutput, spawnSumi } from '../ingest/helpers/sumi.ts';
import { holdingWriteLock, newerMigration, runAside } from '../store/helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'sumi-serve-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  let text = '';
  const stream = {
    write: (s: string) => {
      text += s;
      return true;
    },
  } as unknown as CliContext['stdout'];
  return { stream, text: () => text };
}

function linkIn(out: string): string {
  const link = /(http:\/\/127\.0\.0\.1:\d+\/setup\?token=[\w-]+)/.exec(out)?.[1];
  expect(link, out).toBeDefined();
  return link!;
}

/** Serves the store until `work` is done; what it printed. */
async function serveOnce(db: string, work?: (url: string, out: string) => Promise<void>) {
  const out = capture();
  const err = capture();
  const ctx: CliContext = { lang: 'en', stdout: out.stream, stderr: err.stream, env: {} };
  const running = await startServer(ctx, await openStore(db), { listen: '127.0.0.1:0' });
  try {
    await work?.(running.url, out.text());
  } finally {
    await running.close();
  }
  return { out: out.text() };
}

describe('sumi serve', () => {
  it('creates an admin on a store without accounts and prints a one-time setup link', async () => {
    const db = path.join(dir, 'serve.db');
    const first = await serveOnce(db);
    const firstLink = linkIn(first.out);
    // Restarted before the link was used: a new link, the old one no longer works.
    const second = await serveOnce(db, async (url, out) => {
      const link = linkIn(out);
      expect(link).not.toBe(firstLink);
      expect(out).toContain('set the password of "admin" (admin)');
      expect((await fetch(`${url}/api/auth/me`)).status).toBe(401);
      expect(await (await fetch(link)).text()).toContain('name="password"');
      const set = async (from: string) =>
        fetch(`${url}/api/auth/setup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            token: new URL(from).searchParams.get('token'),
            password: 'first admin password',
          }),
        });
      expect((await set(firstLink)).status).toBe(400);
      expect((await set(link)).status).toBe(200);
      const login = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'first admin password' }),
      });
      expect(((await login.json()) as { user: { role: string } }).user.role).toBe('admin');
    });
    expect(second.out).toContain('Sumi is serving on');
    // Once an admin has a password, no more links.
    const third = await serveOnce(db);
    expect(third.out).not.toContain('/setup?token=');
  });

  it("answers while a write waits for another process's lock on a SQLite store, and makes the write once it is free", async () => {
    const db = path.join(dir, 'locked.db');
    const { child, out, url } = await servingWithAdmin(db, 'waiter', 'waiting password');
    try {
      const login = () =>
        fetch(`${url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'waiter', password: 'waiting password' }),
        });
      const session = async () => {
        const response = await login();
        const { csrfToken } = (await response.json()) as { csrfToken: string };
        return { cookie: response.headers.get('set-cookie')!.split(';')[0]!, csrfToken };
      };
      const [leaving, staying] = [await session(), await session()];
      // As `sumi ingest` storing a large report holds it.
      const { released } = await holdingWriteLock(
        db,
        1500,
        "insert into audit_log (at, action) values (1, 'other process')",
      );
      const answered: string[] = [];
      // A logout deletes its session: it waits for the lock. The domain list, asked meanwhile, only reads.
      const waiting = fetch(`${url}/api/auth/logout`, {
        method: 'POST',
        headers: { cookie: leaving.cookie, 'x-csrf-token': leaving.csrfToken },
      }).then((response) => {
        answered.push('logout');
        return response.status;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const read = fetch(`${url}/api/domains`, { headers: { cookie: staying.cookie } }).then((response) => {
        answered.push('domains');
        return response.status;
      });
      // Before: the server's event loop stood still until the lock was released, the read with it.
      expect(await read).toBe(200);
      expect(answered).toEqual(['domains']);
      expect(await waiting).toBeLessThan(300);
      await released;
    } finally {
      child.kill('SIGTERM');
      await out.exited;
    }
  }, 60_000);

  it('stops once a write finds the store migrated by a newer Sumi: the write answered 503 in its language, the refusal said in one line, exit 1', async () => {
    const db = path.join(dir, 'outdated.db');
    const { child, out, url } = await servingWithAdmin(db, 'old', 'older password');
    try {
      await runAside(db, newerMigration('9999-newer'));
      // A login writes its session.
      const login = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': 'ja' },
        body: JSON.stringify({ username: 'old', password: 'older password' }),
      });
      expect(login.status).toBe(503);
      expect(((await login.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'store-unavailable',
        message: expect.stringMatching(/^サーバーが今ストアを使えません/),
      });
      // Before: it went on serving, writing in the older shape.
      expect(await out.exited).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
    expect(out.stderr.split('\n').at(-2)).toBe(
      `error: the SQLite store ${db} was migrated by a newer Sumi: it has migration 9999-newer, which this Sumi does not know. Upgrade Sumi to use this store (this one would read and write its rows in an older shape)`,
    );
  }, 60_000);

  it('stops once a read finds the store migrated by a newer Sumi, where nothing is written: the read answered 503, exit 1', async () => {
    const db = path.join(dir, 'outdated-read.db');
    const store = await openStore(db);
    const accounts = new Accounts(store.db);
    const user = await accounts.createUser({
      username: 'reader',
      password: 'reader password',
      role: 'admin',
    });
    const { token } = await accounts.createApiToken(user.id, 'dashboard');
    await store.close();
    const child = spawnSumi(['serve', '--db', db, '--listen', '127.0.0.1:0', '--no-fetch', '--json']);
    const out = childOutput(child);
    try {
      await until('the server is listening', () => out.stdout.includes('}'));
      const { url } = JSON.parse(out.stdout) as { url: string };
      const reports = () => fetch(`${url}/api/reports`, { headers: { authorization: `Bearer ${token}` } });
      // The token's first use is written; later ones within the hour only read.
      expect((await reports()).status).toBe(200);
      await runAside(db, [
        'alter table reports rename column policy_domain to newer_domain',
        ...newerMigration('9999-newer').slice(1),
      ]);
      const read = await reports();
      // Before: 500, the engine's "no such column", and the server went on.
      expect(read.status).toBe(503);
      expect(((await read.json()) as { error: { code: string } }).error.code).toBe('store-unavailable');
      expect(await out.exited).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
    expect(out.stderr.split('\n').at(-2)).toContain(
      'was migrated by a newer Sumi: it has migration 9999-newer',
    );
  }, 60_000);

  it('--tlsrpt takes the SMTP TLS reports of the domains named at POST /tlsrpt, and says where', async () => {
    const db = path.join(dir, 'tlsrpt.db');
    const out = capture();
    const ctx: CliContext = { lang: 'en', stdout: out.stream, stderr: capture().stream, env: {} };
    const running = await startServer(ctx, await openStore(db), {
      listen: '127.0.0.1:0',
      tlsrpt: 'Example.JP., example.com',
    });
    try {
      expect(out.text()).toContain(
        `SMTP TLS reports for example.jp, example.com are taken at ${running.url}/tlsrpt;`,
      );
      const report = JSON.parse(
        readFileSync(new URL('../reports/fixtures/tls.json', import.meta.url), 'utf8'),
      );
      report.policies = [
        { ...report.policies[0], policy: { ...report.policies[0].policy, 'policy-domain': 'example.jp' } },
      ];
      const response = await fetch(`${running.url}/tlsrpt`, {
        method: 'POST',
        headers: { 'content-type': 'application/tlsrpt+gzip' },
        body: gzipSync(JSON.stringify(report)),
      });
      expect(response.status).toBe(201);
    } finally {
      await running.close();
    }
    const store = await openStore(db);
    expect((await store.countReports()).tlsReports).toBe(1);
    await store.close();
  });

  it('refuses a --tlsrpt that names no domain', async () => {
    const result = await sumi([
      'serve',
      '--tlsrpt',
      'example.jp,not a domain',
      '--db',
      path.join(dir, 'bad.db'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--tlsrpt: "not a domain" is not a domain name');
  });

  it('refuses a --listen that is not host:port', async () => {
    const result = await sumi(['serve', '--listen', 'localhost', '--db', path.join(dir, 'bad.db')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('host:port');
  });
});

describe('sumi user', () => {
  it('adds with a setup link, lists and deletes users', async () => {
    const db = path.join(dir, 'users.db');
    const added = await sumi([
      'user',
      'add',
      'Carol',
      '--role',
      'viewer',
      '--domain',
      'a.example',
      '--setup-link',
      'https://sumi.example/',
      '--db',
      db,
      '--json',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const doc = JSON.parse(added.stdout);
    expect(doc.user).toMatchObject({ username: 'carol', role: 'viewer', domains: ['a.example'] });
    expect(doc.setupUrl).toMatch(/^https:\/\/sumi\.example\/setup\?token=[\w-]{40,}$/);
    const list = await sumi(['user', 'list', '--db', db, '--json']);
    expect(JSON.parse(list.stdout).users.map((u: { username: string }) => u.username)).toEqual(['carol']);
    expect(
      (await sumi(['user', 'add', 'carol', '--role', 'viewer', '--setup-link', 'http://x', '--db', db])).code,
    ).toBe(2);
    expect((await sumi(['user', 'add', 'dave', '--role', 'owner', '--db', db])).code).toBe(2);
    expect((await sumi(['user', 'add', 'bad name', '--role', 'viewer', '--db', db])).code).toBe(2);
    // Changed in place: what is given replaces, the rest stays.
    const changed = await sumi([
      'user',
      'change',
      'carol',
      '--role',
      'analyst',
      '--group',
      'clients',
      '--db',
      db,
    ]);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toContain('Changed carol: analyst, a.example, group:clients.');
    const moved = await sumi([
      'user',
      'change',
      'carol',
      '--domain',
      'b.example',
      '--no-groups',
      '--db',
      db,
      '--json',
    ]);
    expect(JSON.parse(moved.stdout).user).toMatchObject({
      role: 'analyst',
      domains: ['b.example'],
      groups: [],
    });
    const ja = await sumi([
      '--lang',
      'ja',
      'user',
      'change',
      'carol',
      '--no-domains',
      '--all-domains',
      '--db',
      db,
    ]);
    expect(ja.stdout).toContain('carol を変更しました: analyst、*。');
    expect((await sumi(['user', 'change', 'nobody', '--role', 'viewer', '--db', db])).code).toBe(2);
    expect((await sumi(['user', 'change', 'carol', '--role', 'owner', '--db', db])).code).toBe(2);
    // A domain that is not one is refused (as the API refuses it), naming it, and nothing changes;
    // one written with capitals or a final dot is kept as the store keeps domains.
    const refused = await sumi([
      'user',
      'change',
      'carol',
      '--domain',
      'a.example',
      '--domain',
      'exa mple',
      '--db',
      db,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('exa mple: not a domain name.');
    const refusedJa = await sumi([
      '--lang',
      'ja',
      'user',
      'add',
      'erin',
      '--role',
      'viewer',
      '--domain',
      'a..example',
      '--setup-link',
      'http://x',
      '--db',
      db,
    ]);
    expect(refusedJa.code).toBe(2);
    expect(refusedJa.stderr).toContain('a..example: ドメイン名ではありません。');
    const users = JSON.parse((await sumi(['user', 'list', '--db', db, '--json'])).stdout).users;
    expect(users.map((u: { username: string; allDomains: boolean }) => [u.username, u.allDomains])).toEqual([
      ['carol', true],
    ]);
    const cased = await sumi([
      'user',
      'change',
      'carol',
      '--no-all-domains',
      '--domain',
      'C.Example.',
      '--db',
      db,
      '--json',
    ]);
    expect(JSON.parse(cased.stdout).user).toMatchObject({ allDomains: false, domains: ['c.example'] });
    const deleted = await sumi(['user', 'delete', 'carol', '--db', db]);
    expect(deleted.stdout).toContain('Deleted carol');
    expect((await sumi(['user', 'delete', 'carol', '--db', db])).code).toBe(2);
  });

  it('reads the password from stdin', async () => {
    const db = path.join(dir, 'stdin.db');
    const child = spawnSumi(['user', 'add', 'erin', '--role', 'admin', '--db', db]);
    child.stdin.end('a password from stdin\n');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const store = await openStore(db);
    try {
      const { Accounts } = await import('../../src/auth/accounts.ts');
      const result = await new Accounts(store.db).login('erin', 'a password from stdin', '127.0.0.1');
      expect(result.ok).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe('sumi demo', () => {
  it('--no-serve checks the sample domains and prints the result', async () => {
    const result = await sumi(['demo', '--no-serve']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('card.example.co.jp');
    const json = await sumi(['demo', '--no-serve', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).map((d: { domain: string }) => d.domain)).toContain('bank.example.co.jp');
  });

  it('serves a filled demo store with a demo admin and live checks', async () => {
    const child = spawnSumi(['demo', '--listen', '127.0.0.1:0', '--json']);
    try {
      let stdout = '';
      const doc = await new Promise<{ url: string; username: string; password: string }>(
        (resolve, reject) => {
          child.stdout.on('data', (chunk: Buffer) => {
            stdout += chunk.toString();
            try {
              resolve(JSON.parse(stdout));
            } catch {
              // Not the whole document yet.
            }
          });
          child.on('close', (code) => reject(new Error(`demo ended (${code}) before serving: ${stdout}`)));
        },
      );
      const login = await fetch(`${doc.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: doc.username, password: doc.password }),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const domains = (await (await fetch(`${doc.url}/api/domains`, { headers: { cookie } })).json()) as {
        domains: { domain: string; messages: number }[];
      };
      const card = domains.domains.find((d) => d.domain === 'card.example.co.jp');
      expect(card?.messages).toBeGreaterThan(0);
      const check = (await (
        await fetch(`${doc.url}/api/domains/card.example.co.jp/check`, { headers: { cookie } })
      ).json()) as { protocols: { dmarc: { status: string } } };
      expect(check.protocols.dmarc.status).toBe('ok');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('close', resolve));
    }
  }, 120_000);
});

describe.skipIf(!dovecotInstalled)(
  'sumi serve fetches the stored mailbox sources (skipped without dovecot-imapd)',
  () => {
    it('watches each source kept in the settings and shows its state; not with --no-fetch', async () => {
      const dovecot = await startDovecot();
      try {
        const db = path.join(dir, 'fetch.db');
        const store = await openStore(db);
        const accounts = new Accounts(store.db);
        const admin = await accounts.createUser({ username: 'fetcher', password: null, role: 'admin' });
        const { token } = await accounts.createApiToken(admin.id, 'test');
        await accounts.addMailboxSource({
          url: `imap://rua%40example.jp@127.0.0.1:${dovecot.port}/INBOX`,
          passwordEnv: 'SUMI_RUA_PASSWORD',
          archive: 'Sumi/Processed',
        });
        await store.close();
        const sourcesSeen = async (flags: { fetch?: boolean }) => {
          const ctx: CliContext = {
            lang: 'en',
            stdout: capture().stream,
            stderr: capture().stream,
            env: { SUMI_RUA_PASSWORD: dovecot.password },
          };
          const running = await startServer(ctx, await openStore(db), { listen: '127.0.0.1:0', ...flags });
          try {
            type Sources = {
              sources: {
                id: number;
                paused: boolean;
                status: { state: string; error: string | null } | null;
              }[];
            };
            const get = async () => {
              const response = await fetch(`${running.url}/api/imap-sources`, {
                headers: { authorization: `Bearer ${token}` },
              });
              return ((await response.json()) as Sources).sources;
            };
            if (flags.fetch === false) return await get();
            // This lab Dovecot offers no STARTTLS, which a stored source requires: it keeps retrying, and says why.
            await until(
              'the source says why it reconnects',
              async () => (await get())[0]?.status?.state === 'reconnecting',
            );
            const seen = await get();
            // Paused, its watcher is stopped by the answer and says so; resumed, it is watched again.
            const pause = (paused: boolean) =>
              fetch(`${running.url}/api/imap-sources/${seen[0]!.id}`, {
                method: 'PATCH',
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                body: JSON.stringify({ paused }),
              });
            expect((await pause(true)).status).toBe(200);
            expect((await get())[0]).toMatchObject({
              paused: true,
              status: { state: 'paused', error: null },
            });
            expect((await pause(false)).status).toBe(200);
            expect((await get())[0]?.paused).toBe(false);
            await until(
              'the resumed source is watched again',
              async () => (await get())[0]?.status?.state === 'reconnecting',
            );
            return seen;
          } finally {
            await running.close();
          }
        };
        expect((await sourcesSeen({ fetch: false }))[0]).toMatchObject({ status: null });
        const [watched] = await sourcesSeen({});
        expect(watched?.status).toMatchObject({ state: 'reconnecting', reports: 0 });
        expect(watched?.status?.error).toMatch(/STARTTLS/i);
      } finally {
        await dovecot.stop();
      }
    }, 60_000);
  },
);

/** `sumi serve` (no mailbox fetching) on a store with one admin, once it listens: its URL. */
async function servingWithAdmin(db: string, username: string, password: string) {
  const store = await openStore(db);
  await new Accounts(store.db).createUser({ username, password, role: 'admin' });
  await store.close();
  const child = spawnSumi(['serve', '--db', db, '--listen', '127.0.0.1:0', '--no-fetch', '--json']);
  const out = childOutput(child);
  try {
    await until('the server is listening', () => out.stdout.includes('}'));
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  const { url } = JSON.parse(out.stdout) as { url: string };
  return { child, out, url };
}
