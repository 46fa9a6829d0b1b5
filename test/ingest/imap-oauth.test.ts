/**
 * IMAP login with an OAuth 2.0 access token (XOAUTH2 / OAUTHBEARER), as Microsoft 365 and Gmail
 * require: against a Dovecot whose oauth2 passdb checks each token with a local introspection
 * endpoint (RFC 7662), which the test controls to rotate and revoke tokens; tokens from a source,
 * or from a local token endpoint Sumi asks itself with the client credentials grant.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type ImapEvent, ingestImap } from '../../src/ingest/imap.ts';
import { imapAccessToken, TokenError } from '../../src/ingest/imap-account.ts';
import { openStore } from '../../src/store/open.ts';
import { createTestPki } from '../helpers/tls.ts';
import { until } from '../helpers/until.ts';
import { appendMail, type Dovecot, dovecotInstalled, startDovecot, startRelay } from './helpers/dovecot.ts';
import { reportMail } from './helpers/reports.ts';
import { childOutput, spawnSumi, sumi } from './helpers/sumi.ts';
import { googleAnswer, googleKey, serveTokenEndpoint } from './helpers/token-endpoint.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sumi-imap-oauth-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('imapAccessToken', () => {
  it('takes the first non-empty line of a command, a file or a variable, asked again each time', async () => {
    const file = path.join(dir, 'token');
    await writeFile(file, '\n  tok-1  \nsecond line\n');
    const fromFile = imapAccessToken({ file });
    expect(await fromFile()).toBe('tok-1');
    await writeFile(file, 'tok-2\n');
    expect(await fromFile()).toBe('tok-2');
    expect(await imapAccessToken({ command: `printf '\\ntok-3\\n'; echo noise >&2` })()).toBe('tok-3');
    expect(await imapAccessToken({ env: 'TOKEN' }, { TOKEN: 'tok-4' })()).toBe('tok-4');
  });

  it('says which source gave no token and why', async () => {
    await expect(imapAccessToken({ command: 'echo expired >&2; exit 3' })()).rejects.toThrow(
      'token command: exit 3: expired',
    );
    await expect(imapAccessToken({ command: 'true' })()).rejects.toThrow('token command: no token');
    await expect(imapAccessToken({ file: path.join(dir, 'missing') })()).rejects.toThrow(/missing: ENOENT/);
    await expect(imapAccessToken({ env: 'NONE' }, {})()).rejects.toThrow('$NONE: no token');
  });

  it('ends a token command under way when the signal aborts, with the signal reason, its process killed', async () => {
    const pidFile = path.join(dir, 'token-command.pid');
    const controller = new AbortController();
    const asking = imapAccessToken(
      { command: `echo $$ > ${pidFile}; exec sleep 30` },
      process.env,
      controller.signal,
    )();
    await until(
      'the command runs',
      async () => (await readFile(pidFile, 'utf8').catch(() => '')).trim() !== '',
    );
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    const stopped = Date.now();
    controller.abort(new Error('stopped'));
    await expect(asking).rejects.toThrow('stopped');
    expect(Date.now() - stopped).toBeLessThan(5_000);
    await until('its process is gone', () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });
  });
});

describe.skipIf(!dovecotInstalled)(
  'IMAP with OAuth 2.0 tokens against Dovecot (skipped without dovecot-imapd)',
  () => {
    let dovecot: Dovecot;
    let introspection: http.Server;
    /** The tokens the provider takes now, and whose mailbox each opens. */
    const active = new Map<string, string>();
    const asked: string[] = [];
    const user = 'dmarc@example.jp';

    beforeAll(async () => {
      introspection = http.createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => {
          body += chunk;
        });
        request.on('end', () => {
          const token = new URLSearchParams(body).get('token') ?? '';
          asked.push(token);
          const username = active.get(token);
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify(username ? { active: true, username } : { active: false }));
        });
      });
      await new Promise<void>((resolve) => introspection.listen(0, '127.0.0.1', resolve));
      const { port } = introspection.address() as AddressInfo;
      dovecot = await startDovecot({ oauth2: { introspectionUrl: `http://127.0.0.1:${port}/introspect` } });
    });
    afterAll(async () => {
      await dovecot?.stop();
      introspection?.close();
    });

    const url = (port = dovecot.port) => `imap://${encodeURIComponent(user)}@127.0.0.1:${port}/INBOX`;
    async function append(mail: string): Promise<void> {
      active.set('appender', user);
      await appendMail(dovecot, { user, accessToken: 'appender' }, mail);
    }

    it('logs in with the token a command prints, and asks for a fresh one when it reconnects', async () => {
      const store = await openStore(':memory:');
      onTestFinished(() => store.close());
      const relay = await startRelay(dovecot.port);
      onTestFinished(() => relay.close());
      const tokenFile = path.join(dir, 'current-token');
      await writeFile(tokenFile, 'first\n');
      active.set('first', user);
      await append(reportMail({ reportId: 'oauth-1' }));
      const controller = new AbortController();
      const events: ImapEvent[] = [];
      const running = ingestImap(url(relay.port), {
        store,
        accessToken: imapAccessToken({ command: `cat '${tokenFile}'` }),
        starttls: 'off',
        watch: true,
        signal: controller.signal,
        reconnect: { minMs: 100, maxMs: 400 },
        onEvent: (event) => events.push(event),
      });
      const waitFor = (reports: number) =>
        until(`${reports} reports are stored`, async () => (await store.countReports()).reports >= reports);
      await waitFor(1);
      // The token expires and its source now gives a new one: the reconnect must use it.
      active.delete('first');
      active.set('second', user);
      await writeFile(tokenFile, 'second\n');
      relay.cut();
      await append(reportMail({ reportId: 'oauth-2' }));
      await waitFor(2);
      controller.abort();
      expect((await running).reports).toBe(2);
      expect(events.some((e) => e.type === 'reconnecting')).toBe(true);
      expect(asked).toContain('first');
      expect(asked).toContain('second');
    }, 60_000);

    it('fails at once on a refused token or a token command that fails, even when watching', async () => {
      const store = await openStore(':memory:');
      onTestFinished(() => store.close());
      await expect(
        ingestImap(url(), { store, accessToken: async () => 'revoked', starttls: 'off', watch: true }),
      ).rejects.toMatchObject({ code: 'login-refused' });
      await expect(
        ingestImap(url(), {
          store,
          accessToken: imapAccessToken({ command: 'exit 1' }),
          starttls: 'off',
          watch: true,
        }),
      ).rejects.toBeInstanceOf(TokenError);
    });

    it('sumi ingest --token-command / --token-file; a failing command is a clear error in Japanese too', async () => {
      active.set('cli-token', user);
      await append(reportMail({ reportId: 'oauth-cli' }));
      const db = path.join(dir, 'cli.db');
      const tokenFile = path.join(dir, 'cli-token');
      await writeFile(tokenFile, 'cli-token\n');
      await chmod(tokenFile, 0o600);
      const ok = await sumi([
        'ingest',
        url(),
        '--starttls',
        'off',
        '--token-file',
        tokenFile,
        '--db',
        db,
        '--json',
      ]);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ reports: 1 });
      const failing = await sumi(
        [
          'ingest',
          url(),
          '--starttls',
          'off',
          '--token-command',
          'echo "login expired" >&2; exit 4',
          '--db',
          db,
        ],
        { LANG: 'ja_JP.UTF-8' },
      );
      expect(failing.code).toBe(2);
      expect(failing.stderr).toContain(
        'IMAP のアクセストークンが得られません: token command: exit 4: login expired',
      );
      const both = await sumi(['ingest', url(), '--token-file', tokenFile, '--token-env', 'X', '--db', db]);
      expect(both.code).toBe(2);
      expect(both.stderr).toContain('--token-command, --token-file, --token-env');
    });

    it('sumi ingest --client-id --client-secret-file --token-url logs in with the token it asked for, scoped to Exchange Online (child process)', async () => {
      const pki = createTestPki();
      onTestFinished(() => pki.cleanup());
      const endpoint = await serveTokenEndpoint(pki);
      onTestFinished(() => endpoint.close());
      // The provider takes each token it issues for the mailbox.
      endpoint.answer = () => {
        const answer = endpoint.issue();
        active.set(endpoint.issued.at(-1)!, user);
        return answer;
      };
      await append(reportMail({ reportId: 'oauth-cc' }));
      const ca = path.join(dir, 'ca.pem');
      await writeFile(ca, pki.caCert);
      const secretFile = path.join(dir, 'client-secret');
      await writeFile(secretFile, 's3cr3t~value\n');
      const child = spawnSumi(
        [
          'ingest',
          url(),
          '--starttls',
          'off',
          '--client-id',
          'app-id',
          '--client-secret-file',
          secretFile,
          '--token-url',
          endpoint.url,
          '--db',
          path.join(dir, 'cli-cc.db'),
          '--json',
        ],
        { NODE_EXTRA_CA_CERTS: ca, LANG: 'en_US.UTF-8' },
      );
      const out = childOutput(child);
      child.stdin.end();
      expect(await out.exited).toBe(0);
      expect(JSON.parse(out.stdout)).toMatchObject({ reports: 1 });
      expect(endpoint.requests.map((request) => request.form)).toEqual([
        {
          grant_type: 'client_credentials',
          client_id: 'app-id',
          client_secret: 's3cr3t~value',
          scope: 'https://outlook.office365.com/.default',
        },
      ]);
      expect(asked).toContain('cc-1');
    }, 30_000);

    it("sumi ingest --google-key logs in as the URL's user with the token a service account asked for with its JWT (child process)", async () => {
      const pki = createTestPki();
      onTestFinished(() => pki.cleanup());
      const endpoint = await serveTokenEndpoint(pki);
      onTestFinished(() => endpoint.close());
      const made = googleKey(endpoint.url);
      // Google's checks of the JWT; each token issued opens the mailbox.
      const checked = googleAnswer(endpoint, {
        publicKey: made.publicKey,
        kid: made.privateKeyId,
        iss: made.clientEmail,
        sub: user,
        scope: 'https://mail.google.com/',
        aud: endpoint.url,
      });
      endpoint.answer = (request) => {
        const answer = checked(request);
        if (answer.status === 200) active.set(endpoint.issued.at(-1)!, user);
        return answer;
      };
      await append(reportMail({ reportId: 'oauth-google' }));
      const ca = path.join(dir, 'google-ca.pem');
      await writeFile(ca, pki.caCert);
      const keyFile = path.join(dir, 'google-key.json');
      await writeFile(keyFile, JSON.stringify(made.json));
      await chmod(keyFile, 0o600);
      const db = path.join(dir, 'cli-google.db');
      const child = spawnSumi(
        ['ingest', url(), '--starttls', 'off', '--google-key', keyFile, '--db', db, '--json'],
        { NODE_EXTRA_CA_CERTS: ca, LANG: 'en_US.UTF-8' },
      );
      const out = childOutput(child);
      child.stdin.end();
      expect(await out.exited, out.stderr).toBe(0);
      expect(JSON.parse(out.stdout)).toMatchObject({ reports: 1 });
      expect(endpoint.issued).toEqual(['cc-1']);
      expect(asked).toContain('cc-1');
      const store = await openStore(db);
      onTestFinished(() => store.close());
      expect((await store.countReports()).reports).toBe(1);
    }, 30_000);
  },
);
