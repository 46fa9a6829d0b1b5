import { sql } from 'kysely';
import type { Resolver } from '../../dns/types.ts';
import { canonicalIp } from '../../reports/ip.ts';
import { namesDomain } from '../../store/failure-domains.ts';
import type { IpFactsTable } from '../../store/schema.ts';
import type { Store } from '../../store/types.ts';
import { lookupDomain } from '../../store/values.ts';
import type { IpFacts, IpFactsSource } from '../ip-facts.ts';
import type { Period } from '../period.ts';
import { senderIpsQuery } from '../reads.ts';
import type { MmdbFacts } from './mmdb.ts';
import { lookupReverse, type ReverseLookup } from './reverse.ts';

/** Shortest time a PTR answer is kept: a TTL of 0 must not mean asking again on every query. */
export const PTR_MIN_CACHE_SECONDS = 300;
/** Longest: a week, whatever the TTL says (names of mail servers do change). */
export const PTR_MAX_CACHE_SECONDS = 7 * 86_400;
/** "No PTR" is kept this long (the resolver does not pass on the SOA's negative TTL). */
export const NO_PTR_CACHE_SECONDS = 3 * 3_600;
/** A lookup that could not be asked is tried again after this long. */
export const TEMPORARY_RETRY_SECONDS = 600;
/** Reverse lookups in flight at once (each is a PTR and up to MAX_PTR_NAMES_CONFIRMED A/AAAA). */
export const IP_FACTS_CONCURRENCY = 32;
/** IPs `resolve` reads and looks up per round. */
export const RESOLVE_CHUNK = 2_000;
/** IPs per SQL statement when reading or writing the cache (within both engines' parameter limits). */
const SQL_CHUNK = 500;
/** IPs per PostgreSQL statement, as one array parameter: a domain's senders in one, memory bounded. */
const PG_ARRAY_CHUNK = 20_000;

export interface IpFactsOptions {
  /** When given, IPs missing from the cache or expired are looked up (on demand); else the cache alone answers. */
  resolver?: Resolver;
  /** ASN and country from the owner's IP database. */
  mmdb?: MmdbFacts;
  /** Seconds since the epoch (tests fix it). */
  now?: () => number;
  concurrency?: number;
}

export interface ResolveSummary {
  /** Distinct IPs considered. */
  ips: number;
  /** Of them, looked up now (the rest were cached and fresh). */
  lookedUp: number;
  ok: number;
  confirmed: number;
  none: number;
  temporary: number;
}

const systemNow = () => Math.floor(Date.now() / 1000);

/** How long a lookup's outcome is kept. */
export function cacheSeconds(lookup: Pick<ReverseLookup, 'status' | 'ttl'>): number {
  if (lookup.status === 'temporary') return TEMPORARY_RETRY_SECONDS;
  if (lookup.status === 'none') return NO_PTR_CACHE_SECONDS;
  const ttl = lookup.ttl ?? NO_PTR_CACHE_SECONDS;
  return Math.min(PTR_MAX_CACHE_SECONDS, Math.max(PTR_MIN_CACHE_SECONDS, ttl));
}

