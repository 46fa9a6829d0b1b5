/**
 * The https rua of SMTP TLS reporting (RFC 8460 s3): reports POSTed to /tlsrpt by a real HTTP
 * client, as a sending MTA posts them, to `sumi serve --tlsrpt` on each engine.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import { buildServer } from '../../src/server/app.ts';
import {
  TLSRPT_MAX_BODY_BYTES,
  TLSRPT_PATH,
  TLSRPT_REPORTS_PER_MINUTE,
  tlsrptSource,
} from '../../src/server/tlsrpt.ts';
import type { Store } from '../../src/store/types.ts';
import { fakeFetcher } from '../fixtures/mta-sts/fake-fetcher.ts';
import { aggregateXml } from '../ingest/helpers/reports.ts';
import { engines, engineTitle, freshStore } from '../store/helpers.ts';

const fixture = JSON.parse(readFileSync(new URL('../reports/fixtures/tls.json', import.meta.url), 'utf8'));

/** The fixture's report for one policy domain, under its own report ID. */
function tlsReport(reportId: string, domain = 'sender.example'): Buffer {
  const report = structuredClone(fixture);
  report['report-id'] = reportId;
  report.policies = [report.policies[0]];
  report.policies[0].policy['policy-domain'] = domain;
  return Buffer.from(JSON.stringify(report));
}

const checkSession = async () => ({
  context: { resolver: new ZoneResolver(Zone.parse('')), fetcher: fakeFetcher(), options: {} },
  close: () => {},
});

/** What the receiver answers: the ingest totals, or an error, or both. */
interface Answer {
  error: { code: string; message: string };
  failed: unknown[];
}
const answerOf = async (response: Response) => (await response.json()) as Answer;

