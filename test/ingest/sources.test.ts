/** The stored mailbox sources `sumi serve` watches: started, stopped, restarted, with a status. */
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type MailboxSourceSpec, MailboxSources, type SourceApp } from '../../src/ingest/sources.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { createTestPki, type TestPki } from '../helpers/tls.ts';
import { until } from '../helpers/until.ts';
import {
  appendMail,
  type Dovecot,
  dovecotInstalled,
  startDovecot,
  startRelay,
  withImap,
} from './helpers/dovecot.ts';
import { MAILBOX as GMAIL_MAILBOX, MockGmail } from './helpers/gmail-mock.ts';
import { closeServer, MAILBOX, MockGraph, serveGraph } from './helpers/graph-mock.ts';
import { serveMock } from './helpers/https-mock.ts';
import { plainMail, reportMail } from './helpers/reports.ts';
import {
  googleAnswer,
  googleKey,
  jwtBearerProblem,
  serveTokenEndpoint,
  type TokenEndpoint,
} from './helpers/token-endpoint.ts';

describe.skipIf(!dovecotInstalled)(
  'MailboxSources with IMAP, against Dovecot (skipped without dovecot-imapd)',
  () => {
    let dovecot: Dovecot;
    beforeAll(async () => {
      dovecot = await startDovecot();
    });
    afterAll(async () => {
      await dovecot?.stop();
    });

    const source = (id: number, user: string, passwordEnv = 'SUMI_LAB_PASSWORD'): MailboxSourceSpec => ({
      id,
      url: `imap://${encodeURIComponent(user)}@127.0.0.1:${dovecot.port}/INBOX`,
      passwordEnv,
      archive: 'Sumi/Processed',
      leaveOtherMail: false,
      app: null,
    });
    const append = (user: string, mail: string) => appendMail(dovecot, { user }, mail);
    /** The sources `list` gives watched (with the lab's password), closed when the test ends. */
    const watching = async (store: Store, list: () => MailboxSourceSpec[]) => {
      const sources = new MailboxSources({
        store,
        list: async () => list(),
        env: { SUMI_LAB_PASSWORD: dovecot.password, LAB_PASSWORD: dovecot.password },
        imap: { starttls: 'off', reconnect: { minMs: 100, maxMs: 400 } },
      });
      onTestFinished(() => sources.close());
      await sources.start();
      return sources;
    };

    it('watches each stored source, stops a removed one, and says why one cannot run', async () => {
      const store = await openStore(':memory:');
      onTestFinished(() => store.close());
      let specs = [
        source(1, 'a@example.jp'),
        source(2, 'b@example.jp'),
        source(3, 'c@example.jp', 'SUMI_UNSET_PASSWORD'),
        // Set, but not a name the dashboard may use: its value would go to the mailbox's host.
        source(4, 'd@example.jp', 'LAB_PASSWORD'),
      ];
      const sources = await watching(store, () => specs);
      await until('both mailboxes are watched', () =>
        [1, 2].every((id) => sources.status().get(id)?.state === 'watching'),
      );
      expect(sources.status().get(3)).toMatchObject({
        state: 'failed',
        error: 'no IMAP password: set SUMI_UNSET_PASSWORD in the environment of sumi serve',
        problem: 'no-password',
        reason: null,
      });
      expect(sources.status().get(4)).toMatchObject({
        state: 'failed',
        error: expect.stringContaining('LAB_PASSWORD is not one a mailbox source may name'),
        problem: 'env-not-allowed',
      });
      await append('a@example.jp', reportMail({ reportId: 'src-a-1' }));
      await append('b@example.jp', reportMail({ reportId: 'src-b-1' }));
      await until('both reports are stored', async () => (await store.countReports()).reports === 2);
      await until('the counts are up to date', () => sources.status().get(1)?.reports === 1);
      expect(sources.status().get(1)?.lastReportAt).toBeTypeOf('number');

      // Source 2 is removed: mail arriving there afterwards stays in its folder.
      specs = specs.filter((s) => s.id !== 2);
      await sources.reconcile();
      expect(sources.status().has(2)).toBe(false);
      await append('b@example.jp', reportMail({ reportId: 'src-b-2' }));
      await append('a@example.jp', reportMail({ reportId: 'src-a-2' }));
      await until('the watched one is stored', async () => (await store.countReports()).reports === 3);
      const ids = (await store.listReports({ limit: 10 })).map((r) => r.reportId).sort();
      expect(ids).toEqual(['src-a-1', 'src-a-2', 'src-b-1']);
    }, 60_000);

    it('stops a paused source, ending its IDLE and logging out, and starts it again once resumed', async () => {
      const store = await openStore(':memory:');
      onTestFinished(() => store.close());
      const relay = await startRelay(dovecot.port);
      onTestFinished(() => relay.close());
      const user = 'g@example.jp';
      const watched = {
        ...source(1, user),
        url: `imap://${encodeURIComponent(user)}@127.0.0.1:${relay.port}/INBOX`,
      };
      let specs: MailboxSourceSpec[] = [watched];
      const sources = await watching(store, () => specs);
      await until('the mailbox is watched', () => sources.status().get(1)?.state === 'watching');
      await append(user, reportMail({ reportId: 'src-g-1' }));
      await until('the report is stored', async () => (await store.countReports()).reports === 1);
      await until('it idles again', () => relay.sent().at(-1)?.endsWith(' IDLE') === true);
      const logins = () => relay.sent().filter((line) => /^\S+ (LOGIN|AUTHENTICATE) /.test(line)).length;
      expect(logins()).toBe(1);

      // Paused: stopped by the time the reconciliation returns, its IDLE ended and logged out.
      const pausedAt = 1_700_000_000;
      specs = [{ ...watched, pausedAt }];
      await sources.reconcile();
      expect(sources.status().get(1)).toMatchObject({
        state: 'paused',
        since: pausedAt,
        error: null,
        problem: null,
      });
      expect(relay.sent().slice(-2)).toEqual(['DONE', expect.stringMatching(/^\S+ LOGOUT$/)]);
      const sent = relay.sent().length;
      // Mail arriving meanwhile stays in the folder: nothing connects (IDLE would have taken it at once).
      await append(user, reportMail({ reportId: 'src-g-2' }));
      await sources.reconcile();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect((await store.countReports()).reports).toBe(1);
      expect(relay.sent()).toHaveLength(sent);
      expect(sources.status().get(1)?.state).toBe('paused');

      // Resumed: it connects again and takes what came meanwhile.
      specs = [watched];
      await sources.reconcile();
      await until('the report is stored', async () => (await store.countReports()).reports === 2);
      await until('it is watched', () => sources.status().get(1)?.state === 'watching');
      expect(logins()).toBe(2);
    }, 60_000);

    it('a source set to leave other mail leaves it in the folder, and is restarted when the setting changes', async () => {
      const store = await openStore(':memory:');
      onTestFinished(() => store.close());
      const user = 'e@example.jp';
      let specs = [{ ...source(1, user), leaveOtherMail: true }];
      const sources = await watching(store, () => specs);
      await until('the mailbox is watched', () => sources.status().get(1)?.state === 'watching');
      await append(user, plainMail('lunch?'));
      await append(user, reportMail({ reportId: 'src-e-1' }));
      await until('the report is stored', async () => (await store.countReports()).reports === 1);
      const inbox = () =>
        withImap(
          dovecot,
          { user },
          async (c) => ((await c.status('INBOX', { messages: true })) || { messages: -1 }).messages,
        );
      await until('the report mail is moved', async () => (await inbox()) === 1);
      expect((await store.countReports()).quarantined).toBe(0);
      // Set back to the default: the source restarts, and keeps and moves such mail, the one left too.
      specs = [{ ...source(1, user), leaveOtherMail: false }];
      await sources.reconcile();
      await append(user, plainMail('another'));
      await until('both plain mails are kept', async () => (await store.countReports()).quarantined === 2);
      await until('and moved', async () => (await inbox()) === 0);
    }, 60_000);

    it('marks a refused login as failed, and tries it again once changed', async () => {
      const store = await openStore(':memory:');
      onTestFinished(() => store.close());
      let specs = [source(1, 'd@example.jp', 'SUMI_WRONG_PASSWORD')];
      const sources = new MailboxSources({
        store,
        list: async () => specs,
        env: { SUMI_WRONG_PASSWORD: 'not-the-password', SUMI_LAB_PASSWORD: dovecot.password },
        imap: { starttls: 'off', reconnect: { minMs: 100, maxMs: 400 } },
      });
      onTestFinished(() => sources.close());
      await sources.start();
      await until('the login is refused', () => sources.status().get(1)?.state === 'failed');
      // Named by code for the dashboard to say in the reader's language, with the server's words.
      const refused = sources.status().get(1);
      expect(refused).toMatchObject({ problem: 'login-refused', reason: expect.stringMatching(/\S/) });
      expect(refused?.error).toContain(refused!.reason!);
      specs = [source(1, 'd@example.jp')];
      await sources.reconcile();
      await until('it is watched', () => sources.status().get(1)?.state === 'watching');
      expect(sources.status().get(1)).toMatchObject({ error: null, problem: null, reason: null });
    }, 60_000);

    it('names a folder the server does not have', async () => {
      const store = await openStore(':memory:');
      onTestFinished(() => store.close());
      const sources = new MailboxSources({
        store,
        list: async () => [
          { ...source(1, 'e@example.jp'), url: source(1, 'e@example.jp').url.replace(/INBOX$/, 'Nowhere') },
        ],
        env: { SUMI_LAB_PASSWORD: dovecot.password },
        imap: { starttls: 'off', reconnect: { minMs: 100, maxMs: 400 } },
      });
      onTestFinished(() => sources.close());
      await sources.start();
      await until('the folder is missing', () => sources.status().get(1)?.problem === 'no-folder');
      expect(sources.status().get(1)?.state).toBe('failed');
      // The server's words, then the account's folders, in each language.
      const { reason } = sources.status().get(1)!;
      expect(reason).toMatchObject({
        en: expect.stringMatching(/Nowhere.*\(the account's folders: .*INBOX/),
        ja: expect.stringMatching(/（このアカウントのフォルダー: .*INBOX/),
      });
    }, 60_000);

    it('names an archive folder that will not work, kept before the settings API refused such names, in each language', async () => {
      const store = await openStore(':memory:');
      onTestFinished(() => store.close());
      const sources = await watching(store, () => [{ ...source(1, 'f@example.jp'), archive: 'INBOX.' }]);
      await until('it fails', () => sources.status().get(1)?.state === 'failed');
      // Before: problem null and the error's English alone, "no archive folder (trailing-dot)".
      expect(sources.status().get(1)).toMatchObject({
        problem: 'bad-archive',
        error: expect.stringMatching(/^archive: INBOX\. ends a level with "\."/),
        reason: {
          en: expect.stringMatching(/^INBOX\. ends a level with "\."/),
          ja: expect.stringMatching(/^INBOX\. は階層が「\.」で終わっています/),
        },
      });
    }, 60_000);
  },
);

describe('MailboxSources reconciling', () => {
  it('goes on after a reconciliation fails (the store unreachable for a moment), and closes', async () => {
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    let away = true;
    const sources = new MailboxSources({
      store,
      list: async () => {
        if (away) throw new Error('cannot reach PostgreSQL');
        return [];
      },
      env: {},
    });
    await expect(sources.reconcile()).rejects.toThrow('cannot reach PostgreSQL');
    away = false;
    await expect(sources.reconcile()).resolves.toBeUndefined();
    await expect(sources.close()).resolves.toBeUndefined();
  });
});

describe('MailboxSources with Microsoft Graph, signing in as an application', () => {
  let pki: TestPki;
  let server: https.Server;
  let graphUrl: string;
  let endpoint: TokenEndpoint;
  const graph = new MockGraph();
  const gmailApi = new MockGmail();
  let gmailServer: https.Server;
  let gmailBase: string;
  beforeAll(async () => {
    pki = createTestPki();
    server = await serveGraph(pki, graph);
    graphUrl = `https://localhost:${(server.address() as AddressInfo).port}`;
    endpoint = await serveTokenEndpoint(pki);
    gmailServer = await serveMock(pki, gmailApi);
    gmailBase = `https://localhost:${(gmailServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (server) await closeServer(server);
    if (gmailServer) await closeServer(gmailServer);
    await endpoint?.close();
    pki?.cleanup();
  });

  const source = (id: number, app: Partial<SourceApp> = {}): MailboxSourceSpec => ({
    id,
    url: `graph://${MAILBOX}/Inbox`,
    passwordEnv: 'SUMI_IMAP_PASSWORD',
    archive: 'Sumi/Processed',
    leaveOtherMail: false,
    app: { clientId: 'sumi-app', secretEnv: 'SUMI_GRAPH_SECRET', tokenUrl: endpoint.url, ...app },
  });
  /** `optionsGraphUrl` null: the mock reached only through a source's own graphUrl. */
  const watching = async (
    store: Store,
    specs: MailboxSourceSpec[],
    optionsGraphUrl: string | null = graphUrl,
  ) => {
    const sources = new MailboxSources({
      store,
      list: async () => specs,
      env: { SUMI_GRAPH_SECRET: 's3cret', DATABASE_PASSWORD: 'not for graph' },
      graph: {
        ...(optionsGraphUrl ? { graphUrl: optionsGraphUrl } : {}),
        intervalMs: 50,
        reconnect: { minMs: 20, maxMs: 40 },
      },
      ca: pki.caCert,
    });
    onTestFinished(() => sources.close());
    await sources.start();
    return sources;
  };

  it.each([
    { title: 'reads the folder with a token it asks for itself, and counts what it stored', ownCloud: false },
    {
      title:
        "reaches the Graph of the source's own cloud (none among the options), its token asked for that cloud's scope",
      ownCloud: true,
    },
  ])('$title', async ({ ownCloud }) => {
    graph.reset();
    endpoint.reset();
    graph.tokens = new Set(['cc-1', 'cc-2', 'cc-3']);
    graph.add(reportMail({ reportId: 'graph-src-1' }));
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    const sources = ownCloud
      ? await watching(store, [source(1, { graphUrl })], null)
      : await watching(store, [source(1)]);
    await until('the folder is watched', () => sources.status().get(1)?.state === 'watching');
    await until('the count is up to date', () => sources.status().get(1)?.reports === 1);
    expect((await store.countReports()).reports).toBe(1);
    expect(graph.in('inbox-id')).toEqual([]);
    expect(endpoint.requests[0]!.form).toEqual({
      grant_type: 'client_credentials',
      client_id: 'sumi-app',
      client_secret: 's3cret',
      scope: `${graphUrl}/.default`,
    });
    graph.add(reportMail({ reportId: 'graph-src-2' }));
    await until('mail that arrives is stored', () => sources.status().get(1)?.reports === 2);
  });

  it("signs an IMAP source in as a Google service account: a JWT for the URL's user, from the key in its variable", async () => {
    endpoint.reset();
    const key = googleKey(endpoint.url);
    const expected = {
      publicKey: key.publicKey,
      kid: key.privateKeyId,
      iss: key.clientEmail,
      sub: 'dmarc@example.jp',
      scope: 'https://mail.google.com/',
      aud: endpoint.url,
    };
    endpoint.answer = googleAnswer(endpoint, expected);
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    // No IMAP server there: the token is asked for before connecting, then the server is waited for.
    const google = (id: number, googleKeyEnv: string): MailboxSourceSpec => ({
      ...source(id),
      url: 'imap://dmarc%40example.jp@127.0.0.1:1/INBOX',
      app: { googleKeyEnv },
    });
    const sources = new MailboxSources({
      store,
      list: async () => [
        google(1, 'SUMI_GOOGLE_SECRET'),
        google(2, 'SUMI_BROKEN_SECRET'),
        google(3, 'SUMI_NONE_SECRET'),
      ],
      env: {
        SUMI_GOOGLE_SECRET: JSON.stringify(key.json),
        SUMI_BROKEN_SECRET: '{"private_key": "-----BEGIN',
      },
      imap: { reconnect: { minMs: 20, maxMs: 40 } },
      ca: pki.caCert,
    });
    onTestFinished(() => sources.close());
    await sources.start();
    await until(
      'the first is waiting for its server',
      () => sources.status().get(1)?.state === 'reconnecting',
    );
    // Named for the dashboard (before: only the socket's code, in English).
    expect(sources.status().get(1)).toMatchObject({
      problem: 'unreachable',
      reason: expect.stringContaining('ECONNREFUSED'),
    });
    expect(endpoint.requests.length).toBeGreaterThan(0);
    expect(jwtBearerProblem(endpoint.requests[0]!, expected)).toBe('');
    expect(endpoint.issued.length).toBeGreaterThan(0);
    await until('the broken key is said', () => sources.status().get(2)?.state === 'failed');
    // Sumi's own words, in both languages (before: English only).
    expect(sources.status().get(2)).toMatchObject({
      problem: 'token-failed',
      reason: { en: expect.stringMatching(/JSON/), ja: expect.stringMatching(/JSON/) },
    });
    expect((sources.status().get(2)!.reason as { ja: string }).ja).toMatch(/[ぁ-んァ-ン一-龯]/);
    expect(sources.status().get(2)!.error).not.toContain('BEGIN');
    expect(sources.status().get(3)).toMatchObject({
      state: 'failed',
      problem: 'no-password',
      error: expect.stringContaining('no service account key: set SUMI_NONE_SECRET'),
    });
  });

  it('says in both languages why a source fails or retries when Sumi names the reason: an answer that is not JSON, the store failing', async () => {
    graph.reset();
    endpoint.reset();
    graph.tokens = new Set(['cc-1', 'cc-2', 'cc-3']);
    // This application's token endpoint answers nothing JSON: Sumi's own reason, not the endpoint's words.
    const down = 'down-app';
    endpoint.answer = (request) =>
      request.form.client_id === down ? { status: 200, body: '<html>maintenance</html>' } : endpoint.issue();
    let broken = true;
    const failing = (store: Store) =>
      new Proxy(store, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            // The driver's own error, as a SQLite store locked by another process gives it.
            if (broken && /^(insert|quarantine)/.test(String(key)))
              return Promise.reject(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    graph.add(reportMail({ reportId: 'store-down-1' }));
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    const sources = await watching(failing(store), [
      source(1),
      { ...source(2, { clientId: down }), url: `graph://${MAILBOX}/Inbox/A` },
    ]);
    await until('no token is said', () => sources.status().get(2)?.problem === 'token-failed');
    expect(sources.status().get(2)!.reason).toEqual({
      en: 'answered with something that is not JSON',
      ja: 'JSON ではない応答を返しました',
    });
    await until('the store failing is said', () => sources.status().get(1)?.problem === 'store');
    expect(sources.status().get(1)).toMatchObject({
      state: 'reconnecting',
      reason: {
        en: expect.stringContaining('stayed locked by another process'),
        ja: expect.stringContaining('ロックされたまま'),
      },
    });
    const { en, ja } = sources.status().get(1)!.reason as { en: string; ja: string };
    expect(en).not.toBe(ja);
    broken = false;
    await until('the report is stored once the store is back', () => sources.status().get(1)?.reports === 1);
    expect(sources.status().get(1)).toMatchObject({ problem: null, reason: null });
  });

  it("names an error Sumi has no words for as unexpected, with the error's own words", async () => {
    graph.reset();
    endpoint.reset();
    graph.tokens = new Set(['cc-1', 'cc-2', 'cc-3']);
    graph.add(reportMail({ reportId: 'unexpected-1' }));
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    let broken = true;
    // A fault no code of Sumi's names (not the store's access, not the mailbox's).
    const failing = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          broken && /^(insert|quarantine)/.test(String(key))
            ? Promise.reject(new TypeError('gremlins in the writer'))
            : (value as (...a: unknown[]) => unknown).apply(target, args);
      },
    });
    const sources = await watching(failing, [source(1)]);
    await until('the error is said', () => sources.status().get(1)?.problem === 'unexpected');
    expect(sources.status().get(1)).toMatchObject({
      state: 'reconnecting',
      error: 'gremlins in the writer',
      reason: 'gremlins in the writer',
    });
    broken = false;
    await until('the report is stored once it passes', () => sources.status().get(1)?.reports === 1);
    expect(sources.status().get(1)).toMatchObject({ problem: null, reason: null });
  });

  it('reads a gmail:// label through the Gmail API as a Google service account acting as the mailbox, and names its refusals', async () => {
    endpoint.reset();
    gmailApi.reset();
    const key = googleKey(endpoint.url);
    endpoint.answer = googleAnswer(endpoint, {
      publicKey: key.publicKey,
      kid: key.privateKeyId,
      iss: key.clientEmail,
      sub: GMAIL_MAILBOX,
      scope: 'https://www.googleapis.com/auth/gmail.modify',
      aud: endpoint.url,
    });
    gmailApi.tokens = new Set(['cc-1', 'cc-2', 'cc-3']);
    gmailApi.add(reportMail({ reportId: 'gmail-src-1' }));
    // The second source's label's listing is refused as Google refuses a service account without delegation.
    gmailApi.addLabel('Refused');
    gmailApi.faults.push({
      match: /labelIds=Label_/,
      fault: {
        status: 403,
        error: {
          code: 403,
          message: 'Request had insufficient authentication scopes.',
          status: 'PERMISSION_DENIED',
        },
      },
    });
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    const gmailSource = (id: number, label: string): MailboxSourceSpec => ({
      ...source(id),
      url: `gmail://${GMAIL_MAILBOX}/${label}`,
      app: { googleKeyEnv: 'SUMI_GOOGLE_SECRET' },
    });
    const sources = new MailboxSources({
      store,
      list: async () => [gmailSource(1, 'INBOX'), gmailSource(2, 'Refused')],
      env: { SUMI_GOOGLE_SECRET: JSON.stringify(key.json) },
      gmail: { gmailUrl: gmailBase, intervalMs: 50, reconnect: { minMs: 20, maxMs: 40 } },
      ca: pki.caCert,
    });
    onTestFinished(() => sources.close());
    await sources.start();
    await until('the report is stored', () => sources.status().get(1)?.reports === 1);
    expect(sources.status().get(1)?.state).toBe('watching');
    expect(gmailApi.in('INBOX')).toEqual([]);
    await until('the refusal is said', () => sources.status().get(2)?.state === 'failed');
    expect(sources.status().get(2)).toMatchObject({
      problem: 'forbidden',
      reason: expect.stringContaining('Request had insufficient authentication scopes.'),
    });
  });

  it("says why a source cannot run: its secret not set, a variable it may not name, the application's sign-in refused, no permission", async () => {
    graph.reset();
    endpoint.reset();
    graph.tokens = new Set(['cc-1', 'cc-2', 'cc-3']);
    const refusedApp = 'refused-app';
    endpoint.answer = (request) =>
      request.form.client_id === refusedApp
        ? {
            status: 401,
            body: JSON.stringify({
              error: 'invalid_client',
              error_description: 'AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1',
            }),
          }
        : endpoint.issue();
    graph.faults.push({
      match: /mailFolders\/inbox$/,
      fault: { status: 403, error: { code: 'ErrorAccessDenied', message: 'Access is denied.' } },
    });
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    const sources = await watching(store, [
      source(1, { secretEnv: 'SUMI_UNSET_SECRET' }),
      source(2, { secretEnv: 'DATABASE_PASSWORD' }),
      { ...source(3, { clientId: refusedApp }), url: `graph://${MAILBOX}/Inbox/A` },
      { ...source(4), url: `graph://${MAILBOX}/Inbox/B` },
    ]);
    await until('each has failed', () =>
      [1, 2, 3, 4].every((id) => sources.status().get(id)?.state === 'failed'),
    );
    const status = sources.status();
    expect(status.get(1)).toMatchObject({
      problem: 'no-password',
      error: 'no application secret: set SUMI_UNSET_SECRET in the environment of sumi serve',
    });
    expect(status.get(2)).toMatchObject({ problem: 'env-not-allowed' });
    expect(status.get(3)).toMatchObject({
      problem: 'token-failed',
      reason: {
        en: expect.stringContaining('AADSTS7000215: Invalid client secret provided.'),
        ja: expect.stringMatching(
          /^HTTP 401 を返しました: .*AADSTS7000215: Invalid client secret provided\./,
        ),
      },
    });
    expect(JSON.stringify(status.get(3)!.reason)).not.toContain('s3cret');
    expect(status.get(4)).toMatchObject({
      problem: 'forbidden',
      reason: 'ErrorAccessDenied "Access is denied."',
    });
    // The variable it may not name was never read, nor sent anywhere.
    expect(endpoint.requests.map((r) => r.form.client_secret)).not.toContain('not for graph');
  });
});

describe('MailboxSources naming every failure', () => {
  it('says in both languages why a source kept from before a rule cannot be watched, and never connects it', async () => {
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    const spec = (id: number, url: string, archive: string, app: SourceApp | null = null) => ({
      id,
      url,
      passwordEnv: 'SUMI_IMAP_PASSWORD',
      archive,
      leaveOtherMail: false,
      app,
    });
    const sources = new MailboxSources({
      store,
      list: async () => [
        // Stored before 95814a2 refused such names. Port 9 (discard): a watcher that connected
        // would fail there as unreachable.
        spec(1, 'imap://dmarc@127.0.0.1:9/INBOX', 'INBOX.'),
        spec(2, 'graph://dmarc@example.jp/Inbox', ' Done', {
          clientId: 'sumi-app',
          secretEnv: 'SUMI_GRAPH_SECRET',
          tenant: 'example.onmicrosoft.com',
        }),
        spec(3, 'graph://dmarc@example.jp/Inbox', 'Done'),
        // The folder read: its mail would come back as new for ever.
        spec(4, 'imap://dmarc@127.0.0.1:9/INBOX', 'inbox/'),
        spec(5, 'graph://dmarc@example.jp/Inbox', 'Done', {
          clientId: 'sumi-app',
          secretEnv: 'SUMI_GRAPH_SECRET',
          tenant: 'example.onmicrosoft.com',
          graphUrl: 'http://graph.microsoft.us',
        }),
      ],
      env: { SUMI_IMAP_PASSWORD: 'p', SUMI_GRAPH_SECRET: 's' },
    });
    onTestFinished(() => sources.close());
    await sources.start();
    const status = sources.status();
    expect(status.get(1)).toMatchObject({
      state: 'failed',
      problem: 'bad-archive',
      reason: {
        en: expect.stringContaining('INBOX. ends a level with "."'),
        ja: expect.stringContaining('INBOX. は階層が「.」で終わっています'),
      },
    });
    expect(status.get(2)).toMatchObject({
      state: 'failed',
      problem: 'bad-archive',
      reason: { en: expect.stringContaining('" Done" begins or ends with a space'), ja: expect.any(String) },
    });
    expect(status.get(3)).toMatchObject({
      state: 'failed',
      problem: 'bad-source',
      reason: { ja: expect.stringContaining('graph:// の取り込み元はアプリケーション') },
    });
    expect(status.get(4)).toMatchObject({
      state: 'failed',
      problem: 'bad-archive',
      error:
        'archive: inbox/ is the folder read: mail moved there would be read again as new; name another folder',
      reason: {
        en: 'inbox/ is the folder read: mail moved there would be read again as new; name another folder',
        ja: expect.stringMatching(/^inbox\/ は読み取るフォルダーそのものです。/),
      },
    });
    expect(status.get(5)).toMatchObject({
      state: 'failed',
      problem: 'bad-source',
      error: expect.stringMatching(
        /^graphUrl: http:\/\/graph\.microsoft\.us: give Microsoft Graph's https:\/\//,
      ),
      reason: { ja: expect.stringContaining('https:// で指定してください') },
    });
  });
});
