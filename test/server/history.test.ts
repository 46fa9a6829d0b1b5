import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { failureReports } from '../../src/analysis/failures.ts';
import { policyHistory } from '../../src/analysis/history.ts';
import { StoredIpFacts } from '../../src/analysis/ip-facts/index.ts';
import { parsePeriod } from '../../src/analysis/period.ts';
import type { FailureReport } from '../../src/reports/types.ts';
import { ANALYSIS_VERSION_MS } from '../../src/server/analysis-cache.ts';
import { GZIP_ABOVE_CHARS } from '../../src/server/answers.ts';
import { FAILURE_ITEMS_DEFAULT } from '../../src/server/history.ts';
import { failuresViewSchema, policyHistorySchema } from '../../src/server/history-schemas.ts';
import { addReport, fail, pass, storeCheck } from '../analysis/history-fixture.ts';
import { DAY, engines, engineTitle, failureReport, JAN_1 } from '../store/helpers.ts';
import { Client, type Harness, useHarness } from './helpers.ts';

const HISTORY = '/api/domains/a.example/history?since=2025-01-01&until=2025-01-12';
const FAILURES_PERIOD = { since: '2024-12-01', until: '2025-01-31' };
const FAILURES = `/api/domains/a.example/failures?since=${FAILURES_PERIOD.since}&until=${FAILURES_PERIOD.until}`;

/** A copy of the message's headers only, as many reporters send. */
const headersOnly = (from: string, subject: string): NonNullable<FailureReport['original']> => ({
  form: 'headers',
  headers: [{ name: 'From', value: from }],
  from,
  to: null,
  subject,
  date: null,
  messageId: null,
  redacted: false,
  body: null,
  urls: [],
});

/** As the JSON answer reads it (undefined fields dropped). */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

