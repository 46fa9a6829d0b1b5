import { Resolver as NodeResolver } from 'node:dns/promises';
import type { DnsResult, DnsStatus, RecordOf, Resolver, RRType } from './types.ts';
import { normalizeName } from './types.ts';

/** node:dns error codes mapped to Sumi's outcomes. */
const STATUS_BY_CODE: Record<string, DnsStatus> = {
  ENOTFOUND: 'nxdomain',
  ENODATA: 'nodata',
  ESERVFAIL: 'servfail',
  ETIMEOUT: 'timeout',
  ECONNREFUSED: 'timeout',
  EREFUSED: 'refused',
};

/**
 * The operating system's resolver configuration through node:dns (c-ares). It cannot see
 * CNAME chains, AD or type-99 records; types it does not know go to `fallback` (the direct
 * resolver pointed at the same servers).
 */
export class SystemResolver implements Resolver {
  private readonly node = new NodeResolver({ timeout: 2000, tries: 3 });

  /** `servers` overrides the system's (as `host:port`), for tests against the zone server. */
  constructor(
    private readonly fallback: Resolver,
    servers?: string[],
  ) {
    if (servers) this.node.setServers(servers);
  }

  async lookup<T extends RRType>(qname: string, type: T): Promise<DnsResult<T>> {
    const name = normalizeName(qname);
    if (type === 'SPF' || type === 'TLSA') return this.fallback.lookup(name, type);
    const base = { name, type, cnames: [] as string[] };
    try {
      const records = await this.ask(name, type);
      return { ...base, status: records.length > 0 ? 'ok' : 'nodata', records };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const status = STATUS_BY_CODE[code] ?? 'servfail';
      const result: DnsResult<T> = { ...base, status, records: [] };
      if (status !== 'nxdomain' && status !== 'nodata') result.error = `${code}: ${(error as Error).message}`;
      return result;
    }
  }

  private async ask<T extends RRType>(name: string, type: T): Promise<RecordOf[T][]> {
    const r = this.node;
    switch (type) {
      case 'A':
        return (await r.resolve4(name)) as RecordOf[T][];
      case 'AAAA':
        return (await r.resolve6(name)) as RecordOf[T][];
      case 'MX':
        return (await r.resolveMx(name)).map((mx) => ({
          preference: mx.priority,
          exchange: normalizeName(mx.exchange),
        })) as RecordOf[T][];
      case 'TXT':
        return (await r.resolveTxt(name)).map((chunks) => ({
          text: chunks.join(''),
          strings: chunks,
          lengths: chunks.map((c) => Buffer.byteLength(c)),
        })) as RecordOf[T][];
      case 'PTR':
        return (await r.resolvePtr(name)).map(normalizeName) as RecordOf[T][];
      case 'CNAME':
        return (await r.resolveCname(name)).map(normalizeName) as RecordOf[T][];
      case 'NS':
        return (await r.resolveNs(name)).map(normalizeName) as RecordOf[T][];
      case 'SOA': {
        const soa = await r.resolveSoa(name);
        return [
          {
            mname: normalizeName(soa.nsname),
            rname: normalizeName(soa.hostmaster),
            serial: soa.serial,
            refresh: soa.refresh,
            retry: soa.retry,
            expire: soa.expire,
            minimum: soa.minttl,
          },
        ] as RecordOf[T][];
      }
      default:
        throw new RangeError(`type ${type} is not asked through the system resolver`);
    }
  }
}
