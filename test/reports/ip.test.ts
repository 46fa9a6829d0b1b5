import { SocketAddress } from 'node:net';
import { describe, expect, it } from 'vitest';
import { canonicalIp } from '../../src/reports/ip.ts';

describe('canonicalIp', () => {
  it('writes IPv6 as RFC 5952 says, IPv4-mapped as IPv4, and refuses what is no address', () => {
    const cases: [string, string | null][] = [
      ['192.0.2.1', '192.0.2.1'],
      [' 192.0.2.1\n', '192.0.2.1'],
      ['192.000.002.001', '192.0.2.1'],
      ['192.0.2.256', null],
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of two equal runs
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group stays
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run
      ['::', '::'],
      ['::1', '::1'],
      ['1::', '1::'],
      ['fe80::1%eth0', 'fe80::1'],
      ['[2001:db8::1]', '2001:db8::1'],
      ['::ffff:198.51.100.1', '198.51.100.1'],
      ['::FFFF:c633:6401', '198.51.100.1'],
      ['::192.0.2.1', '::c000:201'], // IPv4-compatible (deprecated): not IPv4
      ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
      ['2001:db8::1::2', null],
      ['2001:db8:g::1', null],
      ['', null],
      ['example.jp', null],
    ];
    for (const [given, canonical] of cases) expect(canonicalIp(given), given).toBe(canonical);
  });

  it('agrees with the system inet_ntop on random addresses full of zero groups', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 5_000; n++) {
      const groups = Array.from({ length: 8 }, () => (random() < 0.5 ? 0 : Math.floor(random() * 0x10000)));
      // Not ::ffff:0:0/96 nor ::/96 with a non-zero tail, which inet_ntop writes with a dotted quad.
      if (groups.slice(0, 5).every((g) => g === 0) && (groups[5] === 0xffff || groups[5] === 0))
        groups[4] = 1;
      const full = groups.map((g) => g.toString(16).padStart(4, '0').toUpperCase()).join(':');
      const system = new SocketAddress({ address: full, family: 'ipv6' }).address;
      expect(canonicalIp(full), full).toBe(system);
    }
  });
});
