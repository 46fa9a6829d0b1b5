/**
 * Access tokens Sumi gets itself with the OAuth 2.0 client credentials grant, against a local
 * HTTPS token endpoint answering as Microsoft Entra ID does (tokens, and its errors with AADSTS
 * codes), with faults the test gives it; and `sumi ingest`'s client credential flags refused when
 * incomplete, in English and Japanese. No network.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { INTERRUPT_GRACE_MS } from '../../src/cli/ingest.ts';
import { describeTokenError, TokenError, tokenServiceFailed } from '../../src/ingest/imap-account.ts';
import {
  type ClientCredentials,
  clientCredentialsToken,
  GMAIL_SCOPE,
  GRAPH_SCOPE,
  graphScope,
  microsoftTokenUrl,
  parseServiceAccountKey,
  rereadingCredential,
  serviceAccountToken,
} from '../../src/ingest/oauth.ts';
import { createTestPki, type TestPki } from '../helpers/tls.ts';
import { until } from '../helpers/until.ts';
import { childOutput, spawnSumi, sumi } from './helpers/sumi.ts';
import {
  decodeJwt,
  googleAnswer,
  googleKey,
  serveTokenEndpoint,
  TOKEN_PATH,
  type TokenEndpoint,
} from './helpers/token-endpoint.ts';

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

describe('rereadingCredential', () => {
  it('makes a new token source when the credential read changes, and keeps the last good one otherwise', async () => {
    const reads: (string | Error)[] = ['one', 'two', new Error('ENOENT'), 'half', 'three'];
    const made: string[] = [];
    const token = rereadingCredential(
      async () => {
        const next = reads.shift()!;
        if (next instanceof Error) throw next;
        return next;
      },
      'one',
      (credential) => {
        if (credential === 'half') throw new RangeError('not a credential');
        made.push(credential);
        return async () => `token-for-${credential}`;
      },
    );
    expect(made).toEqual(['one']);
    expect(await token()).toBe('token-for-one');
    expect(await token()).toBe('token-for-two');
    // A read that fails and a credential refused keep the last good one.
    expect(await token()).toBe('token-for-two');
    expect(await token()).toBe('token-for-two');
    expect(await token()).toBe('token-for-three');
    expect(made).toEqual(['one', 'two', 'three']);
  });
});

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

  it('Ctrl-C ends a token request under way: the run stops at once with 130, not after the request times out', async () => {
    // A token endpoint that takes the connection and never answers (not even TLS).
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const hanging = [
        '--client-id',
        'app',
        '--client-secret-env',
        'S',
        '--token-url',
        `https://127.0.0.1:${port}/token`,
      ];
      for (const args of [
        ['ingest', graphUrl, ...hanging, ...offline],
        ['ingest', 'imap://dmarc@127.0.0.1:1/INBOX', ...hanging, '--db', ':memory:'],
      ]) {
        const child = spawnSumi(args, { S: SECRET });
        const out = childOutput(child);
        const before = sockets.size;
        await until('the token is asked for', () => sockets.size > before, 60_000);
        const stopped = Date.now();
        child.kill('SIGINT');
        // Before: the request went on to its 30 s limit, and the CLI's 10 s grace killed the run.
        expect(await out.exited).toBe(130);
        expect(Date.now() - stopped).toBeLessThan(INTERRUPT_GRACE_MS / 2);
        expect(out.stderr).not.toMatch(/Error|エラー|token/);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 60_000);
});

describe('serviceAccountToken (Google, JWT bearer grant)', () => {
  const subject = 'dmarc@example.jp';
  /** A key whose token_uri is the local endpoint, which answers as Google checking its JWTs. */
  const setUp = () => {
    const made = googleKey(endpoint.url);
    endpoint.answer = googleAnswer(endpoint, {
      publicKey: made.publicKey,
      kid: made.privateKeyId,
      iss: made.clientEmail,
      sub: subject,
      scope: GMAIL_SCOPE,
      aud: endpoint.url,
    });
    return { ...made, key: parseServiceAccountKey(JSON.stringify(made.json)) };
  };
  /** The TokenError a call rejects with, which quotes neither the key nor an assertion. */
  const refused = async (ask: () => Promise<string>, privateKey: string): Promise<TokenError> => {
    const error = await ask().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenError);
    const said = `${(error as Error).message} ${describeTokenError(error as TokenError, 'ja')}`;
    for (const line of privateKey.split('\n').filter((l) => l.length > 16)) expect(said).not.toContain(line);
    for (const request of endpoint.requests) expect(said).not.toContain(request.form.assertion);
    return error as TokenError;
  };

  it('POSTs a JWT signed RS256 with the key (kid, iss, sub, scope, aud, an hour from now) and gives the access_token', async () => {
    const { key, json, clientEmail } = setUp();
    const ask = serviceAccountToken(key, subject, GMAIL_SCOPE, { ca: pki.caCert });
    expect(await ask()).toBe('cc-1');
    expect(await ask()).toBe('cc-2');
    expect(endpoint.requests).toHaveLength(2);
    const [first] = endpoint.requests;
    expect(first).toMatchObject({ method: 'POST', contentType: 'application/x-www-form-urlencoded' });
    expect(Object.keys(first!.form).sort()).toEqual(['assertion', 'grant_type']);
    expect(first!.form.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const jwt = decodeJwt(first!.form.assertion!);
    expect(jwt.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: json.private_key_id });
    expect(jwt.claims).toMatchObject({
      iss: clientEmail,
      sub: subject,
      scope: GMAIL_SCOPE,
      aud: endpoint.url,
    });
    expect(jwt.claims.exp - jwt.claims.iat).toBe(3600);
    expect(Math.abs(jwt.claims.iat - Date.now() / 1000)).toBeLessThan(60);
  });

  it('is refused by the endpoint when signed by another key or asking for another user or scope', async () => {
    const { key } = setUp();
    const other = parseServiceAccountKey(JSON.stringify(googleKey(endpoint.url).json));
    const cases: [() => Promise<string>, string][] = [
      [
        serviceAccountToken({ ...key, privateKey: other.privateKey }, subject, GMAIL_SCOPE, {
          ca: pki.caCert,
        }),
        'signature',
      ],
      [
        serviceAccountToken(key, 'someone@example.jp', GMAIL_SCOPE, { ca: pki.caCert }),
        'sub someone@example.jp',
      ],
      [
        serviceAccountToken(key, subject, 'https://www.googleapis.com/auth/gmail.readonly', {
          ca: pki.caCert,
        }),
        'scope',
      ],
    ];
    for (const [ask, said] of cases) {
      const error = await refused(ask, key.privateKey);
      expect(error.message).toContain(`invalid_grant "test endpoint: ${said}`);
    }
    expect(endpoint.issued).toEqual([]);
  });

  it('shares one request among the calls made while it is under way', async () => {
    const { key } = setUp();
    const checked = endpoint.answer;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    endpoint.answer = async (request) => {
      await held;
      return checked(request);
    };
    const ask = serviceAccountToken(key, subject, GMAIL_SCOPE, { ca: pki.caCert });
    const calls = [ask(), ask(), ask()];
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    expect(await Promise.all(calls)).toEqual(['cc-1', 'cc-1', 'cc-1']);
    expect(endpoint.requests).toHaveLength(1);
    expect(await ask()).toBe('cc-2');
  });

  it("says Google's unauthorized_client with its description's first line, the service account and the user, never the key", async () => {
    const { key, clientEmail } = setUp();
    endpoint.answer = () => ({
      status: 401,
      body: JSON.stringify({
        error: 'unauthorized_client',
        error_description:
          'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.\nsecond line',
      }),
    });
    const error = await refused(
      serviceAccountToken(key, subject, GMAIL_SCOPE, { ca: pki.caCert }),
      key.privateKey,
    );
    expect(error.message).toBe(
      `${endpoint.url} (service account ${clientEmail} as ${subject}): answered HTTP 401: unauthorized_client "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."`,
    );
    expect(error.source).toEqual({ serviceAccount: { tokenUrl: endpoint.url, clientEmail, subject } });
    // Not the service's failure: the configuration's (delegation not granted).
    expect(tokenServiceFailed(error)).toBe(false);
    // An answer quoting the assertion or a line of the key has them hidden.
    const keyLine = key.privateKey.split('\n')[3]!;
    endpoint.answer = (request) => ({
      status: 400,
      body: JSON.stringify({
        error: 'invalid_grant',
        error_description: `bad ${request.form.assertion} ${keyLine}`,
      }),
    });
    const quoted = await refused(
      serviceAccountToken(key, subject, GMAIL_SCOPE, { ca: pki.caCert }),
      key.privateKey,
    );
    expect(quoted.message).toContain('invalid_grant "bad [private key] [private key]"');
  });

  it('says an endpoint not reached, TLS that fails and no answer in time as the service failing', async () => {
    const { key } = setUp();
    const closed = serviceAccountToken(
      { ...key, tokenUrl: 'https://127.0.0.1:1/token' },
      subject,
      GMAIL_SCOPE,
    );
    const unreachable = await refused(closed, key.privateKey);
    expect(unreachable.ownReason?.key).toBe('unreachable');
    // The test CA not trusted.
    const tls = await refused(serviceAccountToken(key, subject, GMAIL_SCOPE), key.privateKey);
    expect(tls.ownReason?.key).toBe('tls');
    endpoint.answer = () => new Promise(() => {});
    const slow = await refused(
      serviceAccountToken(key, subject, GMAIL_SCOPE, { ca: pki.caCert, timeoutMs: 200 }),
      key.privateKey,
    );
    expect(slow.ownReason?.key).toBe('timedOut');
    for (const error of [unreachable, tls, slow]) expect(tokenServiceFailed(error)).toBe(true);
    expect(() => serviceAccountToken(key, '', GMAIL_SCOPE)).toThrow(RangeError);
  });
});

