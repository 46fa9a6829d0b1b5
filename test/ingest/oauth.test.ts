/**
 * Access tokens Sumi gets itself with the OAuth 2.0 client credentials grant, against a local
 * HTTPS token endpoint answering as Microsoft Entra ID does (tokens, and its errors with AADSTS
 * codes), with faults the test gives it; and `sumi ingest`'s client credential flags refused when
 * incomplete, in English and Japanese. No network.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeTokenError, TokenError } from '../../src/ingest/imap-account.ts';
import {
  type ClientCredentials,
  clientCredentialsToken,
  GRAPH_SCOPE,
  graphScope,
  microsoftTokenUrl,
} from '../../src/ingest/oauth.ts';
import { createTestPki, type TestPki } from '../helpers/tls.ts';
import { sumi } from './helpers/sumi.ts';
import { serveTokenEndpoint, TOKEN_PATH, type TokenEndpoint } from './helpers/token-endpoint.ts';

const SECRET = 'Xy7Q~s3cr3t.Value_Not-To-Be-Shown';
/** Entra's answer to a wrong secret: the description's first line, then trace and correlation ids. */
const INVALID_CLIENT = JSON.stringify({
  error: 'invalid_client',
  error_description:
    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'app-id'.\r\nTrace ID: 0b2e0000-0000-0000-0000-000000000000\r\nCorrelation ID: 4a1f0000-0000-0000-0000-000000000000\r\nTimestamp: 2026-12-01 04:00:00Z",
  error_codes: [7000215],
  trace_id: '0b2e0000-0000-0000-0000-000000000000',
});

let pki: TestPki;
let endpoint: TokenEndpoint;
let dir: string;
beforeAll(async () => {
  pki = createTestPki();
  endpoint = await serveTokenEndpoint(pki);
  dir = await mkdtemp(path.join(tmpdir(), 'sumi-oauth-'));
});
afterAll(async () => {
  await endpoint?.close();
  pki?.cleanup();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => endpoint.reset());

const credentials = (): ClientCredentials => ({
  tokenUrl: endpoint.url,
  clientId: 'app-id',
  clientSecret: SECRET,
  scope: GRAPH_SCOPE,
});
const token = (options: Parameters<typeof clientCredentialsToken>[1] = {}) =>
  clientCredentialsToken(credentials(), { ca: pki.caCert, ...options });
/** The TokenError a call rejects with. */
const failure = async (ask: () => Promise<string>): Promise<TokenError> => {
  const error = await ask().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TokenError);
  expect(String((error as Error).message)).not.toContain(SECRET);
  return error as TokenError;
};

