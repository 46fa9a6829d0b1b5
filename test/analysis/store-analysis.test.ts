/**
 * Summary, sources and simulate on the hand-written fixture (fixture.ts), on SQLite and
 * PostgreSQL: every figure is worked out by hand there.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { markSender } from '../../src/analysis/inventory.ts';
import { simulate } from '../../src/analysis/simulate.ts';
import { sources } from '../../src/analysis/sources.ts';
import { summary } from '../../src/analysis/summary.ts';
import type { Store } from '../../src/store/types.ts';
import { engines, engineTitle, freshStore } from '../store/helpers.ts';
import { JAN_1, loadFixture, PERIOD } from './fixture.ts';

for (const engine of engines) {
  describe.skipIf(engine.skip)(`analysis ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });
    afterAll(() => engine.cleanup());

    async function store(): Promise<Store> {
      const s = await freshStore(engine, opened);
      await loadFixture(s);
      return s;
    }

    it('summary: totals, days, dispositions and the policy per day', async () => {
      const result = await summary(await store(), 'example.jp', PERIOD);
      expect(result.since).toBe('2025-01-01');
      expect(result.until).toBe('2025-01-03');
      // 135 + 60 + 95 + 10 + 10; shop.example.jp's report is another policy domain.
      expect(result.totals).toEqual({
        messages: 310,
        dmarcPass: 257,
        dmarcFail: 53,
        spfAligned: 250,
        dkimAligned: 257,
        dispositions: { none: 295, quarantine: 15 },
      });
      expect(result.days).toEqual([
        {
          day: '2025-01-01',
          messages: 205,
          dmarcPass: 167,
          dmarcFail: 38,
          spfAligned: 160,
          dkimAligned: 167,
          dispositions: { none: 205 },
        },
        // R5 ends at the next midnight: it still counts on 01-02 alone.
        {
          day: '2025-01-02',
          messages: 10,
          dmarcPass: 10,
          dmarcFail: 0,
          spfAligned: 10,
          dkimAligned: 10,
          dispositions: { none: 10 },
        },
        {
          day: '2025-01-03',
          messages: 95,
          dmarcPass: 80,
          dmarcFail: 15,
          spfAligned: 80,
          dkimAligned: 80,
          dispositions: { none: 80, quarantine: 15 },
        },
      ]);
      expect(result.policy).toEqual([
        { day: '2025-01-01', p: 'none', sp: 'none', pct: 100, reports: 3, totalReports: 3, changed: false },
        { day: '2025-01-02', p: 'none', sp: 'none', pct: 100, reports: 1, totalReports: 1, changed: false },
        {
          day: '2025-01-03',
          p: 'quarantine',
          sp: 'none',
          pct: 50,
          reports: 1,
          totalReports: 1,
          changed: true,
        },
      ]);
    });

    it('summary: a period narrower than the data counts only its days', async () => {
      const result = await summary(await store(), 'example.jp', {
        since: JAN_1 + 86_400,
        until: JAN_1 + 86_400,
      });
      expect(result.totals.messages).toBe(10);
      expect(result.days.map((d) => d.day)).toEqual(['2025-01-02']);
      expect(result.policy.map((p) => p.day)).toEqual(['2025-01-02']);
    });

    it('sources: senders with volume, alignment, reason, known service and class', async () => {
      const result = await sources(await store(), 'example.jp', PERIOD);
      expect([result.messages, result.dmarcPass, result.dmarcFail]).toEqual([310, 257, 53]);
      const rows = result.senders.map((s) => [
        s.ip,
        s.messages,
        s.dmarcPass,
        s.spfAligned,
        s.dkimAligned,
        s.class,
        s.classBasis,
        s.reason.code,
        s.reason.messages,
        s.knownSender?.id ?? null,
      ]);
      expect(rows).toEqual([
        // 100 + 3 + 50 + 80 + 10 + 10; the 3 to news.example.jp fail from the owner's server.
        ['192.0.2.1', 253, 250, 250, 250, 'authorised', 'passing', 'not-signed', 3, null],
        [
          '198.51.100.10',
          26,
          0,
          0,
          0,
          'known-unconfigured',
          'catalogue',
          'signed-by-esp-domain',
          26,
          'sendgrid',
        ],
        ['203.0.113.66', 20, 0, 0, 0, 'suspicious', 'unknown', 'spoofing', 20, null],
        // 7 pass by DKIM with SPF failing, 4 failed and were let through as forwarded.
        ['203.0.113.5', 11, 7, 0, 7, 'forwarder', 'forwarded', 'forwarded', 11, null],
      ]);
      const own = result.senders[0];
      expect(own?.reasons.map((r) => [r.code, r.messages, r.args])).toEqual([
        ['aligned-pass', 250, { domain: 'example.jp', via: 'both' }],
        ['not-signed', 3, { domain: 'news.example.jp' }],
      ]);
      expect(own?.headerFroms).toEqual([
        { domain: 'example.jp', messages: 250 },
        { domain: 'news.example.jp', messages: 3 },
      ]);
      const sendgrid = result.senders[1];
      expect(sendgrid?.name).toBe('Twilio SendGrid');
      expect(sendgrid?.knownSender).toMatchObject({ matchedBy: 'dkim', matched: 'sendgrid.info' });
      expect(sendgrid?.reason.args).toEqual({
        domain: 'example.jp',
        dkimDomain: 'sendgrid.info',
        sender: 'sendgrid',
      });
      expect(sendgrid?.reason.fix).toContain('custom DKIM domain in Twilio SendGrid');
      expect(result.senders[2]?.name).toBe('203.0.113.66');
    });

    it('sources: names and matches senders by their confirmed PTR, in Japanese', async () => {
      const result = await sources(await store(), 'example.jp', PERIOD, {
        lang: 'ja',
        ipFacts: {
          describe: async (ips) =>
            new Map(
              ips
                .filter((ip) => ip === '203.0.113.66' || ip === '192.0.2.1')
                .map((ip) => [
                  ip,
                  ip === '192.0.2.1'
                    ? {
                        ptr: 'mail.example.jp',
                        ptrConfirmed: true,
                        ptrOrgDomain: 'example.jp',
                        country: 'JP',
                      }
                    : { ptr: 'www1.sakura.ne.jp', ptrConfirmed: true, ptrOrgDomain: 'sakura.ne.jp' },
                ]),
            ),
        },
      });
      const spoof = result.senders.find((s) => s.ip === '203.0.113.66');
      // A hosting company's server, not signed: a known service not yet configured.
      expect(spoof).toMatchObject({
        name: 'さくらインターネット',
        class: 'known-unconfigured',
        reason: { code: 'not-signed', args: { domain: 'example.jp', sender: 'sakura-internet' } },
      });
      expect(spoof?.reason.text).toContain('さくらインターネット');
      expect(result.senders[0]).toMatchObject({
        name: 'mail.example.jp',
        ptr: 'mail.example.jp',
        ptrOrgDomain: 'example.jp',
        country: 'JP',
      });
    });

    it('sources: asks the facts of every sending IP of the period once, and of none other', async () => {
      const s = await store();
      const asked: string[][] = [];
      const result = await sources(s, 'example.jp', PERIOD, {
        ipFacts: {
          describe: async (ips) => {
            asked.push([...ips]);
            return new Map();
          },
        },
      });
      expect(asked).toHaveLength(1);
      expect([...(asked[0] ?? [])].sort()).toEqual(
        result.senders
          .map((x) => x.ip)
          .filter((ip) => ip !== '')
          .sort(),
      );
    });

    it('sources: the owner’s marks decide the class', async () => {
      const s = await store();
      await markSender(s, 'example.jp', '198.51.100.10', 'authorised', 'newsletter');
      await markSender(s, 'Example.JP.', '192.0.2.1', 'suspicious');
      const result = await sources(s, 'example.jp', PERIOD);
      const byIp = new Map(result.senders.map((x) => [x.ip, x]));
      expect(byIp.get('198.51.100.10')).toMatchObject({
        class: 'authorised',
        classBasis: 'mark',
        mark: { mark: 'authorised', note: 'newsletter' },
      });
      // Marked suspicious: its failing mail is no longer explained as the owner's own.
      expect(byIp.get('192.0.2.1')).toMatchObject({
        class: 'suspicious',
        reason: { code: 'spoofing', messages: 3 },
      });
    });

    it('simulate reject: what would be blocked, legitimate and not', async () => {
      const result = await simulate(await store(), 'example.jp', { policy: 'reject', period: PERIOD });
      // Failing: 20 + 5 + 3 (news., sp defaults to p) + 6 (sampled_out applies now) + 15;
      // the 4 forwarded were let through by their receiver and would be again.
      expect(result).toEqual({
        domain: 'example.jp',
        policy: 'reject',
        since: '2025-01-01',
        messages: 310,
        dmarc_pass: 257,
        dmarc_fail: 53,
        would_quarantine: 0,
        would_reject: 49,
        legitimate_at_risk: 29,
        unauthorised_blocked: 20,
        senders: [
          {
            ip: '198.51.100.10',
            name: 'Twilio SendGrid',
            class: 'known-unconfigured',
            messages: 26,
            would_fail: 26,
            reason: expect.stringContaining('sendgrid.info'),
            fix: expect.stringContaining('custom DKIM domain'),
          },
          {
            ip: '203.0.113.66',
            name: '203.0.113.66',
            class: 'suspicious',
            messages: 20,
            would_fail: 20,
            reason: expect.stringContaining('spoofing'),
            fix: expect.any(String),
          },
          {
            ip: '192.0.2.1',
            name: '192.0.2.1',
            class: 'authorised',
            messages: 253,
            would_fail: 3,
            reason: expect.stringContaining('without a DKIM signature'),
            fix: expect.any(String),
          },
        ],
      });
    });

    it('simulate quarantine with sp=none spares the subdomain', async () => {
      const result = await simulate(await store(), 'example.jp', {
        policy: 'quarantine',
        sp: 'none',
        period: PERIOD,
      });
      expect([
        result.would_quarantine,
        result.would_reject,
        result.legitimate_at_risk,
        result.unauthorised_blocked,
      ]).toEqual([46, 0, 26, 20]);
      expect(result.senders.map((s) => s.ip)).toEqual(['198.51.100.10', '203.0.113.66']);
    });

    it('simulate reject at pct=50: the sampled-out half is quarantined', async () => {
      const result = await simulate(await store(), 'example.jp', {
        policy: 'reject',
        pct: 50,
        period: PERIOD,
      });
      // 49 failing under p=reject: half (24.5, rounded up) rejected, the rest quarantined.
      expect([result.would_reject, result.would_quarantine, result.legitimate_at_risk]).toEqual([25, 24, 29]);
    });

    it('simulate np applies to From domains that do not exist', async () => {
      const asked: string[] = [];
      const result = await simulate(await store(), 'example.jp', {
        policy: 'reject',
        np: 'quarantine',
        period: PERIOD,
        nonExistent: async (name) => {
          asked.push(name);
          return name === 'news.example.jp';
        },
      });
      expect(asked).toEqual(['news.example.jp']);
      expect([result.would_reject, result.would_quarantine]).toEqual([46, 3]);
    });
  });
}