describe('parseServiceAccountKey', () => {
  const made = googleKey('https://oauth2.googleapis.com/token');
  const text = (change: Record<string, unknown>) => JSON.stringify({ ...made.json, ...change });

  it("reads Google's JSON key file, with Google's token endpoint when it names none", () => {
    expect(parseServiceAccountKey(JSON.stringify(made.json))).toEqual({
      clientEmail: made.clientEmail,
      privateKey: made.json.private_key,
      privateKeyId: made.privateKeyId,
      tokenUrl: 'https://oauth2.googleapis.com/token',
    });
    const { token_uri: _, private_key_id: __, ...bare } = made.json;
    expect(parseServiceAccountKey(JSON.stringify(bare))).toEqual({
      clientEmail: made.clientEmail,
      privateKey: made.json.private_key,
      tokenUrl: 'https://oauth2.googleapis.com/token',
    });
  });

  it('refuses a file that is not a service account key with a RangeError saying why, never quoting the key', () => {
    const { private_key: _, ...noKey } = made.json;
    const cases: [string, string][] = [
      [made.json.private_key, 'not a JSON object: not a service account key'],
      ['[]', 'not a JSON object'],
      [text({ type: 'authorized_user' }), 'type is "authorized_user", not "service_account"'],
      [text({ type: undefined }), 'type is none, not "service_account"'],
      [JSON.stringify(noKey), 'no private_key (a string) in the service account key'],
      [text({ client_email: 7 }), 'no client_email'],
      [
        text({ private_key: '-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n' }),
        'private_key is not a PEM RSA private key',
      ],
      [
        text({ token_uri: 'http://oauth2.googleapis.com/token' }),
        'token_uri is not an https:// URL: http://oauth2.googleapis.com/token',
      ],
    ];
    for (const [file, said] of cases) {
      let error: unknown;
      try {
        parseServiceAccountKey(file);
      } catch (e) {
        error = e;
      }
      expect(error, said).toBeInstanceOf(RangeError);
      expect((error as Error).message).toContain(said);
      expect((error as Error).message).not.toContain('PRIVATE KEY');
    }
  });
});