function row(lookup: ReverseLookup, now: number): IpFactsTable {
  return {
    ip: lookup.ip,
    status: lookup.status,
    dns_status: lookup.dnsStatus,
    ptr: lookup.ptr,
    ptr_confirmed: lookup.ptrConfirmed ? 1 : 0,
    ptr_org_domain: lookup.ptrOrgDomain,
    error: lookup.error ?? null,
    looked_up_at: now,
    expires_at: now + cacheSeconds(lookup),
  };
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function eachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Facts about sending IPs from the store's cache, looking up (concurrently, bounded) the ones
 * it lacks when a resolver is given. Never part of ingestion: `sumi resolve-ips` fills the cache
 * ahead, and queries look up only the IPs they show.
 */
export class StoredIpFacts implements IpFactsSource {
  readonly #store: Store;
  readonly #options: IpFactsOptions;
  readonly #now: () => number;

  constructor(store: Store, options: IpFactsOptions = {}) {
    this.#store = store;
    this.#options = options;
    this.#now = options.now ?? systemNow;
  }

  async describe(ips: readonly string[]): Promise<Map<string, IpFacts>> {
    const wanted = [...new Set(ips.map((ip) => canonicalIp(ip)).filter((ip): ip is string => ip !== null))];
    const rows = await this.cached(wanted);
    if (this.#options.resolver) {
      const now = this.#now();
      const stale = wanted.filter((ip) => (rows.get(ip)?.expires_at ?? now) <= now);
      for (const { row: fresh } of await this.#lookUp(stale, rows)) rows.set(fresh.ip, fresh);
    }
    return this.#facts(wanted, rows);
  }

  /**
   * From the cache alone (no resolver, no mmdb: those need every IP named): the rows of the
   * domain's senders in one query, the IPs taken from the rollup in the database. A domain's
   * thousands of senders otherwise cross the wire twice (rollup to client, client to cache).
   */
  async describeSenders(domain: string, period: Period): Promise<Map<string, IpFacts> | undefined> {
    if (this.#options.resolver || this.#options.mmdb) return undefined;
    const db = this.#store.db;
    const senders = senderIpsQuery(db, domain, period);
    const found = await db
      .selectFrom('ip_facts')
      .selectAll()
      // PostgreSQL: as an array, so the planner probes the cache's key per IP rather than
      // hashing the whole cache for a semi-join.
      .where((eb) =>
        this.#store.engine === 'postgres'
          ? sql<boolean>`ip = any(array(${senders}))`
          : eb('ip', 'in', senders),
      )
      .execute();
    const rows = new Map(found.map((r) => [r.ip, { ...r, ptr_confirmed: Number(r.ptr_confirmed) }]));
    return this.#facts([...rows.keys()], rows);
  }

  /** The facts of `wanted` from their cached rows and the mmdb. */
  #facts(wanted: readonly string[], rows: ReadonlyMap<string, IpFactsTable>): Map<string, IpFacts> {
    const out = new Map<string, IpFacts>();
    for (const ip of wanted) {
      const r = rows.get(ip);
      const network = this.#options.mmdb?.lookup(ip);
      // A temporary failure without a name says nothing about the PTR: unknown, not "none".
      const known = r !== undefined && (r.status !== 'temporary' || r.ptr !== null);
      if (!known && network === undefined) continue;
      out.set(ip, {
        ptr: known ? r.ptr : null,
        ptrConfirmed: known && r.ptr_confirmed === 1,
        ptrOrgDomain: known ? r.ptr_org_domain : null,
        ...network,
      });
    }
    return out;
  }

  /** The cached rows for these canonical IPs, fresh or not. */
  async cached(ips: readonly string[]): Promise<Map<string, IpFactsTable>> {
    const out = new Map<string, IpFactsTable>();
    // PostgreSQL takes the IPs as one array parameter: one round trip for a domain's thousands
    // of senders, where chunks of bound parameters took one each (and time to encode).
    const chunk = this.#store.engine === 'postgres' ? PG_ARRAY_CHUNK : SQL_CHUNK;
    for (let i = 0; i < ips.length; i += chunk) {
      const part = ips.slice(i, i + chunk);
      const rows = await this.#store.db
        .selectFrom('ip_facts')
        .selectAll()
        .where((eb) =>
          this.#store.engine === 'postgres' ? sql<boolean>`ip = any(${part})` : eb('ip', 'in', part),
        )
        .execute();
      for (const r of rows) out.set(r.ip, { ...r, ptr_confirmed: Number(r.ptr_confirmed) });
    }
    return out;
  }

  /**
   * Looks up every IP seen in the store's reports (optionally one policy domain, from a day on)
   * whose cached facts are missing or expired; `force` looks up all of them again.
   */
  async resolve(
    filter: { domain?: string; since?: number; force?: boolean } = {},
    onProgress?: (done: number, total: number) => void,
  ): Promise<ResolveSummary> {
    let query = this.#store.db
      .selectFrom('source_rollup')
      .select('source_ip')
      .distinct()
      .where('source_ip', '!=', '');
    if (filter.domain !== undefined) query = query.where('policy_domain', '=', filter.domain);
    if (filter.since !== undefined) query = query.where('day', '>=', filter.since);
    let failures = this.#store.db
      .selectFrom('failure_reports')
      .select('source_ip')
      .distinct()
      .where('source_ip', 'is not', null);
    if (filter.domain !== undefined) failures = failures.where(namesDomain(lookupDomain(filter.domain)));
    if (filter.since !== undefined) failures = failures.where('arrival_time', '>=', filter.since);
    const seen = [...(await query.execute()), ...(await failures.execute())]
      .map((r) => (r.source_ip === null ? null : canonicalIp(r.source_ip)))
      .filter((ip): ip is string => ip !== null);
    const ips = [...new Set(seen)];
    const summary: ResolveSummary = {
      ips: ips.length,
      lookedUp: 0,
      ok: 0,
      confirmed: 0,
      none: 0,
      temporary: 0,
    };
    // A chunk at a time, so that a store with a million senders never holds all their rows.
    let considered = 0;
    for (let i = 0; i < ips.length; i += RESOLVE_CHUNK) {
      const chunk = ips.slice(i, i + RESOLVE_CHUNK);
      const previous = await this.cached(chunk);
      const now = this.#now();
      const due = filter.force ? chunk : chunk.filter((ip) => (previous.get(ip)?.expires_at ?? now) <= now);
      considered += chunk.length - due.length;
      summary.lookedUp += due.length;
      const base = considered;
      const results = await this.#lookUp(due, previous, (done) => onProgress?.(base + done, ips.length));
      considered += due.length;
      for (const { lookup } of results) {
        summary[lookup.status]++;
        if (lookup.ptrConfirmed) summary.confirmed++;
      }
    }
    return summary;
  }

  /**
   * Looks up and caches. A temporary failure does not overwrite what an earlier lookup found:
   * the old facts stay, to be asked again after TEMPORARY_RETRY_SECONDS.
   */
  async #lookUp(
    ips: readonly string[],
    previous: ReadonlyMap<string, IpFactsTable>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ lookup: ReverseLookup; row: IpFactsTable }[]> {
    const resolver = this.#options.resolver;
    if (!resolver || ips.length === 0) return [];
    const done: { lookup: ReverseLookup; row: IpFactsTable }[] = [];
    let pending: IpFactsTable[] = [];
    const flush = async () => {
      const batch = pending;
      pending = [];
      if (batch.length > 0) await this.#write(batch);
    };
    await eachBounded(ips, this.#options.concurrency ?? IP_FACTS_CONCURRENCY, async (ip) => {
      const lookup = await lookupReverse(ip, resolver);
      const now = this.#now();
      const before = previous.get(ip);
      const r =
        lookup.status === 'temporary' && before !== undefined && before.status !== 'temporary'
          ? { ...before, error: lookup.error ?? lookup.dnsStatus, expires_at: now + TEMPORARY_RETRY_SECONDS }
          : row(lookup, now);
      done.push({ lookup, row: r });
      pending.push(r);
      if (pending.length >= SQL_CHUNK / 5) await flush();
      onProgress?.(done.length, ips.length);
    });
    await flush();
    return done;
  }

  async #write(rows: IpFactsTable[]): Promise<void> {
    await this.#store.db
      .insertInto('ip_facts')
      .values(rows)
      .onConflict((oc) =>
        oc.column('ip').doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          dns_status: eb.ref('excluded.dns_status'),
          ptr: eb.ref('excluded.ptr'),
          ptr_confirmed: eb.ref('excluded.ptr_confirmed'),
          ptr_org_domain: eb.ref('excluded.ptr_org_domain'),
          error: eb.ref('excluded.error'),
          looked_up_at: eb.ref('excluded.looked_up_at'),
          expires_at: eb.ref('excluded.expires_at'),
        })),
      )
      .execute();
  }
}
