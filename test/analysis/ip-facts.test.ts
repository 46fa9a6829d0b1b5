import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  cacheSeconds,
  lookupReverse,
  MAX_PTR_NAMES_CONFIRMED,
  MmdbFacts,
  MmdbFileError,
  NO_PTR_CACHE_SECONDS,
  PTR_MAX_CACHE_SECONDS,
  PTR_MIN_CACHE_SECONDS,
  reverseName,
  StoredIpFacts,
  TEMPORARY_RETRY_SECONDS,
} from '../../src/analysis/ip-facts/index.ts';
import { DirectResolver } from '../../src/dns/direct-resolver.ts';
import type { DnsResult, Resolver, RRType } from '../../src/dns/types.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import { ZoneServer } from '../../src/dns/zone-server.ts';
import type { Store } from '../../src/store/types.ts';
import { DAY, engines, engineTitle, freshStore, header, JAN_1, record } from '../store/helpers.ts';
import { writeMmdb } from './mmdb-writer.ts';

/** 192.0.2.1: confirmed; .2: PTR whose A is elsewhere; .3: no PTR; .4: PTR servfail; .5: two names, the second confirmed. */
function zone(): Zone {
  return new Zone()
    .add('1.2.0.192.in-addr.arpa', 'PTR', 'mail-1.outbound.protection.outlook.com.', 3600)
    .add('mail-1.outbound.protection.outlook.com', 'A', '192.0.2.1', 600)
    .add('2.2.0.192.in-addr.arpa', 'PTR', 'host.example.net', 86_400)
    .add('host.example.net', 'A', '203.0.113.9')
    .misbehave('4.2.0.192.in-addr.arpa', 'servfail', 'PTR')
    .add('5.2.0.192.in-addr.arpa', 'PTR', 'a.example.org')
    .add('5.2.0.192.in-addr.arpa', 'PTR', 'b.mail.example.co.jp')
    .add('a.example.org', 'A', '192.0.2.99')
    .add('b.mail.example.co.jp', 'A', '192.0.2.5')
    .add('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', 'PTR', 'v6.example.jp')
    .add('v6.example.jp', 'AAAA', '2001:db8::1');
}