describe('sumi ingest --google-key: usage', () => {
  const imapUrl = 'imap://dmarc%40example.jp@127.0.0.1:1/INBOX';
  const offline = ['--db', ':memory:'];

  it('refuses two token sources, graph://, a missing or bad key file with exit 2, in English and Japanese', async () => {
    const keyFile = path.join(dir, 'google-key.json');
    await writeFile(keyFile, JSON.stringify(googleKey('https://127.0.0.1:1/token').json));
    const badFile = path.join(dir, 'not-a-key.json');
    await writeFile(badFile, JSON.stringify({ type: 'authorized_user', client_id: 'x' }));
    const missing = path.join(dir, 'missing.json');
    const cases: [string[], string][] = [
      [
        [imapUrl, '--google-key', keyFile, '--token-env', 'T'],
        'give one of --token-command, --token-file, --token-env, --client-id, --google-key',
      ],
      [
        [
          imapUrl,
          '--google-key',
          keyFile,
          '--client-id',
          'app',
          '--client-secret-env',
          'S',
          '--tenant',
          'c.example',
        ],
        'give one of --token-command, --token-file, --token-env, --client-id, --google-key',
      ],
      [
        ['graph://dmarc@example.jp/Inbox', '--google-key', keyFile, '--graph-url', 'https://127.0.0.1:1'],
        '--google-key: a Google service account does not sign in to Microsoft Graph',
      ],
      [[imapUrl, '--google-key', missing], `--google-key ${missing}: ENOENT`],
      [
        [imapUrl, '--google-key', badFile],
        `--google-key ${badFile}: type is "authorized_user", not "service_account": not a service account key`,
      ],
      [
        [imapUrl, '--google-key', keyFile, '--tenant', 'c.example'],
        '--tenant: for client credentials, give --client-id too',
      ],
    ];
    for (const [args, said] of cases) {
      const run = await sumi(['ingest', ...args, ...offline], { T: 'tok', S: SECRET });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(said);
      expect(run.stderr).not.toContain('PRIVATE KEY');
    }
    const ja = await sumi(['--lang', 'ja', 'ingest', imapUrl, '--google-key', badFile, ...offline]);
    expect(ja.code).toBe(2);
    expect(ja.stderr).toContain(
      `--google-key ${badFile}: type が "service_account" ではなく "authorized_user" です。サービスアカウントの鍵ではありません`,
    );
    const jaGraph = await sumi([
      '--lang',
      'ja',
      'ingest',
      'graph://dmarc@example.jp/Inbox',
      '--google-key',
      keyFile,
      ...offline,
    ]);
    expect(jaGraph.stderr).toContain(
      '--google-key: Google のサービスアカウントでは Microsoft Graph にサインインできません',
    );
  });

  it('exits 1 when the token endpoint cannot be reached, naming the service account and the user', async () => {
    const keyFile = path.join(dir, 'google-key-offline.json');
    const made = googleKey('https://127.0.0.1:1/token');
    await writeFile(keyFile, JSON.stringify(made.json));
    const run = await sumi([
      'ingest',
      imapUrl,
      '--google-key',
      keyFile,
      '--scope',
      'https://x.example/scope',
      ...offline,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /no IMAP access token: https:\/\/127\.0\.0\.1:1\/token \(service account sumi@dmarc-project\.iam\.gserviceaccount\.com as dmarc@example\.jp\): cannot be reached: .*ECONNREFUSED/,
    );
    expect(run.stderr).not.toContain('PRIVATE KEY');
  });
});