for (const engine of engines) {
  describe.skipIf(engine.skip)(`POST /tlsrpt ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    let store!: Store;
    let app!: FastifyInstance;
    let url!: string;

    beforeAll(async () => {
      store = await freshStore(engine, opened);
      app = await buildServer({
        store,
        webRoot: '/nonexistent',
        tlsrptDomains: ['sender.example', 'example.jp'],
        checkSession,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      if (typeof address !== 'object' || address === null) throw new Error('not listening');
      url = `http://127.0.0.1:${address.port}${TLSRPT_PATH}`;
    });
    afterAll(async () => {
      await app?.close();
      for (const opening of opened.splice(0)) await opening.close();
      await engine.cleanup();
    });

    const post = (body: Buffer | string, type?: string, headers: Record<string, string> = {}) =>
      fetch(url, {
        method: 'POST',
        body,
        headers: { ...(type ? { 'content-type': type } : {}), ...headers },
      });

    it('stores a gzipped report (201), and the same report again is a duplicate (200)', async () => {
      const body = gzipSync(tlsReport('gz-1'));
      const first = await post(body, 'application/tlsrpt+gzip');
      expect(first.status).toBe(201);
      expect(await first.json()).toMatchObject({ tls_reports: 1, duplicates: 0, failed: [] });
      const again = await post(body, 'application/tlsrpt+gzip');
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ tls_reports: 0, duplicates: 1, failed: [] });
      const row = await store.db
        .selectFrom('tls_reports')
        .select('id')
        .where('report_id', '=', 'gz-1')
        .executeTakeFirstOrThrow();
      const stored = await store.getTlsReport(row.id);
      expect(stored?.organizationName).toBe('Example TLS Reporter');
      expect(stored?.source).toMatch(
        /^tlsrpt-post:\/\/127\.0\.0\.1\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z > gunzip$/,
      );
    });

    it('stores the same report posted several times at once once, the others answered as duplicates', async () => {
      const body = gzipSync(tlsReport('race-1'));
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => post(body, 'application/tlsrpt+gzip')),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      const rows = await store.db
        .selectFrom('tls_reports')
        .select('id')
        .where('report_id', '=', 'race-1')
        .execute();
      expect(rows).toHaveLength(1);
    });

    it('takes plain JSON, and a report whatever its body is labelled (read from its bytes)', async () => {
      expect((await post(tlsReport('json-1'), 'application/tlsrpt+json')).status).toBe(201);
      expect((await post(gzipSync(tlsReport('label-1')), 'application/octet-stream')).status).toBe(201);
      expect((await post(tlsReport('label-2'), 'text/plain')).status).toBe(201);
      expect((await post(tlsReport('label-3'))).status).toBe(201);
      // A subdomain of one named is taken too.
      expect((await post(tlsReport('sub-1', 'mail.example.jp'), 'application/tlsrpt+json')).status).toBe(201);
    });

    it('refuses a report for a domain not named (403) and stores nothing of it', async () => {
      const before = await store.countReports();
      const response = await post(tlsReport('other-1', 'other.example'), 'application/tlsrpt+json', {
        'accept-language': 'ja',
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        error: {
          code: 'tlsrpt-domain',
          message:
            'このサーバーが SMTP TLS レポートを受け付けないドメイン other.example のレポートのため、保存しませんでした。',
        },
      });
      expect(await store.countReports()).toEqual(before);
    });

    it('refuses a DMARC report (415): this address is for SMTP TLS reports', async () => {
      const before = await store.countReports();
      const xml = aggregateXml({ reportId: 'dmarc-1', domain: 'sender.example' });
      const response = await post(xml, 'application/xml');
      expect(response.status).toBe(415);
      expect((await answerOf(response)).error.code).toBe('tlsrpt-not-tls');
      expect(await store.countReports()).toEqual(before);
    });

    it('refuses what is no report (400), empty or a page, and keeps nothing of it', async () => {
      const before = await store.countReports();
      const empty = await post('', 'application/tlsrpt+json');
      expect(empty.status).toBe(400);
      expect(await empty.json()).toEqual({
        error: {
          code: 'tlsrpt-no-report',
          message: 'The request holds no SMTP TLS report: The input is empty. Nothing was stored.',
        },
      });
      const page = await post('<html><body>hello</body></html>', 'text/html');
      expect(page.status).toBe(400);
      expect((await answerOf(page)).error.code).toBe('tlsrpt-no-report');
      expect(await store.countReports()).toEqual(before);
    });

    it('keeps a report it cannot read in the quarantine, and says why (400)', async () => {
      const before = await store.countReports();
      const broken = Buffer.from('{"organization-name": "Cut Short", "policies": [');
      const response = await post(gzipSync(broken), 'application/tlsrpt+gzip');
      expect(response.status).toBe(400);
      const answer = await answerOf(response);
      expect(answer.error.code).toBe('tlsrpt-unreadable');
      expect(answer.error.message).toMatch(
        /^The SMTP TLS report could not be read: .+ It was kept in the quarantine\.$/,
      );
      expect(answer.failed).toHaveLength(1);
      expect((await store.countReports()).quarantined).toBe(before.quarantined + 1);
      const [entry] = await store.listQuarantine({ limit: 1 });
      expect(entry?.source).toMatch(/^tlsrpt-post:\/\/127\.0\.0\.1\//);
    });

    it('refuses a body over its limit (413) before reading it', async () => {
      const response = await post(Buffer.alloc(TLSRPT_MAX_BODY_BYTES + 1, 0x20), 'application/tlsrpt+json');
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        error: { code: 'tlsrpt-too-large', message: 'The report is too large: at most 10 MB.' },
      });
    });

    it('answers 429 past its limit per client address, and limits nothing else', async () => {
      const limited = await buildServer({
        store,
        webRoot: '/nonexistent',
        checkSession,
        tlsrptDomains: ['example.jp'],
      });
      try {
        const post = () =>
          limited.inject({
            method: 'POST',
            url: TLSRPT_PATH,
            payload: '',
            headers: { 'accept-language': 'ja' },
          });
        for (let i = 0; i < TLSRPT_REPORTS_PER_MINUTE; i++) expect((await post()).statusCode).toBe(400);
        const over = await post();
        expect(over.statusCode).toBe(429);
        expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
        expect(over.json().error.code).toBe('tlsrpt-rate-limited');
        expect(over.json().error.message).toMatch(
          /^このアドレスからのレポートが多すぎます。\d+ 秒後に送り直してください。$/,
        );
        // Another address is not held back, nor is the API.
        const other = await limited.inject({
          method: 'POST',
          url: TLSRPT_PATH,
          payload: '',
          remoteAddress: '192.0.2.7',
        });
        expect(other.statusCode).toBe(400);
        expect((await limited.inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
      } finally {
        await limited.close();
      }
    });

    it('is no route at all without --tlsrpt', async () => {
      const without = await buildServer({ store, webRoot: '/nonexistent', checkSession });
      const response = await without.inject({
        method: 'POST',
        url: TLSRPT_PATH,
        payload: tlsReport('none-1'),
      });
      expect(response.statusCode).toBe(404);
      const doc = (await without.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      expect(doc.paths).not.toHaveProperty(TLSRPT_PATH);
      await without.close();
    });

    it('is in the OpenAPI document: no login, a report in, each answer it gives', async () => {
      const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      const operation = doc.paths[TLSRPT_PATH].post;
      expect(operation.security).toEqual([]);
      expect(Object.keys(operation.requestBody.content)).toEqual([
        'application/tlsrpt+gzip',
        'application/tlsrpt+json',
      ]);
      expect(Object.keys(operation.responses).sort()).toEqual(
        ['200', '201', '400', '403', '413', '415', '429', '5XX'].sort(),
      );
      expect(operation.responses['201'].content['application/json'].schema.properties).toHaveProperty(
        'tls_reports',
      );
      // The API's own routes are documented as before.
      expect(doc.paths['/api/uploads'].post['x-sumi-least-role']).toBe('analyst');
    });

    it('keeps the API as it was: its JSON routes still parse JSON, and still need a login', async () => {
      const response = await fetch(url.replace(TLSRPT_PATH, '/api/uploads'), {
        method: 'POST',
        body: tlsReport('api-1'),
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(401);
    });
  });
}

describe('tlsrptSource', () => {
  it('names the client and the time, an IPv6 address in brackets', () => {
    const at = Date.UTC(2026, 11, 2, 13, 40, 5, 123);
    expect(tlsrptSource('192.0.2.7', at)).toBe('tlsrpt-post://192.0.2.7/2026-12-02T13:40:05.123Z');
    expect(tlsrptSource('2001:db8::1', at)).toBe('tlsrpt-post://[2001:db8::1]/2026-12-02T13:40:05.123Z');
  });
});
