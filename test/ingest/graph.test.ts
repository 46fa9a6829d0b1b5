/**
 * Ingest from a Microsoft 365 mailbox through Microsoft Graph, against a local HTTPS server that
 * plays the Graph endpoints Sumi uses (folders, child folders, paged messages, MIME, move, patch),
 * with faults the test injects: refused tokens, throttling, missing folders, a server gone; and
 * watched, with mail arriving between passes. Tokens come from a function, or from a local token
 * endpoint Sumi asks itself with the client credentials grant.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { NAMES_AMONG_MAX, namesAmong } from '../../src/ingest/api-access.ts';
import { type GraphEvent, type IngestGraphOptions, ingestGraph } from '../../src/ingest/graph.ts';
import {
  describeGraphAccessError,
  GRAPH_OTHER_MAIL_CATEGORY,
  GraphAccessError,
  parseGraphUrl,
} from '../../src/ingest/graph-account.ts';
import { clientCredentialsToken, graphScope } from '../../src/ingest/oauth.ts';
import type { IngestTotals } from '../../src/ingest/totals.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { createTestPki, type TestPki } from '../helpers/tls.ts';
import { until } from '../helpers/until.ts';
import { watchApi } from './helpers/api-watch.ts';
import { closeServer, MAILBOX, MockGraph, serveGraph as serveMockGraph } from './helpers/graph-mock.ts';
import { plainMail, reportMail } from './helpers/reports.ts';
import { childOutput, spawnSumi, sumi } from './helpers/sumi.ts';
import { serveTokenEndpoint, type TokenEndpoint } from './helpers/token-endpoint.ts';

let pki: TestPki;
let server: https.Server;
let graphUrl: string;
let dir: string;
let endpoint: TokenEndpoint;
const graph = new MockGraph();

/** The mock on `port` (0: any) of 127.0.0.1. */
const serveGraph = (port = 0) => serveMockGraph(pki, graph, port);

/** The flags of a CLI run reading the mock as app-id, its secret from `secret` (a flag and its value). */
const asApp = (secret: [string, string]) => [
  '--graph-url',
  graphUrl,
  '--client-id',
  'app-id',
  ...secret,
  '--token-url',
  endpoint.url,
];

