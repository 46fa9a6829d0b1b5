import { describe, expect, it } from 'vitest';
import { markSender } from '../../src/analysis/inventory.ts';
import { LIST_DEFAULT, LIST_MAX } from '../../src/server/analysis.ts';
import { SENDERS_PAGE_MAX } from '../../src/server/senders.ts';
import { DAY, engines, engineTitle, header, record } from '../store/helpers.ts';
import { type Harness, useHarness } from './helpers.ts';

interface SenderRow {
  ip: string;
  messages: number;
  dmarcPass: number;
  class: string;
}

/** 30 senders in 203.0.113.0/24: sender i sends i messages; the even ones fail DMARC. */
function senderRecords() {
  return Array.from({ length: 30 }, (_, n) => {
    const i = n + 1;
    const fails = i % 2 === 0;
    return record({
      sourceIp: `203.0.113.${i}`,
      count: i,
      headerFrom: 'a.example',
      policyEvaluated: {
        disposition: 'none',
        dkim: fails ? 'fail' : 'pass',
        spf: fails ? 'fail' : 'pass',
        reasons: [],
      },
      authResults: {
        dkim: [
          {
            domain: fails ? 'elsewhere.example' : 'a.example',
            selector: 's1',
            result: 'pass',
            humanResult: null,
          },
        ],
        spf: [
          {
            domain: fails ? 'elsewhere.example' : 'a.example',
            scope: 'mfrom',
            result: fails ? 'fail' : 'pass',
            humanResult: null,
          },
        ],
      },
    });
  });
}

