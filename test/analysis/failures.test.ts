import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  failureReports,
  hideLocalParts,
  identityRelation,
  MAX_BODY_EXCERPT_CHARS,
  MAX_FAILURE_REPORTS_READ,
  MAX_HEADER_VALUE_CHARS,
  skeleton,
} from '../../src/analysis/failures.ts';
import { MmdbFacts, StoredIpFacts } from '../../src/analysis/ip-facts/index.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import type { FailureReport } from '../../src/reports/types.ts';
import type { Store } from '../../src/store/types.ts';
import { DAY, engines, engineTitle, failureReport, freshStore, JAN_1 } from '../store/helpers.ts';
import { rollout } from './history-fixture.ts';
import { writeMmdb } from './mmdb-writer.ts';

describe('identityRelation', () => {
  it('tells exact, subdomain and same-organisation names apart', () => {
    expect(identityRelation('example.jp', 'example.jp')).toEqual({ relation: 'exact' });
    expect(identityRelation('Mail.Example.JP.', 'example.jp')).toEqual({ relation: 'subdomain' });
    expect(identityRelation('www.example.jp', 'mail.example.jp')).toEqual({ relation: 'same-organisation' });
    expect(identityRelation('google.com', 'example.jp')).toEqual({ relation: 'unrelated' });
  });

  it('finds look-alikes: other suffix, confusable letters (digits, rn, Cyrillic), near spellings, the name inside another', () => {
    expect(identityRelation('example.com', 'example.co.jp')).toEqual({
      relation: 'look-alike',
      why: 'other-suffix',
    });
    expect(identityRelation('examp1e.jp', 'example.jp')).toEqual({
      relation: 'look-alike',
      why: 'confusable',
    });
    expect(identityRelation('exarnple.jp', 'example.jp')).toEqual({
      relation: 'look-alike',
      why: 'confusable',
    });
    // "еxample" with a Cyrillic е, as it travels in DNS.
    expect(identityRelation('xn--xample-2of.jp', 'example.jp')).toEqual({
      relation: 'look-alike',
      why: 'confusable',
    });
    expect(identityRelation('exampel.jp', 'example.jp')).toEqual({
      relation: 'look-alike',
      why: 'edit-distance',
    });
    expect(identityRelation('example-login.com', 'example.jp')).toEqual({
      relation: 'look-alike',
      why: 'contains-name',
    });
    // Short names: one letter away from too many real domains.
    expect(identityRelation('abd.jp', 'abc.jp')).toEqual({ relation: 'unrelated' });
  });

  it('reads the shape of a label', () => {
    expect(skeleton('PAYPAI')).toBe('paypal');
    expect(skeleton('vvebrnail')).toBe('webmall');
  });

  it('hides the local part of addresses', () => {
    expect(hideLocalParts('To: Taro <taro.yamada+x@victim.example>, b@c.example.jp')).toBe(
      'To: Taro <***@victim.example>, ***@c.example.jp',
    );
  });
});

function original(overrides: Partial<NonNullable<FailureReport['original']>>): FailureReport['original'] {
  return {
    form: 'headers',
    headers: [],
    from: null,
    to: null,
    subject: null,
    date: null,
    messageId: null,
    redacted: false,
    body: null,
    urls: [],
    ...overrides,
  };
}

/** r1 exact spoof (headers only), r2 subdomain with body, r3 Reply-To look-alike (redacted), r4 another domain, r5 a look-alike reported without the message, r6 too old. */
async function fixture(store: Store): Promise<void> {
  const add = (n: number, report: FailureReport) =>
    store.insertFailureReport(report, Buffer.from(`ruf-${n}`), { description: `ruf-${n}` });
  await add(1, failureReport());
  await add(
    2,
    failureReport({
      arrivalTime: JAN_1 + 100,
      reportedDomains: ['mail.example.jp'],
      incidents: 3,
      originalRcptTo: ['<user@victim.example>'],
      original: original({
        form: 'message',
        headers: [{ name: 'From', value: 'notice@mail.example.jp' }],
        from: 'notice@mail.example.jp',
        to: 'user@victim.example',
        subject: 'Security notice',
        body: `Dear user@victim.example, click http://examp1e.jp/login ${'x'.repeat(2000)}`,
        urls: ['http://examp1e.jp/login'],
      }),
    }),
  );
  await add(
    3,
    failureReport({
      arrivalTime: JAN_1 + 200,
      sourceIp: '203.0.113.5',
      originalRcptTo: [],
      original: original({
        headers: [
          { name: 'From', value: 'info@example.jp' },
          { name: 'Reply-To', value: 'Support <support@examp1e.jp>' },
          { name: 'Subject', value: 'Invoice' },
        ],
        from: 'info@example.jp',
        subject: 'Invoice',
        redacted: true,
      }),
    }),
  );
  await add(
    4,
    failureReport({
      arrivalTime: JAN_1 + 250,
      reportedDomains: ['other.example'],
      original: original({ from: 'a@other.example', subject: 'Other' }),
    }),
  );
  await add(
    5,
    failureReport({
      arrivalTime: JAN_1 + 300,
      sourceIp: '203.0.113.5',
      reportedDomains: ['exarnple.jp'],
      originalRcptTo: [],
      original: null,
    }),
  );
  await add(6, failureReport({ arrivalTime: JAN_1 - 10 * DAY }));
}