describe('reverseName', () => {
  it('reverses IPv4 octets under in-addr.arpa and IPv6 nibbles under ip6.arpa', () => {
    expect(reverseName('192.0.2.1')).toBe('1.2.0.192.in-addr.arpa');
    expect(reverseName('2001:db8::1')).toBe(
      '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    );
  });
});

describe('lookupReverse', () => {
  const resolver = new ZoneResolver(zone());

  it('confirms a PTR name whose A record holds the IP, with the least TTL of both answers', async () => {
    expect(await lookupReverse('192.0.2.1', resolver)).toEqual({
      ip: '192.0.2.1',
      status: 'ok',
      dnsStatus: 'ok',
      ptr: 'mail-1.outbound.protection.outlook.com',
      ptrConfirmed: true,
      ptrOrgDomain: 'outlook.com',
      ttl: 600,
    });
  });

  it('keeps an unconfirmed name, marked unconfirmed', async () => {
    const r = await lookupReverse('192.0.2.2', resolver);
    expect(r).toMatchObject({
      status: 'ok',
      ptr: 'host.example.net',
      ptrConfirmed: false,
      ptrOrgDomain: 'example.net',
    });
  });

  it('says "none" only for a definite answer, "temporary" for a failure to ask', async () => {
    expect(await lookupReverse('192.0.2.3', resolver)).toMatchObject({
      status: 'none',
      dnsStatus: 'nxdomain',
      ptr: null,
    });
    expect(await lookupReverse('192.0.2.4', resolver)).toMatchObject({
      status: 'temporary',
      dnsStatus: 'servfail',
      ptr: null,
    });
  });

  it('picks the confirmed name among several, with the org domain by the PSL', async () => {
    expect(await lookupReverse('192.0.2.5', resolver)).toMatchObject({
      ptr: 'b.mail.example.co.jp',
      ptrConfirmed: true,
      ptrOrgDomain: 'example.co.jp',
    });
  });

  it('confirms IPv6 through AAAA, from any written form of the address', async () => {
    expect(await lookupReverse('2001:0DB8:0:0::1', resolver)).toMatchObject({
      ip: '2001:db8::1',
      ptr: 'v6.example.jp',
      ptrConfirmed: true,
    });
  });

  it('is temporary when the only forward lookup could not be asked', async () => {
    const z = zone().misbehave('host.example.net', 'timeout', 'A');
    expect(await lookupReverse('192.0.2.2', new ZoneResolver(z))).toMatchObject({
      status: 'temporary',
      dnsStatus: 'timeout',
      ptr: 'host.example.net',
      ptrConfirmed: false,
    });
  });

  it(`checks at most ${MAX_PTR_NAMES_CONFIRMED} PTR names`, async () => {
    const z = new Zone();
    for (let i = 0; i < MAX_PTR_NAMES_CONFIRMED + 2; i++) {
      z.add('7.2.0.192.in-addr.arpa', 'PTR', `n${i}.example.net`).add(`n${i}.example.net`, 'A', '192.0.2.70');
    }
    z.add(`n${MAX_PTR_NAMES_CONFIRMED}.example.net`, 'A', '192.0.2.7');
    const zr = new ZoneResolver(z);
    expect(await lookupReverse('192.0.2.7', zr)).toMatchObject({
      ptr: 'n0.example.net',
      ptrConfirmed: false,
    });
    expect(zr.asked.filter((q) => q.startsWith('A '))).toHaveLength(MAX_PTR_NAMES_CONFIRMED);
  });

  it('rejects text that is not an IP address', async () => {
    await expect(lookupReverse('not-an-ip', resolver)).rejects.toThrow('"not-an-ip" is not an IP address');
  });

  it('reads the TTL off the wire through the zone server', async () => {
    const server = await ZoneServer.start(zone());
    const direct = new DirectResolver({ servers: [{ host: server.host, port: server.port }] });
    try {
      expect(await lookupReverse('192.0.2.1', direct)).toMatchObject({ ptrConfirmed: true, ttl: 600 });
    } finally {
      direct.close();
      await server.close();
    }
  });
});

describe('cacheSeconds', () => {
  it('keeps an answer for its TTL within bounds, "none" and failures for fixed times', () => {
    expect(cacheSeconds({ status: 'ok', ttl: 3600 })).toBe(3600);
    expect(cacheSeconds({ status: 'ok', ttl: 0 })).toBe(PTR_MIN_CACHE_SECONDS);
    expect(cacheSeconds({ status: 'ok', ttl: 30 * 86_400 })).toBe(PTR_MAX_CACHE_SECONDS);
    expect(cacheSeconds({ status: 'none' })).toBe(NO_PTR_CACHE_SECONDS);
    expect(cacheSeconds({ status: 'temporary' })).toBe(TEMPORARY_RETRY_SECONDS);
  });
});

describe('MmdbFacts', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sumi-mmdb-'));

  it('reads ASN, AS organisation and country from MaxMind, DB-IP and ip-location-db field names', async () => {
    const file = path.join(dir, 'test.mmdb');
    writeFileSync(
      file,
      writeMmdb(
        [
          {
            cidr: '192.0.2.0/24',
            data: { autonomous_system_number: 64500, autonomous_system_organization: 'Example Net' },
          },
          { cidr: '198.51.100.0/25', data: { country: { iso_code: 'JP', names: { en: 'Japan' } } } },
          { cidr: '203.0.113.0/24', data: { country_code: 'US', autonomous_system_number: 'not a number' } },
          {
            cidr: '2001:db8::/32',
            data: {
              traits: { autonomous_system_number: 4_200_000_000 },
              registered_country: { iso_code: 'DE' },
            },
          },
        ],
        { ipVersion: 6, databaseType: 'GeoLite2-ASN' },
      ),
    );
    const mmdb = await MmdbFacts.open(file);
    expect(mmdb.databaseType).toBe('GeoLite2-ASN');
    expect(mmdb.lookup('192.0.2.200')).toEqual({ asn: 64500, asOrg: 'Example Net' });
    expect(mmdb.lookup('198.51.100.1')).toEqual({ country: 'JP' });
    expect(mmdb.lookup('198.51.100.200')).toBeUndefined();
    expect(mmdb.lookup('203.0.113.1')).toEqual({ country: 'US' });
    expect(mmdb.lookup('2001:db8:1::25')).toEqual({ asn: 4_200_000_000, country: 'DE' });
  });

  it('answers nothing for IPv6 from an IPv4-only file', () => {
    const mmdb = new MmdbFacts(
      writeMmdb([{ cidr: '192.0.2.0/24', data: { country_code: 'JP' } }], { ipVersion: 4 }),
    );
    expect(mmdb.lookup('192.0.2.1')).toEqual({ country: 'JP' });
    expect(mmdb.lookup('2001:db8::1')).toBeUndefined();
  });

  it('names the file that is not an mmdb, or is missing', async () => {
    const bad = path.join(dir, 'bad.mmdb');
    writeFileSync(bad, 'hello');
    await expect(MmdbFacts.open(bad)).rejects.toThrow(MmdbFileError);
    await expect(MmdbFacts.open(bad)).rejects.toThrow(`${bad}: not a MaxMind DB file`);
    await expect(MmdbFacts.open(path.join(dir, 'none.mmdb'))).rejects.toThrow('none.mmdb');
  });
});