for (const engine of engines) {
  describe.skipIf(engine.skip)(`senders pages ${engineTitle(engine)}`, () => {
    let h!: Harness;

    const as = useHarness(engine, async (built) => {
      h = built;
      await h.store.insertAggregateReport(
        {
          ...header({
            domain: 'a.example',
            reportId: 'senders-1',
            begin: h.clock.now - (h.clock.now % DAY) - DAY,
          }),
          records: senderRecords(),
        },
        Buffer.from('senders-1'),
        { description: 'test senders-1' },
      );
    });

    const url = (query: string) => `/api/domains/a.example/senders?since=7d&${query}`;

    it('pages through every sender, most messages first, with the total', async () => {
      const alice = await as('alice');
      const seen: SenderRow[] = [];
      for (let offset = 0; ; offset += 10) {
        const page = await alice.get(url(`limit=10&offset=${offset}`));
        expect(page.statusCode, page.body).toBe(200);
        const body = page.json();
        expect(body).toMatchObject({ domain: 'a.example', total: 31, offset, limit: 10, sort: 'messages' });
        seen.push(...body.senders);
        if (body.senders.length < 10) break;
      }
      expect(seen).toHaveLength(31);
      expect(new Set(seen.map((s) => s.ip)).size).toBe(31);
      const messages = seen.map((s) => s.messages);
      expect(messages).toEqual([...messages].sort((a, b) => b - a));
      expect(seen[0]).toMatchObject({ ip: '203.0.113.30', messages: 30 });
      // The period's totals cover every sender, not only the page's.
      const first = (await alice.get(url('limit=1'))).json();
      expect(first.senders).toHaveLength(1);
      expect(first.messages).toBe(seen.reduce((sum, s) => sum + s.messages, 0));
      expect(Object.values(first.classes as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(31);
    });

    it('sorts by each listed key, addresses in address order', async () => {
      const alice = await as('alice');
      const ips = (await alice.get(url('sort=ip&order=asc&limit=12')))
        .json()
        .senders.map((s: SenderRow) => s.ip);
      expect(ips).toEqual(['192.0.2.1', ...Array.from({ length: 11 }, (_, i) => `203.0.113.${i + 1}`)]);
      const fewest = (await alice.get(url('sort=messages&order=asc&limit=1'))).json().senders[0];
      expect(fewest.messages).toBe(1);
      const failing = (await alice.get(url('sort=dmarcFail&limit=1'))).json().senders[0];
      expect(failing).toMatchObject({ ip: '203.0.113.30', dmarcPass: 0 });
      const rates = (await alice.get(url('sort=passRate&order=asc&limit=50')))
        .json()
        .senders.map((s: SenderRow) => s.dmarcPass / s.messages);
      expect(rates).toEqual([...rates].sort((a, b) => a - b));
      for (const sort of ['name', 'class', 'dmarcPass']) {
        expect((await alice.get(url(`sort=${sort}`))).statusCode, sort).toBe(200);
      }
    });

    it('filters by class; the totals follow the filter', async () => {
      const alice = await as('alice');
      const all = (await alice.get(url('limit=1'))).json();
      for (const cls of ['authorised', 'suspicious']) {
        const page = (await alice.get(url(`class=${cls}&limit=100`))).json();
        expect(page.total, cls).toBe(all.classes[cls]);
        expect(page.total, cls).toBeGreaterThan(0);
        expect(
          page.senders.every((s: SenderRow) => s.class === cls),
          cls,
        ).toBe(true);
      }
    });

    it('refuses sort keys, orders, classes and page sizes outside the lists with 400', async () => {
      const alice = await as('alice');
      for (const query of [
        'sort=messages%20desc;%20drop%20table%20reports',
        'sort=source_ip',
        'sort=',
        'order=up',
        'class=legit',
        'limit=0',
        `limit=${SENDERS_PAGE_MAX + 1}`,
        'offset=-1',
        'limit=ten',
      ]) {
        const response = await alice.get(url(query));
        expect(response.statusCode, query).toBe(400);
        expect(response.json().error.code, query).toBe('bad-request');
      }
      // Nothing was run from them: the store still answers.
      expect((await alice.get(url('limit=1'))).statusCode).toBe(200);
    });

    it('answers 404 for the senders of a domain outside the caller access, whatever the page', async () => {
      const alice = await as('alice');
      for (const query of ['', 'limit=5&offset=5', 'sort=ip&order=asc', 'class=suspicious']) {
        const response = await alice.get(`/api/domains/b.example/senders?${query}`);
        expect(response.statusCode, query).toBe(404);
        expect(response.body).not.toContain('192.0.2.1');
      }
      const bob = await as('bob');
      expect((await bob.get(url('limit=5'))).statusCode).toBe(404);
      expect((await bob.get('/api/domains/b.example/senders?limit=5')).statusCode).toBe(200);
    });

    it('keeps one sender route, and a mark through the API shows in the next page', async () => {
      const alice = await as('alice');
      const one = await alice.get('/api/domains/a.example/senders/203.0.113.30?since=7d');
      expect(one.statusCode).toBe(200);
      expect(one.json().sender).toMatchObject({ ip: '203.0.113.30', messages: 30, class: 'suspicious' });
      const marked = await alice.request('POST', '/api/domains/a.example/senders/203.0.113.30/mark', {
        mark: 'authorised',
      });
      expect(marked.statusCode, marked.body).toBe(200);
      const page = (await alice.get(url('limit=1'))).json();
      expect(page.senders[0]).toMatchObject({ ip: '203.0.113.30', class: 'authorised' });
      const suspicious = (await alice.get(url('class=suspicious&limit=100'))).json();
      expect(suspicious.senders.map((s: SenderRow) => s.ip)).not.toContain('203.0.113.30');
    });

    it('keeps its answers over logins and account changes; drops them on a change to what they say', async () => {
      const alice = await as('alice');
      const classOf = async (ip: string) =>
        (await alice.get(`/api/domains/a.example/senders/${ip}?since=7d`)).json().sender.class;
      expect(await classOf('203.0.113.28')).toBe('suspicious');
      // Marked by another process (sumi senders mark): the kept answer does not know yet.
      await markSender(h.store, 'a.example', '203.0.113.28', 'forwarder');
      // Logins, logouts and tokens change no answer: recomputing everything then would stall the server.
      await as('bob');
      await alice.request('POST', '/api/tokens', { name: 'cache-check' });
      expect(await classOf('203.0.113.28')).toBe('suspicious');
      // A mark through the API drops the kept answers: both marks show.
      await alice.request('POST', '/api/domains/a.example/senders/203.0.113.26/mark', { mark: 'forwarder' });
      expect(await classOf('203.0.113.28')).toBe('forwarder');
      expect(await classOf('203.0.113.26')).toBe('forwarder');
      // Another process's mark shows once the store is looked at again (ANALYSIS_VERSION_MS).
      await markSender(h.store, 'a.example', '203.0.113.23', 'suspicious');
      expect(await classOf('203.0.113.23')).not.toBe('suspicious');
      h.clock.now += 1;
      expect(await classOf('203.0.113.23')).toBe('suspicious');
    });

    it('cuts the simulation and unknown-sender lists to limit, counting them all', async () => {
      const alice = await as('alice');
      const whole = (await alice.get('/api/domains/a.example/simulate?policy=reject&since=7d')).json();
      expect(whole.senders_total).toBeGreaterThan(5);
      expect(whole.senders).toHaveLength(Math.min(whole.senders_total, LIST_DEFAULT));
      const five = (await alice.get('/api/domains/a.example/simulate?policy=reject&since=7d&limit=5')).json();
      expect(five.senders).toEqual(whole.senders.slice(0, 5));
      expect(five).toMatchObject({ senders_total: whole.senders_total, would_reject: whole.would_reject });
      const unknown = (await alice.get('/api/domains/a.example/subdomains?since=7d&limit=3')).json();
      expect(unknown.unknownSenders).toHaveLength(3);
      expect(unknown.unknownSendersTotal).toBeGreaterThan(3);
      for (const url of ['simulate?limit=0', `simulate?limit=${LIST_MAX + 1}`, 'subdomains?limit=x']) {
        expect((await alice.get(`/api/domains/a.example/${url}`)).statusCode, url).toBe(400);
      }
    });

    it('documents the page, its sort keys and classes in the OpenAPI document', async () => {
      const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      const operation = doc.paths['/api/domains/{domain}/senders'].get;
      const parameter = (name: string) =>
        operation.parameters.find((p: { name: string }) => p.name === name).schema;
      expect(parameter('sort').enum).toEqual(
        expect.arrayContaining(['messages', 'dmarcFail', 'passRate', 'ip', 'name', 'class']),
      );
      expect(parameter('class').enum).toEqual([
        'authorised',
        'known-unconfigured',
        'forwarder',
        'suspicious',
      ]);
      expect(parameter('limit').maximum).toBe(SENDERS_PAGE_MAX);
      const schema = operation.responses['200'].content['application/json'].schema;
      expect(schema.required).toEqual(expect.arrayContaining(['total', 'senders', 'classes']));
    });
  });
}
