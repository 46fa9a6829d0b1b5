/** Subdomains, unknown senders, reporters and the owner's inventory on the fixture (fixture.ts), on both engines. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  addDomain,
  InventoryInputError,
  listDomains,
  listMarks,
  markSender,
  removeDomain,
  unmarkSender,
} from '../../src/analysis/inventory.ts';
import { reporters } from '../../src/analysis/reporters.ts';
import { subdomains } from '../../src/analysis/subdomains.ts';
import type { Resolver } from '../../src/dns/types.ts';
import type { Store } from '../../src/store/types.ts';
import { engines, engineTitle, freshStore } from '../store/helpers.ts';
import { DAY, JAN_1, loadFixture, PERIOD } from './fixture.ts';

for (const engine of engines) {
  describe.skipIf(engine.skip)(`shadow IT, reporters, inventory ${engineTitle(engine)}`, () => {
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

    it('subdomains: every From subdomain, inventory, own record; unknown senders ranked', async () => {
      const s = await store();
      expect(await addDomain(s, 'example.jp')).toBe(true);
      expect(await addDomain(s, 'SHOP.example.jp.', 'web shop')).toBe(true);
      const result = await subdomains(s, 'example.jp', PERIOD);
      expect(result.subdomains).toEqual([
        {
          name: 'shop.example.jp',
          messages: 12,
          senders: 1,
          firstSeen: '2025-01-02',
          lastSeen: '2025-01-02',
          inInventory: true,
          ownRecord: 'reports',
        },
        {
          name: 'news.example.jp',
          messages: 3,
          senders: 1,
          firstSeen: '2025-01-01',
          lastSeen: '2025-01-01',
          inInventory: false,
          ownRecord: 'not-checked',
        },
      ]);
      expect(
        result.unknownSenders.map((u) => [u.ip, u.class, u.messages, u.dmarcFail, u.headerFroms]),
      ).toEqual([
        ['198.51.100.10', 'known-unconfigured', 26, 26, ['example.jp']],
        ['203.0.113.66', 'suspicious', 20, 20, ['example.jp']],
      ]);
    });

    it('subdomains: asks DNS for a record of its own when given a resolver', async () => {
      const asked: string[] = [];
      const resolver: Resolver = {
        lookup: async (name, type) => {
          asked.push(`${type} ${name}`);
          return {
            name,
            type,
            status: 'ok',
            cnames: [],
            records: [{ text: 'v=DMARC1; p=none', strings: [], lengths: [] }],
          } as never;
        },
      };
      const result = await subdomains(await store(), 'example.jp', PERIOD, { resolver });
      expect(asked).toEqual(['TXT _dmarc.news.example.jp']);
      expect(result.subdomains.map((x) => [x.name, x.ownRecord])).toEqual([
        ['shop.example.jp', 'reports'],
        ['news.example.jp', 'dns'],
      ]);
    });

    it('reporters: share, cadence, gaps, a reporter that stopped, touching windows', async () => {
      const result = await reporters(await store(), 'example.jp', { since: JAN_1, until: JAN_1 + 3 * DAY });
      expect([result.reports, result.messages, result.until]).toEqual([5, 310, '2025-01-04']);
      expect(result.reporters).toEqual([
        {
          orgName: 'Google',
          reports: 2,
          messages: 230,
          share: 230 / 310,
          firstDay: '2025-01-01',
          lastDay: '2025-01-03',
          days: 2,
          gaps: ['2025-01-02'],
          cadenceHours: 48,
          windowHours: 24,
          silentDays: 1,
          stopped: false,
          overlaps: 0,
        },
        {
          orgName: 'Yahoo',
          reports: 1,
          messages: 60,
          share: 60 / 310,
          firstDay: '2025-01-01',
          lastDay: '2025-01-01',
          days: 1,
          gaps: [],
          cadenceHours: null,
          windowHours: 24,
          silentDays: 3,
          stopped: true,
          overlaps: 0,
        },
        {
          // Its two windows share their boundary second: two days, no overlap.
          orgName: 'Outlook',
          reports: 2,
          messages: 20,
          share: 20 / 310,
          firstDay: '2025-01-01',
          lastDay: '2025-01-02',
          days: 2,
          gaps: [],
          cadenceHours: 24,
          windowHours: 24,
          silentDays: 2,
          stopped: false,
          overlaps: 0,
        },
      ]);
    });

    it('inventory: domains and marks are kept, replaced and removed; bad input is named', async () => {
      const s = await freshStore(engine, opened);
      expect(await addDomain(s, 'example.jp', 'main')).toBe(true);
      expect(await addDomain(s, 'Example.JP')).toBe(false);
      expect((await listDomains(s)).map((d) => [d.domain, d.note])).toEqual([['example.jp', 'main']]);
      expect(await removeDomain(s, 'example.jp')).toBe(true);
      expect(await removeDomain(s, 'example.jp')).toBe(false);
      await expect(addDomain(s, 'not a domain')).rejects.toThrow(InventoryInputError);
      await expect(markSender(s, 'example.jp', '999.1.1.1', 'authorised')).rejects.toThrow(
        /not an IP address/,
      );
      await expect(markSender(s, 'example.jp', '192.0.2.1', 'friend' as never)).rejects.toThrow(/mark as/);
      await markSender(s, 'example.jp', '2001:DB8:0::1', 'forwarder');
      await markSender(s, 'example.jp', '2001:db8::1', 'suspicious', 'not ours');
      expect((await listMarks(s, 'example.jp')).map((m) => [m.ip, m.mark, m.note])).toEqual([
        ['2001:db8::1', 'suspicious', 'not ours'],
      ]);
      expect(await unmarkSender(s, 'example.jp', '2001:db8::1')).toBe(true);
      expect(await listMarks(s, 'example.jp')).toEqual([]);
    });
  });
}
