import { decodeTxt } from './txt.ts';
import type { DnsResult, RecordOf, Resolver, RRType } from './types.ts';
import { normalizeName } from './types.ts';
import type { Zone, ZoneData, ZoneRecord } from './zone.ts';

/**
 * Answers from a Zone in memory, exactly as the zone server would over the wire (minus
 * the network). For unit tests and for checking zone fixtures offline.
 */
export class ZoneResolver implements Resolver {
  /** Every question asked, in order, as "TYPE name". */
  readonly asked: string[] = [];

  constructor(readonly zone: Zone) {}

  async lookup<T extends RRType>(qname: string, type: T): Promise<DnsResult<T>> {
    const name = normalizeName(qname);
    this.asked.push(`${type} ${name}`);
    const answer = this.zone.answer(name, type);
    const base = { name, type, records: [] as RecordOf[T][], cnames: [] as string[] };
    if (answer.misbehaviour === 'timeout')
      return { ...base, status: 'timeout', error: 'no answer (zone fixture)' };
    if (answer.rcode === 'SERVFAIL') return { ...base, status: 'servfail' };
    if (answer.rcode === 'REFUSED') return { ...base, status: 'refused' };
    const cnames = answer.answers
      .filter((r) => r.type === 'CNAME' && type !== 'CNAME')
      .map((r) => normalizeName(r.data as string));
    const matching = answer.answers.filter((r) => r.type === type);
    const records = matching.map((r) => fromZone(r as ZoneRecord<T>));
    const result: DnsResult<T> = {
      ...base,
      cnames,
      records,
      status: answer.rcode === 'NXDOMAIN' ? 'nxdomain' : records.length > 0 ? 'ok' : 'nodata',
    };
    if (matching.length > 0) result.ttl = Math.min(...matching.map((r) => r.ttl));
    if (this.zone.authenticated) result.authenticated = true;
    return result;
  }
}

export function fromZone<T extends RRType>(record: ZoneRecord<T>): RecordOf[T] {
  const data = record.data as ZoneData[RRType];
  switch (record.type) {
    case 'TXT':
    case 'SPF':
      return decodeTxt(data as Buffer[]) as RecordOf[T];
    case 'TLSA': {
      const t = data as ZoneData['TLSA'];
      return {
        usage: t.usage,
        selector: t.selector,
        matchingType: t.matchingType,
        data: t.certificate.toString('hex'),
      } as RecordOf[T];
    }
    case 'MX': {
      const mx = data as ZoneData['MX'];
      return {
        preference: mx.preference,
        exchange: mx.exchange && normalizeName(mx.exchange),
      } as RecordOf[T];
    }
    case 'PTR':
    case 'CNAME':
    case 'NS':
      return normalizeName(data as string) as RecordOf[T];
    default:
      return data as RecordOf[T];
  }
}
