import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachingResolver } from '../../src/dns/caching-resolver.ts';
import { DirectResolver, parseServers } from '../../src/dns/direct-resolver.ts';
import { SystemResolver } from '../../src/dns/system-resolver.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneServer } from '../../src/dns/zone-server.ts';

const zone = Zone.parse(`
$ORIGIN example.jp.
@        TXT "v=spf1 " "-all"
@        MX 10 mx1
mx1      A 192.0.2.1
alias    CNAME target
target   TXT "at the target"
loop1    CNAME loop2
loop2    CNAME loop1
out      CNAME elsewhere.example.net.
elsewhere.example.net. TXT "outside"
sf       SERVFAIL
slow     TIMEOUT
no       REFUSED
tc       TRUNCATE
tc       TXT "only over tcp"
bad      TXT "\\255\\254"
old      SPF "v=spf1 -all"
nullmx   MX 0 .
a.b.ent  A 192.0.2.3
`);
// An answer too big for one UDP datagram: the server sets TC and the client retries over TCP.
for (let i = 0; i < 12; i++) zone.txt('big.example.jp', 'x'.repeat(200));

let server: ZoneServer;
let resolver: DirectResolver;

beforeAll(async () => {
  server = await ZoneServer.start(zone);
  resolver = new DirectResolver({ servers: parseServers(server.address), timeoutMs: 300, attempts: 2 });
});
afterAll(async () => {
  resolver.close();
  await server.close();
});

describe('zone server and direct resolver over UDP/TCP', () => {
  it('answers with multi-string TXT', async () => {
    const r = await resolver.lookup('Example.JP.', 'TXT');
    expect(r).toMatchObject({ name: 'example.jp', status: 'ok', cnames: [] });
    expect(r.records[0]).toEqual({ text: 'v=spf1 -all', strings: ['v=spf1 ', '-all'], lengths: [7, 4] });
  });

  it('distinguishes nxdomain, nodata, servfail, timeout and refused', async () => {
    expect((await resolver.lookup('missing.example.jp', 'TXT')).status).toBe('nxdomain');
    expect((await resolver.lookup('mx1.example.jp', 'TXT')).status).toBe('nodata');
    expect((await resolver.lookup('b.ent.example.jp', 'TXT')).status).toBe('nodata');
    expect((await resolver.lookup('sf.example.jp', 'TXT')).status).toBe('servfail');
    expect((await resolver.lookup('no.example.jp', 'TXT')).status).toBe('refused');
    const slow = await resolver.lookup('slow.example.jp', 'TXT');
    expect(slow.status).toBe('timeout');
    expect(slow.error).toMatch(/no answer from 127\.0\.0\.1:\d+ after 2 attempts/);
  });

  it('falls back to TCP on truncation, forced or by size', async () => {
    expect((await resolver.lookup('tc.example.jp', 'TXT')).records[0]?.text).toBe('only over tcp');
    const big = await resolver.lookup('big.example.jp', 'TXT');
    expect(big.status).toBe('ok');
    expect(big.records).toHaveLength(12);
  });

  it('follows CNAME chains, including across questions, and detects loops', async () => {
    expect(await resolver.lookup('alias.example.jp', 'TXT')).toMatchObject({
      status: 'ok',
      cnames: ['target.example.jp'],
    });
    expect(await resolver.lookup('out.example.jp', 'TXT')).toMatchObject({
      status: 'ok',
      cnames: ['elsewhere.example.net'],
    });
    expect((await resolver.lookup('loop1.example.jp', 'TXT')).status).toBe('servfail');
  });

  it('keeps invalid UTF-8 visible, serves type 99 and null MX', async () => {
    expect((await resolver.lookup('bad.example.jp', 'TXT')).records[0]).toMatchObject({ invalidUtf8: true });
    expect((await resolver.lookup('old.example.jp', 'SPF')).records[0]?.text).toBe('v=spf1 -all');
    expect((await resolver.lookup('nullmx.example.jp', 'MX')).records).toEqual([
      { preference: 0, exchange: '' },
    ]);
  });

  it('reports AD when the zone is served as validated', async () => {
    expect((await resolver.lookup('example.jp', 'MX')).authenticated).toBeUndefined();
    zone.authenticated = true;
    try {
      expect((await resolver.lookup('example.jp', 'MX')).authenticated).toBe(true);
    } finally {
      zone.authenticated = false;
    }
  });

  it('answers many concurrent questions', async () => {
    const names = Array.from({ length: 500 }, (_, i) => `n${i}.example.jp`);
    const results = await Promise.all(names.map((n) => resolver.lookup(n, 'A')));
    expect(results.every((r) => r.status === 'nxdomain')).toBe(true);
  });
});

describe('caching resolver', () => {
  it('never asks the same question twice, even concurrently', async () => {
    const before = server.queries;
    const cache = new CachingResolver(resolver);
    await Promise.all([cache.lookup('example.jp', 'TXT'), cache.lookup('EXAMPLE.jp.', 'TXT')]);
    await cache.lookup('example.jp', 'TXT');
    await cache.lookup('example.jp', 'MX');
    expect(server.queries - before).toBe(2);
    expect(cache.misses).toBe(2);
    expect(cache.hits).toBe(2);
  });
});

describe('system resolver (node:dns)', () => {
  it('maps outcomes and delegates type 99 to the direct resolver', async () => {
    const system = new SystemResolver(resolver, [server.address]);
    expect((await system.lookup('example.jp', 'TXT')).records[0]?.strings).toEqual(['v=spf1 ', '-all']);
    expect((await system.lookup('missing.example.jp', 'TXT')).status).toBe('nxdomain');
    expect((await system.lookup('mx1.example.jp', 'TXT')).status).toBe('nodata');
    expect((await system.lookup('sf.example.jp', 'TXT')).status).toBe('servfail');
    expect((await system.lookup('old.example.jp', 'SPF')).records[0]?.text).toBe('v=spf1 -all');
  });
});

describe('parseServers', () => {
  it('reads host:port lists, IPv6 in brackets, default port 53', () => {
    expect(parseServers('127.0.0.1:5353,[::1]:53, 192.0.2.1')).toEqual([
      { host: '127.0.0.1', port: 5353 },
      { host: '::1', port: 53 },
      { host: '192.0.2.1', port: 53 },
    ]);
    expect(() => parseServers('dns.example:53')).toThrow(/give an IP address/);
    expect(() => parseServers('127.0.0.1:99999')).toThrow(/port/);
  });
});
