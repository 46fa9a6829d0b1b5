/**
 * Ingest from a Google Workspace mailbox through the Gmail API, against a local HTTPS server that
 * plays the Gmail endpoints Sumi uses (labels, messages listed by label page by page, format=raw,
 * batchModify), with faults the test injects: refused tokens, throttling, refusals, answers Gmail
 * would not give, mail deleted meanwhile; and watched, with mail arriving between passes. Tokens
 * come from a function, or (the CLI as a child) from a local token endpoint Sumi asks as a
 * service account with the JWT bearer grant, as Google's. Nothing leaves the machine.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import {
  GMAIL_GROUP_MAILS,
  type GmailEvent,
  type IngestGmailOptions,
  ingestGmail,
} from '../../src/ingest/gmail.ts';
import {
  describeGmailAccessError,
  GMAIL_OTHER_MAIL_LABEL,
  GmailAccessError,
  gmailBaseUrl,
  parseGmailUrl,
} from '../../src/ingest/gmail-account.ts';
import { API_THROTTLE_RETRIES } from '../../src/ingest/https-json.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { createTestPki, type TestPki } from '../helpers/tls.ts';
import { until } from '../helpers/until.ts';
import { mail, zip } from '../reports/fixtures/build.ts';
import { watchApi } from './helpers/api-watch.ts';
import { MAILBOX, MockGmail } from './helpers/gmail-mock.ts';
import { closeServer, serveMock } from './helpers/https-mock.ts';
import { aggregateXml, plainMail, reportMail } from './helpers/reports.ts';
import { childOutput, spawnSumi, sumi } from './helpers/sumi.ts';
import { googleAnswer, googleKey, serveTokenEndpoint, type TokenEndpoint } from './helpers/token-endpoint.ts';

let pki: TestPki;
let server: https.Server;
let gmailUrl: string;
let dir: string;
let ca: string;
let endpoint: TokenEndpoint;
const gmail = new MockGmail();
const url = `gmail://${MAILBOX}/INBOX`;

/** The mock on `port` (0: any) of 127.0.0.1. */
const serveGmail = (port = 0) => serveMock(pki, gmail, port);