for (const engine of engines) {
  describe.skipIf(engine.skip)(`history and failures API ${engineTitle(engine)}`, () => {
    let h!: Harness;
    let lookAlike: number;
    let subdomain: number;

    const as = useHarness(engine, async (built) => {
      h = built;
      const store = h.store;
      // a.example's rollout: none, quarantine on day 2, back to none by a check on day 4, quarantine on day 5.
      const report = (
        id: string,
        day: number,
        p: 'none' | 'quarantine',
        records: ReturnType<typeof pass>[],
      ) => addReport(store, { org: 'A', id, day, p, records, domain: 'a.example' });
      await report('h0', 0, 'none', [pass(10, 'a.example'), fail(4, 'none', 'a.example')]);
      await report('h1', 1, 'none', [pass(10, 'a.example'), fail(2, 'none', 'a.example')]);
      await report('h2', 2, 'quarantine', [pass(10, 'a.example'), fail(3, 'quarantine', 'a.example')]);
      await storeCheck(
        store,
        'v=DMARC1; p=none; rua=mailto:d@a.example',
        JAN_1 + 4 * DAY + 3600,
        'a.example',
      );
      await report('h5', 5, 'quarantine', [pass(10, 'a.example'), fail(5, 'quarantine', 'a.example')]);
      // A subdomain of a.example, and another client's domain that is a look-alike of a.example
      // (same name, another suffix), sent from the same IP.
      subdomain = (
        await store.insertFailureReport(
          failureReport({
            arrivalTime: JAN_1 + 300,
            sourceIp: '203.0.113.99',
            reportedDomains: ['mail.a.example'],
            original: headersOnly('notice@mail.a.example', 'Notice'),
          }),
          Buffer.from('subdomain ruf'),
          { description: 'subdomain ruf' },
        )
      ).id;
      lookAlike = (
        await store.insertFailureReport(
          failureReport({
            arrivalTime: JAN_1 + 600,
            sourceIp: '203.0.113.99',
            reportedDomains: ['a.test'],
            original: headersOnly('ceo@a.test', 'Board minutes'),
          }),
          Buffer.from('look-alike ruf'),
          { description: 'look-alike ruf' },
        )
      ).id;
    });

    it('answers the policy history as sumi history --json prints it, steps with their effect', async () => {
      const alice = await as('alice');
      const response = await alice.get(HISTORY);
      expect(response.statusCode, response.body).toBe(200);
      const expected = await policyHistory(
        h.store,
        'a.example',
        parsePeriod({ since: '2025-01-01', until: '2025-01-12' }),
      );
      expect(response.json()).toEqual(asJson(expected));
      const body = response.json();
      // The OpenAPI document describes the answer as it is, field for field.
      expect(policyHistorySchema.safeParse(body).error).toBeUndefined();
      expect(body.steps.map((s: { day: string; from: { p: string }; to: { p: string } }) => s.day)).toEqual([
        '2025-01-03',
        '2025-01-05',
        '2025-01-06',
      ]);
      expect(body.days.find((d: { day: string }) => d.day === '2025-01-05').source).toBe('check');
      // Quarantine published on day 2: its 3 failing messages were quarantined by the receiver.
      expect(body.steps[0].after).toMatchObject({ dmarcFail: 8, quarantined: 8 });
      // Asked again: the kept answer, the same.
      expect((await alice.get(HISTORY)).json()).toEqual(body);
    });

    it('answers the failure reports as sumi failures --json prints them, for a caller who sees every domain', async () => {
      const root = await as('root');
      const response = await root.get(`${FAILURES}&limit=5000`);
      expect(response.statusCode, response.body).toBe(200);
      const expected = await failureReports(h.store, 'a.example', {
        period: parsePeriod(FAILURES_PERIOD),
        ipFacts: new StoredIpFacts(h.store),
      });
      expect(response.json()).toEqual(asJson(expected));
      expect(failuresViewSchema.safeParse(response.json()).error).toBeUndefined();
      expect(response.json().items.map((i: { id: number }) => i.id)).toEqual([
        lookAlike,
        subdomain,
        h.failures.a,
      ]);
      // limit cuts the reports sent in full, not the counts and groups.
      const one = (await root.get(`${FAILURES}&limit=1`)).json();
      expect(one.items.map((i: { id: number }) => i.id)).toEqual([lookAlike]);
      expect(one.reports).toBe(3);
      expect(one.bySender).toEqual(expected.bySender);
      expect((await root.get(FAILURES)).json().items).toHaveLength(Math.min(3, FAILURE_ITEMS_DEFAULT));
    });

    it('answers 404 on both routes for a domain outside the caller’s scope', async () => {
      const alice = await as('alice');
      const bob = await as('bob');
      for (const part of ['history', 'failures']) {
        const theirs = await alice.get(`/api/domains/b.example/${part}`);
        expect(theirs.statusCode, part).toBe(404);
        expect(theirs.json().error.code).toBe('not-found');
        expect((await alice.get(`/api/domains/B.Example./${part}`)).statusCode, part).toBe(404);
        expect((await bob.get(`/api/domains/a.example/${part}`)).statusCode, part).toBe(404);
        expect((await bob.get(`/api/domains/b.example/${part}`)).statusCode, part).toBe(200);
      }
      expect((await new Client(h.app).get('/api/domains/a.example/history')).statusCode).toBe(401);
    });

    it('refuses bad periods and limits with 400', async () => {
      const alice = await as('alice');
      for (const url of [
        '/api/domains/a.example/history?since=forever',
        '/api/domains/a.example/history?until=2025-13-45',
        `/api/domains/a.example/history?since=${'9'.repeat(30)}`,
        '/api/domains/a.example/failures?since=0d',
        '/api/domains/a.example/failures?limit=-1',
        '/api/domains/a.example/failures?limit=many',
        '/api/domains/a.example/failures?limit=5001',
      ]) {
        const response = await alice.get(url);
        expect(response.statusCode, url).toBe(400);
        expect(response.json().error.code, url).toBe('bad-request');
      }
    });

    it('lists both routes in the OpenAPI document with their query parameters', async () => {
      const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      const names = (path: string) =>
        doc.paths[path].get.parameters.map((p: { name: string }) => p.name).sort();
      expect(names('/api/domains/{domain}/history')).toEqual(['domain', 'since', 'until']);
      expect(names('/api/domains/{domain}/failures')).toEqual(['domain', 'limit', 'since', 'until']);
      const answer = (path: string) =>
        doc.paths[path].get.responses['200'].content['application/json'].schema.properties;
      expect(Object.keys(answer('/api/domains/{domain}/history'))).toEqual([
        'domain',
        'since',
        'until',
        'days',
        'steps',
      ]);
      expect(answer('/api/domains/{domain}/failures')).toHaveProperty([
        'byIdentity',
        'items',
        'properties',
        'relation',
      ]);
    });
    it('shows a report naming no domain only to a caller who sees every domain, as /api/failure-reports/:id does', async () => {
      // Another period than the other tests': their kept answers stay as they were.
      const march = Date.UTC(2024, 2, 10) / 1000;
      const { id } = await h.store.insertFailureReport(
        failureReport({
          arrivalTime: march,
          reportedDomains: [],
          original: headersOnly('info@a.example', 'No reported domain'),
        }),
        Buffer.from('ruf naming no domain'),
        { description: 'ruf naming no domain' },
      );
      const url = '/api/domains/a.example/failures?since=2024-03-01&until=2024-03-31';
      const root = (await (await as('root')).get(url)).json();
      expect(root.items.map((i: { id: number }) => i.id)).toEqual([id]);
      expect(root.byIdentity).toMatchObject([{ domain: 'a.example', relation: 'exact', reports: 1 }]);
      const alice = await as('alice');
      expect((await alice.get(`/api/failure-reports/${id}`)).statusCode).toBe(404);
      const mine = (await alice.get(url)).json();
      expect(mine).toMatchObject({ reports: 0, incidents: 0, items: [], bySender: [], byIdentity: [] });
      expect(mine.cannotTell).toContain('no-ruf');
    });

    it('shows a caller a report naming its domain in any case, or among other Reported-Domains, in the lists of each, the view and the report', async () => {
      // Another period than the other tests': their kept answers stay as they were.
      const april = Date.UTC(2024, 3, 10) / 1000;
      const store = async (reportedDomains: string[], subject: string) =>
        (
          await h.store.insertFailureReport(
            failureReport({
              arrivalTime: april,
              reportedDomains,
              original: headersOnly('info@a.example', subject),
            }),
            Buffer.from(`ruf ${subject}`),
            { description: subject },
          )
        ).id;
      const cased = await store(['A.Example.'], 'Cased');
      const second = await store(['other.example', 'a.example'], 'Second');
      const alice = await as('alice');
      for (const id of [cased, second])
        expect((await alice.get(`/api/failure-reports/${id}`)).statusCode).toBe(200);
      const listed = (await alice.get('/api/failure-reports?domain=A.EXAMPLE')).json();
      expect(listed.reports.map((r: { id: number }) => r.id)).toEqual(
        expect.arrayContaining([cased, second]),
      );
      expect(listed.reports.find((r: { id: number }) => r.id === second).reportedDomains).toEqual([
        'other.example',
        'a.example',
      ]);
      // Under each domain it names, and in the list of a caller who sees any of them.
      // Its raw mail too, as a file.
      const raw = await alice.get(`/api/failure-reports/${second}/raw`);
      expect(raw.statusCode).toBe(200);
      expect(raw.body).toBe('ruf Second');
      expect(raw.headers['content-type']).toBe('message/rfc822');
      expect(raw.headers['content-disposition']).toBe(`attachment; filename="failure-report-${second}.eml"`);
      expect(raw.headers['content-security-policy']).toContain('sandbox');
      const other = (await (await as('root')).get('/api/failure-reports?domain=other.example')).json();
      expect(other.reports.map((r: { id: number }) => r.id)).toEqual([second]);
      const all = (await alice.get('/api/failure-reports')).json();
      expect(all.reports.map((r: { id: number }) => r.id)).toEqual(expect.arrayContaining([cased, second]));
      const view = (
        await alice.get('/api/domains/a.example/failures?since=2024-04-01&until=2024-04-30')
      ).json();
      expect(view.items.map((i: { id: number }) => i.id).sort()).toEqual([cased, second].sort());
    });

    it('lists a failure report with its text as the report gave it, a NUL included', async () => {
      const may = Date.UTC(2024, 4, 10) / 1000;
      const subject = 'Invoice\u0000 \uffff due';
      const { id } = await h.store.insertFailureReport(
        failureReport({
          arrivalTime: may,
          reportedDomains: ['a.example'],
          original: headersOnly('info@a.example', subject),
        }),
        Buffer.from('ruf with a NUL'),
        { description: 'ruf with a NUL' },
      );
      const listed = (
        await (await as('alice')).get('/api/failure-reports?domain=a.example&limit=500')
      ).json();
      expect(listed.reports.find((r: { id: number }) => r.id === id)).toMatchObject({
        originalSubject: subject,
        originalFrom: 'info@a.example',
      });
    });

    it('sends a large answer gzipped to a client that takes it', async () => {
      // Another period than the other tests': their kept answers stay as they were.
      const june = Date.UTC(2024, 5, 10) / 1000;
      for (let n = 0; n < 40; n++) {
        await h.store.insertFailureReport(
          failureReport({
            arrivalTime: june + n * 60,
            reportedDomains: ['a.example'],
            original: {
              ...headersOnly('info@a.example', `Big ${n}`),
              form: 'message',
              body: 'x'.repeat(1000),
            },
          }),
          Buffer.from(`big ruf ${n}`),
          { description: `big ruf ${n}` },
        );
      }
      const alice = await as('alice');
      const url = '/api/domains/a.example/failures?since=2024-06-01&until=2024-06-30';
      const plain = await alice.get(url);
      expect(plain.json().reports).toBe(40);
      expect(plain.body.length).toBeGreaterThan(GZIP_ABOVE_CHARS);
      const zipped = await alice.request('GET', url, undefined, { headers: { 'accept-encoding': 'gzip' } });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8'))).toEqual(plain.json());
    });

    it('shows a failure report another process stored within ANALYSIS_VERSION_MS', async () => {
      const alice = await as('alice');
      const url = '/api/domains/a.example/failures?since=2024-08-01&until=2024-08-31';
      expect((await alice.get(url)).json().reports).toBe(0);
      // Stored as smtpd or a watched mailbox stores it: not through the API, which clears the answers.
      await h.store.insertFailureReport(
        failureReport({
          arrivalTime: Date.UTC(2024, 7, 10) / 1000,
          reportedDomains: ['a.example'],
          original: headersOnly('notice@a.example', 'Late'),
        }),
        Buffer.from('late ruf'),
        { description: 'late ruf' },
      );
      // The harness's cache reads its clock: the store is looked at again once it has moved on.
      h.clock.now += Math.ceil(ANALYSIS_VERSION_MS / 1000);
      expect((await alice.get(url)).json().reports).toBe(1);
    });

    // Last: it deletes the hidden report to compare with the view of a store without it.
    it("leaves another client's look-alike report out of a scoped user's view, counts and groups too", async () => {
      const alice = await as('alice');
      const response = await alice.get(`${FAILURES}&limit=5000`);
      expect(response.statusCode).toBe(200);
      const view = response.json();
      expect(view.items.map((i: { id: number }) => i.id)).toEqual([subdomain, h.failures.a]);
      expect(view.bySender.find((s: { ip: string }) => s.ip === '203.0.113.99')).toMatchObject({
        reports: 1,
        fromDomains: ['mail.a.example'],
        subjects: ['Notice'],
      });
      expect(view.byIdentity.map((g: { domain: string }) => g.domain)).toEqual(['mail.a.example']);
      expect(response.body).not.toContain('a.test');
      expect(response.body).not.toContain('Board minutes');
      await h.store.db.deleteFrom('failure_reports').where('id', '=', lookAlike).execute();
      const without = await failureReports(h.store, 'a.example', {
        period: parsePeriod(FAILURES_PERIOD),
        ipFacts: new StoredIpFacts(h.store),
      });
      expect(view).toEqual(asJson(without));
    });
  });
}
