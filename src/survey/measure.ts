import { discoverDmarc } from '../check/dmarc.ts';
import type { DnsResult, DnsStatus, Resolver, RRType } from '../dns/types.ts';
import { isTemporary, normalizeName } from '../dns/types.ts';
import { classifyBimiTxt, parseBimiRecord } from '../records/bimi/record.ts';
import type { DmarcPolicy } from '../records/dmarc/tags.ts';
import { looksLikeMtaStsRecord, parseMtaStsRecord } from '../records/mta-sts/record.ts';
import { firstAll, isSpfRecord, parseSpfRecord, type Qualifier } from '../records/spf/index.ts';
import { looksLikeTlsRptRecord, parseTlsRptRecord } from '../records/tls-rpt/record.ts';
import { hasUsableKey } from './dkim.ts';

/** Longest name the DNS can carry; longer names are absent for everyone, so they are not asked. */
const MAX_NAME = 253;

/** One question asked for a domain and how it ended. */
export interface AskedQuestion {
  name: string;
  type: RRType;
  status: DnsStatus;
}

export type MxState = 'hosts' | 'null' | 'none' | 'unknown';

/** What the survey measured for one domain. Every flag means something only when `measured`. */
export interface DomainMeasurement {
  domain: string;
  category: string;
  organisation?: string;
  /** Every question got a definite answer (ok, nxdomain or nodata). */
  measured: boolean;
  /** Every question asked for the domain (tree-walk parents included), in the order answered. */
  questions: AskedQuestion[];
  /** Scan passes it took (2 or more: a temporary failure was retried). */
  passes: number;
  spf: {
    /** TXT records at the apex that start with `v=spf1`. */
    records: number;
    /** Exactly one, and it parses without a permerror. */
    valid: boolean;
    /** Qualifier of the valid record's `all`, when it has one. */
    all?: Qualifier;
  };
  dmarc: {
    /** `v=DMARC1`-looking TXT records at the domain's own `_dmarc` name (usable or not). */
    records: number;
    /** A valid DMARC policy applies: an accepted record with a valid p (and sp/np) tag. */
    applies: boolean;
    /** Where the applying record was found. */
    source?: 'own record' | 'tree walk';
    policyDomain?: string;
    fromPublicSuffix?: boolean;
    /** The applying record's p tag. */
    p?: DmarcPolicy;
    /** The applying record publishes sp / np. */
    sp?: boolean;
    np?: boolean;
    /** The applying record has a usable rua URI. */
    rua?: boolean;
    /** t=y (testing). */
    testing?: boolean;
  };
  mx: MxState;
  /** Exactly one valid record at each name (the BIMI logo and MTA-STS policy are not fetched). */
  bimi: boolean;
  mtaSts: boolean;
  tlsRpt: boolean;
  /** Only when DKIM selectors were asked: those with a usable key, in the order asked. */
  dkim?: { selectors: string[] };
}

export interface MeasureOptions {
  category: string;
  organisation?: string;
  /** Answers for names shared across domains (`_dmarc` of parents); the domain's own go to `resolver`. */
  shared?: Resolver;
  passes?: number;
  /** DKIM selectors to ask at `<selector>._domainkey.<domain>` (none: DKIM is not asked). */
  dkimSelectors?: readonly string[];
}

/**
 * Asks a domain's mail-authentication questions (apex TXT, `_dmarc` with the RFC 9989 tree
 * walk, MX, `default._bimi`, `_mta-sts`, `_smtp._tls`, and the DKIM selectors when given),
 * each once, and reads the answers
 * with the same parsers as `sumi check`.
 */