beforeAll(async () => {
  pki = createTestPki();
  dir = await mkdtemp(path.join(tmpdir(), 'sumi-gmail-'));
  server = await serveGmail();
  gmailUrl = `https://localhost:${(server.address() as AddressInfo).port}`;
  endpoint = await serveTokenEndpoint(pki);
  // A child trusts the test CA the way a user behind their own CA would: NODE_EXTRA_CA_CERTS.
  ca = path.join(dir, 'ca.pem');
  await writeFile(ca, pki.caCert);
});
afterAll(async () => {
  if (server) await closeServer(server);
  await endpoint?.close();
  pki?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** A report mail with the aggregate report zipped, or as plain XML. */
const zipMail = (reportId: string) =>
  mail(`Report-ID: ${reportId}`, [
    {
      contentType: 'application/zip',
      data: zip([{ name: `receiver.example!example.jp!${reportId}.xml`, data: aggregateXml({ reportId }) }]),
      filename: `${reportId}.zip`,
    },
  ]);
const xmlMail = (reportId: string) =>
  mail(`Report-ID: ${reportId}`, [
    { contentType: 'text/xml', data: aggregateXml({ reportId }), filename: `${reportId}.xml` },
  ]);
/** A mail of about `size` bytes that holds no report. */
const largeMail = (size: number) => `${plainMail('large')}${'x'.repeat(size)}\r\n`;
/** Google's error answer: its code, status and message. */
const googleError = (code: number, status: string, message: string) => ({ code, message, status });
const rateLimited = (reason: string) => ({
  code: 403,
  message: 'User-rate limit exceeded.',
  status: 'PERMISSION_DENIED',
  errors: [{ message: 'User-rate limit exceeded.', domain: 'usageLimits', reason }],
});
const listings = (labelId = 'INBOX') =>
  gmail.requests.filter((r) => r.startsWith(`GET /gmail/v1/users/${MAILBOX}/messages?labelIds=${labelId}&`))
    .length;

describe('parseGmailUrl and gmailBaseUrl', () => {
  it('reads the mailbox and the label, nested labels joined by "/", INBOX by default', () => {
    expect(parseGmailUrl('gmail://dmarc@example.jp/INBOX')).toEqual({ mailbox: MAILBOX, label: 'INBOX' });
    expect(parseGmailUrl('gmail://dmarc%40example.jp')).toEqual({ mailbox: MAILBOX, label: 'INBOX' });
    expect(parseGmailUrl('GMAIL://dmarc@example.jp/DMARC/R%C3%A9ports/')).toEqual({
      mailbox: MAILBOX,
      label: 'DMARC/Réports',
    });
    for (const bad of ['graph://dmarc@example.jp/Inbox', 'gmail:///INBOX', 'gmail://dmarc@example.jp/%E0'])
      expect(() => parseGmailUrl(bad), bad).toThrow(RangeError);
    // The mailbox is the address a service account acts as (the JWT's sub), or me.
    expect(parseGmailUrl('gmail://me/INBOX').mailbox).toBe('me');
    for (const bad of ['gmail://dmarc/INBOX', 'gmail://dmarc%20x@example.jp/INBOX'])
      expect(() => parseGmailUrl(bad), bad).toThrow(/the user's address/);
  });

  it('is https://gmail.googleapis.com by default, and https:// only', () => {
    expect(gmailBaseUrl().href).toBe('https://gmail.googleapis.com/');
    expect(gmailBaseUrl('https://localhost:8443/').host).toBe('localhost:8443');
    expect(() => gmailBaseUrl('http://gmail.googleapis.com')).toThrow(/https:\/\/ only/);
    expect(() => gmailBaseUrl('https://u:p@gmail.googleapis.com')).toThrow(RangeError);
  });
});

describe('ingestGmail', () => {
  let store: Store;
  beforeEach(async () => {
    gmail.reset();
    store = await openStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  describe('against a mock of the Gmail API', () => {
    const options = (): IngestGmailOptions => ({
      store,
      gmailUrl,
      ca: pki.caCert,
      accessToken: async () => 'good',
    });
    const processed = () => gmail.label('Sumi/Processed');

    it('stores the reports of gzip, zip and XML attachments from every page, relabels the mails Sumi/Processed (created level by level) in place of INBOX; a second run stores nothing new', async () => {
      const stored = [
        gmail.add(reportMail({ reportId: 'gz-1' })),
        gmail.add(zipMail('zip-1')),
        gmail.add(xmlMail('xml-1')),
        gmail.add(plainMail()),
      ];
      // Over the 10,000 bytes the test takes: decoded, and already as its base64 in the answer.
      const large = gmail.add(largeMail(20_000));
      const huge = gmail.add(largeMail(200_000));
      const totals = await ingestGmail(`gmail://${MAILBOX}/Inbox`, { ...options(), maxMessageBytes: 10_000 });
      expect(totals).toMatchObject({ reports: 3, records: 6, inputs: 6, otherMail: 0 });
      expect(totals.failed.map((f) => f.error.code).sort()).toEqual([
        'input-too-large',
        'input-too-large',
        'no-report-found',
      ]);
      const tooLarge = Object.fromEntries(
        totals.failed.filter((f) => f.error.code === 'input-too-large').map((f) => [f.source, f.error]),
      );
      expect(tooLarge[`gmail://${MAILBOX}/Inbox;id=${large}`]).toMatchObject({
        args: { size: gmail.mails.get(large)!.mime.length, limit: 10_000 },
      });
      // Its answer is cut once it passes the cap: the size said is what had come by then.
      expect(tooLarge[`gmail://${MAILBOX}/Inbox;id=${huge}`]).toMatchObject({
        args: { size: expect.any(Number), limit: 10_000 },
      });
      expect(tooLarge[`gmail://${MAILBOX}/Inbox;id=${huge}`]!.message).toMatch(
        /: \d{5,} bytes, over the limit of 10000$/,
      );
      expect((await store.countReports()).quarantined).toBe(1);
      // Six mails, two to a page: three pages.
      expect(listings()).toBe(3);
      expect(gmail.requests.filter((r) => r.startsWith('POST') && r.endsWith('/labels'))).toHaveLength(2);
      expect(gmail.label('Sumi')).toMatchObject({ type: 'user' });
      // Relabelled in one call, oldest first; the too large left under INBOX.
      expect(gmail.modified).toEqual([
        { ids: stored, addLabelIds: [processed()!.id], removeLabelIds: ['INBOX'] },
      ]);
      expect(gmail.in(processed()!.id).map((m) => m.labelIds)).toEqual(
        stored.map(() => ['UNREAD', processed()!.id]),
      );
      expect(gmail.in('INBOX').map((m) => m.id)).toEqual([large, huge]);
      const again = await ingestGmail(`gmail://${MAILBOX}/Inbox`, { ...options(), maxMessageBytes: 10_000 });
      expect(again).toMatchObject({ reports: 0, duplicates: 0, inputs: 2 });
      expect(again.failed.map((f) => f.error.code)).toEqual(['input-too-large', 'input-too-large']);
      expect((await store.countReports()).reports).toBe(3);
      // The archive labels are found, not created again.
      expect(gmail.requests.filter((r) => r.startsWith('POST') && r.endsWith('/labels'))).toHaveLength(2);
    });

    it('says a stop cut the run short only when listed mail was left, not when it came as the last group was relabelled', async () => {
      for (let i = 0; i <= GMAIL_GROUP_MAILS; i++) gmail.add(xmlMail(`stop-${i}`));
      /** A run stopped once its first group is stored and relabelled. */
      const stopped = async () => {
        const controller = new AbortController();
        let cutShort = false;
        const totals = await ingestGmail(`gmail://${MAILBOX}/INBOX`, {
          ...options(),
          signal: controller.signal,
          onProgress: () => controller.abort(),
          onCutShort: () => {
            cutShort = true;
          },
        });
        return { inputs: totals.inputs, cutShort };
      };
      expect(await stopped()).toEqual({ inputs: GMAIL_GROUP_MAILS, cutShort: true });
      expect(await stopped()).toEqual({ inputs: 1, cutShort: false });
      expect(gmail.in('INBOX')).toHaveLength(0);
    });

    it('reads a nested user label named in any case, and takes the archive label another run created meanwhile (409)', async () => {
      gmail.addLabel('DMARC');
      const reports = gmail.addLabel('DMARC/Reports');
      gmail.add(reportMail({ reportId: 'n-1' }), [reports]);
      gmail.add(reportMail({ reportId: 'n-2' }), ['INBOX']);
      gmail.faults.push({
        match: /^POST .*\/labels$/,
        fault: {
          status: 409,
          error: googleError(409, 'ALREADY_EXISTS', 'Label name exists or conflicts'),
          meanwhile: () => gmail.addLabel('Sumi'),
        },
      });
      const totals = await ingestGmail(`gmail://${MAILBOX}/dmarc/reports`, options());
      expect(totals).toMatchObject({ reports: 1, inputs: 1, failed: [] });
      expect(gmail.in(reports)).toEqual([]);
      expect(gmail.in(processed()!.id)).toHaveLength(1);
      // "Sumi" was refused as made meanwhile, then found; "Sumi/Processed" created.
      expect([...gmail.labels.values()].filter((l) => l.name.startsWith('Sumi'))).toHaveLength(2);
      expect(gmail.in('INBOX')).toHaveLength(1);
    });

    it('with flag, gives the mails that label (created) and leaves them under INBOX, and skips them the next time', async () => {
      gmail.add(reportMail({ reportId: 'f-1' }));
      gmail.add(reportMail({ reportId: 'f-2' }));
      const flagged = { ...options(), flag: 'SumiProcessed' };
      expect(await ingestGmail(url, flagged)).toMatchObject({ reports: 2, inputs: 2 });
      const flag = gmail.label('SumiProcessed')!.id;
      expect(gmail.in('INBOX').map((m) => m.labelIds)).toEqual([
        ['INBOX', 'UNREAD', flag],
        ['INBOX', 'UNREAD', flag],
      ]);
      expect(gmail.label('Sumi')).toBeUndefined();
      expect(gmail.label(GMAIL_OTHER_MAIL_LABEL)).toBeUndefined();
      expect(await ingestGmail(url, flagged)).toMatchObject({ reports: 0, inputs: 0 });
      gmail.add(reportMail({ reportId: 'f-3' }));
      expect(await ingestGmail(url, flagged)).toMatchObject({ reports: 1, inputs: 1 });
    });

    it('with leaveOtherMail, leaves mail with nothing like a report under INBOX, with a label later runs skip', async () => {
      gmail.add(reportMail({ reportId: 'o-1' }));
      const other = gmail.add(plainMail('lunch?'));
      const leave = { ...options(), leaveOtherMail: true };
      expect(await ingestGmail(url, leave)).toMatchObject({
        reports: 1,
        inputs: 2,
        otherMail: 1,
        failed: [],
      });
      const label = gmail.label(GMAIL_OTHER_MAIL_LABEL)!.id;
      expect(gmail.in('INBOX')).toEqual([
        expect.objectContaining({ id: other, labelIds: ['INBOX', 'UNREAD', label] }),
      ]);
      expect((await store.countReports()).quarantined).toBe(0);
      expect(await ingestGmail(url, leave)).toMatchObject({ inputs: 0, otherMail: 0 });
    });

    it('asks for a fresh token after a 401 and goes on with it', async () => {
      gmail.add(reportMail({ reportId: 't-1' }));
      const given = ['expired', 'good'];
      const asked: string[] = [];
      const accessToken = async () => {
        const token = given.shift() ?? 'good';
        asked.push(token);
        return token;
      };
      expect(await ingestGmail(url, { ...options(), accessToken })).toMatchObject({ reports: 1 });
      expect(asked).toEqual(['expired', 'good']);
      expect(gmail.in('INBOX')).toEqual([]);
    });

    it('fails with an access error said in English and Japanese when a fresh token is refused too', async () => {
      gmail.add(reportMail({ reportId: 't-2' }));
      let asked = 0;
      const error = await ingestGmail(url, {
        ...options(),
        accessToken: async () => `revoked-${++asked}`,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GmailAccessError);
      expect(error).toMatchObject({ code: 'token-refused', status: 401 });
      expect(asked).toBe(2);
      const port = new URL(gmailUrl).port;
      const said =
        'UNAUTHENTICATED "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."';
      expect(describeGmailAccessError(error as GmailAccessError, 'en')).toBe(
        `the Gmail API at localhost:${port} refused the access token for ${MAILBOX}, a fresh one too (HTTP 401): ${said}`,
      );
      expect(describeGmailAccessError(error as GmailAccessError, 'ja')).toBe(
        `Gmail API（localhost:${port}）が ${MAILBOX} のアクセストークンを拒否しました。取り直したトークンも拒否されました（HTTP 401）: ${said}`,
      );
      expect((await store.countReports()).reports).toBe(0);
    });

    it('says which label is not there, which permission is missing (403), what Gmail did not find (404) or refused, with its status and first line', async () => {
      gmail.addLabel('Reports/DMARC');
      const noLabel = await ingestGmail(`gmail://${MAILBOX}/DMARC`, options()).catch((e: unknown) => e);
      expect(noLabel).toMatchObject({ code: 'not-found', status: 404 });
      // With the labels a mailbox may be read from: the user's, INBOX and SPAM.
      expect(describeGmailAccessError(noLabel as GmailAccessError, 'en')).toMatch(
        /has no mailbox dmarc@example\.jp or no label DMARC in it \(HTTP 404\): no label named "DMARC" \(the mailbox's labels: INBOX, Reports\/DMARC, SPAM\)$/,
      );
      // Sumi's own reason is said in the reader's language too; Gmail's own words are quoted as they came.
      expect(describeGmailAccessError(noLabel as GmailAccessError, 'ja')).toMatch(
        /ラベル DMARC がありません（HTTP 404）: "DMARC" という名前のラベルがありません（メールボックスのラベル: INBOX, Reports\/DMARC, SPAM）$/,
      );
      const otherUser = await ingestGmail('gmail://nobody@example.jp/INBOX', options()).catch(
        (e: unknown) => e,
      );
      expect(otherUser).toMatchObject({ code: 'forbidden', status: 403 });
      expect(describeGmailAccessError(otherUser as GmailAccessError, 'en')).toMatch(
        /^the Gmail API at localhost:\d+ forbids reading the mailbox nobody@example\.jp \(HTTP 403\): the token needs the scope https:\/\/www\.googleapis\.com\/auth\/gmail\.modify .*: PERMISSION_DENIED "Delegation denied for the mailbox"$/,
      );
      gmail.faults.push({
        match: /\/labels$/,
        fault: {
          status: 403,
          error: googleError(
            403,
            'PERMISSION_DENIED',
            'Request had insufficient authentication scopes.\nDetails: ACCESS_TOKEN_SCOPE_INSUFFICIENT',
          ),
        },
      });
      const scope = await ingestGmail(url, options()).catch((e: unknown) => e);
      expect(describeGmailAccessError(scope as GmailAccessError, 'ja')).toMatch(
        /^Gmail API（localhost:\d+）がメールボックス dmarc@example\.jp の読み取りを禁止しました（HTTP 403）。.*ドメイン全体の委任.*: PERMISSION_DENIED "Request had insufficient authentication scopes\."$/,
      );
      gmail.faults.push({
        match: /\/messages\?labelIds=INBOX&/,
        fault: {
          status: 404,
          error: googleError(404, 'NOT_FOUND', 'Requested entity was not found.'),
        },
      });
      const notFound = await ingestGmail(url, options()).catch((e: unknown) => e);
      expect(notFound).toMatchObject({
        code: 'not-found',
        status: 404,
        reason: 'NOT_FOUND "Requested entity was not found."',
      });
      gmail.faults.push({
        match: /\/labels$/,
        fault: {
          status: 400,
          error: googleError(400, 'FAILED_PRECONDITION', 'Precondition check failed.'),
        },
      });
      const failed = await ingestGmail(url, options()).catch((e: unknown) => e);
      expect(failed).toMatchObject({ code: 'failed', status: 400 });
      expect(describeGmailAccessError(failed as GmailAccessError, 'en')).toMatch(
        /answered HTTP 400 for the mailbox dmarc@example\.jp, label INBOX: FAILED_PRECONDITION "Precondition check failed\."$/,
      );
    });

    it('waits as Retry-After says when throttled (429, 503, a 403 that is the rate limit), then goes on', async () => {
      gmail.add(reportMail({ reportId: 'r-1' }));
      gmail.faults.push(
        { match: /\/messages\?labelIds=INBOX&/, fault: { status: 429, headers: { 'retry-after': '0' } } },
        { match: /format=raw$/, fault: { status: 503, headers: { 'retry-after': '0' } } },
        {
          match: /\/batchModify$/,
          fault: {
            status: 403,
            headers: { 'retry-after': '0' },
            error: rateLimited('userRateLimitExceeded'),
          },
        },
      );
      expect(await ingestGmail(url, options())).toMatchObject({ reports: 1, failed: [] });
      expect(listings()).toBe(2);
      expect(gmail.requests.filter((r) => r.endsWith('format=raw'))).toHaveLength(2);
      expect(gmail.requests.filter((r) => r.endsWith('/batchModify'))).toHaveLength(2);
      expect(gmail.in('INBOX')).toHaveLength(0);
    });

    it('gives up waiting out throttling when stopped: what is stored is counted, the mail under way keeps its label for the next run', async () => {
      gmail.add(reportMail({ reportId: 's-1' }));
      gmail.faults.push({
        match: /\/batchModify$/,
        fault: { status: 429, headers: { 'retry-after': '100' } },
      });
      const controller = new AbortController();
      const running = ingestGmail(url, { ...options(), signal: controller.signal });
      await until('the relabelling is throttled', () =>
        gmail.requests.some((r) => r.endsWith('/batchModify')),
      );
      const stopped = Date.now();
      controller.abort();
      const totals = await running;
      expect(Date.now() - stopped).toBeLessThan(1_000);
      expect(totals).toMatchObject({ reports: 1, records: 2, inputs: 1, failed: [] });
      expect(gmail.in('INBOX')).toHaveLength(1);
      // Read again, it is a duplicate, and relabelled.
      expect(await ingestGmail(url, options())).toMatchObject({ reports: 0, duplicates: 1, inputs: 1 });
      expect(gmail.in('INBOX')).toHaveLength(0);
    });

    it('passes over a mail deleted between the listing and its fetch', async () => {
      const gone = gmail.add(reportMail({ reportId: 'd-1' }));
      gmail.add(reportMail({ reportId: 'd-2' }));
      gmail.faults.push({
        match: new RegExp(`/messages/${gone}\\?format=raw$`),
        fault: {
          status: 404,
          error: googleError(404, 'NOT_FOUND', 'Requested entity was not found.'),
          meanwhile: () => gmail.mails.delete(gone),
        },
      });
      expect(await ingestGmail(url, options())).toMatchObject({ reports: 1, inputs: 1, failed: [] });
      expect(gmail.in(processed()!.id)).toHaveLength(1);
    });

    it('refuses answers Gmail would not give: a MIME that is not base64url, labels that are not a list', async () => {
      const id = gmail.add(reportMail({ reportId: 'b-1' }));
      gmail.faults.push({
        match: /format=raw$/,
        fault: { status: 200, body: { id, raw: 'not base64url!' } },
      });
      const raw = await ingestGmail(url, options()).catch((e: unknown) => e);
      expect(raw).toMatchObject({ code: 'failed', status: 200 });
      expect(describeGmailAccessError(raw as GmailAccessError, 'en')).toMatch(
        /label INBOX: the answer's raw is missing or not as Gmail gives it$/,
      );
      expect(describeGmailAccessError(raw as GmailAccessError, 'ja')).toMatch(
        /応答の raw がないか、Gmail が返す形ではありません$/,
      );
      gmail.faults.push({ match: /\/labels$/, fault: { status: 200, body: { labels: 'INBOX' } } });
      const labels = await ingestGmail(url, options()).catch((e: unknown) => e);
      expect((labels as Error).message).toMatch(/the answer's labels is missing/);
      gmail.faults.push({ match: /\/labels$/, fault: { status: 200, body: '<html>' } });
      const notJson = await ingestGmail(url, options()).catch((e: unknown) => e);
      expect(describeGmailAccessError(notJson as GmailAccessError, 'ja')).toMatch(
        /応答が JSON ではありません$/,
      );
      expect((await store.countReports()).reports).toBe(0);
      expect(gmail.in('INBOX')).toHaveLength(1);
    });

    it('refuses a base URL that is not https://, and says a certificate it cannot verify is a TLS failure', async () => {
      gmail.add(reportMail({ reportId: 'h-1' }));
      await expect(
        ingestGmail(url, { ...options(), gmailUrl: gmailUrl.replace('https:', 'http:') }),
      ).rejects.toThrow(/https:\/\/ only/);
      expect(gmail.requests).toEqual([]);
      const { ca: _, ...withoutCa } = options();
      const tls = await ingestGmail(url, withoutCa).catch((e: unknown) => e);
      expect(tls).toMatchObject({ code: 'tls' });
      expect(describeGmailAccessError(tls as GmailAccessError, 'en')).toMatch(
        /^TLS with the Gmail API at localhost:\d+ failed: /,
      );
    });
  });

  describe('with watch', () => {
    /** A watch of INBOX every 50 ms, its events kept; stopped at the end of the test if it is still running. */
    const watch = (more: Partial<IngestGmailOptions> = {}, at = url) =>
      watchApi<GmailEvent>((signal, onEvent) =>
        ingestGmail(at, {
          store,
          gmailUrl,
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
      gmail.add(reportMail({ reportId: 'w-1' }));
      // Left under INBOX as too large: counted once, not at every pass.
      const large = gmail.add(largeMail(20_000));
      const { controller, of, running } = watch({ maxMessageBytes: 10_000 });
      await until('the first pass is done', () => of('watching').length > 0);
      expect((await store.countReports()).reports).toBe(1);
      gmail.add(reportMail({ reportId: 'w-2' }));
      await until('the mail that arrived is relabelled', () => gmail.in('INBOX').length === 1);
      const seen = listings();
      await until('two more passes', () => listings() >= seen + 2);
      controller.abort();
      const totals = await running;
      expect(totals).toMatchObject({ reports: 2, records: 4, inputs: 3, duplicates: 0 });
      expect(totals.failed.map((f) => f.source)).toEqual([`${url};id=${large}`]);
      expect(gmail.in(gmail.label('Sumi/Processed')!.id)).toHaveLength(2);
      expect(of('watching')).toEqual([{ type: 'watching', label: 'INBOX', intervalMs: 50 }]);
      expect(of('connected')).toEqual([
        { type: 'connected', server: new URL(gmailUrl).host, mailbox: MAILBOX, label: 'INBOX', pending: 2 },
      ]);
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

    it('waits out a pass that fails with 503 (or the rate limit) after its throttling retries, and Gmail not reached, until a pass succeeds', async () => {
      gmail.add(reportMail({ reportId: 'x-1' }));
      gmail.faults.push(
        // API_THROTTLE_RETRIES retries, and one more the pass fails on.
        ...Array.from({ length: API_THROTTLE_RETRIES + 1 }, () => ({
          match: /\/labels$/,
          fault: { status: 503, headers: { 'retry-after': '0' } },
        })),
        ...Array.from({ length: API_THROTTLE_RETRIES + 1 }, () => ({
          match: /\/labels$/,
          fault: { status: 403, headers: { 'retry-after': '0' }, error: rateLimited('rateLimitExceeded') },
        })),
      );
      const { controller, of, running } = watch();
      await until('a pass succeeds', () => of('watching').length > 0);
      expect((await store.countReports()).reports).toBe(1);
      expect(
        of('reconnecting').map((e) => [
          (e.error as GmailAccessError).code,
          (e.error as GmailAccessError).status,
          e.delayMs,
        ]),
      ).toEqual([
        ['failed', 503, 20],
        ['failed', 403, 40],
      ]);
      controller.abort();
      await running;
      // Not reached: waited out as well, and read once it is back.
      const gone = await serveGmail();
      const port = (gone.address() as AddressInfo).port;
      await closeServer(gone);
      gmail.add(reportMail({ reportId: 'x-2' }));
      const away = watch({ gmailUrl: `https://localhost:${port}` });
      await until('it waits the server out', () => away.of('reconnecting').length >= 2);
      expect(away.of('reconnecting')[0]!.error).toMatchObject({ code: 'unreachable' });
      const back = await serveGmail(port);
      onTestFinished(() => closeServer(back));
      await until('a pass succeeds', () => away.of('watching').length > 0);
      away.controller.abort();
      expect(await away.running).toMatchObject({ reports: 1, inputs: 1 });
    });

    it('ends with the access error when a pass is forbidden (403) or the label is not there (404)', async () => {
      const { of, running } = watch();
      await until('the first pass is done', () => of('watching').length > 0);
      gmail.faults.push({
        match: /\/labels$/,
        fault: {
          status: 403,
          error: googleError(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.'),
        },
      });
      const forbidden = await running.catch((e: unknown) => e);
      expect(forbidden).toBeInstanceOf(GmailAccessError);
      expect(forbidden).toMatchObject({ code: 'forbidden', status: 403 });
      expect(of('reconnecting')).toEqual([]);
      const noLabel = await watch({}, `gmail://${MAILBOX}/DMARC`).running.catch((e: unknown) => e);
      expect(noLabel).toMatchObject({ code: 'not-found', status: 404 });
    });
  });
});

describe('sumi ingest gmail://', () => {
  beforeEach(() => {
    gmail.reset();
    endpoint.reset();
  });

  it('gets its tokens as a service account acting as the mailbox with --google-key, scope gmail.modify, and ingests it end to end (child process)', async () => {
    const made = googleKey(endpoint.url);
    const keyFile = path.join(dir, 'google-key.json');
    await writeFile(keyFile, JSON.stringify(made.json));
    // Google's checks of the JWT; the token issued reads the mailbox.
    endpoint.answer = googleAnswer(endpoint, {
      publicKey: made.publicKey,
      kid: made.privateKeyId,
      iss: made.clientEmail,
      sub: MAILBOX,
      scope: 'https://www.googleapis.com/auth/gmail.modify',
      aud: endpoint.url,
    });
    gmail.tokens = new Set(['cc-1']);
    gmail.add(reportMail({ reportId: 'cli-1' }));
    gmail.add(zipMail('cli-2'));
    const child = spawnSumi(
      [
        'ingest',
        `gmail://${encodeURIComponent(MAILBOX)}/INBOX`,
        '--google-key',
        keyFile,
        '--gmail-url',
        gmailUrl,
        '--db',
        path.join(dir, 'cli.db'),
        '--json',
      ],
      { NODE_EXTRA_CA_CERTS: ca, LANG: 'en_US.UTF-8' },
    );
    const out = childOutput(child);
    child.stdin.end();
    const code = await out.exited;
    expect(out.stderr).toContain(
      `Gmail API ${new URL(gmailUrl).host}, mailbox ${MAILBOX}, label INBOX: 2 mails to ingest`,
    );
    expect(code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ reports: 2, duplicates: 0, failed: [] });
    expect(endpoint.issued).toEqual(['cc-1']);
    expect(gmail.in(gmail.label('Sumi/Processed')!.id)).toHaveLength(2);
    expect(gmail.in('INBOX')).toEqual([]);
    expect(out.stderr + out.stdout).not.toContain('PRIVATE KEY');
  }, 30_000);

  it('--watch --interval 1 reads the label again every second until SIGTERM (child process)', async () => {
    gmail.add(reportMail({ reportId: 'cli-w-1' }));
    const child = spawnSumi(
      [
        'ingest',
        '--watch',
        '--interval',
        '1',
        url,
        '--gmail-url',
        gmailUrl,
        '--token-env',
        'GMAIL_TOKEN',
        '--db',
        path.join(dir, 'cli-watch.db'),
        '--json',
      ],
      { NODE_EXTRA_CA_CERTS: ca, GMAIL_TOKEN: 'good', LANG: 'en_US.UTF-8' },
    );
    const out = childOutput(child);
    child.stdin.end();
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await until(
      'it watches',
      () => /watching the label INBOX for new mail, read again every 1 s/.test(out.stderr),
      20_000,
    );
    gmail.add(reportMail({ reportId: 'cli-w-2' }));
    await until('the mail that arrived is relabelled', () => gmail.in('INBOX').length === 0);
    child.kill('SIGTERM');
    expect(await out.exited).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ reports: 2, duplicates: 0, failed: [] });
  }, 30_000);

  it('--watch says in Japanese that the Gmail API cannot be reached and that it tries again (child process)', async () => {
    const child = spawnSumi(
      [
        '--lang',
        'ja',
        'ingest',
        '--watch',
        url,
        '--gmail-url',
        'https://127.0.0.1:1',
        '--token-env',
        'GMAIL_TOKEN',
        '--db',
        path.join(dir, 'cli-watch-ja.db'),
      ],
      { GMAIL_TOKEN: 'good' },
    );
    const out = childOutput(child);
    child.stdin.end();
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await until('it says it tries again', () => /秒後にラベルをもう一度読みます/.test(out.stderr), 20_000);
    child.kill('SIGTERM');
    expect(await out.exited).toBe(0);
    expect(out.stderr).toMatch(
      /^Gmail API（127\.0\.0\.1:1）に接続できません: .*ECONNREFUSED.*。1 秒後にラベルをもう一度読みます\n/,
    );
  }, 30_000);

  it("refuses a bad URL, a password, --client-id, another API's base URL, an http:// one, another input, a service account acting as me, with exit 2 in the reader's language", async () => {
    const db = path.join(dir, 'usage.db');
    const token = ['--token-env', 'T'];
    const cases: [string[], string][] = [
      [['gmail:///INBOX', ...token], 'gmail:///INBOX: give gmail://MAILBOX/LABEL[/SUBLABEL...]'],
      [[url], 'gmail:// reads the mailbox with an OAuth 2.0 access token, not a password: give --google-key'],
      [[url, ...token, '--password-file', '/dev/null'], 'with an OAuth 2.0 access token, not a password'],
      [
        [url, '--client-id', 'app', '--client-secret-env', 'S', '--tenant', 'c.example'],
        '--client-id: gmail:// is read as a Google service account (--google-key), not as a Microsoft Entra ID application',
      ],
      [
        [url, ...token, '--gmail-url', 'http://localhost:1'],
        '--gmail-url http://localhost:1: give an https:// URL',
      ],
      [[url, ...token, '--graph-url', 'https://localhost:1'], '--graph-url is for graph:// URLs only'],
      [
        ['graph://dmarc@example.jp/Inbox', ...token, '--gmail-url', gmailUrl],
        '--gmail-url is for gmail:// URLs only',
      ],
      [[url, 'reports/', ...token], 'an imap://, graph:// or gmail:// URL must be the only input'],
      [
        [url, ...token, '--interval', '5'],
        '--interval is for --watch on folders, files, graph:// or gmail://',
      ],
      [
        ['gmail://me/INBOX', '--google-key', '/dev/null'],
        '--google-key: a service account acts as a user named by address: give the mailbox as gmail://dmarc@example.jp/LABEL, not me',
      ],
      // Processed mail given the label read would be read again for ever; the --flag label read, never.
      [
        ['gmail://dmarc@example.jp/DMARC', ...token, '--archive', 'dmarc'],
        '--archive dmarc is the folder read',
      ],
      [['gmail://dmarc@example.jp/DMARC', ...token, '--flag', 'DMARC'], '--flag DMARC is the label read'],
      [
        ['graph://dmarc@example.jp/Inbox', ...token, '--archive', 'INBOX'],
        '--archive INBOX is the folder read',
      ],
    ];
    for (const [args, said] of cases) {
      const run = await sumi(['ingest', ...args, '--db', db], {
        T: 'good',
        S: 'secret',
        SUMI_IMAP_PASSWORD: 'pw',
      });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(said);
    }
    expect(gmail.requests).toEqual([]);
    const ja = await sumi(['--lang', 'ja', 'ingest', url, '--client-id', 'app', '--db', db]);
    expect(ja.code).toBe(2);
    expect(ja.stderr).toContain(
      '--client-id: gmail:// は Microsoft Entra ID のアプリケーションではなく Google のサービスアカウント（--google-key）として読みます',
    );
    const jaPassword = await sumi(['--lang', 'ja', 'ingest', url, '--db', db]);
    expect(jaPassword.stderr).toContain(
      'gmail:// はパスワードではなく OAuth 2.0 アクセストークンでメールボックスを読みます',
    );
  });

  it('exits 1 when the Gmail API or the token endpoint cannot be reached, in English and Japanese', async () => {
    const db = path.join(dir, 'offline.db');
    const closed = await sumi(
      ['--lang', 'ja', 'ingest', url, '--gmail-url', 'https://127.0.0.1:1', '--token-env', 'T', '--db', db],
      { T: 'good' },
    );
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(
      /^エラー: Gmail API（127\.0\.0\.1:1）に接続できません: .*ECONNREFUSED.*\n$/,
    );
    const keyFile = path.join(dir, 'google-key-offline.json');
    await writeFile(keyFile, JSON.stringify(googleKey('https://127.0.0.1:1/token').json));
    const noToken = await sumi(['ingest', url, '--google-key', keyFile, '--db', db]);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(
      /no access token for the Gmail API: https:\/\/127\.0\.0\.1:1\/token \(service account sumi@dmarc-project\.iam\.gserviceaccount\.com as dmarc@example\.jp\): cannot be reached: .*ECONNREFUSED/,
    );
    const ja = await sumi(['--lang', 'ja', 'ingest', url, '--google-key', keyFile, '--db', db]);
    expect(ja.stderr).toMatch(
      /Gmail API のアクセストークンが得られません: https:\/\/127\.0\.0\.1:1\/token .*: 接続できません: /,
    );
    expect(noToken.stderr + ja.stderr).not.toContain('PRIVATE KEY');
  });
});
