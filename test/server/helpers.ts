/**
 * A server on a fresh store (per engine) with users of every role and reports for two client
 * domains, and a client that keeps its cookie and CSRF token like a browser tab.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { Accounts, type User } from '../../src/auth/accounts.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import { AnalysisCache } from '../../src/server/analysis-cache.ts';
import { buildServer } from '../../src/server/app.ts';
import type { Store } from '../../src/store/types.ts';
import { fakeFetcher } from '../fixtures/mta-sts/fake-fetcher.ts';
import { DAY, type engines, failureReport, freshStore, header, record } from '../store/helpers.ts';

export const PASSWORD = 'correct horse battery';

const ZONE = `
a.example. TXT "v=spf1 -all"
_dmarc.a.example. TXT "v=DMARC1; p=none; rua=mailto:dmarc@a.example"
b.example. TXT "v=spf1 -all"
`;

export interface Harness {
  app: FastifyInstance;
  store: Store;
  accounts: Accounts;
  clock: { now: number };
  users: { admin: User; alice: User; victor: User; bob: User };
  /** Aggregate report ids by domain; failure report ids by domain. */
  reports: { a: number; b: number; script: number };
  failures: { a: number; b: number };
  webRoot: string;
}

export async function harness(store: Store): Promise<Harness> {
  const clock = { now: Math.floor(Date.now() / 1000) };
  const accounts = new Accounts(store.db, () => clock.now);
  const webRoot = mkdtempSync(path.join(tmpdir(), 'sumi-web-'));
  mkdirSync(path.join(webRoot, 'assets'));
  writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Sumi</title><div id="app"></div>');
  writeFileSync(path.join(webRoot, 'assets', 'app.js'), 'console.log("sumi")');
  const app = await buildServer({
    store,
    accounts,
    // On the test's clock: the store is looked at again only when a test moves it.
    analysisCache: new AnalysisCache(store, () => clock.now * 1000),
    webRoot,
    baseUrl: 'http://127.0.0.1:8080',
    checkSession: async () => ({
      context: { resolver: new ZoneResolver(Zone.parse(ZONE)), fetcher: fakeFetcher(), options: {} },
      close: () => {},
    }),
  });
  const admin = await accounts.createUser({ username: 'root', password: PASSWORD, role: 'admin' });
  const alice = await accounts.createUser({
    username: 'alice',
    password: PASSWORD,
    role: 'analyst',
    domains: ['a.example'],
  });
  const victor = await accounts.createUser({
    username: 'victor',
    password: PASSWORD,
    role: 'viewer',
    domains: ['a.example'],
  });
  const bob = await accounts.createUser({
    username: 'bob',
    password: PASSWORD,
    role: 'analyst',
    groups: ['clients-b'],
  });
  await accounts.setDomainGroups('b.example', ['clients-b']);

  const begin = clock.now - (clock.now % DAY) - 2 * DAY;
  const insert = async (domain: string, reportId: string, orgName = 'Reporter Inc.') => {
    const outcome = await store.insertAggregateReport(
      { ...header({ domain, reportId, begin, orgName }), records: [record({ headerFrom: domain })] },
      Buffer.from(`<feedback><report_id>${reportId}</report_id><domain>${domain}</domain></feedback>`),
      { description: `test ${reportId}` },
    );
    return outcome.id;
  };
  const reports = {
    a: await insert('a.example', 'a-1'),
    b: await insert('b.example', 'b-1'),
    script: await insert('a.example', 'a-2', '<script>alert(1)</script>'),
  };
  const failure = async (domain: string) =>
    (
      await store.insertFailureReport(
        failureReport({ reportedDomains: [domain] }),
        Buffer.from(`failure report for ${domain}`),
        { description: `test failure ${domain}` },
      )
    ).id;
  const failures = { a: await failure('a.example'), b: await failure('b.example') };
  return { app, store, accounts, clock, users: { admin, alice, victor, bob }, reports, failures, webRoot };
}

/**
 * A harness for the tests of one engine's describe block: built before them (then `seed` runs
 * with it), closed and cleaned after them. Gives `as(name)`: that user logged in, as a browser
 * tab would be.
 */
export function useHarness(engine: (typeof engines)[number], seed: (h: Harness) => Promise<void> | void) {
  const opened: Store[] = [];
  let built: Harness | undefined;
  beforeAll(async () => {
    built = await harness(await freshStore(engine, opened));
    await seed(built);
  });
  afterAll(async () => {
    await built?.app.close();
    for (const store of opened.splice(0)) await store.close();
    if (built) rmSync(built.webRoot, { recursive: true, force: true });
    await engine.cleanup();
  });
  return async function as(username: string, password = PASSWORD): Promise<Client> {
    if (!built) throw new Error('the harness is built in beforeAll');
    const client = new Client(built.app);
    const response = await client.login(username, password);
    expect(response.statusCode, response.body).toBe(200);
    return client;
  };
}

/** A browser tab: the session cookie and the CSRF token, sent as the web app sends them. */
export class Client {
  cookie: string | undefined;
  csrf: string | undefined;
  bearer: string | undefined;

  constructor(readonly app: FastifyInstance) {}

  async login(username: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    const response = await this.request('POST', '/api/auth/login', { username, password });
    if (response.statusCode === 200) this.csrf = response.json().csrfToken;
    return response;
  }

  async request(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    extra: { headers?: Record<string, string>; csrf?: boolean; payload?: InjectOptions['payload'] } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...extra.headers };
    if (this.cookie) headers.cookie = `sumi_session=${this.cookie}`;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.csrf && method !== 'GET' && extra.csrf !== false) headers['x-csrf-token'] = this.csrf;
    const options: InjectOptions = { method, url, headers };
    if (extra.payload !== undefined) options.payload = extra.payload;
    else if (body !== undefined) options.payload = body as InjectOptions['payload'];
    const response = await this.app.inject(options);
    const session = response.cookies.find((c) => c.name === 'sumi_session');
    if (session) this.cookie = session.value || undefined;
    return response;
  }

  get(url: string) {
    return this.request('GET', url);
  }
}

/** A multipart/form-data body with files, as a browser's drag and drop sends it. */
export function multipart(files: { name: string; content: Buffer | string }[]): {
  payload: Buffer;
  headers: Record<string, string>;
} {
  const boundary = '----sumi-test-boundary';
  const parts: Buffer[] = [];
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
