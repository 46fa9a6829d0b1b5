/** The pure parts of accounts: password hashes, domain scopes as a check and as SQL. */
import { afterAll, describe, expect, it } from 'vitest';
import { AccountError, Accounts, TOKEN_USE_RESOLUTION_SECONDS } from '../../src/auth/accounts.ts';
import {
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyPassword,
} from '../../src/auth/password.ts';
import { scopeAllows, scopeCondition } from '../../src/auth/scope.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { engines, engineTitle, freshStore, header, record } from '../store/helpers.ts';

describe('passwords', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$\d+\$8\$1\$/);
    expect(hash).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await hashPassword('correct horse battery')).not.toBe(hash);
  });

  it('treats composed and decomposed forms of one password alike (NFC)', async () => {
    const hash = await hashPassword('パスワードです１２３');
    expect(await verifyPassword('パスワードです１２３'.normalize('NFD'), hash)).toBe(true);
  });

  it('rejects malformed hashes without throwing', async () => {
    for (const stored of ['', 'plain', 'scrypt$x$8$1$AA$AA', 'bcrypt$1$2$3$4$5']) {
      expect(await verifyPassword('anything at all', stored)).toBe(false);
    }
  });
});

describe('domain scopes', () => {
  const scope = { all: false as const, domains: ['a.example', 'my_host.example'] };

  it('covers a domain and its subdomains, never look-alikes', () => {
    expect(scopeAllows(scope, 'a.example')).toBe(true);
    expect(scopeAllows(scope, 'MAIL.A.EXAMPLE')).toBe(true);
    expect(scopeAllows(scope, 'evila.example')).toBe(false);
    expect(scopeAllows(scope, 'a.example.evil')).toBe(false);
    expect(scopeAllows(scope, 'myxhost.example')).toBe(false);
    expect(scopeAllows({ all: false, domains: [] }, 'a.example')).toBe(false);
    expect(scopeAllows({ all: true }, 'anything.example')).toBe(true);
  });

  const opened: Store[] = [];
  afterAll(async () => {
    for (const store of opened) await store.close();
  });

  it('filters rows the same way in SQL, with LIKE wildcards in names taken literally', async () => {
    const store = await openStore(':memory:');
    opened.push(store);
    for (const [i, domain] of [
      'a.example',
      'sub.a.example',
      'evila.example',
      'myxhost.example',
      'my_host.example',
    ].entries()) {
      await store.insertAggregateReport(
        { ...header({ domain, reportId: `r${i}` }), records: [record()] },
        Buffer.from(`raw ${i}`),
        { description: 'test' },
      );
    }
    const rows = await store.db
      .selectFrom('reports')
      .select('policy_domain')
      .where(scopeCondition('policy_domain', scope))
      .orderBy('policy_domain')
      .execute();
    expect(rows.map((r) => r.policy_domain)).toEqual(['a.example', 'my_host.example', 'sub.a.example']);
    const none = await store.db
      .selectFrom('reports')
      .select('id')
      .where(scopeCondition('policy_domain', { all: false, domains: [] }))
      .execute();
    expect(none).toEqual([]);
  });

  it('refuses passwords shorter or longer than the limits', async () => {
    const store = await openStore(':memory:');
    opened.push(store);
    const accounts = new Accounts(store.db);
    for (const password of ['x'.repeat(PASSWORD_MIN_LENGTH - 1), 'x'.repeat(PASSWORD_MAX_LENGTH + 1)]) {
      await expect(accounts.createUser({ username: 'u', password, role: 'viewer' })).rejects.toBeInstanceOf(
        AccountError,
      );
    }
    await accounts.createUser({ username: 'u', password: 'x'.repeat(PASSWORD_MAX_LENGTH), role: 'viewer' });
    // A longer attempt at login is a failure, not a slow hash of a megabyte.
    expect((await accounts.login('u', 'x'.repeat(PASSWORD_MAX_LENGTH + 1), '::1')).ok).toBe(false);
  });

  it("keeps a token's last use to the minute, not a write per request", async () => {
    const store = await openStore(':memory:');
    opened.push(store);
    let now = 1_000_000;
    const accounts = new Accounts(store.db, () => now);
    const user = await accounts.createUser({ username: 'robot', password: null, role: 'viewer' });
    const { token } = await accounts.createApiToken(user.id, 'ci');
    const lastUse = async () => (await accounts.listApiTokens())[0]!.lastUsedAt;
    await accounts.userForApiToken(token);
    expect(await lastUse()).toBe(now);
    now += TOKEN_USE_RESOLUTION_SECONDS - 1;
    await accounts.userForApiToken(token);
    expect(await lastUse()).toBe(now - TOKEN_USE_RESOLUTION_SECONDS + 1);
    now += 1;
    await accounts.userForApiToken(token);
    expect(await lastUse()).toBe(now);
  });

  it("keeps a graph:// source's Microsoft Graph URL with its application, and a change of it", async () => {
    const store = await openStore(':memory:');
    opened.push(store);
    const accounts = new Accounts(store.db);
    const app = {
      clientId: 'app',
      secretEnv: 'SUMI_GRAPH_SECRET',
      tokenUrl: 'https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/token',
      graphUrl: 'https://graph.microsoft.us',
    };
    const id = await accounts.addMailboxSource({
      url: 'graph://dmarc@example.jp/Inbox',
      passwordEnv: 'SUMI_IMAP_PASSWORD',
      archive: 'Done',
      app,
    });
    const stored = async () => (await accounts.listMailboxSources()).find((s) => s.id === id)?.app;
    expect(await stored()).toEqual(app);
    const china = { ...app, graphUrl: 'https://microsoftgraph.chinacloudapi.cn' };
    expect(await accounts.updateMailboxSource(id, { app: china })).toBe(true);
    expect(await stored()).toEqual(china);
  });
});

describe.each(engines)('the last admin $name', (engine) => {
  const stores: Store[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
    await engine.cleanup();
  });

  type Change = (accounts: Accounts, id: number) => Promise<unknown>;
  const demote: Change = (accounts, id) => accounts.updateUser(id, { role: 'viewer' });
  const remove: Change = (accounts, id) => accounts.deleteUser(id);

  // Two admins each taking the role from the other at once (two browsers, two `sumi user` runs):
  // each saw two admins before either changed, and none was left. One of them must be refused.
  it.skipIf(engine.skip)(`stays, however two changes interleave ${engineTitle(engine)}`, async () => {
    for (const [first, second] of [
      [demote, demote],
      [remove, demote],
      [remove, remove],
    ]) {
      const store = await freshStore(engine, stores);
      const accounts = new Accounts(store.db);
      let left = await accounts.createUser({ username: 'root', password: null, role: 'admin' });
      // Rounds: how queries of the two interleave on PostgreSQL's pool varies from run to run.
      for (let round = 0; round < 4; round++) {
        const a = await accounts.createUser({ username: `a${round}`, password: null, role: 'admin' });
        const b = await accounts.createUser({ username: `b${round}`, password: null, role: 'admin' });
        await accounts.deleteUser(left.id);
        const outcomes = await Promise.allSettled([first!(accounts, a.id), second!(accounts, b.id)]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
        expect(refused.reason).toBeInstanceOf(AccountError);
        expect((refused.reason as AccountError).code).toBe('last-admin');
        const admins = (await accounts.listUsers()).filter((u) => u.role === 'admin');
        expect(admins).toHaveLength(1);
        left = admins[0]!;
      }
    }
  });
});