for (const engine of engines) {
  describe.skipIf(engine.skip)(`failureReports ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });
    afterAll(() => engine.cleanup());

    it('shows what each report carries, grouped by sender and by identity', async () => {
      const store = await freshStore(engine, opened);
      await fixture(store);
      await rollout(store);
      // The sender's name from the reverse DNS cache.
      const zone = new Zone().add('7.100.51.198.in-addr.arpa', 'PTR', 'mx.spoofer.example');
      await new StoredIpFacts(store, { resolver: new ZoneResolver(zone) }).describe(['198.51.100.7']);
      const view = await failureReports(store, 'Example.JP', {
        period: { since: JAN_1 - DAY, until: JAN_1 + 29 * DAY },
        // Reverse DNS from the cache, the network from the owner's mmdb.
        ipFacts: new StoredIpFacts(store, {
          mmdb: new MmdbFacts(
            writeMmdb(
              [
                {
                  cidr: '203.0.113.0/24',
                  data: {
                    autonomous_system_number: 64500,
                    autonomous_system_organization: 'Example Net',
                    country: { iso_code: 'JP' },
                  },
                },
              ],
              { ipVersion: 4 },
            ),
          ),
        }),
      });
      expect(view.items.map((i) => i.id)).toEqual([5, 3, 2, 1]);
      expect(view).toMatchObject({
        domain: 'example.jp',
        since: '2024-12-31',
        until: '2025-01-30',
        reports: 4,
        incidents: 6,
        truncated: false,
        carried: { headers: 3, subject: 3, body: 1, urls: 1, redacted: 1, noOriginal: 1 },
        // Failing messages in the aggregate reports: 4 + 2 + 3 + 1 + 5 (history-fixture).
        aggregateFailing: 15,
        cannotTell: ['aggregate-no-content', 'ruf-sample', 'no-original', 'headers-only', 'redacted'],
      });
      expect(view.bySender).toEqual([
        {
          ip: '198.51.100.7',
          ptr: 'mx.spoofer.example',
          asn: null,
          asOrg: null,
          country: null,
          reports: 2,
          incidents: 4,
          first: '2024-12-31T23:59:58Z',
          last: '2025-01-01T00:01:40Z',
          fromDomains: ['example.jp', 'mail.example.jp'],
          subjects: ['Your account', 'Security notice'],
        },
        {
          ip: '203.0.113.5',
          ptr: null,
          asn: 64500,
          asOrg: 'Example Net',
          country: 'JP',
          reports: 2,
          incidents: 2,
          first: '2025-01-01T00:03:20Z',
          last: '2025-01-01T00:05:00Z',
          fromDomains: ['example.jp', 'exarnple.jp'],
          subjects: ['Invoice'],
        },
      ]);
      expect(view.byIdentity).toEqual([
        {
          domain: 'mail.example.jp',
          relation: 'subdomain',
          reports: 1,
          incidents: 3,
          senders: ['198.51.100.7'],
          subjects: ['Security notice'],
        },
        {
          domain: 'example.jp',
          relation: 'exact',
          reports: 2,
          incidents: 2,
          senders: ['198.51.100.7', '203.0.113.5'],
          subjects: ['Your account', 'Invoice'],
        },
        {
          domain: 'examp1e.jp',
          relation: 'look-alike',
          why: 'confusable',
          reports: 1,
          incidents: 1,
          senders: ['203.0.113.5'],
          subjects: ['Invoice'],
        },
        {
          domain: 'exarnple.jp',
          relation: 'look-alike',
          why: 'confusable',
          reports: 1,
          incidents: 1,
          senders: ['203.0.113.5'],
          subjects: [],
        },
      ]);
      const r2 = view.items.find((i) => i.id === 2)!;
      expect(r2.carries).toEqual(['headers', 'subject', 'recipients', 'body', 'urls']);
      expect(r2.recipients).toEqual(['<***@victim.example>', '***@victim.example']);
      expect(r2.body).toHaveLength(MAX_BODY_EXCERPT_CHARS);
      expect(r2.body?.startsWith('Dear ***@victim.example, click http://examp1e.jp/login')).toBe(true);
      expect(r2.from).toEqual({
        value: 'notice@mail.example.jp'.replace('notice', '***'),
        domain: 'mail.example.jp',
        relation: 'subdomain',
      });
      const r3 = view.items.find((i) => i.id === 3)!;
      expect(r3).toMatchObject({
        redactedByReporter: true,
        carries: ['headers', 'subject'],
        replyTo: {
          value: 'Support <***@examp1e.jp>',
          domain: 'examp1e.jp',
          relation: 'look-alike',
          why: 'confusable',
        },
        mailFrom: { domain: 'spoofer.example', relation: 'unrelated' },
      });
      const r5 = view.items.find((i) => i.id === 5)!;
      expect(r5).toMatchObject({
        originalForm: null,
        carries: [],
        from: { domain: 'exarnple.jp', relation: 'look-alike' },
      });
      expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    });

    it('decodes RFC 2047 encoded words in From and Reply-To, as in the Subject, with local parts still hidden', async () => {
      const store = await freshStore(engine, opened);
      const from = '=?ISO-2022-JP?B?GyRCOzBJKTZkOVQbKEI=?= <alerts@example.jp>';
      const replyTo = '=?UTF-8?Q?Caf=C3=A9?= =?UTF-8?B?44K144Od44O844OI?= <help@examp1e.jp>';
      await store.insertFailureReport(
        failureReport({
          original: original({
            headers: [
              { name: 'From', value: from },
              { name: 'Reply-To', value: replyTo },
            ],
            from,
          }),
        }),
        Buffer.from('ruf-encoded'),
        { description: 'ruf-encoded' },
      );
      const [item] = (await failureReports(store, 'example.jp', {})).items;
      expect(item?.from).toMatchObject({ value: '三菱銀行 <***@example.jp>', relation: 'exact' });
      expect(item?.replyTo).toMatchObject({ value: 'Caféサポート <***@examp1e.jp>', relation: 'look-alike' });
    });

    it('counts a report naming the domain with a trailing dot, whatever its From', async () => {
      const store = await freshStore(engine, opened);
      const from = 'Billing <billing@unrelated.example>';
      await store.insertFailureReport(
        failureReport({
          reportedDomains: ['Example.JP.'],
          original: original({ headers: [{ name: 'From', value: from }], from }),
        }),
        Buffer.from('ruf-dot'),
        { description: 'ruf-dot' },
      );
      const view = await failureReports(store, 'example.jp', {});
      expect(view.items.map((i) => i.reportedDomains)).toEqual([['example.jp']]);
    });

    it('cuts the Subject, Date and Message-ID as it cuts other header values', async () => {
      const store = await freshStore(engine, opened);
      const long = 'x'.repeat(200_000);
      await store.insertFailureReport(
        failureReport({ original: original({ subject: long, date: long, messageId: long }) }),
        Buffer.from('ruf-long'),
        { description: 'ruf-long' },
      );
      const view = await failureReports(store, 'example.jp', {});
      const cut = 'x'.repeat(MAX_HEADER_VALUE_CHARS);
      expect(view.items[0]).toMatchObject({ subject: cut, date: cut, messageId: cut });
      expect(view.bySender[0]?.subjects).toEqual([cut]);
    });

    it('hides local parts in Authentication-Results and the Message-ID as in the header list', async () => {
      const store = await freshStore(engine, opened);
      await store.insertFailureReport(
        failureReport({
          authenticationResults: ['mx.example; spf=fail smtp.mailfrom=bounces+bob=163.com@mail.example.jp'],
          original: original({ messageId: '<bob@victim.example>' }),
        }),
        Buffer.from('ruf-hidden'),
        { description: 'ruf-hidden' },
      );
      const [item] = (await failureReports(store, 'example.jp', {})).items;
      expect(item?.authenticationResults).toEqual(['mx.example; spf=fail smtp.mailfrom=***@mail.example.jp']);
      expect(item?.messageId).toBe('<***@victim.example>');
    });

    it("finds the domain's reports behind more than MAX_FAILURE_REPORTS_READ newer reports of other domains", async () => {
      const store = await freshStore(engine, opened);
      const add = (n: number, report: FailureReport) =>
        store.insertFailureReport(report, Buffer.from(`ruf-${n}`), { description: `ruf-${n}` });
      await add(1, failureReport({ arrivalTime: JAN_1 }));
      await add(
        2,
        failureReport({
          arrivalTime: JAN_1 + 500,
          reportedDomains: ['other.example'],
          original: original({ from: 'a@other.example', subject: 'Other' }),
        }),
      );
      // Copies of the other domain's report, each newer: written in bulk (as stored, new bytes each).
      const other = await store.db
        .selectFrom('failure_reports')
        .selectAll()
        .where('reported_domain', '=', 'other.example')
        .executeTakeFirstOrThrow();
      const { id: _id, ...columns } = other;
      const copies = Array.from({ length: MAX_FAILURE_REPORTS_READ }, (_, i) => ({
        ...columns,
        raw_sha256: `copy-${i}`,
      }));
      for (let i = 0; i < copies.length; i += 500) {
        await store.db
          .insertInto('failure_reports')
          .values(copies.slice(i, i + 500))
          .execute();
      }
      const view = await failureReports(store, 'example.jp');
      expect(view.reports).toBe(1);
      expect(view.truncated).toBe(false);
      expect(view.items[0]?.reportedDomains).toEqual(['example.jp']);
    });

    it('says when there are no failure reports at all', async () => {
      const store = await freshStore(engine, opened);
      const view = await failureReports(store, 'example.jp');
      expect(view).toMatchObject({
        reports: 0,
        incidents: 0,
        aggregateFailing: 0,
        bySender: [],
        byIdentity: [],
      });
      expect(view.cannotTell).toEqual(['aggregate-no-content', 'ruf-sample', 'no-ruf']);
    });
  });
}