describe('clientCredentialsToken', () => {
  it('POSTs the client credentials grant as a form and gives the access_token, a fresh one at each call', async () => {
    const ask = token();
    expect(await ask()).toBe('cc-1');
    expect(endpoint.requests).toEqual([
      {
        method: 'POST',
        path: TOKEN_PATH,
        contentType: 'application/x-www-form-urlencoded',
        form: {
          grant_type: 'client_credentials',
          client_id: 'app-id',
          client_secret: SECRET,
          scope: 'https://graph.microsoft.com/.default',
        },
      },
    ]);
    expect(await ask()).toBe('cc-2');
    expect(endpoint.requests).toHaveLength(2);
  });

  it('shares one request among the calls made while it is under way', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    endpoint.answer = async () => {
      await held;
      return endpoint.issue();
    };
    const ask = token();
    const first = ask();
    const second = ask();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = ask();
    release();
    expect(await Promise.all([first, second, third])).toEqual(['cc-1', 'cc-1', 'cc-1']);
    expect(endpoint.requests).toHaveLength(1);
    // Once answered, the next call asks again.
    expect(await ask()).toBe('cc-2');
  });

  it("says the endpoint's error and the first line of its description on 400 and 401, never the secret", async () => {
    for (const status of [400, 401]) {
      endpoint.answer = () => ({ status, body: INVALID_CLIENT });
      const error = await failure(token());
      expect(error.source).toEqual({ clientCredentials: { tokenUrl: endpoint.url, clientId: 'app-id' } });
      expect(error.message).toBe(
        `${endpoint.url} (client_id app-id): answered HTTP ${status}: invalid_client "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'app-id'."`,
      );
      expect(describeTokenError(error, 'ja')).toBe(
        `${endpoint.url} (client_id app-id): HTTP ${status} を返しました: invalid_client "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'app-id'."`,
      );
    }
    // An endpoint quoting what it was sent does not make Sumi say it; a long line is cut.
    endpoint.answer = () => ({
      status: 400,
      body: JSON.stringify({
        error: 'invalid_request',
        error_description: `bad secret ${SECRET} ${'x'.repeat(1000)}`,
      }),
    });
    const quoting = await failure(token());
    expect(quoting.message).toContain('invalid_request "bad secret [client secret] xxx');
    expect(quoting.message.length).toBeLessThan(endpoint.url.length + 400);
    // Not JSON (a proxy's page): the status alone.
    endpoint.answer = () => ({ status: 502, body: '<html>Bad gateway</html>' });
    expect((await failure(token())).message).toBe(`${endpoint.url} (client_id app-id): answered HTTP 502`);
  });

  it('refuses an answer that is not JSON, has no access_token, or is too large', async () => {
    endpoint.answer = () => ({ status: 200, body: '<html>sign in</html>' });
    expect((await failure(token())).ownReason).toEqual({ key: 'notJson', values: {} });
    endpoint.answer = () => ({
      status: 200,
      body: JSON.stringify({ token_type: 'Bearer', expires_in: 3599 }),
    });
    const none = await failure(token());
    expect(none.ownReason).toEqual({ key: 'noToken', values: {} });
    expect(describeTokenError(none, 'ja')).toMatch(/: access_token のない応答を返しました$/);
    endpoint.answer = () => ({ status: 200, body: JSON.stringify({ access_token: 'two\r\nlines' }) });
    expect((await failure(token())).ownReason).toEqual({ key: 'noToken', values: {} });
    endpoint.answer = () => ({ status: 200, body: JSON.stringify({ access_token: 'x'.repeat(5000) }) });
    const large = await failure(token({ maxBytes: 1000 }));
    expect(large.message).toBe(`${endpoint.url} (client_id app-id): answered with more than 1000 bytes`);
    expect(describeTokenError(large, 'ja')).toMatch(/: 1000 バイトを超える応答を返しました$/);
  });

  it('refuses http:// and a URL naming a user before asking anything', () => {
    expect(() =>
      clientCredentialsToken({ ...credentials(), tokenUrl: endpoint.url.replace('https:', 'http:') }),
    ).toThrow(RangeError);
    expect(() =>
      clientCredentialsToken({ ...credentials(), tokenUrl: endpoint.url.replace('//', '//me:pw@') }),
    ).toThrow(RangeError);
    expect(() => clientCredentialsToken({ ...credentials(), clientSecret: '' })).toThrow(RangeError);
    expect(endpoint.requests).toEqual([]);
  });

  it('says a certificate it cannot verify is TLS, a closed port unreachable, and no answer in time', async () => {
    const tls = await failure(clientCredentialsToken(credentials()));
    expect(tls.ownReason?.key).toBe('tls');
    expect(tls.message).toMatch(/\(client_id app-id\): TLS failed: /);
    expect(describeTokenError(tls, 'ja')).toMatch(/\(client_id app-id\): TLS に失敗しました: /);

    const closed = https.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await failure(
      clientCredentialsToken({ ...credentials(), tokenUrl: `https://127.0.0.1:${port}/token` }),
    );
    expect(unreachable.message).toMatch(
      new RegExp(
        `^https://127\\.0\\.0\\.1:${port}/token \\(client_id app-id\\): cannot be reached: .*ECONNREFUSED`,
      ),
    );
    expect(describeTokenError(unreachable, 'ja')).toMatch(
      /\(client_id app-id\): 接続できません: .*ECONNREFUSED/,
    );

    endpoint.answer = () => new Promise(() => {});
    const slow = await failure(token({ timeoutMs: 100 }));
    expect(slow.message).toBe(`${endpoint.url} (client_id app-id): no answer within 0.1 s`);
  });

  it('ends a request under way when the signal aborts', async () => {
    endpoint.answer = () => new Promise(() => {});
    const controller = new AbortController();
    const asking = token({ signal: controller.signal })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(asking).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('microsoftTokenUrl and graphScope', () => {
  it("builds a tenant's token endpoint from its domain name or id, and refuses anything else", () => {
    expect(microsoftTokenUrl('contoso.onmicrosoft.com')).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    );
    expect(
      microsoftTokenUrl('72F988BF-86F1-41AF-91AB-2D7CD011DB47', 'https://login.microsoftonline.us/'),
    ).toBe('https://login.microsoftonline.us/72F988BF-86F1-41AF-91AB-2D7CD011DB47/oauth2/v2.0/token');
    for (const tenant of [
      '',
      'common',
      'organizations',
      'contoso',
      '../x.example',
      'a/b.example',
      'a b.jp',
      '-x.jp',
    ])
      expect(() => microsoftTokenUrl(tenant), tenant).toThrow(RangeError);
  });

  it("is Graph's own scope by default, a national cloud's origin with /.default otherwise", () => {
    expect(graphScope()).toBe('https://graph.microsoft.com/.default');
    expect(graphScope('https://graph.microsoft.us/v1.0/')).toBe('https://graph.microsoft.us/.default');
  });
});

describe('sumi ingest with client credentials: usage', () => {
  const graphUrl = 'graph://dmarc@example.jp/Inbox';
  /** A Graph and a token endpoint nothing listens on: nothing leaves the machine. */
  const offline = ['--graph-url', 'https://127.0.0.1:1', '--db', ':memory:'];

  it('refuses incomplete or conflicting flags with exit 2, naming what is missing', async () => {
    const cases: [string[], string][] = [
      [
        ['--client-id', 'app'],
        '--client-id: give the client secret with one of --client-secret-env, --client-secret-file',
      ],
      [
        [
          '--client-id',
          'app',
          '--client-secret-env',
          'S',
          '--client-secret-file',
          '/dev/null',
          '--tenant',
          'c.example',
        ],
        '--client-id: give the client secret with one of',
      ],
      [
        ['--client-id', 'app', '--client-secret-env', 'S'],
        '--client-id: give one of --tenant (Microsoft Entra ID) or --token-url',
      ],
      [
        [
          '--client-id',
          'app',
          '--client-secret-env',
          'S',
          '--tenant',
          'c.example',
          '--token-url',
          'https://x.example/t',
        ],
        '--client-id: give one of --tenant',
      ],
      [
        ['--client-secret-env', 'S', '--tenant', 'c.example'],
        '--client-secret-env, --tenant: for client credentials, give --client-id too',
      ],
      [['--scope', 'x'], '--scope: for client credentials, give --client-id too'],
      [
        ['--client-id', ' ', '--client-secret-env', 'S', '--tenant', 'c.example'],
        "--client-id: give the application's client id",
      ],
      [
        ['--client-id', 'app', '--client-secret-env', 'S', '--tenant', 'c.example', '--token-env', 'T'],
        'give one of --token-command, --token-file, --token-env, --client-id',
      ],
      [
        ['--client-id', 'app', '--client-secret-env', 'S', '--tenant', 'common'],
        '--tenant common: give the tenant',
      ],
      [
        ['--client-id', 'app', '--client-secret-env', 'S', '--token-url', 'http://127.0.0.1:1/token'],
        '--token-url http://127.0.0.1:1/token: give an https:// URL',
      ],
      [
        ['--client-id', 'app', '--client-secret-env', 'UNSET', '--tenant', 'c.example'],
        'no client secret in $UNSET',
      ],
    ];
    for (const [flags, said] of cases) {
      for (const url of [graphUrl, 'imap://dmarc@127.0.0.1:1/INBOX']) {
        const run = await sumi(['ingest', url, ...flags, ...offline], { S: SECRET, T: 'tok' });
        expect(run.code, `${url} ${flags.join(' ')}`).toBe(2);
        expect(run.stderr, `${url} ${flags.join(' ')}`).toContain(said);
      }
    }
    const empty = path.join(dir, 'empty-secret');
    await writeFile(empty, '\nsecond line\n');
    const file = await sumi([
      'ingest',
      graphUrl,
      '--client-id',
      'app',
      '--client-secret-file',
      empty,
      '--tenant',
      'c.example',
      ...offline,
    ]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain(`no client secret in ${empty}`);
    // A secret on the command line would be in every `ps` and shell history.
    const inline = await sumi([
      'ingest',
      graphUrl,
      '--client-id',
      'app',
      '--client-secret',
      SECRET,
      ...offline,
    ]);
    expect(inline.code).toBe(2);
    expect(inline.stderr).toContain("unknown option '--client-secret'");
    const ja = await sumi(['--lang', 'ja', 'ingest', graphUrl, '--client-id', 'app', ...offline]);
    expect(ja.stderr).toContain(
      '--client-id: クライアントシークレットを --client-secret-env か --client-secret-file のどちらか 1 つで指定してください',
    );
  });

  it('says a token request that fails as a token error, in English and Japanese, without the secret', async () => {
    const flags = [
      '--client-id',
      'app',
      '--client-secret-env',
      'S',
      '--token-url',
      'https://127.0.0.1:1/token',
    ];
    // IMAP asks for its token before it connects.
    const imap = await sumi(['ingest', 'imap://dmarc@127.0.0.1:1/INBOX', ...flags, '--db', ':memory:'], {
      S: SECRET,
    });
    // Not reached: a runtime failure (1), not the configuration's (2).
    expect(imap.code).toBe(1);
    expect(imap.stderr).toMatch(
      /no IMAP access token: https:\/\/127\.0\.0\.1:1\/token \(client_id app\): cannot be reached: .*ECONNREFUSED/,
    );
    const en = await sumi(['ingest', graphUrl, ...flags, ...offline], { S: SECRET });
    expect(en.code).toBe(1);
    expect(en.stderr).toMatch(
      /no access token for Microsoft Graph: https:\/\/127\.0\.0\.1:1\/token \(client_id app\): cannot be reached: .*ECONNREFUSED/,
    );
    const ja = await sumi(['--lang', 'ja', 'ingest', graphUrl, ...flags, ...offline], { S: SECRET });
    expect(ja.code).toBe(1);
    expect(ja.stderr).toMatch(
      /Microsoft Graph のアクセストークンが得られません: https:\/\/127\.0\.0\.1:1\/token \(client_id app\): 接続できません: .*ECONNREFUSED/,
    );
    for (const run of [imap, en, ja]) expect(run.stderr + run.stdout).not.toContain(SECRET);
  });
});
