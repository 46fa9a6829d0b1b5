import { describe, expect, it } from 'vitest';
import { LOGIN_MAX_FAILURES_PER_USER } from '../../src/auth/accounts.ts';
import { engines, engineTitle } from '../store/helpers.ts';
import { Client, type Harness, PASSWORD, useHarness } from './helpers.ts';

const NEW_PASSWORD = 'a much longer new secret';

for (const engine of engines) {
  describe.skipIf(engine.skip)(`password change ${engineTitle(engine)}`, () => {
    let h!: Harness;

    const as = useHarness(engine, async (built) => {
      h = built;
    });

    const actions = async (username: string) =>
      (await h.accounts.listAudit({ limit: 100, offset: 0 }))
        .filter((e: { username: string | null }) => e.username === username)
        .map((e: { action: string }) => e.action);

    it('changes the password: other sessions end, this one goes on under a new id', async () => {
      const tab = await as('alice');
      const other = await as('alice');
      const { token } = await h.accounts.createApiToken(h.users.alice.id, 'script');
      const before = { cookie: tab.cookie!, csrf: tab.csrf! };

      const changed = await tab.request('POST', '/api/auth/password', {
        current: PASSWORD,
        password: NEW_PASSWORD,
      });
      expect(changed.statusCode, changed.body).toBe(200);
      expect(changed.json()).toEqual({
        user: { id: h.users.alice.id, username: 'alice', role: 'analyst' },
        csrfToken: expect.any(String),
      });
      // The asking tab: a new session id and CSRF token, both working.
      expect(tab.cookie).not.toBe(before.cookie);
      tab.csrf = changed.json().csrfToken;
      expect(tab.csrf).not.toBe(before.csrf);
      expect((await tab.get('/api/auth/me')).statusCode).toBe(200);
      // The other tab and the old cookie are signed out.
      expect((await other.get('/api/auth/me')).statusCode).toBe(401);
      const stale = new Client(h.app);
      stale.cookie = before.cookie;
      expect((await stale.get('/api/auth/me')).statusCode).toBe(401);
      // API tokens are credentials of their own: they stay until revoked.
      const robot = new Client(h.app);
      robot.bearer = token;
      expect((await robot.get('/api/auth/me')).statusCode).toBe(200);
      // Only the new password logs in.
      expect((await new Client(h.app).login('alice')).statusCode).toBe(401);
      await as('alice', NEW_PASSWORD);
      expect(await actions('alice')).toContain('password.change');

      // And back, for the other tests.
      const again = await tab.request('POST', '/api/auth/password', {
        current: NEW_PASSWORD,
        password: PASSWORD,
      });
      expect(again.statusCode, again.body).toBe(200);
    });

    it('refuses a change without the session CSRF token', async () => {
      const tab = await as('victor');
      for (const headers of [{}, { 'x-csrf-token': `${tab.csrf}x` }] as Record<string, string>[]) {
        const refused = await tab.request(
          'POST',
          '/api/auth/password',
          { current: PASSWORD, password: NEW_PASSWORD },
          { csrf: false, headers },
        );
        expect(refused.statusCode).toBe(403);
        expect(refused.json().error.code).toBe('csrf');
      }
      await as('victor');
    });

    it('refuses a wrong current password (audit-logged) and a new one too short, changing nothing', async () => {
      const tab = await as('bob');
      const other = await as('bob');
      const wrong = await tab.request('POST', '/api/auth/password', {
        current: 'not my password',
        password: NEW_PASSWORD,
      });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().error.code).toBe('wrong-password');
      const short = await tab.request('POST', '/api/auth/password', { current: PASSWORD, password: 'short' });
      expect(short.statusCode).toBe(400);
      expect(short.json().error.code).toBe('bad-password');
      const missing = await tab.request('POST', '/api/auth/password', { password: NEW_PASSWORD });
      expect(missing.statusCode).toBe(400);
      expect((await other.get('/api/auth/me')).statusCode).toBe(200);
      await as('bob');
      expect(await actions('bob')).toContain('password.wrong');
      expect(await actions('bob')).not.toContain('password.change');
      const ja = await tab.request(
        'POST',
        '/api/auth/password',
        { current: 'still not it', password: NEW_PASSWORD },
        { headers: { 'accept-language': 'ja' } },
      );
      expect(ja.json().error.message).toBe('現在のパスワードが違います。');
    });

    it('counts wrong current passwords toward the lockout of the username', async () => {
      await h.accounts.createUser({ username: 'guessed', password: PASSWORD, role: 'viewer' });
      const tab = await as('guessed');
      for (let i = 0; i < LOGIN_MAX_FAILURES_PER_USER; i++) {
        const response = await tab.request('POST', '/api/auth/password', {
          current: `guess ${i}`,
          password: NEW_PASSWORD,
        });
        expect(response.statusCode).toBe(403);
      }
      const locked = await tab.request('POST', '/api/auth/password', {
        current: PASSWORD,
        password: NEW_PASSWORD,
      });
      expect(locked.statusCode).toBe(429);
      expect(locked.json().error.code).toBe('login-locked');
      expect((await new Client(h.app).login('guessed')).statusCode).toBe(429);
    });
  });
}