/** A resolver that fails (SERVFAIL) every question while `down` is set. */
class Switchable implements Resolver {
  down = false;
  constructor(readonly inner: Resolver) {}
  lookup<T extends RRType>(name: string, type: T): Promise<DnsResult<T>> {
    if (this.down) return Promise.resolve({ name, type, status: 'servfail', records: [], cnames: [] });
    return this.inner.lookup(name, type);
  }
}

for (const engine of engines) {
  describe.skipIf(engine.skip)(`StoredIpFacts ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });
    afterAll(() => engine.cleanup());

    it('looks up on demand, caches, and answers from the cache without a resolver', async () => {
      const store = await freshStore(engine, opened);
      const zr = new ZoneResolver(zone());
      let now = 1_000_000;
      const facts = new StoredIpFacts(store, { resolver: zr, now: () => now });
      const first = await facts.describe(['192.0.2.1', '192.0.2.3', '192.0.2.4', 'junk']);
      expect([...first.entries()]).toEqual([
        [
          '192.0.2.1',
          { ptr: 'mail-1.outbound.protection.outlook.com', ptrConfirmed: true, ptrOrgDomain: 'outlook.com' },
        ],
        ['192.0.2.3', { ptr: null, ptrConfirmed: false, ptrOrgDomain: null }],
      ]);
      const asked = zr.asked.length;
      // Fresh: nothing asked again.
      await facts.describe(['192.0.2.1', '192.0.2.3']);
      expect(zr.asked.length).toBe(asked);
      // The failed one is cached as a failure, not as "no PTR".
      const rows = await facts.cached(['192.0.2.4']);
      expect(rows.get('192.0.2.4')).toMatchObject({
        status: 'temporary',
        dns_status: 'servfail',
        expires_at: now + TEMPORARY_RETRY_SECONDS,
      });
      // Cache alone, no resolver.
      const offline = new StoredIpFacts(store, { now: () => now });
      expect((await offline.describe(['192.0.2.1'])).get('192.0.2.1')?.ptr).toBe(
        'mail-1.outbound.protection.outlook.com',
      );
      // After the TTL (600 s from the A record) it is asked again.
      now += 601;
      await facts.describe(['192.0.2.1']);
      expect(zr.asked.slice(asked)).toEqual([
        'PTR 1.2.0.192.in-addr.arpa',
        'A mail-1.outbound.protection.outlook.com',
      ]);
    });

    it("describeSenders: the cached facts of a domain's senders over a period, as describe gives them", async () => {
      const store = await freshStore(engine, opened);
      const ips = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5'];
      await store.insertAggregateReport(
        { ...header(), records: [...ips.map((ip) => record({ sourceIp: ip })), record({ sourceIp: null })] },
        Buffer.from('report'),
        { description: 'test' },
      );
      // Another domain's sender, and one of the period's outside it: not asked.
      await store.insertAggregateReport(
        {
          ...header({ reportId: 'other', domain: 'other.example' }),
          records: [record({ sourceIp: '192.0.2.6' })],
        },
        Buffer.from('other'),
        { description: 'test' },
      );
      const now = 4_000_000;
      await new StoredIpFacts(store, { resolver: new ZoneResolver(zone()), now: () => now }).describe([
        ...ips,
        '192.0.2.6',
      ]);
      const cacheOnly = new StoredIpFacts(store, { now: () => now });
      const period = { since: JAN_1, until: JAN_1 };
      const senders = await cacheOnly.describeSenders('example.jp', period);
      expect(senders).toEqual(await cacheOnly.describe(ips));
      expect(senders?.has('192.0.2.6')).toBe(false);
      expect(senders?.size).toBeGreaterThan(0);
      expect(
        await cacheOnly.describeSenders('example.jp', { since: JAN_1 + DAY, until: JAN_1 + DAY }),
      ).toEqual(new Map());
      // DNS or an mmdb need every IP named: not this way.
      expect(
        await new StoredIpFacts(store, { resolver: new ZoneResolver(zone()) }).describeSenders(
          'example.jp',
          period,
        ),
      ).toBeUndefined();
    });

    it('keeps earlier facts when a refresh cannot ask, and retries soon', async () => {
      const store = await freshStore(engine, opened);
      const dns = new Switchable(new ZoneResolver(zone()));
      let now = 2_000_000;
      const facts = new StoredIpFacts(store, { resolver: dns, now: () => now });
      await facts.describe(['192.0.2.1']);
      now += 3600;
      dns.down = true;
      const during = await facts.describe(['192.0.2.1']);
      expect(during.get('192.0.2.1')).toMatchObject({
        ptr: 'mail-1.outbound.protection.outlook.com',
        ptrConfirmed: true,
      });
      const row = (await facts.cached(['192.0.2.1'])).get('192.0.2.1');
      expect(row).toMatchObject({
        status: 'ok',
        error: 'servfail',
        expires_at: now + TEMPORARY_RETRY_SECONDS,
      });
    });

    it('resolves every IP seen in the reports, only those due, with a summary', async () => {
      const store = await freshStore(engine, opened);
      await store.insertAggregateReport(
        {
          ...header(),
          records: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.1'].map((ip) =>
            record({ sourceIp: ip }),
          ),
        },
        Buffer.from('report'),
        { description: 'test' },
      );
      const now = 3_000_000;
      const facts = new StoredIpFacts(store, {
        resolver: new ZoneResolver(zone()),
        now: () => now,
        concurrency: 2,
      });
      const progress: number[] = [];
      expect(await facts.resolve({}, (done) => progress.push(done))).toEqual({
        ips: 5,
        lookedUp: 5,
        ok: 3,
        confirmed: 2,
        none: 1,
        temporary: 1,
      });
      expect(progress).toEqual([1, 2, 3, 4, 5]);
      // Only the temporary one is due again a minute later; force asks all.
      expect(await facts.resolve({ domain: 'example.jp' })).toMatchObject({ ips: 5, lookedUp: 0 });
      expect(await facts.resolve({ domain: 'other.example' })).toMatchObject({ ips: 0 });
      expect(await facts.resolve({ force: true })).toMatchObject({ lookedUp: 5 });
    });

    it('adds ASN and country from an mmdb, also for IPs without reverse DNS facts', async () => {
      const store = await freshStore(engine, opened);
      const mmdb = new MmdbFacts(
        writeMmdb(
          [
            {
              cidr: '192.0.2.0/24',
              data: {
                autonomous_system_number: 8075,
                autonomous_system_organization: 'MICROSOFT-CORP',
                country: { iso_code: 'US' },
              },
            },
          ],
          { ipVersion: 4 },
        ),
      );
      const facts = new StoredIpFacts(store, {
        resolver: new ZoneResolver(zone()),
        mmdb,
        now: () => 4_000_000,
      });
      const got = await facts.describe(['192.0.2.1', '192.0.2.4', '198.51.100.1']);
      expect(got.get('192.0.2.1')).toEqual({
        ptr: 'mail-1.outbound.protection.outlook.com',
        ptrConfirmed: true,
        ptrOrgDomain: 'outlook.com',
        asn: 8075,
        asOrg: 'MICROSOFT-CORP',
        country: 'US',
      });
      // PTR unknown (servfail): the network facts alone.
      expect(got.get('192.0.2.4')).toEqual({
        ptr: null,
        ptrConfirmed: false,
        ptrOrgDomain: null,
        asn: 8075,
        asOrg: 'MICROSOFT-CORP',
        country: 'US',
      });
      // No PTR (a definite answer) and no network: known to have no reverse name.
      expect(got.get('198.51.100.1')).toEqual({ ptr: null, ptrConfirmed: false, ptrOrgDomain: null });
    });
  });
}