beforeAll(async () => {
  pki = createTestPki();
  dir = await mkdtemp(path.join(tmpdir(), 'sumi-graph-'));
  server = await serveGraph();
  graphUrl = `https://localhost:${(server.address() as AddressInfo).port}`;
  endpoint = await serveTokenEndpoint(pki);
});
afterAll(async () => {
  if (server) await closeServer(server);
  await endpoint?.close();
  pki?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe('parseGraphUrl', () => {
  it('reads the mailbox and the folder path, Inbox by default', () => {
    expect(parseGraphUrl('graph://dmarc@example.jp/Inbox')).toEqual({ mailbox: MAILBOX, folder: ['Inbox'] });
    expect(parseGraphUrl('graph://dmarc%40example.jp')).toEqual({ mailbox: MAILBOX, folder: ['Inbox'] });
    expect(parseGraphUrl('graph://0b2e-42/inbox/DMARC/R%C3%A9ports/')).toEqual({
      mailbox: '0b2e-42',
      folder: ['inbox', 'DMARC', 'Réports'],
    });
    expect(() => parseGraphUrl('imap://u@h/INBOX')).toThrow(RangeError);
    expect(() => parseGraphUrl('graph:///Inbox')).toThrow(RangeError);
  });
});

describe('namesAmong', () => {
  it('names the folders or labels there, the first NAMES_AMONG_MAX and an ellipsis for the rest', () => {
    expect(namesAmong(['Old', 'Reports'])).toBe('Old, Reports');
    const many = Array.from({ length: NAMES_AMONG_MAX + 1 }, (_, i) => `f${i}`);
    expect(namesAmong(many)).toBe(`${many.slice(0, NAMES_AMONG_MAX).join(', ')}, …`);
  });
});

describe('ingestGraph against a mock of Microsoft Graph', () => {
  let store: Store;
  beforeEach(async () => {
    graph.reset();
    store = await openStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  const url = `graph://${MAILBOX}/Inbox`;
  const options = () => ({ store, graphUrl, ca: pki.caCert, accessToken: async () => 'good' });
  /** Two report mails, one that is not a report, one over the cap of 10,000 bytes the tests set. */
  const fill = () => {
    graph.add(reportMail({ reportId: 'g-1' }));
    graph.add(reportMail({ reportId: 'g-2' }));
    graph.add(plainMail());
    return graph.add(`${plainMail('large')}${'x'.repeat(20_000)}\r\n`);
  };

  it('stores the reports of every page, moves the mails to Sumi/Processed it creates; a second run stores nothing new', async () => {
    const large = fill();
    const totals = await ingestGraph(url, { ...options(), maxMessageBytes: 10_000 });
    expect(totals).toMatchObject({ reports: 2, records: 4, inputs: 4, otherMail: 0 });
    expect(totals.failed.map((f) => f.error.code).sort()).toEqual(['input-too-large', 'no-report-found']);
    expect(totals.failed.find((f) => f.error.code === 'input-too-large')!.source).toBe(`${url};id=${large}`);
    expect((await store.countReports()).quarantined).toBe(1);
    // Paged: the second page came through the next link.
    expect(graph.requests.filter((r) => r.endsWith('/mailFolders/inbox-id/messages'))).toHaveLength(2);
    const processed = graph.folderPath('Sumi', 'Processed');
    expect(processed).toBeDefined();
    expect(graph.in(processed!.id)).toHaveLength(3);
    // The mail too large is left where it was.
    expect(graph.in('inbox-id').map((m) => m.id)).toEqual([large]);
    const again = await ingestGraph(url, { ...options(), maxMessageBytes: 10_000 });
    expect(again).toMatchObject({ reports: 0, duplicates: 0, inputs: 1 });
    expect(again.failed.map((f) => f.error.code)).toEqual(['input-too-large']);
    expect((await store.countReports()).reports).toBe(2);
    // The archive folders are found, not created again.
    expect(graph.requests.filter((r) => r.startsWith('POST') && r.endsWith('/childFolders'))).toHaveLength(2);
  });

  it('takes the archive folder another run created meanwhile (409) instead of failing', async () => {
    graph.add(reportMail({ reportId: 'c-1' }));
    graph.faults.push({
      match: /^POST .*\/msgfolderroot\/childFolders$/,
      fault: {
        status: 409,
        error: { code: 'ErrorFolderExists', message: 'A folder with the specified name already exists.' },
        meanwhile: () =>
          graph.folders.set('other-run', { id: 'other-run', displayName: 'Sumi', parentId: 'root-id' }),
      },
    });
    expect(await ingestGraph(url, options())).toMatchObject({ reports: 1, inputs: 1, failed: [] });
    expect(graph.folderPath('Sumi')!.id).toBe('other-run');
    expect(graph.in(graph.folderPath('Sumi', 'Processed')!.id)).toHaveLength(1);
  });

  it('with flag, gives the mails that category instead of moving them, and skips them the next time', async () => {
    graph.add(reportMail({ reportId: 'f-1' }));
    graph.add(reportMail({ reportId: 'f-2' }));
    const flagged = { ...options(), flag: 'SumiProcessed' };
    expect(await ingestGraph(url, flagged)).toMatchObject({ reports: 2, inputs: 2 });
    expect(graph.in('inbox-id').map((m) => m.categories)).toEqual([['SumiProcessed'], ['SumiProcessed']]);
    expect(graph.folderPath('Sumi')).toBeUndefined();
    expect(await ingestGraph(url, flagged)).toMatchObject({ reports: 0, inputs: 0 });
  });

  it('with leaveOtherMail, leaves mail with nothing like a report where it is, with a category later runs skip', async () => {
    graph.add(reportMail({ reportId: 'o-1' }));
    const other = graph.add(plainMail('lunch?'));
    const leave = { ...options(), leaveOtherMail: true };
    const totals = await ingestGraph(url, leave);
    expect(totals).toMatchObject({ reports: 1, inputs: 2, otherMail: 1, failed: [] });
    expect(graph.in('inbox-id')).toEqual([
      expect.objectContaining({ id: other, categories: [GRAPH_OTHER_MAIL_CATEGORY] }),
    ]);
    expect((await store.countReports()).quarantined).toBe(0);
    expect(await ingestGraph(url, leave)).toMatchObject({ inputs: 0, otherMail: 0 });
  });

  it('asks for a fresh token after a 401 and goes on with it', async () => {
    graph.add(reportMail({ reportId: 't-1' }));
    const given = ['expired', 'good'];
    const asked: string[] = [];
    const accessToken = async () => {
      const token = given.shift() ?? 'good';
      asked.push(token);
      return token;
    };
    expect(await ingestGraph(url, { ...options(), accessToken })).toMatchObject({ reports: 1 });
    expect(asked).toEqual(['expired', 'good']);
  });

  it('fails with an access error said in English and Japanese when a fresh token is refused too', async () => {
    graph.add(reportMail({ reportId: 't-2' }));
    let asked = 0;
    const error = await ingestGraph(url, {
      ...options(),
      accessToken: async () => `revoked-${++asked}`,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphAccessError);
    expect(error).toMatchObject({ code: 'token-refused', status: 401 });
    expect(asked).toBe(2);
    const port = new URL(graphUrl).port;
    expect(describeGraphAccessError(error as GraphAccessError, 'en')).toBe(
      `Microsoft Graph at localhost:${port} refused the access token for ${MAILBOX}, a fresh one too (HTTP 401): InvalidAuthenticationToken "Access token has expired or is not yet valid."`,
    );
    expect(describeGraphAccessError(error as GraphAccessError, 'ja')).toBe(
      `Microsoft Graph（localhost:${port}）が ${MAILBOX} のアクセストークンを拒否しました。取り直したトークンも拒否されました（HTTP 401）: InvalidAuthenticationToken "Access token has expired or is not yet valid."`,
    );
    expect((await store.countReports()).reports).toBe(0);
  });

  it('says which mailbox or folder is not there (404), and which permission is missing (403)', async () => {
    const noFolder = await ingestGraph(`graph://${MAILBOX}/Inbox/DMARC`, options()).catch((e: unknown) => e);
    expect(noFolder).toMatchObject({ code: 'not-found', status: 404 });
    expect(describeGraphAccessError(noFolder as GraphAccessError, 'en')).toMatch(
      /has no mailbox dmarc@example\.jp or no folder Inbox\/DMARC in it \(HTTP 404\): no folder named "DMARC", nor any other there$/,
    );
    // The folders there are named, for the folder meant.
    graph.folders.set('reports-id', { id: 'reports-id', displayName: 'Reports', parentId: 'inbox-id' });
    graph.folders.set('old-id', { id: 'old-id', displayName: 'Old', parentId: 'inbox-id' });
    const among = await ingestGraph(`graph://${MAILBOX}/Inbox/DMARC`, options()).catch((e: unknown) => e);
    expect(describeGraphAccessError(among as GraphAccessError, 'en')).toMatch(
      /: no folder named "DMARC" \(the folders there: Old, Reports\)$/,
    );
    expect(describeGraphAccessError(among as GraphAccessError, 'ja')).toMatch(
      /"DMARC" という名前のフォルダーがありません（そこにあるフォルダー: Old, Reports）$/,
    );
    // Sumi's own reason is said in the reader's language too; Graph's own words are quoted as they came.
    expect(describeGraphAccessError(noFolder as GraphAccessError, 'ja')).toMatch(
      /フォルダー Inbox\/DMARC がありません（HTTP 404）: "DMARC" という名前のフォルダーがありません（そこにはフォルダーがありません）$/,
    );
    const noUser = await ingestGraph('graph://nobody@example.jp/Inbox', options()).catch((e: unknown) => e);
    expect(noUser).toMatchObject({ code: 'not-found', status: 404 });
    expect(describeGraphAccessError(noUser as GraphAccessError, 'ja')).toMatch(
      /メールボックス nobody@example\.jp がないか、その中にフォルダー Inbox がありません（HTTP 404）: ErrorInvalidUser "The requested user is invalid\."$/,
    );
    graph.faults.push({
      match: /mailFolders\/inbox$/,
      fault: { status: 403, error: { code: 'ErrorAccessDenied', message: 'Access is denied.' } },
    });
    const forbidden = await ingestGraph(url, options()).catch((e: unknown) => e);
    expect(forbidden).toMatchObject({ code: 'forbidden', status: 403 });
    expect(describeGraphAccessError(forbidden as GraphAccessError, 'en')).toMatch(
      /needs the permission Mail\.ReadWrite .*: ErrorAccessDenied "Access is denied\."$/,
    );
    graph.faults.push({
      match: /mailFolders\/inbox$/,
      fault: { status: 500, error: { code: 'generalException', message: 'boom' } },
    });
    const failed = await ingestGraph(url, options()).catch((e: unknown) => e);
    expect(describeGraphAccessError(failed as GraphAccessError, 'en')).toMatch(
      /answered HTTP 500 for the mailbox dmarc@example\.jp, folder Inbox: generalException "boom"$/,
    );
  });

  it('waits as Retry-After says when throttled (429, 503), then goes on', async () => {
    graph.add(reportMail({ reportId: 'r-1' }));
    graph.faults.push(
      { match: /\/messages$/, fault: { status: 429, headers: { 'retry-after': '0' } } },
      { match: /\/\$value$/, fault: { status: 503, headers: { 'retry-after': '0' } } },
    );
    expect(await ingestGraph(url, options())).toMatchObject({ reports: 1, failed: [] });
    expect(graph.requests.filter((r) => r.endsWith('/messages'))).toHaveLength(2);
    expect(graph.requests.filter((r) => r.endsWith('/$value'))).toHaveLength(2);
    expect(graph.in('inbox-id')).toHaveLength(0);
  });

  it('gives up waiting out throttling when stopped: what is stored is counted, the mail under way stays for the next run', async () => {
    graph.add(reportMail({ reportId: 's-1' }));
    graph.faults.push({ match: /\/move$/, fault: { status: 429, headers: { 'retry-after': '100' } } });
    const controller = new AbortController();
    const running = ingestGraph(url, { ...options(), signal: controller.signal });
    await until('the move is throttled', () => graph.requests.some((r) => r.endsWith('/move')));
    const stopped = Date.now();
    controller.abort();
    const totals = await running;
    expect(Date.now() - stopped).toBeLessThan(1_000);
    expect(totals).toMatchObject({ reports: 1, records: 2, inputs: 1, failed: [] });
    expect(graph.in('inbox-id')).toHaveLength(1);
    // Read again, it is a duplicate, and moved.
    expect(await ingestGraph(url, options())).toMatchObject({ reports: 0, duplicates: 1, inputs: 1 });
    expect(graph.in('inbox-id')).toHaveLength(0);
  });

  it('counts the reports it stored though moving their mail failed', async () => {
    graph.add(reportMail({ reportId: 'm-1' }));
    graph.faults.push({
      match: /\/move$/,
      fault: { status: 500, error: { code: 'generalException', message: 'boom' } },
    });
    const totals: IngestTotals[] = [];
    const failed = await ingestGraph(url, {
      ...options(),
      onProgress: ({ totals: t }) => totals.push({ ...t }),
    }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'failed', status: 500 });
    expect(totals.at(-1)).toMatchObject({ reports: 1, records: 2 });
    expect(graph.in('inbox-id')).toHaveLength(1);
  });

  it('refuses a base URL that is not https://, and says a certificate it cannot verify is a TLS failure', async () => {
    graph.add(reportMail({ reportId: 'h-1' }));
    await expect(
      ingestGraph(url, { ...options(), graphUrl: graphUrl.replace('https:', 'http:') }),
    ).rejects.toThrow(/https:\/\/ only/);
    expect(graph.requests).toEqual([]);
    const { ca: _, ...withoutCa } = options();
    const tls = await ingestGraph(url, withoutCa).catch((e: unknown) => e);
    expect(tls).toMatchObject({ code: 'tls' });
    expect(describeGraphAccessError(tls as GraphAccessError, 'en')).toMatch(
      /^TLS with Microsoft Graph at localhost:\d+ failed: /,
    );
  });
});

describe('ingestGraph with watch', () => {
  let store: Store;
  beforeEach(async () => {
    graph.reset();
    store = await openStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  const url = `graph://${MAILBOX}/Inbox`;
  const listings = () => graph.requests.filter((r) => r.endsWith('/mailFolders/inbox-id/messages')).length;
  const reports = async () => (await store.countReports()).reports;
  /** A watch of the Inbox every 50 ms, its events kept; stopped at the end of the test if it is still running. */
  const watch = (more: Partial<IngestGraphOptions> = {}, at = url) =>
    watchApi<GraphEvent>((signal, onEvent) =>
      ingestGraph(at, {
        store,
        graphUrl,
        ca: pki.caCert,
        accessToken: async () => 'good',
        watch: true,
        intervalMs: 50,
        reconnect: { minMs: 20, maxMs: 40 },
        signal,
        onEvent,
        ...more,
      }),
    );

  it('stores what is there, then mail that arrives, pass after pass, until the signal aborts', async () => {
    graph.add(reportMail({ reportId: 'w-1' }));
    // Left in the folder as too large: counted once, not at every pass.
    const large = graph.add(`${plainMail('large')}${'x'.repeat(20_000)}\r\n`);
    const { controller, of, running } = watch({ maxMessageBytes: 10_000 });
    await until('the first pass is done', () => of('watching').length > 0);
    expect(await reports()).toBe(1);
    graph.add(reportMail({ reportId: 'w-2' }));
    await until('the mail that arrived is moved', () => graph.in('inbox-id').length === 1);
    const seen = listings();
    await until('two more passes', () => listings() >= seen + 2);
    controller.abort();
    const totals = await running;
    expect(totals).toMatchObject({ reports: 2, records: 4, inputs: 3, duplicates: 0 });
    expect(totals.failed.map((f) => f.source)).toEqual([`${url};id=${large}`]);
    expect(await reports()).toBe(2);
    expect(graph.in(graph.folderPath('Sumi', 'Processed')!.id)).toHaveLength(2);
    expect(graph.in('inbox-id').map((m) => m.id)).toEqual([large]);
    expect(of('watching')).toEqual([{ type: 'watching', folder: 'Inbox', intervalMs: 50 }]);
    expect(of('connected')).toEqual([expect.objectContaining({ folder: 'Inbox', pending: 2 })]);
    expect(of('reconnecting')).toEqual([]);
  });

  it('stops at once when the signal aborts while it waits for the next pass', async () => {
    const { controller, of, running } = watch({ intervalMs: 3_600_000 });
    await until('the first pass is done', () => of('watching').length > 0);
    const started = Date.now();
    controller.abort();
    expect(await running).toMatchObject({ reports: 0, inputs: 0 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('waits out a pass that fails with 500, or 503 after its throttling retries, backing off until a pass succeeds', async () => {
    graph.add(reportMail({ reportId: 'x-1' }));
    const boom = { status: 500, error: { code: 'generalException', message: 'boom' } };
    graph.faults.push(
      { match: /mailFolders\/inbox$/, fault: boom },
      // API_THROTTLE_RETRIES (4) retries, and a fifth 503 the pass fails on.
      ...Array.from({ length: 5 }, () => ({
        match: /\/messages$/,
        fault: { status: 503, headers: { 'retry-after': '0' } },
      })),
    );
    const { controller, of, running } = watch();
    await until('a pass succeeds', () => of('watching').length > 0);
    expect(await reports()).toBe(1);
    expect(of('reconnecting').map((e) => [(e.error as GraphAccessError).status, e.delayMs])).toEqual([
      [500, 20],
      [503, 40],
    ]);
    expect(of('reconnecting')[0]!.error).toMatchObject({ code: 'failed', reason: 'generalException "boom"' });
    // A good pass starts the backoff again from its shortest wait.
    graph.faults.push({ match: /mailFolders\/inbox$/, fault: boom });
    graph.add(reportMail({ reportId: 'x-2' }));
    await until(
      'the next failure is waited out too',
      async () => of('reconnecting').length === 3 && graph.in('inbox-id').length === 0,
    );
    expect(of('reconnecting').map((e) => e.delayMs)).toEqual([20, 40, 20]);
    controller.abort();
    expect(await running).toMatchObject({ reports: 2, inputs: 2, failed: [] });
    expect(of('watching')).toHaveLength(1);
  });

  it('waits out Graph that cannot be reached, and reads the folder once it is back', async () => {
    const gone = await serveGraph();
    const port = (gone.address() as AddressInfo).port;
    await closeServer(gone);
    graph.add(reportMail({ reportId: 'u-1' }));
    const { controller, of, running } = watch({ graphUrl: `https://localhost:${port}` });
    await until('it waits the server out', () => of('reconnecting').length >= 2);
    expect(of('reconnecting')[0]!.error).toMatchObject({ code: 'unreachable' });
    expect(of('watching')).toEqual([]);
    const back = await serveGraph(port);
    onTestFinished(() => closeServer(back));
    await until('a pass succeeds', () => of('watching').length > 0);
    controller.abort();
    expect(await running).toMatchObject({ reports: 1, inputs: 1 });
  });

  it('waits out a store that fails (a database restarting), leaving the mail in the folder until it is back', async () => {
    let broken = false;
    // The store as it is, but for writes failing while `broken`.
    const failing = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (broken && /^(insert|quarantine)/.test(String(key)))
            return Promise.reject(new Error('Connection terminated unexpectedly'));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const { controller, of, running } = watch({ store: failing });
    await until('the first pass is done', () => of('watching').length > 0);
    broken = true;
    graph.add(reportMail({ reportId: 'd-1' }));
    await until('the failure is waited out', () => of('reconnecting').length >= 2);
    expect(of('reconnecting')[0]!.error.message).toBe('Connection terminated unexpectedly');
    expect(graph.in('inbox-id')).toHaveLength(1);
    broken = false;
    await until('the mail is moved once the store is back', () => graph.in('inbox-id').length === 0);
    controller.abort();
    expect(await running).toMatchObject({ reports: 1, inputs: 1, failed: [] });
    expect(await reports()).toBe(1);
  });

  it('asks the token source again when a later pass is refused: a watch outlives its tokens', async () => {
    // The first token given has expired already: refused in the first pass, and again in a later one.
    const given = ['token-0'];
    let current = 'token-1';
    graph.tokens = new Set([current]);
    const asked: string[] = [];
    const accessToken = async () => {
      const token = given.shift() ?? current;
      asked.push(token);
      return token;
    };
    graph.add(reportMail({ reportId: 'k-1' }));
    const { controller, of, running } = watch({ accessToken });
    await until('the first pass is done', () => of('watching').length > 0);
    await until('more passes', () => listings() >= 3);
    // Not asked again while Graph takes it.
    expect(asked).toEqual(['token-0', 'token-1']);
    current = 'token-2';
    graph.tokens = new Set([current]);
    graph.add(reportMail({ reportId: 'k-2' }));
    await until('the mail that arrived is moved', () => graph.in('inbox-id').length === 0);
    controller.abort();
    expect(await running).toMatchObject({ reports: 2, inputs: 2, failed: [] });
    expect(asked).toEqual(['token-0', 'token-1', 'token-2']);
    expect(of('reconnecting')).toEqual([]);
  });

  it('ends with the access error when a pass is forbidden (403), the folder is not there (404) or a fresh token is refused', async () => {
    const { of, running } = watch();
    await until('the first pass is done', () => of('watching').length > 0);
    graph.faults.push({
      match: /mailFolders\/inbox$/,
      fault: { status: 403, error: { code: 'ErrorAccessDenied', message: 'Access is denied.' } },
    });
    const forbidden = await running.catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(GraphAccessError);
    expect(forbidden).toMatchObject({ code: 'forbidden', status: 403 });
    expect(of('reconnecting')).toEqual([]);
    const noFolder = await watch({}, `graph://${MAILBOX}/Inbox/DMARC`).running.catch((e: unknown) => e);
    expect(noFolder).toMatchObject({ code: 'not-found', status: 404 });
    let asked = 0;
    const refused = await watch({ accessToken: async () => `revoked-${++asked}` }).running.catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'token-refused', status: 401 });
    expect(asked).toBe(2);
  });
});

describe('ingestGraph with client credentials', () => {
  let store: Store;
  beforeEach(async () => {
    graph.reset();
    endpoint.reset();
    store = await openStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  const url = `graph://${MAILBOX}/Inbox`;
  const accessToken = () =>
    clientCredentialsToken(
      { tokenUrl: endpoint.url, clientId: 'app-id', clientSecret: 'secret', scope: graphScope(graphUrl) },
      { ca: pki.caCert },
    );

  it("logs in with the endpoint's token; a token Graph refuses as expired leads to exactly one new request", async () => {
    graph.add(reportMail({ reportId: 'cc-1' }));
    graph.add(reportMail({ reportId: 'cc-2' }));
    graph.add(reportMail({ reportId: 'cc-3' }));
    // The first token issued has expired by the time Graph sees it.
    graph.tokens = new Set(['cc-2']);
    expect(
      await ingestGraph(url, { store, graphUrl, ca: pki.caCert, accessToken: accessToken() }),
    ).toMatchObject({
      reports: 3,
      failed: [],
    });
    expect(endpoint.issued).toEqual(['cc-1', 'cc-2']);
    expect(endpoint.requests.map((request) => request.form.scope)).toEqual([
      `${graphUrl}/.default`,
      `${graphUrl}/.default`,
    ]);
    expect(graph.in('inbox-id')).toHaveLength(0);
  });

  it('in a watch, keeps its token pass after pass and asks once more when it expires', async () => {
    // Every token issued is good until the test expires them.
    endpoint.answer = () => {
      const answer = endpoint.issue();
      graph.tokens.add(endpoint.issued.at(-1)!);
      return answer;
    };
    graph.add(reportMail({ reportId: 'cc-w-1' }));
    const controller = new AbortController();
    const running = ingestGraph(url, {
      store,
      graphUrl,
      ca: pki.caCert,
      accessToken: accessToken(),
      watch: true,
      intervalMs: 50,
      signal: controller.signal,
    });
    onTestFinished(async () => {
      controller.abort();
      await running.catch(() => {});
    });
    const listings = () => graph.requests.filter((r) => r.endsWith('/mailFolders/inbox-id/messages')).length;
    await until('three passes', () => listings() >= 3);
    expect(endpoint.issued).toEqual(['cc-1']);
    graph.tokens.clear();
    graph.add(reportMail({ reportId: 'cc-w-2' }));
    await until('the mail that arrived is moved', () => graph.in('inbox-id').length === 0);
    const passes = listings();
    await until('more passes', () => listings() >= passes + 2);
    controller.abort();
    expect(await running).toMatchObject({ reports: 2, failed: [] });
    expect(endpoint.issued).toEqual(['cc-1', 'cc-2']);
  });
});

describe('sumi ingest graph://', () => {
  beforeEach(() => {
    graph.reset();
    endpoint.reset();
  });

  /**
   * `sumi ingest graph://.../Inbox ARGS --json` reading the mock with the token 'good' into `db`
   * (in the test's folder), in a child process trusting the test CA; killed at the test's end if
   * it still runs.
   */
  const spawnReading = async (args: string[], db: string) => {
    const ca = path.join(dir, 'ca.pem');
    await writeFile(ca, pki.caCert);
    const child = spawnSumi(
      [
        'ingest',
        ...args,
        `graph://${MAILBOX}/Inbox`,
        '--graph-url',
        graphUrl,
        '--token-env',
        'GRAPH_TOKEN',
        '--db',
        path.join(dir, db),
        '--json',
      ],
      { NODE_EXTRA_CA_CERTS: ca, GRAPH_TOKEN: 'good', LANG: 'en_US.UTF-8' },
    );
    const out = childOutput(child);
    child.stdin.end();
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    return { child, out };
  };

  it('ingests a mailbox end to end (--token-env, --graph-url, --json)', async () => {
    graph.add(reportMail({ reportId: 'cli-1' }));
    graph.add(reportMail({ reportId: 'cli-2' }));
    const ca = path.join(dir, 'ca.pem');
    await writeFile(ca, pki.caCert);
    const db = path.join(dir, 'cli.db');
    // The child trusts the test CA the way a user behind their own CA would: NODE_EXTRA_CA_CERTS.
    const child = spawnSumi(
      [
        'ingest',
        `graph://${encodeURIComponent(MAILBOX)}/Inbox`,
        '--graph-url',
        graphUrl,
        '--token-env',
        'GRAPH_TOKEN',
        '--db',
        db,
        '--json',
      ],
      { NODE_EXTRA_CA_CERTS: ca, GRAPH_TOKEN: 'good', LANG: 'en_US.UTF-8' },
    );
    const out = childOutput(child);
    child.stdin.end();
    const code = await out.exited;
    expect(out.stderr).toContain(`mailbox ${MAILBOX}, folder Inbox: 2 mails to ingest`);
    expect(code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ reports: 2, duplicates: 0, failed: [] });
    expect(graph.in(graph.folderPath('Sumi', 'Processed')!.id)).toHaveLength(2);
  }, 30_000);

  it("gets its own tokens with --client-id, --client-secret-env and --token-url, the scope --graph-url's (child process)", async () => {
    graph.add(reportMail({ reportId: 'cli-cc-1' }));
    graph.add(reportMail({ reportId: 'cli-cc-2' }));
    graph.tokens = new Set(['cc-1']);
    const ca = path.join(dir, 'ca.pem');
    await writeFile(ca, pki.caCert);
    const secret = 'Xy7Q~cli.s3cr3t';
    const child = spawnSumi(
      [
        'ingest',
        `graph://${MAILBOX}/Inbox`,
        ...asApp(['--client-secret-env', 'SUMI_CLIENT_SECRET']),
        '--db',
        path.join(dir, 'cli-cc.db'),
        '--json',
      ],
      { NODE_EXTRA_CA_CERTS: ca, SUMI_CLIENT_SECRET: secret, LANG: 'en_US.UTF-8' },
    );
    const out = childOutput(child);
    child.stdin.end();
    expect(await out.exited).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ reports: 2, duplicates: 0, failed: [] });
    expect(endpoint.requests.map((request) => request.form)).toEqual([
      {
        grant_type: 'client_credentials',
        client_id: 'app-id',
        client_secret: secret,
        scope: `${graphUrl}/.default`,
      },
    ]);
    expect(out.stderr + out.stdout).not.toContain(secret);
  }, 30_000);

  it('says in Japanese that the identity provider refused the client secret, and not the secret (child process)', async () => {
    endpoint.answer = () => ({
      status: 401,
      body: JSON.stringify({
        error: 'invalid_client',
        error_description:
          'AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 0b2e0000\r\nCorrelation ID: 4a1f0000',
      }),
    });
    const ca = path.join(dir, 'ca.pem');
    await writeFile(ca, pki.caCert);
    const secretFile = path.join(dir, 'client-secret');
    await writeFile(secretFile, 'wrong~secret\n');
    const child = spawnSumi(
      [
        '--lang',
        'ja',
        'ingest',
        `graph://${MAILBOX}/Inbox`,
        ...asApp(['--client-secret-file', secretFile]),
        '--db',
        path.join(dir, 'cli-cc-refused.db'),
      ],
      { NODE_EXTRA_CA_CERTS: ca },
    );
    const out = childOutput(child);
    child.stdin.end();
    expect(await out.exited).toBe(2);
    expect(endpoint.requests.map((request) => request.form.client_secret)).toEqual(['wrong~secret']);
    expect(out.stderr).toBe(
      `エラー: Microsoft Graph のアクセストークンが得られません: ${endpoint.url} (client_id app-id): HTTP 401 を返しました: invalid_client "AADSTS7000215: Invalid client secret provided."\n`,
    );
    expect(graph.requests).toEqual([]);
  }, 30_000);

  it('--watch takes up a client secret rotated in its file, without a restart (child process)', async () => {
    // The endpoint takes the secret in force only; Graph takes the tokens issued for the one in force.
    let inForce = 'first~secret';
    endpoint.answer = (request) =>
      request.form.client_secret === inForce
        ? endpoint.issue()
        : {
            status: 401,
            body: JSON.stringify({ error: 'invalid_client', error_description: 'AADSTS7000215' }),
          };
    graph.tokens = new Set(['cc-1']);
    graph.add(reportMail({ reportId: 'cli-rot-1' }));
    const ca = path.join(dir, 'ca.pem');
    await writeFile(ca, pki.caCert);
    const secretFile = path.join(dir, 'rotated-secret');
    await writeFile(secretFile, `${inForce}\n`);
    const child = spawnSumi(
      [
        'ingest',
        '--watch',
        '--interval',
        '1',
        `graph://${MAILBOX}/Inbox`,
        ...asApp(['--client-secret-file', secretFile]),
        '--db',
        path.join(dir, 'cli-rotated.db'),
        '--json',
      ],
      { NODE_EXTRA_CA_CERTS: ca, LANG: 'en_US.UTF-8' },
    );
    const out = childOutput(child);
    child.stdin.end();
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await until('the first mail is moved', () => graph.in('inbox-id').length === 0, 20_000);
    // Rotated: the old secret and its token are refused from now on.
    inForce = 'second~secret';
    await writeFile(secretFile, `${inForce}\n`);
    graph.tokens = new Set(['cc-2', 'cc-3', 'cc-4']);
    graph.add(reportMail({ reportId: 'cli-rot-2' }));
    await until('the mail that arrived is moved', () => graph.in('inbox-id').length === 0, 20_000);
    child.kill('SIGTERM');
    expect(await out.exited).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ reports: 2, failed: [] });
    expect(endpoint.requests.map((request) => request.form.client_secret)).toEqual([
      'first~secret',
      'second~secret',
    ]);
  }, 45_000);

  it('--watch --interval 1 reads the folder again every second until SIGTERM (child process)', async () => {
    graph.add(reportMail({ reportId: 'cli-w-1' }));
    const { child, out } = await spawnReading(['--watch', '--interval', '1'], 'cli-watch.db');
    await until(
      'it watches',
      () => /watching Inbox for new mail, read again every 1 s/.test(out.stderr),
      20_000,
    );
    expect(out.stderr).toContain(`mailbox ${MAILBOX}, folder Inbox: 1 mail to ingest`);
    graph.add(reportMail({ reportId: 'cli-w-2' }));
    await until('the mail that arrived is moved', () => graph.in('inbox-id').length === 0);
    child.kill('SIGTERM');
    expect(await out.exited).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ reports: 2, duplicates: 0, failed: [] });
  }, 30_000);

  it('SIGTERM once every mail listed was taken ends the run as it would have, saying nothing was left; one before leaves it interrupted (child process)', async () => {
    /** A run stopped while the first request `stopAt` matches is under way (it is answered once the run says it is stopping). */
    const stopped = async (db: string, stopAt: RegExp) => {
      const { child, out } = await spawnReading([], db);
      const { handle } = graph;
      onTestFinished(() => {
        graph.handle = handle;
      });
      graph.handle = (request, response, body, base) => {
        if (!stopAt.test(`${request.method} ${request.url}`))
          return handle.call(graph, request, response, body, base);
        graph.handle = handle;
        child.kill('SIGTERM');
        void until('the run says it is stopping', () => out.stderr.includes('stopping:')).then(() =>
          handle.call(graph, request, response, body, base),
        );
        return true;
      };
      const code = await out.exited;
      return { code, answer: JSON.parse(out.stdout) as Record<string, unknown>, stderr: out.stderr };
    };
    graph.add(reportMail({ reportId: 'stop-1' }));
    graph.add(reportMail({ reportId: 'stop-2' }));
    // Stopped as the mails are moved, their reports stored: nothing was left.
    const moving = await stopped('stop-late.db', /\/move$/);
    expect(moving.stderr).toContain('every input had been read when the stop came: nothing was left undone');
    expect(moving.stderr).not.toContain('interrupted');
    expect(moving.code).toBe(0);
    expect(moving.answer).toMatchObject({ reports: 2, failed: [] });
    expect(moving.answer.interrupted).toBeUndefined();
    expect(graph.in('inbox-id')).toHaveLength(0);
    // Stopped as the folder is listed: its mail is left for the next run.
    graph.add(reportMail({ reportId: 'stop-3' }));
    const listing = await stopped('stop-early.db', /\/mailFolders\/inbox-id\/messages/);
    expect(listing.code).toBe(130);
    expect(listing.stderr).toContain('interrupted: what is above is stored');
    expect(listing.answer).toMatchObject({ reports: 0, interrupted: true });
    expect(graph.in('inbox-id')).toHaveLength(1);
  }, 45_000);

  it('--watch says in Japanese that Graph cannot be reached and that it tries again (child process)', async () => {
    const child = spawnSumi(
      [
        '--lang',
        'ja',
        'ingest',
        '--watch',
        `graph://${MAILBOX}/Inbox`,
        '--graph-url',
        'https://127.0.0.1:1',
        '--token-env',
        'GRAPH_TOKEN',
        '--db',
        path.join(dir, 'cli-watch-ja.db'),
      ],
      { GRAPH_TOKEN: 'good' },
    );
    const out = childOutput(child);
    child.stdin.end();
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await until(
      'it says it tries again',
      () => /秒後にフォルダーをもう一度読みます/.test(out.stderr),
      20_000,
    );
    child.kill('SIGTERM');
    expect(await out.exited).toBe(0);
    expect(out.stderr).toMatch(
      /^Microsoft Graph（127\.0\.0\.1:1）に接続できません: .*ECONNREFUSED.*。1 秒後にフォルダーをもう一度読みます\n/,
    );
  }, 30_000);

  it("refuses --interval without --watch, a password, an http:// base URL and a refused token, in the reader's language", async () => {
    const db = path.join(dir, 'usage.db');
    const url = `graph://${MAILBOX}/Inbox`;
    const interval = await sumi(['ingest', url, '--interval', '5', '--token-env', 'T', '--db', db], {
      T: 'good',
    });
    expect(interval.code).toBe(2);
    expect(interval.stderr).toContain('--interval is for --watch on folders, files, graph:// or gmail://');
    const zero = await sumi(['ingest', url, '--watch', '--interval', '0', '--token-env', 'T', '--db', db], {
      T: 'good',
    });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--interval 0: give a positive whole number');
    const password = await sumi(['ingest', url, '--db', db], { SUMI_IMAP_PASSWORD: 'secret' });
    expect(password.code).toBe(2);
    expect(password.stderr).toContain('with an OAuth 2.0 access token, not a password');
    const http = await sumi(
      ['ingest', url, '--graph-url', 'http://localhost:1', '--token-env', 'T', '--db', db],
      {
        T: 'good',
      },
    );
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('--graph-url http://localhost:1: give an https:// URL');
    const alone = await sumi(['ingest', url, 'reports/', '--token-env', 'T', '--db', db], { T: 'good' });
    expect(alone.code).toBe(2);
    const closed = await sumi(
      ['--lang', 'ja', 'ingest', url, '--graph-url', 'https://127.0.0.1:1', '--token-env', 'T', '--db', db],
      { T: 'good' },
    );
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(
      /^エラー: Microsoft Graph（127\.0\.0\.1:1）に接続できません: .*ECONNREFUSED.*\n$/,
    );
  });
});
