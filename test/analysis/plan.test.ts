import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { markSender } from '../../src/analysis/inventory.ts';
import { StoredIpFacts } from '../../src/analysis/ip-facts/index.ts';
import { DEFAULT_THRESHOLDS, OWN_IPS_IN_QUERY, plan } from '../../src/analysis/plan.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import type { Store } from '../../src/store/types.ts';
import { DAY, engines, engineTitle, freshStore, JAN_1, record } from '../store/helpers.ts';
import { addReport, BAD_IP, fail, storeCheck } from './history-fixture.ts';
import { ESP_IP, senders } from './plan-fixture.ts';

/** End of 2025-01-16. */
const NOW = JAN_1 + 16 * DAY - 1;

for (const engine of engines) {
  describe.skipIf(engine.skip)(`plan ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });
    afterAll(() => engine.cleanup());

    it('p=none: fix the senders first, naming each with its reason; quarantine record ready to write', async () => {
      const store = await freshStore(engine, opened);
      await senders(store, 'none');
      const zone = new Zone()
        .add('50.2.0.192.in-addr.arpa', 'PTR', 'o1.ptr123.sendgrid.net')
        .add('o1.ptr123.sendgrid.net', 'A', ESP_IP);
      const result = await plan(store, 'example.jp', {
        now: NOW,
        ipFacts: new StoredIpFacts(store, { resolver: new ZoneResolver(zone) }),
        rua: ['mailto:dmarc@example.jp'],
      });
      expect(result.window).toEqual({ since: '2024-12-18', until: '2025-01-16', days: 30 });
      expect(result.thresholds).toEqual(DEFAULT_THRESHOLDS);
      expect(result.current).toEqual({
        policy: { p: 'none', sp: 'none', np: 'none', pct: null, testing: false, rua: true },
        source: 'reports',
        since: '2025-01-01',
      });
      // 1600 + 160 + 16 + 2 + 30 messages; legitimate: GOOD_IP and SendGrid (80 of whose failed);
      // forwarded: 30; unknown: BAD_IP 16 and RARE_IP 2.
      expect(result.senders).toEqual({
        messages: 1808,
        legitimate: 1760,
        legitimatePassing: 1680,
        forwarded: 30,
        unknown: 18,
        legitimateAtRisk: 80,
      });
      // Days 0-7: 100 of 110 legitimate messages pass (0.909); days 8-15: all 110.
      expect(result.days).toHaveLength(16);
      expect(result.days[0]).toEqual({ day: '2025-01-01', legitimate: 110, passing: 100, share: 100 / 110 });
      expect(result.days[15]).toEqual({ day: '2025-01-16', legitimate: 110, passing: 110, share: 1 });
      expect(result.streak).toBe(8);
      expect(result.next).toBe('fix-senders');
      expect(result.steps.map((s) => [s.id, s.status])).toEqual([
        ['monitor', 'done'],
        ['fix-senders', 'blocked'],
        ['quarantine', 'later'],
        ['reject', 'later'],
        ['bimi', 'later'],
      ]);
      const fix = result.steps[1]!;
      expect(fix.criteria).toEqual([
        { code: 'aligned-share', met: false, value: 8, threshold: 14 },
        { code: 'unknown-senders', met: false, value: 1, threshold: 0 },
      ]);
      expect(fix.blockers).toEqual([
        {
          code: 'sender-failing',
          ip: ESP_IP,
          ptr: 'o1.ptr123.sendgrid.net',
          name: 'Twilio SendGrid',
          // Half its mail passes: not "most", so a known service not yet configured.
          class: 'known-unconfigured',
          messages: 160,
          failing: 80,
          share: 160 / 1808,
          reason: {
            code: 'signed-by-esp-domain',
            args: { domain: 'example.jp', dkimDomain: 'sendgrid.info', sender: 'sendgrid' },
            messages: 80,
            text: 'Mail from Twilio SendGrid is signed with its own domain (sendgrid.info), not with example.jp: the DKIM signature passes but does not align.',
            fix: expect.stringContaining('Set up a custom DKIM domain in Twilio SendGrid'),
          },
        },
        {
          // 16 of 1808 messages (0.88%) is above 0.5%; RARE_IP's 2 (0.11%) is not.
          code: 'unknown-sender',
          ip: BAD_IP,
          ptr: null,
          name: BAD_IP,
          class: 'suspicious',
          messages: 16,
          failing: 16,
          share: 16 / 1808,
          reason: expect.objectContaining({
            code: 'spf-esp-bounce-not-aligned',
            args: { domain: 'example.jp', spfDomain: 'spoofer.example' },
            messages: 16,
          }),
        },
      ]);
      expect(fix.record).toBeUndefined();
      expect(result.steps[2]!.record).toMatchObject({
        name: '_dmarc.example.jp',
        type: 'TXT',
        value: 'v=DMARC1; p=quarantine; rua=mailto:dmarc@example.jp',
      });
      // Failing: SendGrid 80 (its own, at risk), BAD_IP 16 and RARE_IP 2 (unauthorised); the
      // forwarded mail passes by DKIM.
      expect(result.steps[2]!.impact).toEqual({
        wouldQuarantine: 98,
        wouldReject: 0,
        legitimateAtRisk: 80,
        unauthorisedBlocked: 18,
      });
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    });

    it('an unknown sender the owner has identified no longer blocks; one marked as theirs must pass', async () => {
      const store = await freshStore(engine, opened);
      await senders(store, 'none');
      await markSender(store, 'example.jp', BAD_IP, 'suspicious');
      const marked = await plan(store, 'example.jp', { now: NOW });
      expect(marked.steps[1]!.criteria[1]).toEqual({
        code: 'unknown-senders',
        met: true,
        value: 0,
        threshold: 0,
      });
      expect(marked.senders.unknown).toBe(2);
      await markSender(store, 'example.jp', BAD_IP, 'authorised');
      const own = await plan(store, 'example.jp', { now: NOW });
      // Now its 16 failing messages count against the domain: 80 + 16 at risk.
      expect(own.senders).toMatchObject({ legitimate: 1776, legitimateAtRisk: 96 });
      expect(own.steps[1]!.blockers.map((b) => [b.ip, b.code, b.class])).toEqual([
        [ESP_IP, 'sender-failing', 'known-unconfigured'],
        [BAD_IP, 'sender-failing', 'authorised'],
      ]);
      // Its 1 failing message a day leaves days 8-15 at 110 of 111 (99.1%): still 8 days.
      expect(own.days[15]).toMatchObject({ legitimate: 111, passing: 110 });
      expect(own.streak).toBe(8);
    });

    it('asks for a stored check when it cannot know the report addresses; keeps the published tags', async () => {
      const store = await freshStore(engine, opened);
      await senders(store, 'none', { espFixed: true, spoofing: false });
      const before = await plan(store, 'example.jp', { now: NOW });
      // All 16 days pass: the senders are fixed, quarantine is next.
      expect(before.streak).toBe(16);
      expect(before.next).toBe('quarantine');
      expect(before.steps[2]).toMatchObject({ status: 'ready', recordMissing: 'rua-unknown' });
      await storeCheck(
        store,
        'v=DMARC1; p=none; sp=none; rua=mailto:dmarc@example.jp; ruf=mailto:ruf@example.jp; fo=1; adkim=s; t=y',
        NOW - 3600,
      );
      const after = await plan(store, 'example.jp', { now: NOW });
      expect(after.current.source).toBe('check');
      expect(after.steps[2]!.record?.value).toBe(
        'v=DMARC1; p=quarantine; sp=none; adkim=s; rua=mailto:dmarc@example.jp; ruf=mailto:ruf@example.jp; fo=1',
      );
    });

    it('p=quarantine for 16 days with every legitimate sender passing: reject is ready', async () => {
      const store = await freshStore(engine, opened);
      await senders(store, 'quarantine', { espFixed: true, spoofing: false });
      const result = await plan(store, 'example.jp', { now: NOW, rua: ['mailto:dmarc@example.jp'] });
      expect(result.next).toBe('reject');
      expect(result.steps[3]).toMatchObject({
        status: 'ready',
        criteria: [
          { code: 'quarantine-days', met: true, value: 16, threshold: 14 },
          { code: 'aligned-share', met: true, value: 16, threshold: 14 },
          { code: 'reject-published', met: false },
        ],
        blockers: [],
        record: { value: 'v=DMARC1; p=reject; rua=mailto:dmarc@example.jp' },
      });
      // Stricter thresholds are options.
      const strict = await plan(store, 'example.jp', { now: NOW, thresholds: { quarantineDays: 30 } });
      expect(strict.steps[3]!.status).toBe('blocked');
      expect(strict.steps[3]!.criteria[0]).toEqual({
        code: 'quarantine-days',
        met: false,
        value: 16,
        threshold: 30,
      });
    });

    it('p=reject: BIMI next, with its lead time and the record once a logo is given', async () => {
      const store = await freshStore(engine, opened);
      await senders(store, 'reject', { espFixed: true });
      const without = await plan(store, 'example.jp', { now: NOW });
      expect(without.next).toBe('bimi');
      expect(without.steps[4]).toMatchObject({
        status: 'ready',
        recordMissing: 'bimi-logo-needed',
        leadTimeDays: [14, 60],
      });
      const withLogo = await plan(store, 'example.jp', { now: NOW, bimiLogo: 'https://example.jp/logo.svg' });
      expect(withLogo.steps[4]!.record).toMatchObject({
        name: 'default._bimi.example.jp',
        value: 'v=BIMI1; l=https://example.jp/logo.svg',
      });
    });

    it(`sums the days per sender when there are more than ${OWN_IPS_IN_QUERY} own senders`, async () => {
      const store = await freshStore(engine, opened);
      const many = Array.from({ length: OWN_IPS_IN_QUERY + 1 }, (_, i) =>
        record({ sourceIp: `10.0.${i >> 8}.${i & 255}`, count: 2 }),
      );
      for (const day of [14, 15]) {
        await addReport(store, { org: 'A', id: `m${day}`, day, p: 'none', records: [...many, fail(1)] });
      }
      const result = await plan(store, 'example.jp', { now: NOW });
      // Two messages from each own sender a day, all passing.
      const own = (OWN_IPS_IN_QUERY + 1) * 2;
      expect(result.days).toEqual([
        { day: '2025-01-15', legitimate: own, passing: own, share: 1 },
        { day: '2025-01-16', legitimate: own, passing: own, share: 1 },
      ]);
      expect(result.streak).toBe(2);
    });

    it('nothing known: publish p=none with rua first', async () => {
      const store = await freshStore(engine, opened);
      const result = await plan(store, 'example.jp', { now: NOW, rua: ['mailto:dmarc@example.jp'] });
      expect(result.current).toEqual({ policy: null, source: null, since: null });
      expect(result.next).toBe('monitor');
      expect(result.steps[0]).toMatchObject({
        status: 'blocked',
        criteria: [
          { code: 'record-published', met: false },
          { code: 'rua-published', met: true },
          { code: 'reports-arriving', met: false },
        ],
        record: { value: 'v=DMARC1; p=none; rua=mailto:dmarc@example.jp' },
      });
    });
  });
}