export async function measureDomain(
  domain: string,
  resolver: Resolver,
  options: MeasureOptions,
): Promise<DomainMeasurement> {
  const questions: AskedQuestion[] = [];
  const asked = new Map<string, Promise<DnsResult>>();
  const ownDmarc = `_dmarc.${domain}`;
  const ask = <T extends RRType>(qname: string, type: T): Promise<DnsResult<T>> => {
    const name = normalizeName(qname);
    const key = `${type} ${name}`;
    let answer = asked.get(key) as Promise<DnsResult<T>> | undefined;
    if (!answer) {
      const parent = name.startsWith('_dmarc.') && name !== ownDmarc;
      answer =
        name.length > MAX_NAME
          ? Promise.resolve({ name, type, status: 'nxdomain', records: [], cnames: [] })
          : (parent && options.shared ? options.shared : resolver).lookup(name, type);
      answer = answer.then((result) => {
        questions.push({ name, type, status: result.status });
        return result;
      });
      asked.set(key, answer);
    }
    return answer;
  };

  const selectors = options.dkimSelectors ?? [];
  const [apex, discovery, mx, bimi, mtaSts, tlsRpt, dkim] = await Promise.all([
    ask(domain, 'TXT'),
    discoverDmarc(domain, ask, 'tree walk'),
    ask(domain, 'MX'),
    ask(`default._bimi.${domain}`, 'TXT'),
    ask(`_mta-sts.${domain}`, 'TXT'),
    ask(`_smtp._tls.${domain}`, 'TXT'),
    dkimSelectorsFound(domain, selectors, ask),
  ]);

  const measurement: DomainMeasurement = {
    domain,
    category: options.category,
    measured: questions.every((q) => !isTemporary(q.status)),
    questions,
    passes: options.passes ?? 1,
    spf: readSpf(apex),
    dmarc: { records: 0, applies: false },
    mx: readMx(mx),
    bimi: exactlyOneValid(
      bimi,
      (t) => classifyBimiTxt(t).startsWith('bimi'),
      (t) => parseBimiRecord(t).valid,
    ),
    mtaSts: exactlyOneValid(mtaSts, looksLikeMtaStsRecord, (t) => parseMtaStsRecord(t).valid),
    tlsRpt: exactlyOneValid(tlsRpt, looksLikeTlsRptRecord, (t) => parseTlsRptRecord(t).valid),
  };
  if (options.organisation !== undefined) measurement.organisation = options.organisation;
  if (dkim) measurement.dkim = { selectors: dkim };

  const own = discovery.locations[0];
  measurement.dmarc.records =
    own?.entries.filter((e) => e.classified.kind === 'dmarc' || e.classified.kind === 'dmarc-flawed')
      .length ?? 0;
  const record = discovery.policy?.location.record?.entry.lint?.record;
  if (discovery.policy && record?.effect === 'apply') {
    const { tags } = record;
    Object.assign(measurement.dmarc, {
      applies: true,
      source: discovery.policy.source === 'own record' ? 'own record' : 'tree walk',
      policyDomain: discovery.policy.location.domain,
      fromPublicSuffix: discovery.policy.fromPublicSuffix,
      p: tags.p.value,
      sp: tags.sp.explicit,
      np: tags.np.explicit,
      rua: tags.rua.value.some((uri) => uri.uri !== undefined),
      testing: tags.t.value === 'y',
    });
  }
  return measurement;
}

/**
 * The selectors with a usable key (undefined when none are asked). With several selectors,
 * `_domainkey.<domain>` is asked first: a real NXDOMAIN there (not at the end of a CNAME)
 * means no name exists below it (RFC 8020), so one question replaces one per selector, as
 * in `sumi check`.
 */
async function dkimSelectorsFound(
  domain: string,
  selectors: readonly string[],
  ask: (qname: string, type: 'TXT') => Promise<DnsResult<'TXT'>>,
): Promise<string[] | undefined> {
  if (selectors.length === 0) return undefined;
  if (selectors.length > 1) {
    const parent = await ask(`_domainkey.${domain}`, 'TXT');
    if (parent.status === 'nxdomain' && parent.cnames.length === 0) return [];
  }
  const answers = await Promise.all(selectors.map((s) => ask(`${s}._domainkey.${domain}`, 'TXT')));
  return selectors.filter((_, i) => hasUsableKey(answers[i]!));
}

function readSpf(apex: DnsResult<'TXT'>): DomainMeasurement['spf'] {
  const records = apex.records.filter((r) => isSpfRecord(r.text));
  if (records.length !== 1 || records[0]!.invalidUtf8) return { records: records.length, valid: false };
  const parse = parseSpfRecord(records[0]!.text);
  if (parse.errors.length > 0) return { records: 1, valid: false };
  const all = firstAll(parse.terms);
  return all ? { records: 1, valid: true, all: all.qualifier } : { records: 1, valid: true };
}

function readMx(mx: DnsResult<'MX'>): MxState {
  if (isTemporary(mx.status)) return 'unknown';
  if (mx.status !== 'ok') return 'none';
  // RFC 7505: a null MX is the only MX record, with the root as exchange.
  return mx.records.length === 1 && mx.records[0]!.exchange === '' ? 'null' : 'hosts';
}

function exactlyOneValid(
  result: DnsResult<'TXT'>,
  looksLike: (text: string) => boolean,
  valid: (text: string) => boolean,
): boolean {
  const records = result.records.filter((r) => looksLike(r.text));
  return records.length === 1 && !records[0]!.invalidUtf8 && valid(records[0]!.text);
}
