import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LOGIN_LOCK_SECONDS, LOGIN_MAX_FAILURES_PER_USER } from '../../src/auth/accounts.ts';
import { ingestMessage } from '../../src/ingest/message.ts';
import { GZIP_ABOVE_CHARS } from '../../src/server/answers.ts';
import { SEARCH_MAX_LENGTH } from '../../src/server/reports.ts';
import { UPLOAD_MAX_FILES } from '../../src/server/uploads.ts';
import { createScan, finishScan } from '../../src/survey/stored.ts';
import { aggregateGz, aggregateXml, reportMail } from '../ingest/helpers/reports.ts';
import { DAY, engines, engineTitle, header, record } from '../store/helpers.ts';
import { Client, type Harness, multipart, PASSWORD, useHarness } from './helpers.ts';

for (const engine of engines) {
  describe.skipIf(engine.skip)(`API ${engineTitle(engine)}`, () => {
    let h!: Harness;

    const as = useHarness(engine, async (built) => {
      h = built;
    });
    /** A mailbox source as GET /api/imap-sources lists it. */
    const listedSource = async (client: Client, id: number) =>
      (await client.get('/api/imap-sources')).json().sources.find((s: { id: number }) => s.id === id);

    describe('login, sessions, CSRF', () => {
      it('sets an http-only, SameSite=Strict session cookie and answers the user and CSRF token', async () => {
        const client = new Client(h.app);
        const response = await client.login('alice');
        expect(response.statusCode).toBe(200);
        const cookie = response.cookies.find((c) => c.name === 'sumi_session')!;
        expect(cookie.httpOnly).toBe(true);
        expect(cookie.sameSite).toBe('Strict');
        expect(cookie.secure).toBeFalsy();
        expect(response.json()).toEqual({
          user: { id: h.users.alice.id, username: 'alice', role: 'analyst' },
          csrfToken: expect.any(String),
        });
        const me = await client.get('/api/auth/me');
        expect(me.json()).toEqual(response.json());
      });

      it('marks the cookie Secure behind an https proxy it trusts', async () => {
        const { buildServer } = await import('../../src/server/app.ts');
        const app = await buildServer({
          store: h.store,
          accounts: h.accounts,
          trustProxy: true,
          webRoot: h.webRoot,
          checkSession: () => Promise.reject(new Error('not used')),
        });
        const response = await app.inject({
          method: 'POST',
          url: '/api/auth/login',
          headers: { 'x-forwarded-proto': 'https' },
          payload: { username: 'alice', password: PASSWORD },
        });
        expect(response.cookies.find((c) => c.name === 'sumi_session')?.secure).toBe(true);
        await app.close();
      });

      it('answers 401 to me and to every route without a login', async () => {
        const client = new Client(h.app);
        expect((await client.get('/api/auth/me')).statusCode).toBe(401);
        expect((await client.get('/api/domains')).statusCode).toBe(401);
        expect((await client.get('/api/reports')).statusCode).toBe(401);
        const response = await client.get('/api/users');
        expect(response.statusCode).toBe(401);
        expect(response.json().error.code).toBe('unauthenticated');
      });

      it('never keeps a session id from before the login (fixation)', async () => {
        const client = new Client(h.app);
        client.cookie = 'planted-by-an-attacker';
        await client.login('alice');
        expect(client.cookie).not.toBe('planted-by-an-attacker');
        // A valid session logging in again gets a new id; the old one stops working.
        const before = client.cookie!;
        await client.login('alice');
        expect(client.cookie).not.toBe(before);
        const old = new Client(h.app);
        old.cookie = before;
        expect((await old.get('/api/auth/me')).statusCode).toBe(401);
      });

      it('logs out: the session ends and the cookie is cleared', async () => {
        const client = await as('victor');
        const cookie = client.cookie!;
        expect((await client.request('POST', '/api/auth/logout')).statusCode).toBe(200);
        const stale = new Client(h.app);
        stale.cookie = cookie;
        expect((await stale.get('/api/auth/me')).statusCode).toBe(401);
      });

      it('ends sessions when they expire', async () => {
        const client = await as('victor');
        h.clock.now += 13 * 3600;
        try {
          expect((await client.get('/api/auth/me')).statusCode).toBe(401);
        } finally {
          h.clock.now -= 13 * 3600;
        }
      });

      it('locks a username after repeated failures, then lets it in once the lock ends', async () => {
        await h.accounts.createUser({ username: 'mallory-target', password: PASSWORD, role: 'viewer' });
        const client = new Client(h.app);
        for (let i = 0; i < LOGIN_MAX_FAILURES_PER_USER; i++) {
          const response = await client.login('mallory-target', `wrong password ${i}`);
          expect(response.statusCode).toBe(401);
          expect(response.json().error.code).toBe('login-failed');
        }
        const locked = await client.login('mallory-target');
        expect(locked.statusCode).toBe(429);
        expect(locked.json().error.code).toBe('login-locked');
        expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
        // An unknown name is refused the same way, so names cannot be probed.
        expect((await client.login('nobody-here', 'whatever')).json().error.code).toBe('login-failed');
        h.clock.now += LOGIN_LOCK_SECONDS + 1;
        try {
          expect((await client.login('mallory-target')).statusCode).toBe(200);
        } finally {
          h.clock.now -= LOGIN_LOCK_SECONDS + 1;
        }
      });

      it('words errors in Japanese when the client asks', async () => {
        const response = await h.app.inject({
          method: 'GET',
          url: '/api/auth/me',
          headers: { 'accept-language': 'ja,en;q=0.5' },
        });
        expect(response.json().error.message).toBe('先にログインしてください。');
      });

      /** Method, URL, body, and the route as the OpenAPI document names it. */
      const STATE_CHANGING: [string, string, unknown, string][] = [
        ['POST', '/api/auth/logout', undefined, '/api/auth/logout'],
        [
          'POST',
          '/api/auth/password',
          { current: PASSWORD, password: 'csrf-changed-password' },
          '/api/auth/password',
        ],
        ['POST', '/api/uploads', undefined, '/api/uploads'],
        [
          'POST',
          '/api/domains/a.example/senders/192.0.2.1/mark',
          { mark: 'suspicious' },
          '/api/domains/{domain}/senders/{ip}/mark',
        ],
        [
          'DELETE',
          '/api/domains/a.example/senders/192.0.2.1/mark',
          undefined,
          '/api/domains/{domain}/senders/{ip}/mark',
        ],
        ['POST', '/api/inventory/domains', { domain: 'c.example' }, '/api/inventory/domains'],
        ['DELETE', '/api/inventory/domains/a.example', undefined, '/api/inventory/domains/{domain}'],
        ['POST', '/api/users', { username: 'csrf-victim', role: 'admin', password: PASSWORD }, '/api/users'],
        ['DELETE', '/api/users/999', undefined, '/api/users/{id}'],
        ['PATCH', '/api/users/999', { role: 'viewer' }, '/api/users/{id}'],
        ['POST', '/api/tokens', { name: 'csrf' }, '/api/tokens'],
        ['DELETE', '/api/tokens/999', undefined, '/api/tokens/{id}'],
        ['POST', '/api/imap-sources', { url: 'imaps://u@imap.example/INBOX' }, '/api/imap-sources'],
        ['DELETE', '/api/imap-sources/999', undefined, '/api/imap-sources/{id}'],
        ['PATCH', '/api/imap-sources/999', { archive: 'Done' }, '/api/imap-sources/{id}'],
        ['POST', '/api/quarantine/retry', {}, '/api/quarantine/retry'],
        ['PATCH', '/api/retention', { reportsDays: 1 }, '/api/retention'],
        [
          'POST',
          '/api/retention/preview',
          { reportsDays: 1, failureReportsDays: null, quarantineDays: null },
          '/api/retention/preview',
        ],
      ];

      it('refuses every state-changing request of a session without its CSRF token (403)', async () => {
        const client = await as('root');
        for (const [method, url, body] of STATE_CHANGING) {
          const missing = await client.request(method as 'POST', url, body, { csrf: false });
          expect(missing.statusCode, `${method} ${url}`).toBe(403);
          expect(missing.json().error.code).toBe('csrf');
          const wrong = await client.request(method as 'POST', url, body, {
            csrf: false,
            headers: { 'x-csrf-token': `${client.csrf}x` },
          });
          expect(wrong.statusCode, `${method} ${url}`).toBe(403);
        }
        expect(await h.accounts.listUsers()).not.toContainEqual(
          expect.objectContaining({ username: 'csrf-victim' }),
        );
      });

      it('lists every state-changing route in the CSRF test', async () => {
        const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
        const changing = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
          ([path, ops]) =>
            Object.keys(ops)
              .filter((m) => m !== 'get')
              .map((m) => `${m.toUpperCase()} ${path}`),
        );
        const tested = STATE_CHANGING.map(([m, , , route]) => `${m} ${route}`);
        // Login and setup take no session: they are how one gets one.
        expect(
          changing.filter((c) => !c.includes('/api/auth/login') && !c.includes('/api/auth/setup')).sort(),
        ).toEqual(tested.sort());
      });

      it('takes API tokens without CSRF, shows a token once, and stops taking it once revoked', async () => {
        const client = await as('alice');
        const created = await client.request('POST', '/api/tokens', { name: 'automation' });
        expect(created.statusCode).toBe(200);
        const { token, id } = created.json();
        expect(token).toMatch(/^sumi_/);
        const list = await client.get('/api/tokens');
        expect(JSON.stringify(list.json())).not.toContain(token);
        const robot = new Client(h.app);
        robot.bearer = token;
        expect((await robot.get('/api/auth/me')).json()).toEqual({
          user: { id: h.users.alice.id, username: 'alice', role: 'analyst' },
          csrfToken: null,
        });
        const upload = multipart([
          { name: 'a.xml', content: aggregateXml({ reportId: 'by-token', domain: 'a.example' }) },
        ]);
        const posted = await robot.request('POST', '/api/uploads', undefined, upload);
        expect(posted.statusCode, posted.body).toBe(200);
        expect((await client.request('DELETE', `/api/tokens/${id}`)).statusCode).toBe(200);
        expect((await robot.get('/api/auth/me')).statusCode).toBe(401);
        const stored = await h.store.db.selectFrom('api_tokens').select('token_hash').execute();
        expect(JSON.stringify(stored)).not.toContain(token);
      });

      it('refuses a wrong bearer token with 401, never falling back to the cookie', async () => {
        const client = await as('root');
        client.bearer = 'sumi_not-a-token';
        expect((await client.get('/api/auth/me')).statusCode).toBe(401);
      });
    });

    describe('authorisation: a user of domain A gets 404 for domain B everywhere', () => {
      it('lists only the domains in scope', async () => {
        const alice = await as('alice');
        const domains = (await alice.get('/api/domains'))
          .json()
          .domains.map((d: { domain: string }) => d.domain);
        expect(domains).toEqual(['a.example']);
        const bob = await as('bob');
        expect(
          (await bob.get('/api/domains')).json().domains.map((d: { domain: string }) => d.domain),
        ).toEqual(['b.example']);
        const root = await as('root');
        const all = (await root.get('/api/domains')).json().domains.map((d: { domain: string }) => d.domain);
        expect(all).toEqual(expect.arrayContaining(['a.example', 'b.example']));
      });

      it('answers 404 for domain routes, reports, raw, failure reports, search and export of B', async () => {
        const alice = await as('alice');
        const b = h.reports.b;
        for (const url of [
          '/api/domains/b.example/check',
          '/api/domains/B.EXAMPLE/check',
          `/api/reports/${b}`,
          `/api/reports/${b}/raw`,
          `/api/failure-reports/${h.failures.b}`,
          `/api/failure-reports/${h.failures.b}/raw`,
          '/api/failure-reports/987654/raw',
        ]) {
          const response = await alice.get(url);
          expect(response.statusCode, url).toBe(404);
          expect(response.body).not.toContain('b-1');
        }
        const filtered = await alice.get('/api/reports?domain=b.example');
        expect(filtered.json()).toEqual({ total: 0, reports: [] });
        const search = await alice.get('/api/reports?q=b.example');
        expect(search.json().total).toBe(0);
        const everything = await alice.get('/api/reports?limit=1000');
        expect(everything.json().reports.map((r: { policyDomain: string }) => r.policyDomain)).not.toContain(
          'b.example',
        );
        const failures = await alice.get('/api/failure-reports');
        expect(failures.json().reports.map((r: { id: number }) => r.id)).toEqual([h.failures.a]);
        expect((await alice.get('/api/failure-reports?domain=b.example')).json().total).toBe(0);
        const csv = await alice.get('/api/reports/export');
        expect(csv.statusCode).toBe(200);
        expect(csv.body).toContain('a.example');
        expect(csv.body).not.toContain('b.example');
        // The same routes answer for domain A.
        expect((await alice.get(`/api/reports/${h.reports.a}`)).statusCode).toBe(200);
        expect((await alice.get(`/api/reports/${h.reports.a}/raw`)).body).toContain('a-1');
        expect((await alice.get(`/api/failure-reports/${h.failures.a}`)).statusCode).toBe(200);
        expect((await alice.get(`/api/failure-reports/${h.failures.a}/raw`)).body).toBe(
          'failure report for a.example',
        );
      });

      it('lists and exports a report with its reporter and report ID as the report gave them, a NUL included', async () => {
        const orgName = 'Odd\u0000 \uffff Org';
        const reportId = 'odd\u0000\uffff-1';
        await h.store.insertAggregateReport(
          { ...header({ domain: 'a.example', orgName, reportId }), records: [record()] },
          Buffer.from('<feedback/>'),
          { description: 'odd text' },
        );
        const alice = await as('alice');
        const listed = (await alice.get('/api/reports?q=odd&limit=1000')).json();
        expect(listed.reports).toEqual([expect.objectContaining({ orgName, reportId })]);
        const csv = (await alice.get('/api/reports/export?q=odd')).body;
        expect(csv).toContain(orgName);
        expect(csv).toContain(reportId);
      });

      it('lists the other copies of a report and serves each as received, only in scope', async () => {
        const copyOf = async (domain: string, reportId: string) => {
          const outcome = await h.store.insertAggregateReport(
            { ...header({ domain, reportId }), records: [record()] },
            Buffer.from(`<feedback><report_id>${reportId}</report_id><resent/></feedback>`),
            { description: `resent ${reportId}` },
          );
          expect(outcome).toMatchObject({ status: 'duplicate', copy: expect.any(Number) });
          return (outcome as { copy: number }).copy;
        };
        const a = await copyOf('a.example', 'a-1');
        const b = await copyOf('b.example', 'b-1');
        const alice = await as('alice');
        const detail = (await alice.get(`/api/reports/${h.reports.a}`)).json();
        expect(detail.copies).toEqual([expect.objectContaining({ id: a, source: 'resent a-1' })]);
        const raw = await alice.get(`/api/reports/${h.reports.a}/copies/${a}/raw`);
        expect(raw.statusCode).toBe(200);
        expect(raw.body).toContain('<resent/>');
        expect(raw.headers['content-security-policy']).toContain('sandbox');
        // Another domain's copy, or a copy asked for under another report: 404, nothing shown.
        for (const url of [
          `/api/reports/${h.reports.b}/copies/${b}/raw`,
          `/api/reports/${h.reports.a}/copies/${b}/raw`,
          `/api/reports/${h.reports.script}/copies/${a}/raw`,
          `/api/reports/${h.reports.a}/copies/987654/raw`,
        ]) {
          const response = await alice.get(url);
          expect(response.statusCode, url).toBe(404);
          expect(response.body).not.toContain('resent');
        }
        expect((await (await as('bob')).get(`/api/reports/${h.reports.b}/copies/${b}/raw`)).body).toContain(
          'b-1',
        );
      });

      it('serves a large report, kept in the gzip it came in, as its XML text', async () => {
        const xml = aggregateXml({ reportId: 'a-big', domain: 'a.example', records: 50 });
        const ingested = await ingestMessage(h.store, gzipSync(xml), 'big.xml.gz', 'big.xml.gz', {
          streamAbove: 0,
        });
        const id = ingested.reports[0]!.id;
        expect((await h.store.getRawReport(id))?.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
        const raw = await (await as('alice')).get(`/api/reports/${id}/raw`);
        expect(raw.statusCode).toBe(200);
        expect(raw.headers['content-type']).toMatch(/^text\/plain/);
        expect(raw.body).toBe(xml);
      });

      it('shows admins the quarantine, its bytes, and reads it again; nobody else', async () => {
        const mail = Buffer.from(reportMail({ reportId: 'q-1', domain: 'a.example' }));
        const kept = await h.store.quarantine(
          mail,
          { description: '/mail/q-1.eml' },
          { code: 'xml-not-well-formed', message: 'an older parser gave up' },
        );
        const bad = await h.store.quarantine(
          Buffer.from('<feedback><oops></feedback>'),
          { description: 'bad.xml' },
          { code: 'xml-not-well-formed', message: 'not well-formed' },
        );
        const alice = await as('alice');
        for (const [method, url] of [
          ['GET', '/api/quarantine'],
          ['GET', `/api/quarantine/${kept.id}/raw`],
          ['POST', '/api/quarantine/retry'],
        ] as const) {
          expect((await alice.request(method, url, method === 'POST' ? {} : undefined)).statusCode, url).toBe(
            403,
          );
        }
        const root = await as('root');
        const listed = (await root.get('/api/quarantine')).json().entries;
        expect(listed.map((e: { source: string }) => e.source)).toEqual(
          expect.arrayContaining(['/mail/q-1.eml', 'bad.xml']),
        );
        // The reason in the caller's language, from the codes and values kept with it.
        const where = 'x.zip > entry a.xml';
        const said = await h.store.quarantine(
          Buffer.from('x'),
          { description: 'x.zip' },
          {
            code: 'empty-input',
            message: `${where}: The input is empty.`,
            details: {
              failures: [{ kind: 'report', code: 'empty-input', args: {}, provenance: where, source: where }],
              more: 2,
            },
          },
        );
        const inJapanese = (
          await root.request('GET', '/api/quarantine', undefined, { headers: { 'accept-language': 'ja' } })
        ).json().entries;
        const entry = inJapanese.find((e: { id: number }) => e.id === said.id);
        expect(entry.errorMessage).toBe('x.zip > zip 内 a.xml: 入力が空です。; ほか 2 件');
        expect(entry).not.toHaveProperty('errorDetails');
        expect(
          (await root.get('/api/quarantine')).json().entries.find((e: { id: number }) => e.id === said.id)
            .errorMessage,
        ).toBe('x.zip > entry a.xml: The input is empty.; and 2 more');
        await h.store.releaseQuarantined({ id: said.id, times: 1 });
        const raw = await root.get(`/api/quarantine/${kept.id}/raw`);
        expect(raw.headers['content-type']).toBe('application/octet-stream');
        expect(raw.headers['content-disposition']).toMatch(/^attachment/);
        expect(raw.rawPayload.equals(mail)).toBe(true);
        expect((await root.get('/api/quarantine/987654/raw')).statusCode).toBe(404);
        const retry = await root.request('POST', '/api/quarantine/retry', { ids: [kept.id, bad.id] });
        expect(retry.statusCode).toBe(200);
        expect(retry.json()).toMatchObject({
          retried: 2,
          released: 1,
          reports: 1,
          failed: [{ source: 'bad.xml' }],
        });
        const entries = (await root.get('/api/quarantine')).json().entries;
        const left = entries.map((e: { id: number }) => e.id);
        expect(left).toContain(bad.id);
        expect(left).not.toContain(kept.id);
        // Today's reason, without the entry's own source in front (it is given beside it).
        const badNow = entries.find((e: { id: number }) => e.id === bad.id);
        expect(badNow.errorMessage).toMatch(/^[A-Z]/);
        expect(badNow.errorMessage).not.toContain('bad.xml:');
        expect((await alice.get('/api/reports?q=q-1')).json().total).toBe(1);
        const audit = (await root.get('/api/audit')).json().entries;
        expect(audit[0]).toMatchObject({ action: 'quarantine-retry', username: 'root' });
      });

      it('answers 404 the same for a report that does not exist', async () => {
        const alice = await as('alice');
        const missing = await alice.get('/api/reports/987654');
        const hidden = await alice.get(`/api/reports/${h.reports.b}`);
        expect(missing.statusCode).toBe(404);
        expect(hidden.json().error.code).toBe(missing.json().error.code);
      });

      it('lets a viewer change nothing, an analyst upload but not manage accounts', async () => {
        const victor = await as('victor');
        const upload = multipart([
          { name: 'a.xml', content: aggregateXml({ reportId: 'viewer', domain: 'a.example' }) },
        ]);
        expect((await victor.request('POST', '/api/uploads', undefined, upload)).statusCode).toBe(403);
        expect((await victor.request('POST', '/api/tokens', { name: 'x' })).statusCode).toBe(403);
        expect((await victor.get('/api/users')).statusCode).toBe(403);
        const alice = await as('alice');
        for (const [method, url, body] of [
          ['GET', '/api/users', undefined],
          ['POST', '/api/users', { username: 'eve', role: 'admin', password: PASSWORD }],
          ['DELETE', `/api/users/${h.users.admin.id}`, undefined],
          ['PATCH', `/api/users/${h.users.alice.id}`, { role: 'admin' }],
          ['GET', '/api/imap-sources', undefined],
          ['POST', '/api/imap-sources', { url: 'imaps://u@imap.example/INBOX' }],
          ['PATCH', '/api/imap-sources/1', { archive: 'Done' }],
          ['GET', '/api/audit', undefined],
          ['POST', '/api/inventory/domains', { domain: 'b.example' }],
        ] as const) {
          const response = await alice.request(method, url, body);
          expect(response.statusCode, `${method} ${url}`).toBe(403);
          expect(response.json().error.code).toBe('forbidden');
        }
      });
    });

    describe('analysis of a domain', () => {
      const PARTS = [
        'summary',
        'senders',
        'senders/192.0.2.1',
        'subdomains',
        'reporters',
        'simulate?policy=reject',
      ];

      it('answers each analysis route for a domain in scope, 404 for one outside', async () => {
        const alice = await as('alice');
        for (const part of PARTS) {
          const mine = await alice.get(`/api/domains/a.example/${part}`);
          expect(mine.statusCode, `${part}: ${mine.body}`).toBe(200);
          const theirs = await alice.get(`/api/domains/b.example/${part}`);
          expect(theirs.statusCode, part).toBe(404);
          expect(theirs.body).not.toContain('192.0.2.1');
        }
        const summary = (await alice.get('/api/domains/a.example/summary?since=7d')).json();
        expect(summary.days).toHaveLength(7);
        expect(summary.totals.messages).toBeGreaterThan(0);
        const senders = (await alice.get('/api/domains/a.example/senders')).json();
        expect(senders.senders.map((x: { ip: string }) => x.ip)).toContain('192.0.2.1');
      });

      it('answers from the cache until a new report arrives', async () => {
        const alice = await as('alice');
        const before = (await alice.get('/api/domains/a.example/summary')).json().totals.messages;
        expect((await alice.get('/api/domains/a.example/summary')).json().totals.messages).toBe(before);
        // Stored by another process (sumi ingest): only the store knows.
        await h.store.insertAggregateReport(
          {
            ...header({ domain: 'a.example', reportId: 'cache-1', begin: h.clock.now - (h.clock.now % DAY) }),
            records: [record({ count: 5 })],
          },
          Buffer.from('cache-1'),
          { description: 'test cache-1' },
        );
        // The store is looked at again once ANALYSIS_VERSION_MS have passed.
        h.clock.now += 1;
        expect((await alice.get('/api/domains/a.example/summary')).json().totals.messages).toBe(before + 5);
      });

      it('sends large answers gzipped to clients that take it', async () => {
        const root = await as('root');
        // Enough senders for the answer to pass GZIP_ABOVE_CHARS.
        const records = Array.from({ length: 300 }, (_, i) =>
          record({ sourceIp: `198.51.100.${i % 250}`, headerFrom: `s${i}.a.example` }),
        );
        await h.store.insertAggregateReport(
          {
            ...header({ domain: 'a.example', reportId: 'gzip-1', begin: h.clock.now - (h.clock.now % DAY) }),
            records,
          },
          Buffer.from('gzip-1'),
          { description: 'test gzip-1' },
        );
        h.clock.now += 1;
        const plain = await root.get('/api/domains/a.example/subdomains');
        expect(plain.body.length).toBeGreaterThan(GZIP_ABOVE_CHARS);
        const zipped = await root.request('GET', '/api/domains/a.example/subdomains', undefined, {
          headers: { 'accept-encoding': 'gzip, deflate, br' },
        });
        expect(zipped.headers['content-encoding']).toBe('gzip');
        expect(gunzipSync(zipped.rawPayload).toString('utf8')).toBe(plain.body);
      });

      it('refuses bad periods, policies and IP addresses with 400', async () => {
        const alice = await as('alice');
        for (const url of [
          '/api/domains/a.example/tls?since=yesterday',
          '/api/domains/a.example/simulate?policy=drop',
          '/api/domains/a.example/simulate?pct=101',
          '/api/domains/a.example/senders/not-an-ip',
        ]) {
          expect((await alice.get(url)).statusCode, url).toBe(400);
        }
        expect((await alice.get('/api/domains/a.example/senders/203.0.113.99')).statusCode).toBe(404);
      });

      it('lets an analyst mark a sender, not a viewer', async () => {
        const alice = await as('alice');
        const url = '/api/domains/a.example/senders/192.0.2.1/mark';
        const marked = await alice.request('POST', url, { mark: 'authorised', note: '<b>our MTA</b>' });
        expect(marked.statusCode, marked.body).toBe(200);
        const sender = (await alice.get('/api/domains/a.example/senders/192.0.2.1')).json().sender;
        expect(sender.mark).toMatchObject({ mark: 'authorised', note: '<b>our MTA</b>' });
        const victor = await as('victor');
        expect((await victor.request('POST', url, { mark: 'suspicious' })).statusCode).toBe(403);
        expect(
          (
            await alice.request('POST', '/api/domains/b.example/senders/192.0.2.1/mark', {
              mark: 'suspicious',
            })
          ).statusCode,
        ).toBe(404);
        expect((await alice.request('DELETE', url)).statusCode).toBe(200);
        expect((await alice.request('DELETE', url)).statusCode).toBe(404);
      });
    });

    describe('surveys', () => {
      it('lists stored scans and shows one, only to callers who see every domain', async () => {
        const scan = await createScan(h.store, {
          name: 'jp-2026-11',
          list: 'domains.csv',
          options: {
            categories: 'jp',
            organisationRule: 'any',
            resolverLabel: 'system',
            timeoutMs: 2000,
            qps: 0,
            concurrency: 64,
            retryPasses: 2,
            retryDelayMs: 1000,
          },
        });
        await finishScan(h.store, scan.id);
        const root = await as('root');
        const list = (await root.get('/api/surveys')).json().surveys;
        expect(list).toContainEqual(
          expect.objectContaining({ id: scan.id, name: 'jp-2026-11', status: 'finished' }),
        );
        const one = await root.get(`/api/surveys/${scan.id}`);
        expect(one.statusCode, one.body).toBe(200);
        expect(one.json().scan.name).toBe('jp-2026-11');
        const alice = await as('alice');
        expect((await alice.get('/api/surveys')).json().surveys).toEqual([]);
        expect((await alice.get(`/api/surveys/${scan.id}`)).statusCode).toBe(404);
      });
    });

    describe('untrusted input', () => {
      it("says what is wrong with a request in the reader's language", async () => {
        const root = await as('root');
        const ask = async (url: string, lang: string) =>
          (await root.get(`${url}${url.includes('?') ? '&' : '?'}lang=${lang}`)).json().error
            .message as string;
        expect(await ask('/api/domains/a.example/tls?since=yesterday', 'en')).toBe(
          'Bad request: query.since: a number of days such as 30d',
        );
        expect(await ask('/api/domains/a.example/tls?since=yesterday', 'ja')).toBe(
          'リクエストが正しくありません: query.since: 30d のような日数',
        );
        expect(await ask('/api/domains/a.example/tls?since=9999d', 'ja')).toContain('1d から 3650d まで');
        // zod's own words: in Japanese from its Japanese locale, where they were English.
        const limit = await ask('/api/reports?limit=-1', 'ja');
        expect(limit).toMatch(/^リクエストが正しくありません: query\.limit: /);
        expect(limit).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/u);
      });

      it('refuses sort and order values outside the list, and binds filters (no SQL injection)', async () => {
        const root = await as('root');
        for (const url of [
          '/api/reports?sort=date_begin;drop%20table%20reports',
          '/api/reports?sort=reports.id',
          '/api/reports?order=asc;--',
          '/api/reports?limit=1;delete%20from%20users',
        ]) {
          const response = await root.get(url);
          expect(response.statusCode, url).toBe(400);
          expect(response.json().error.code).toBe('bad-request');
        }
        for (const url of [
          "/api/reports?domain=a.example'%20or%20'1'='1",
          "/api/reports?q='%20or%201=1%20--",
          '/api/reports?q=%25',
          '/api/reports?q=_',
          "/api/failure-reports?domain='%20or%20''='",
        ]) {
          const response = await root.get(url);
          expect(response.statusCode, url).toBe(200);
          expect(response.json().total, url).toBe(0);
        }
        const alice = await as('alice');
        expect((await alice.get("/api/reports?q=%25'%20or%20policy_domain='b.example")).json().total).toBe(0);
        expect((await root.get('/api/reports?limit=1000')).json().total).toBeGreaterThanOrEqual(3);
      });

      it('keeps to the limits on search text and files per upload', async () => {
        const root = await as('root');
        expect((await root.get(`/api/reports?q=${'x'.repeat(SEARCH_MAX_LENGTH)}`)).statusCode).toBe(200);
        expect((await root.get(`/api/reports?q=${'x'.repeat(SEARCH_MAX_LENGTH + 1)}`)).statusCode).toBe(400);
        const files = Array.from({ length: UPLOAD_MAX_FILES + 1 }, (_, i) => ({
          name: `r${i}.xml`,
          content: '<x/>',
        }));
        const response = await root.request('POST', '/api/uploads', undefined, multipart(files));
        expect(response.statusCode).toBe(413);
      });

      it('sorts and pages by each listed column', async () => {
        const root = await as('root');
        for (const sort of ['begin', 'end', 'domain', 'org', 'messages', 'records', 'ingested', 'id']) {
          for (const order of ['asc', 'desc']) {
            const response = await root.get(`/api/reports?sort=${sort}&order=${order}&limit=2&offset=1`);
            expect(response.statusCode, `${sort} ${order}`).toBe(200);
            expect(response.json().reports.length).toBeLessThanOrEqual(2);
          }
        }
        const byDomain = (await root.get('/api/reports?sort=domain&order=asc&limit=1000')).json().reports;
        const names = byDomain.map((r: { policyDomain: string }) => r.policyDomain);
        expect(names).toEqual([...names].sort());
      });

      it('gives report text holding HTML back as JSON text', async () => {
        const alice = await as('alice');
        const list = await alice.get('/api/reports?domain=a.example&sort=org&order=asc');
        expect(list.headers['content-type']).toMatch(/^application\/json/);
        expect(list.json().reports.map((r: { orgName: string }) => r.orgName)).toContain(
          '<script>alert(1)</script>',
        );
        const detail = await alice.get(`/api/reports/${h.reports.script}`);
        expect(detail.headers['content-type']).toMatch(/^application\/json/);
        expect(detail.json().reporter.orgName).toBe('<script>alert(1)</script>');
        expect(detail.headers['x-content-type-options']).toBe('nosniff');
        const raw = await alice.get(`/api/reports/${h.reports.script}/raw`);
        expect(raw.headers['content-type']).toMatch(/^text\/plain/);
        expect(raw.headers['content-security-policy']).toContain('sandbox');
      });

      it('serves the built web app, falls back to index.html, and never serves files outside it', async () => {
        const page = await h.app.inject({ method: 'GET', url: '/' });
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain('<div id="app">');
        expect(page.headers['content-security-policy']).toContain("default-src 'self'");
        expect((await h.app.inject({ method: 'GET', url: '/assets/app.js' })).body).toContain('sumi');
        expect((await h.app.inject({ method: 'GET', url: '/domains/a.example' })).body).toContain(
          '<div id="app">',
        );
        for (const url of [
          '/../package.json',
          '/%2e%2e/package.json',
          '/assets/..%2f..%2fpackage.json',
          '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
          '/..%5c..%5cpackage.json',
          '/%252e%252e/package.json',
          '/assets/../../../../etc/passwd',
        ]) {
          const response = await h.app.inject({ method: 'GET', url });
          expect(response.body, url).not.toContain('"devDependencies"');
          expect(response.body, url).not.toContain('root:');
        }
        const api = await h.app.inject({ method: 'GET', url: '/api/nothing-here' });
        expect(api.statusCode).toBe(404);
        expect(api.json().error.code).toBe('not-found');
      });

      it('says to build the web app when dist/web is absent', async () => {
        const { buildServer } = await import('../../src/server/app.ts');
        const app = await buildServer({
          store: h.store,
          webRoot: '/nonexistent-sumi-web',
          checkSession: () => Promise.reject(new Error('not used')),
        });
        const page = await app.inject({ method: 'GET', url: '/' });
        expect(page.body).toContain('npm run build:web');
        await app.close();
      });
    });

    describe('routes', () => {
      it('lists domains with policy, volume, pass rate, trend and next step', async () => {
        const alice = await as('alice');
        const [a] = (await alice.get('/api/domains?since=7d')).json().domains;
        expect(a).toMatchObject({
          domain: 'a.example',
          policy: { p: 'quarantine', sp: 'none', pct: 100 },
          passRate: 1,
          next: { code: 'reject' },
        });
        expect(a.messages).toBeGreaterThanOrEqual(2);
        // The days with mail, oldest first.
        expect(a.trend.length).toBeGreaterThanOrEqual(1);
        expect(a.trend.every((d: { messages: number }) => d.messages > 0)).toBe(true);
        expect(a.trend.map((d: { day: string }) => d.day)).toEqual(
          a.trend.map((d: { day: string }) => d.day).sort(),
        );
        expect(a.trend.reduce((s: number, d: { messages: number }) => s + d.messages, 0)).toBe(a.messages);
        expect((await alice.get('/api/domains?since=forever')).statusCode).toBe(400);
      });

      it('checks a domain live', async () => {
        const alice = await as('alice');
        const response = await alice.get('/api/domains/a.example/check');
        expect(response.statusCode).toBe(200);
        expect(response.json()).toMatchObject({
          domain: 'a.example',
          protocols: { dmarc: { status: 'ok' } },
        });
      });

      it('ingests an upload as sumi ingest does, and refuses files of other kinds', async () => {
        const alice = await as('alice');
        const upload = multipart([
          {
            name: 'report.xml',
            content: aggregateXml({ reportId: 'upload-1', domain: 'a.example', records: 3 }),
          },
          { name: 'junk.eml', content: 'Subject: hello\r\n\r\nnot a report\r\n' },
        ]);
        const response = await alice.request('POST', '/api/uploads', undefined, upload);
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json()).toMatchObject({
          reports: 1,
          duplicates: 0,
          records: 3,
          messages: 6,
          failure_reports: 0,
          tls_reports: 0,
          failed: [
            {
              source: expect.stringContaining('junk.eml'),
              code: expect.any(String),
              error: expect.any(String),
            },
          ],
        });
        const again = await alice.request('POST', '/api/uploads', undefined, upload);
        expect(again.json().duplicates).toBe(1);
        const list = await alice.get('/api/reports?q=upload-1');
        expect(list.json().total).toBe(1);
        const bad = await alice.request(
          'POST',
          '/api/uploads',
          undefined,
          multipart([{ name: 'x.exe', content: 'MZ' }]),
        );
        expect(bad.statusCode).toBe(400);
        expect(bad.json().error.code).toBe('bad-upload');
        const none = await alice.request('POST', '/api/uploads', { not: 'multipart' });
        expect(none.statusCode).toBe(415);
      });

      it("refuses an upload for a domain outside the uploader's scope, storing nothing of it", async () => {
        const alice = await as('alice');
        const upload = multipart([
          { name: 'theirs.xml', content: aggregateXml({ reportId: 'planted', domain: 'b.example' }) },
          { name: 'mine.xml', content: aggregateXml({ reportId: 'mine-2', domain: 'a.example' }) },
        ]);
        const response = await alice.request('POST', '/api/uploads', undefined, upload);
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json()).toMatchObject({
          reports: 1,
          failed: [{ source: expect.stringContaining('theirs.xml'), code: 'out-of-scope' }],
        });
        const root = await as('root');
        expect((await root.get('/api/reports?q=planted')).json().total).toBe(0);
        expect((await root.get('/api/reports?q=mine-2')).json().total).toBe(1);
      });

      it('stops reading a large streamed report refused for its domain', async () => {
        const alice = await as('alice');
        // Larger than UNPACK_STREAM_ABOVE_BYTES decompressed: parsed while it is decompressed.
        const big = aggregateGz({ reportId: 'big-planted', domain: 'b.example', records: 15_000 });
        const response = await alice.request(
          'POST',
          '/api/uploads',
          undefined,
          multipart([{ name: 'big.xml.gz', content: big }]),
        );
        expect(response.json()).toMatchObject({ reports: 0, failed: [{ code: 'out-of-scope' }] });
      });

      it('manages users: setup link, roles, domain access, last admin kept', async () => {
        const root = await as('root');
        const created = await root.request('POST', '/api/users', {
          username: 'carol',
          role: 'viewer',
          domains: ['a.example'],
        });
        expect(created.statusCode, created.body).toBe(200);
        const { user, setupUrl } = created.json();
        expect(user).toMatchObject({
          username: 'carol',
          role: 'viewer',
          domains: ['a.example'],
          allDomains: false,
        });
        expect(setupUrl).toMatch(/^http:\/\/127\.0\.0\.1:8080\/setup\?token=/);
        const token = new URL(setupUrl).searchParams.get('token')!;
        const form = await h.app.inject({ method: 'GET', url: `/setup?token=${token}` });
        expect(form.body).toContain('name="password"');
        const set = await h.app.inject({
          method: 'POST',
          url: '/api/auth/setup',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ token, password: 'carol password 1' }).toString(),
        });
        expect(set.statusCode).toBe(303);
        expect(set.cookies.find((c) => c.name === 'sumi_session')).toBeDefined();
        const reused = await h.app.inject({
          method: 'POST',
          url: '/api/auth/setup',
          payload: { token, password: 'another password' },
        });
        expect(reused.statusCode).toBe(400);
        expect(reused.json().error.code).toBe('setup-link-invalid');
        const carol = new Client(h.app);
        expect((await carol.login('carol', 'carol password 1')).statusCode).toBe(200);

        expect(
          (await root.request('POST', '/api/users', { username: 'carol', role: 'viewer' })).statusCode,
        ).toBe(409);
        expect((await root.request('POST', '/api/users', { username: 'x', role: 'owner' })).statusCode).toBe(
          400,
        );
        expect(
          (
            await root.request('POST', '/api/users', { username: 'short', role: 'viewer', password: 'short' })
          ).json().error.code,
        ).toBe('bad-password');
        const users = (await root.get('/api/users'))
          .json()
          .users.map((u: { username: string }) => u.username);
        expect(users).toEqual(expect.arrayContaining(['root', 'alice', 'carol']));

        // Changed in place: her session sees the new domains and role at its next request.
        const domainsOf = async () =>
          (await carol.get('/api/domains')).json().domains.map((d: { domain: string }) => d.domain);
        expect(await domainsOf()).toEqual(['a.example']);
        const changed = await root.request('PATCH', `/api/users/${user.id}`, {
          role: 'analyst',
          domains: ['B.Example.'],
        });
        expect(changed.statusCode, changed.body).toBe(200);
        expect(changed.json().user).toMatchObject({
          username: 'carol',
          role: 'analyst',
          domains: ['b.example'],
        });
        expect(await domainsOf()).toEqual(['b.example']);
        expect((await carol.get('/api/auth/me')).json().user.role).toBe('analyst');
        // Only what is given changes; an empty list is none.
        const grouped = await root.request('PATCH', `/api/users/${user.id}`, { groups: ['clients-b'] });
        expect(grouped.json().user).toMatchObject({
          role: 'analyst',
          domains: ['b.example'],
          groups: ['clients-b'],
        });
        expect(
          (await root.request('PATCH', `/api/users/${user.id}`, { domains: [], groups: [] })).json().user,
        ).toMatchObject({ domains: [], groups: [] });
        for (const [body, status, code] of [
          [{ role: 'owner' }, 400, 'bad-request'],
          [{ domains: ['not a domain'] }, 400, 'bad-domain'],
        ] as const) {
          const refused = await root.request('PATCH', `/api/users/${user.id}`, body);
          expect(refused.statusCode, JSON.stringify(body)).toBe(status);
          expect(refused.json().error.code).toBe(code);
        }
        expect((await root.request('PATCH', '/api/users/999999', { role: 'viewer' })).statusCode).toBe(404);
        // The last admin keeps the role; with another admin, it may go.
        const demoted = await root.request('PATCH', `/api/users/${h.users.admin.id}`, { role: 'viewer' });
        expect(demoted.statusCode).toBe(409);
        expect(demoted.json().error.code).toBe('last-admin');
        expect((await root.get('/api/auth/me')).json().user.role).toBe('admin');
        const { entries } = (await root.get('/api/audit?limit=500')).json();
        expect(entries).toContainEqual(expect.objectContaining({ action: 'user.update', target: 'carol' }));

        expect((await root.request('DELETE', `/api/users/${user.id}`)).statusCode).toBe(200);
        expect((await carol.get('/api/auth/me')).statusCode).toBe(401);
        expect((await root.request('DELETE', `/api/users/${h.users.admin.id}`)).json().error.code).toBe(
          'last-admin',
        );
      });

      it('manages the inventory, with groups giving access', async () => {
        const root = await as('root');
        const added = await root.request('POST', '/api/inventory/domains', {
          domain: 'C.Example.',
          note: 'client C',
          groups: ['clients-b'],
        });
        expect(added.statusCode, added.body).toBe(200);
        expect(
          (await root.request('POST', '/api/inventory/domains', { domain: 'not a domain' })).statusCode,
        ).toBe(400);
        const list = (await root.get('/api/inventory/domains')).json().domains;
        expect(list).toContainEqual(
          expect.objectContaining({ domain: 'c.example', note: 'client C', groups: ['clients-b'] }),
        );
        const bob = await as('bob');
        const seen = (await bob.get('/api/domains')).json().domains.map((d: { domain: string }) => d.domain);
        expect(seen).toEqual(['b.example', 'c.example']);
        expect(
          (await bob.get('/api/inventory/domains')).json().domains.map((d: { domain: string }) => d.domain),
        ).toEqual(['c.example']);
        expect((await root.request('DELETE', '/api/inventory/domains/c.example')).statusCode).toBe(200);
        expect((await root.request('DELETE', '/api/inventory/domains/c.example')).statusCode).toBe(404);
      });

      it('manages IMAP sources without keeping passwords', async () => {
        const root = await as('root');
        const withPassword = await root.request('POST', '/api/imap-sources', {
          url: 'imaps://u:secret@imap.example/INBOX',
        });
        expect(withPassword.statusCode).toBe(400);
        const intoItself = await root.request('POST', '/api/imap-sources', {
          url: 'imaps://dmarc@imap.example/INBOX',
          archive: 'inbox',
        });
        expect(intoItself.statusCode).toBe(400);
        expect(intoItself.body).toContain(
          'archive: inbox is the folder read: mail moved there would be read',
        );
        const added = await root.request('POST', '/api/imap-sources', {
          url: 'imaps://dmarc@imap.example/INBOX',
          passwordEnv: 'SUMI_DMARC_IMAP_PASSWORD',
        });
        expect(added.statusCode, added.body).toBe(200);
        const { sources } = (await root.get('/api/imap-sources')).json();
        expect(sources).toContainEqual(
          expect.objectContaining({
            url: 'imaps://dmarc@imap.example/INBOX',
            passwordEnv: 'SUMI_DMARC_IMAP_PASSWORD',
            leaveOtherMail: false,
          }),
        );
        const shared = await root.request('POST', '/api/imap-sources', {
          url: 'imaps://admin@imap.example/INBOX',
          leaveOtherMail: true,
        });
        expect(shared.statusCode, shared.body).toBe(200);
        expect((await root.get('/api/imap-sources')).json().sources).toContainEqual(
          expect.objectContaining({ url: 'imaps://admin@imap.example/INBOX', leaveOtherMail: true }),
        );
        // A mailbox is one source.
        const again = await root.request('POST', '/api/imap-sources', {
          url: 'imaps://admin@imap.example/INBOX',
        });
        expect(again.statusCode).toBe(409);
        expect(again.json().error).toMatchObject({ code: 'source-taken' });
        expect(again.json().error.message).toContain('imaps://admin@imap.example/INBOX');
        // The same folder written otherwise is the same source.
        for (const url of [
          'IMAPS://admin@IMAP.example/inbox/',
          'imaps://admin@imap.example:993/%49NBOX;UIDVALIDITY=1',
        ]) {
          const same = await root.request('POST', '/api/imap-sources', { url });
          expect(same.statusCode, url).toBe(409);
        }

        // Changed in place: only the fields given.
        const id = shared.json().id;
        const changed = await root.request('PATCH', `/api/imap-sources/${id}`, {
          url: 'imaps://admin@imap.example/Reports',
          archive: 'Reports/Done',
          leaveOtherMail: false,
        });
        expect(changed.statusCode, changed.body).toBe(200);
        expect((await root.get('/api/imap-sources')).json().sources).toContainEqual(
          expect.objectContaining({
            id,
            url: 'imaps://admin@imap.example/Reports',
            passwordEnv: 'SUMI_IMAP_PASSWORD',
            archive: 'Reports/Done',
            leaveOtherMail: false,
          }),
        );
        for (const [body, code] of [
          [{ url: 'imaps://u:secret@imap.example/INBOX' }, 'bad-request'],
          [{ url: 'http://imap.example/' }, 'bad-request'],
          [{ passwordEnv: 'not a name' }, 'bad-request'],
          [{ archive: '' }, 'bad-request'],
          // The archive folder the folder read: its mail would come back as new for ever.
          [{ archive: 'Reports' }, 'bad-request'],
          [{ url: 'imaps://dmarc@imap.example/INBOX' }, 'source-taken'],
        ] as const) {
          const refused = await root.request('PATCH', `/api/imap-sources/${id}`, body);
          expect(refused.statusCode, JSON.stringify(body)).toBe(code === 'source-taken' ? 409 : 400);
          expect(refused.json().error.code).toBe(code);
        }
        expect((await root.request('PATCH', '/api/imap-sources/999999', { archive: 'X' })).statusCode).toBe(
          404,
        );
        // Its own URL again is no conflict; nothing given changes nothing.
        expect(
          (
            await root.request('PATCH', `/api/imap-sources/${id}`, {
              url: 'imaps://admin@imap.example/Reports',
            })
          ).statusCode,
        ).toBe(200);
        expect((await root.request('PATCH', `/api/imap-sources/${id}`, {})).statusCode).toBe(200);
        const { entries } = (await root.get('/api/audit?limit=500')).json();
        expect(entries).toContainEqual(
          expect.objectContaining({ action: 'imap.update', target: String(id) }),
        );

        expect((await root.request('DELETE', `/api/imap-sources/${id}`)).statusCode).toBe(200);
        expect((await root.request('DELETE', `/api/imap-sources/${added.json().id}`)).statusCode).toBe(200);
      });

      it("says why a mailbox source is refused in the reader's language", async () => {
        const root = await as('root');
        const app = { clientId: '00000000-1111-2222-3333-444444444444', secretEnv: 'SUMI_GRAPH_SECRET' };
        for (const [body, ja] of [
          [
            { url: 'imaps://dmarc@imap.example/INBOX', archive: 'inbox' },
            'archive: inbox は読み取るフォルダーそのものです',
          ],
          [
            { url: 'imaps://dmarc@imap.example/INBOX', archive: 'INBOX.' },
            'archive: INBOX. は階層が「.」で終わっています',
          ],
          [{ url: 'imaps://dmarc@imap.example/INBOX', archive: ' Done' }, 'archive: " Done" の先頭か末尾'],
          [{ url: 'imaps://dmarc@imap.example/INBOX', archive: '/' }, 'archive: 名前が空です'],
          [{ url: 'imaps://u:secret@imap.example/INBOX' }, 'url: URL にパスワードを含めないでください'],
          [{ url: 'http://imap.example/' }, 'url: http://imap.example/: imaps://user@host/FOLDER、graph://'],
          [{ url: 'imap:///INBOX' }, 'url: imap:///INBOX: imap://user@host[:port]/FOLDER または'],
          [
            { url: 'gmail://me/INBOX', googleKeyEnv: 'SUMI_GOOGLE_SECRET' },
            'url: gmail://me/INBOX: サービスアカウント',
          ],
          [{ url: 'graph://dmarc@example.jp/Inbox' }, 'clientId: graph:// の取り込み元はアプリケーション'],
          [
            { url: 'graph://dmarc@example.jp/Inbox', ...app, tenant: 'not a tenant' },
            'tenant: not a tenant: テナントのドメイン名',
          ],
          [
            { url: 'graph://dmarc@example.jp/Inbox', ...app, tokenUrl: 'http://login.example/token' },
            'tokenUrl: http://login.example/token: ユーザー名を含まない https:// の URL',
          ],
        ] as const) {
          const refused = await root.request('POST', '/api/imap-sources', body, {
            headers: { 'accept-language': 'ja' },
          });
          expect(refused.statusCode, JSON.stringify(body)).toBe(400);
          expect(refused.json().error.code).toBe('bad-request');
          expect(refused.json().error.message, JSON.stringify(body)).toContain(
            `リクエストが正しくありません: ${ja}`,
          );
        }
        // A change of URL onto the folder its kept archive folder names: said in each language.
        const id = await h.accounts.addMailboxSource({
          url: 'imaps://moving@imap.example/INBOX',
          passwordEnv: 'SUMI_IMAP_PASSWORD',
          archive: 'Reports/Done',
        });
        for (const [lang, words] of [
          ['en', 'archive: Reports/Done is the folder read: mail moved there would be read again as new'],
          ['ja', 'archive: Reports/Done は読み取るフォルダーそのものです'],
        ] as const) {
          const moved = await root.request(
            'PATCH',
            `/api/imap-sources/${id}`,
            { url: 'imaps://moving@imap.example/Reports/Done' },
            { headers: { 'accept-language': lang } },
          );
          expect(moved.statusCode).toBe(400);
          expect(moved.json().error.message).toContain(words);
        }
        expect((await root.request('DELETE', `/api/imap-sources/${id}`)).statusCode).toBe(200);
      });

      it('shows what keeps a source stored before a rule from being watched, in both languages, and takes the edit that mends it', async () => {
        const root = await as('root');
        // Stored before archive names such as INBOX. were refused (95814a2).
        const id = await h.accounts.addMailboxSource({
          url: 'imaps://old@imap.example/INBOX',
          passwordEnv: 'SUMI_IMAP_PASSWORD',
          archive: 'INBOX.',
        });
        const listed = () => listedSource(root, id);
        expect((await listed()).fault).toEqual({
          field: 'archive',
          reason: {
            en: expect.stringContaining('INBOX. ends a level with "."'),
            ja: expect.stringContaining('INBOX. は階層が「.」で終わっています'),
          },
        });
        // An edit that keeps the archive says why it is refused; one that mends it is taken.
        const kept = await root.request('PATCH', `/api/imap-sources/${id}`, { leaveOtherMail: true });
        expect(kept.statusCode).toBe(400);
        expect(kept.json().error.message).toContain('archive: INBOX. ends a level with "."');
        const mended = await root.request('PATCH', `/api/imap-sources/${id}`, { archive: 'INBOX/Done' });
        expect(mended.statusCode, mended.body).toBe(200);
        expect(await listed()).toMatchObject({ archive: 'INBOX/Done', fault: null });
        expect((await root.request('DELETE', `/api/imap-sources/${id}`)).statusCode).toBe(200);
      });

      it('pauses and resumes a mailbox source, its settings kept, each in the audit log; only an admin', async () => {
        const root = await as('root');
        const added = await root.request('POST', '/api/imap-sources', {
          url: 'imaps://pause@imap.example/INBOX',
          archive: 'Done',
          leaveOtherMail: true,
        });
        expect(added.statusCode, added.body).toBe(200);
        const id: number = added.json().id;
        const listed = () => listedSource(root, id);
        const before = await listed();
        expect(before).toMatchObject({ paused: false, pausedAt: null });
        const audited = async () =>
          (await root.get('/api/audit?limit=500'))
            .json()
            .entries.filter(
              (e: { target: string; action: string }) =>
                e.target === String(id) && /^imap\.(pause|resume)$/.test(e.action),
            );

        for (const user of ['alice', 'victor']) {
          const refused = await (await as(user)).request('PATCH', `/api/imap-sources/${id}`, {
            paused: true,
          });
          expect(refused.statusCode, user).toBe(403);
        }
        h.clock.now += 60;
        const paused = await root.request('PATCH', `/api/imap-sources/${id}`, { paused: true });
        expect(paused.statusCode, paused.body).toBe(200);
        const pausedAt = h.clock.now;
        expect(await listed()).toEqual({ ...before, paused: true, pausedAt });
        // Paused again: nothing changes, nothing more is logged.
        h.clock.now += 60;
        expect((await root.request('PATCH', `/api/imap-sources/${id}`, { paused: true })).statusCode).toBe(
          200,
        );
        expect((await listed()).pausedAt).toBe(pausedAt);
        // A paused source is changed as any other, and stays paused.
        const changed = await root.request('PATCH', `/api/imap-sources/${id}`, { archive: 'Later' });
        expect(changed.statusCode, changed.body).toBe(200);
        expect(await listed()).toMatchObject({ archive: 'Later', paused: true, pausedAt });
        const resumed = await root.request('PATCH', `/api/imap-sources/${id}`, { paused: false });
        expect(resumed.statusCode, resumed.body).toBe(200);
        expect(await listed()).toEqual({ ...before, archive: 'Later' });

        const url = 'imaps://pause@imap.example/INBOX';
        expect(await audited()).toEqual([
          expect.objectContaining({ action: 'imap.resume', username: 'root', detail: { url } }),
          expect.objectContaining({ action: 'imap.pause', username: 'root', at: pausedAt, detail: { url } }),
        ]);
        expect((await root.request('DELETE', `/api/imap-sources/${id}`)).statusCode).toBe(200);
      });

      it('pauses a source kept from before a rule that refuses it as it is', async () => {
        const root = await as('root');
        const id = await h.accounts.addMailboxSource({
          url: 'imaps://noisy@imap.example/INBOX',
          passwordEnv: 'SUMI_IMAP_PASSWORD',
          archive: 'INBOX.',
        });
        const paused = await root.request('PATCH', `/api/imap-sources/${id}`, { paused: true });
        expect(paused.statusCode, paused.body).toBe(200);
        const { sources } = (await root.get('/api/imap-sources')).json();
        expect(sources.find((s: { id: number }) => s.id === id)).toMatchObject({
          archive: 'INBOX.',
          paused: true,
          fault: { field: 'archive' },
        });
        expect((await root.request('DELETE', `/api/imap-sources/${id}`)).statusCode).toBe(200);
      });

      it("answers 404 for a mailbox source removed or unknown, in the reader's language", async () => {
        const root = await as('root');
        const added = await root.request('POST', '/api/imap-sources', {
          url: 'imaps://gone@imap.example/INBOX',
        });
        const id: number = added.json().id;
        expect((await root.request('DELETE', `/api/imap-sources/${id}`)).statusCode).toBe(200);
        for (const missing of [id, 999_999])
          for (const [method, body] of [
            ['PATCH', { paused: true }],
            ['PATCH', { paused: false }],
            ['PATCH', { archive: 'Done' }],
            ['DELETE', undefined],
          ] as const) {
            const what = `${method} ${missing} ${JSON.stringify(body)}`;
            const en = await root.request(method, `/api/imap-sources/${missing}`, body);
            expect(en.statusCode, what).toBe(404);
            expect(en.json().error, what).toEqual({
              code: 'not-found',
              message: `Not found: mailbox source ${missing}.`,
            });
            const ja = await root.request(method, `/api/imap-sources/${missing}`, body, {
              headers: { 'accept-language': 'ja' },
            });
            expect(ja.json().error, what).toEqual({
              code: 'not-found',
              message: `見つかりません: メールボックス取得元 ${missing}`,
            });
          }
      });

      it('keeps Microsoft 365 sources that sign in as an application, naming only variables meant for them', async () => {
        const root = await as('root');
        const post = (body: Record<string, unknown>) => root.request('POST', '/api/imap-sources', body);
        const graph = 'graph://dmarc@example.jp/Inbox';
        const app = { clientId: '00000000-1111-2222-3333-444444444444', secretEnv: 'SUMI_GRAPH_SECRET' };
        // Refused, each with the field at fault named.
        for (const [body, field] of [
          [{ url: graph }, 'clientId'],
          [{ url: graph, clientId: app.clientId, tenant: 'contoso.onmicrosoft.com' }, 'secretEnv'],
          [{ url: graph, ...app }, 'tenant'],
          [
            {
              url: graph,
              ...app,
              tenant: 'contoso.onmicrosoft.com',
              tokenUrl: 'https://login.example/token',
            },
            'tenant',
          ],
          [{ url: graph, ...app, tenant: 'not a tenant' }, 'tenant'],
          [{ url: graph, ...app, tokenUrl: 'http://login.example/token' }, 'tokenUrl'],
          [{ url: graph, ...app, secretEnv: 'DATABASE_URL', tenant: 'contoso.onmicrosoft.com' }, 'secretEnv'],
          [{ url: 'imaps://dmarc@imap.example/INBOX', passwordEnv: 'SUMI_DB' }, 'passwordEnv'],
          [{ url: 'imaps://dmarc@imap.example/INBOX', tenant: 'contoso.onmicrosoft.com' }, 'clientId'],
          [{ url: 'graph:///Inbox', ...app, tenant: 'contoso.onmicrosoft.com' }, 'url'],
        ] as const) {
          const refused = await post(body);
          expect(refused.statusCode, JSON.stringify(body)).toBe(400);
          expect(JSON.stringify(refused.json().error), JSON.stringify(body)).toContain(field);
        }
        const added = await post({ url: graph, ...app, tenant: 'contoso.onmicrosoft.com' });
        expect(added.statusCode, added.body).toBe(200);
        const id = added.json().id;
        const listed = () => listedSource(root, id);
        expect(await listed()).toMatchObject({
          url: graph,
          ...app,
          tenant: 'contoso.onmicrosoft.com',
          tokenUrl: null,
          status: null,
        });
        // A token endpoint replaces the tenant; a graph:// source cannot go back to a password.
        const moved = await root.request('PATCH', `/api/imap-sources/${id}`, {
          tokenUrl: 'https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token',
        });
        expect(moved.statusCode, moved.body).toBe(200);
        expect(await listed()).toMatchObject({ tenant: null, tokenUrl: expect.stringContaining('.us/') });
        expect((await root.request('PATCH', `/api/imap-sources/${id}`, { clientId: null })).statusCode).toBe(
          400,
        );
        expect((await root.request('PATCH', `/api/imap-sources/${id}`, { archive: 'Done' })).statusCode).toBe(
          200,
        );
        expect(await listed()).toMatchObject({ archive: 'Done', clientId: app.clientId });
        // An IMAP source on Microsoft 365 signs in as an application too, and back with its password.
        const imap = await post({ url: 'imaps://dmarc@outlook.office365.com/INBOX' });
        const imapId = imap.json().id;
        const signed = await root.request('PATCH', `/api/imap-sources/${imapId}`, {
          ...app,
          tenant: 'contoso.onmicrosoft.com',
        });
        expect(signed.statusCode, signed.body).toBe(200);
        expect((await root.get('/api/imap-sources')).json().sources).toContainEqual(
          expect.objectContaining({ id: imapId, clientId: app.clientId, tenant: 'contoso.onmicrosoft.com' }),
        );
        expect(
          (await root.request('PATCH', `/api/imap-sources/${imapId}`, { clientId: null })).statusCode,
        ).toBe(200);
        expect((await root.get('/api/imap-sources')).json().sources).toContainEqual(
          expect.objectContaining({
            id: imapId,
            clientId: null,
            secretEnv: null,
            passwordEnv: 'SUMI_IMAP_PASSWORD',
          }),
        );
        // A Google Workspace mailbox over IMAP signs in as a service account, its key in a variable.
        const gmail = 'imaps://dmarc%40example.jp@imap.gmail.com/INBOX';
        for (const [body, field] of [
          [{ url: graph.replace('Inbox', 'Other'), googleKeyEnv: 'SUMI_GOOGLE_SECRET' }, 'googleKeyEnv'],
          [{ url: gmail, googleKeyEnv: 'SUMI_GOOGLE_SECRET', clientId: app.clientId }, 'googleKeyEnv'],
          [{ url: gmail, googleKeyEnv: 'GOOGLE_APPLICATION_CREDENTIALS' }, 'googleKeyEnv'],
        ] as const) {
          const refused = await post(body);
          expect(refused.statusCode, JSON.stringify(body)).toBe(400);
          expect(JSON.stringify(refused.json().error), JSON.stringify(body)).toContain(field);
        }
        const workspace = await post({ url: gmail, googleKeyEnv: 'SUMI_GOOGLE_SECRET' });
        expect(workspace.statusCode, workspace.body).toBe(200);
        const workspaceId = workspace.json().id;
        const listedGoogle = async () =>
          (await root.get('/api/imap-sources'))
            .json()
            .sources.find((s: { id: number }) => s.id === workspaceId);
        expect(await listedGoogle()).toMatchObject({ googleKeyEnv: 'SUMI_GOOGLE_SECRET', clientId: null });
        expect(
          (await root.request('PATCH', `/api/imap-sources/${workspaceId}`, { archive: 'Done' })).statusCode,
        ).toBe(200);
        expect(await listedGoogle()).toMatchObject({ googleKeyEnv: 'SUMI_GOOGLE_SECRET', archive: 'Done' });
        expect(
          (await root.request('PATCH', `/api/imap-sources/${workspaceId}`, { googleKeyEnv: null }))
            .statusCode,
        ).toBe(200);
        expect(await listedGoogle()).toMatchObject({ googleKeyEnv: null, clientId: null });
        // A Google Workspace mailbox through the Gmail API: a service account, nothing else.
        const api = 'gmail://dmarc@example.jp/INBOX';
        for (const [body, field] of [
          [{ url: api }, 'googleKeyEnv'],
          [
            { url: api, clientId: app.clientId, secretEnv: app.secretEnv, tenant: 'contoso.onmicrosoft.com' },
            'googleKeyEnv',
          ],
          [{ url: 'gmail://dmarc/INBOX', googleKeyEnv: 'SUMI_GOOGLE_SECRET' }, 'url'],
          [{ url: 'gmail://me/INBOX', googleKeyEnv: 'SUMI_GOOGLE_SECRET' }, 'url'],
        ] as const) {
          const refused = await post(body);
          expect(refused.statusCode, JSON.stringify(body)).toBe(400);
          expect(JSON.stringify(refused.json().error), JSON.stringify(body)).toContain(field);
        }
        const viaApi = await post({ url: api, googleKeyEnv: 'SUMI_GOOGLE_SECRET' });
        expect(viaApi.statusCode, viaApi.body).toBe(200);
        // Which service each reads, for the page's words: its URL is parsed by the server alone.
        expect(await listedSource(root, viaApi.json().id)).toMatchObject({ service: 'gmail' });
        expect(await listedGoogle()).toMatchObject({ service: 'imap' });
        // It cannot be taken back to a password: a gmail:// source has none.
        const noPassword = await root.request('PATCH', `/api/imap-sources/${viaApi.json().id}`, {
          googleKeyEnv: null,
        });
        expect(noPassword.statusCode).toBe(400);
        for (const source of [id, imapId, workspaceId, viaApi.json().id])
          expect((await root.request('DELETE', `/api/imap-sources/${source}`)).statusCode).toBe(200);
      });

      it("keeps a graph:// source's own Microsoft Graph URL, a national cloud's; refused when not https:// or for another kind of source, in the reader's language", async () => {
        const root = await as('root');
        const post = (body: Record<string, unknown>, lang = 'en') =>
          root.request('POST', '/api/imap-sources', body, { headers: { 'accept-language': lang } });
        const graph = 'graph://dmarc@example.us/Inbox';
        const app = {
          clientId: '00000000-1111-2222-3333-444444444444',
          secretEnv: 'SUMI_GRAPH_SECRET',
          tokenUrl: 'https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/token',
        };
        for (const [body, en, ja] of [
          [
            { url: graph, ...app, graphUrl: 'http://graph.microsoft.us' },
            "graphUrl: http://graph.microsoft.us: give Microsoft Graph's https:// base URL alone",
            'graphUrl: http://graph.microsoft.us: Microsoft Graph のベース URL だけを https:// で指定してください',
          ],
          [
            { url: graph, ...app, graphUrl: 'https://graph.microsoft.us/?tenant=x' },
            'graphUrl: https://graph.microsoft.us/?tenant=x: give',
            'graphUrl: https://graph.microsoft.us/?tenant=x: Microsoft Graph のベース URL',
          ],
          [
            {
              url: 'imaps://dmarc@outlook.office365.us/INBOX',
              ...app,
              graphUrl: 'https://graph.microsoft.us',
            },
            'graphUrl: only a graph:// source reaches Microsoft Graph',
            'graphUrl: Microsoft Graph に接続するのは graph:// の取り込み元だけです',
          ],
          [
            {
              url: 'gmail://dmarc@example.jp/INBOX',
              googleKeyEnv: 'SUMI_GOOGLE_SECRET',
              graphUrl: 'https://graph.microsoft.us',
            },
            'graphUrl: only a graph:// source',
            'graphUrl: Microsoft Graph に接続するのは',
          ],
        ] as const) {
          for (const [lang, words] of [
            ['en', en],
            ['ja', ja],
          ] as const) {
            const refused = await post(body, lang);
            expect(refused.statusCode, JSON.stringify(body)).toBe(400);
            expect(refused.json().error.message, JSON.stringify(body)).toContain(words);
          }
        }
        const added = await post({ url: graph, ...app, graphUrl: 'https://graph.microsoft.us' });
        expect(added.statusCode, added.body).toBe(200);
        const { id } = added.json();
        expect(await listedSource(root, id)).toMatchObject({ service: 'graph' });
        const patch = (body: Record<string, unknown>) =>
          root.request('PATCH', `/api/imap-sources/${id}`, body);
        // Listed as added, and kept through a change of another field.
        expect((await patch({ archive: 'Done' })).statusCode).toBe(200);
        expect(await listedSource(root, id)).toMatchObject({
          url: graph,
          ...app,
          archive: 'Done',
          graphUrl: 'https://graph.microsoft.us',
          fault: null,
        });
        const dod = await patch({ graphUrl: 'https://dod-graph.microsoft.us' });
        expect(dod.statusCode, dod.body).toBe(200);
        expect(await listedSource(root, id)).toMatchObject({
          graphUrl: 'https://dod-graph.microsoft.us',
          ...app,
        });
        const plain = await patch({ graphUrl: 'http://graph.microsoft.us' });
        expect(plain.statusCode).toBe(400);
        expect(plain.json().error.message).toContain('graphUrl: http://graph.microsoft.us');
        // Moved to IMAP with its Graph URL kept: refused, the field named.
        const moved = await patch({ url: 'imaps://dmarc@outlook.office365.us/INBOX' });
        expect(moved.statusCode).toBe(400);
        expect(moved.json().error.message).toContain('graphUrl: only a graph:// source');
        // null: back to the global service.
        expect((await patch({ graphUrl: null })).statusCode).toBe(200);
        expect(await listedSource(root, id)).toMatchObject({ graphUrl: null, ...app });
        // The OpenAPI document names it for adding and changing a source.
        const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
        const bodyOf = (method: 'post' | 'patch', path: string) =>
          doc.paths[path][method].requestBody.content['application/json'].schema.properties;
        expect(bodyOf('post', '/api/imap-sources')).toHaveProperty('graphUrl');
        expect(bodyOf('patch', '/api/imap-sources/{id}')).toHaveProperty('graphUrl');
        expect((await root.request('DELETE', `/api/imap-sources/${id}`)).statusCode).toBe(200);
      });

      it('keeps an audit log of logins and changes', async () => {
        const root = await as('root');
        const { entries } = (await root.get('/api/audit?limit=500')).json();
        const actions = new Set(entries.map((e: { action: string }) => e.action));
        for (const action of [
          'login',
          'login.failed',
          'login.locked',
          'upload',
          'user.add',
          'token.create',
          'imap.add',
        ]) {
          expect(actions, action).toContain(action);
        }
      });

      it('documents every route in the OpenAPI document', async () => {
        const response = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
        const doc = response.json();
        expect(doc.openapi).toBe('3.1.0');
        for (const path of [
          '/api/auth/login',
          '/api/auth/logout',
          '/api/auth/me',
          '/api/auth/password',
          '/api/domains',
          '/api/domains/{domain}/check',
          '/api/domains/{domain}/summary',
          '/api/domains/{domain}/senders',
          '/api/domains/{domain}/senders/{ip}',
          '/api/domains/{domain}/subdomains',
          '/api/domains/{domain}/reporters',
          '/api/domains/{domain}/simulate',
          '/api/domains/{domain}/plan',
          '/api/reports',
          '/api/reports/{id}',
          '/api/reports/{id}/raw',
          '/api/reports/{id}/copies/{copy}/raw',
          '/api/failure-reports',
          '/api/failure-reports/{id}',
          '/api/failure-reports/{id}/raw',
          '/api/uploads',
          '/api/quarantine',
          '/api/quarantine/{id}/raw',
          '/api/quarantine/retry',
          '/api/inventory/domains',
          '/api/users',
          '/api/tokens',
          '/api/imap-sources',
          '/api/audit',
          '/api/surveys',
          '/api/surveys/{id}',
        ]) {
          expect(doc.paths, path).toHaveProperty([path]);
        }
        const sort = doc.paths['/api/reports'].get.parameters.find(
          (p: { name: string }) => p.name === 'sort',
        );
        expect(sort.schema.enum).toContain('begin');
      });
    });
  });
}
