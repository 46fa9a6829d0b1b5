/**
 * Analysis answers kept until the reports change: the domain page asks six questions whose
 * answers stay the same until a new report is stored, and people open the same pages. Keyed by
 * route, domain, period and language. A new report (an id past the newest one seen) drops the
 * answers about its policy domain, its parents and its subdomains, and keeps the others: with
 * reports arriving all day, dropping every answer would compute every domain again at once.
 * Changes to the owner's marks, inventory or stored checks, and reports deleted by a prune
 * (through the API or by another process) drop everything; every answer goes after ANALYSIS_CACHE_MS at most. Concurrent askers
 * of one question share its work.
 *
 * Two pools, each dropping its least recently used first. Answers are kept as the JSON sent
 * (writing JSON again per request cost more than reading the store): tens of kilobytes per
 * question, so every domain's page fits. Data is what answers are cut from, such as a domain's
 * whole senders list (pages, sorted views, one sender): megabytes per domain, so only the
 * domains in use are kept, and they never push the small answers out.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { sql } from 'kysely';
import type { Store } from '../store/types.ts';

const gzipAsync = promisify(gzip);

/** Answers kept at most: six questions of a domain page for each of a thousand domains and more. */
export const ANALYSIS_CACHE_ENTRIES = 10_000;
/** Characters of JSON answers kept at most (a big domain's page: about 200 KB with its gzip). */
export const ANALYSIS_CACHE_CHARS = 256 * 1024 * 1024;
/** Data kept at most. */
export const ANALYSIS_DATA_ENTRIES = 200;
/**
 * Data kept at most, by its estimated size in memory: a 90-day senders list of 5,000 senders is
 * about 5 MB, so the lists of a few dozen domains.
 */
export const ANALYSIS_DATA_CHARS = 128 * 1024 * 1024;
/**
 * The longest an answer is kept, in ms: for what no look at the store notices (the reverse-DNS
 * names `sumi resolve-ips` leaves). Short enough for those, long enough that a few hundred
 * domains in use are not all computed again every few minutes.
 */
export const ANALYSIS_CACHE_MS = 10 * 60_000;
/**
 * How long one look at the newest report id serves, in ms: under load every request would
 * otherwise ask the store; a report stored by another process shows within this time.
 */
export const ANALYSIS_VERSION_MS = 500;

/** Items of a list measured to estimate its JSON size. */
const SAMPLE_ITEMS = 16;

/** The JSON size of a long list, estimated from a few of its items (writing it all would cost what the cache saves). */
export function approxJsonChars(list: readonly unknown[]): number {
  if (list.length === 0) return 2;
  const step = Math.max(1, Math.floor(list.length / SAMPLE_ITEMS));
  let chars = 0;
  let measured = 0;
  for (let i = 0; i < list.length; i += step) {
    chars += JSON.stringify(list[i]).length + 1;
    measured++;
  }
  return Math.ceil((chars / measured) * list.length);
}

interface Entry {
  /** The newest report id when it was computed, or since which no report concerned its domain. */
  version: number;
  /** For an answer that reads failure reports (AnswerReads): the newest one's id when it was computed. */
  failures?: number;
  expires: number;
  value: Promise<unknown>;
  /** The JSON gzipped, made when first asked for. */
  gzipped?: Promise<Buffer>;
  /** Characters (and gzipped bytes), once known. */
  size: number;
}

/** Entries in least-recently-used order (the first goes first) within a count and a size. */
class Pool {
  readonly entries = new Map<string, Entry>();
  chars = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxChars: number,
  ) {}

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }

  /** Counts `size` more characters for `entry`, if it is still kept, and evicts beyond the caps. */
  grow(key: string, entry: Entry, size: number): void {
    if (this.entries.get(key) !== entry) return;
    entry.size += size;
    this.chars += size;
    this.evict();
  }

  drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.chars -= entry.size;
    this.entries.delete(key);
  }

  evict(): void {
    while (this.entries.size > this.maxEntries || (this.chars > this.maxChars && this.entries.size > 1)) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
    }
  }
}

/**
 * The newest report's id, whether every stored report is in the rollup (none pending), and the
 * newest failure report's id (0: none).
 */
interface ReportsVersion {
  version: number;
  folded: boolean;
  failures: number;
}

/**
 * What an answer reads besides the aggregate reports' rollup. `failureReports`: it is computed
 * again once a failure report is stored, whatever its domain (its look-alikes are the answer's
 * too), by another process as well (smtpd, a watched mailbox). Answers about aggregate reports
 * stay: a failure report changes none of them.
 */
export interface AnswerReads {
  failureReports?: boolean;
}

export class AnalysisCache {
  readonly #answers: Pool;
  readonly #data: Pool;
  #version: { at: number; id: Promise<ReportsVersion> } | undefined;
  /** The owner's marks, inventory and stored checks as last seen (see #newestReport). */
  #owner: string | undefined;
  /** Whether reports past a version concern a domain, asked once per domain, version and newest id. */
  #concerns = new Map<string, Promise<boolean>>();

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
    maxChars = ANALYSIS_CACHE_CHARS,
    maxDataChars = ANALYSIS_DATA_CHARS,
  ) {
    this.#answers = new Pool(ANALYSIS_CACHE_ENTRIES, maxChars);
    this.#data = new Pool(ANALYSIS_DATA_ENTRIES, maxDataChars);
  }

  /** Forgets every answer (something changed through the API). */
  clear(): void {
    this.#answers.clear();
    this.#data.clear();
    this.#version = undefined;
    this.#concerns.clear();
  }

  /** The JSON of an answer about `domain`, computed by `compute` unless a fresh one is kept. */
  json(
    domain: string,
    key: string,
    compute: () => Promise<unknown>,
    reads: AnswerReads = {},
  ): Promise<string> {
    return this.#kept(
      this.#answers,
      domain,
      key,
      async () => JSON.stringify(await compute()),
      (text) => text.length,
      reads,
    );
  }

  /**
   * Data about `domain` that answers are cut from, computed by `compute` unless a fresh one is
   * kept; `size` estimates its size in memory, in characters.
   */
  value<T>(
    domain: string,
    key: string,
    compute: () => Promise<T>,
    size: (value: T) => number,
    reads: AnswerReads = {},
  ): Promise<T> {
    return this.#kept(this.#data, domain, key, compute, size, reads);
  }

  async #kept<T>(
    pool: Pool,
    domain: string,
    key: string,
    compute: () => Promise<T>,
    size: (value: T) => number,
    reads: AnswerReads,
  ): Promise<T> {
    const { version, folded, failures } = await this.#newestReport();
    const now = this.clock();
    // An answer that reads failure reports is kept no longer than the newest one it read.
    const failuresRead = reads.failureReports ? failures : undefined;
    const older = pool.entries.get(key);
    // Kept from before newer reports, none of them about this domain: still the answer.
    if (
      older &&
      older.version < version &&
      older.expires > now &&
      older.failures === failuresRead &&
      !(await this.#changed(domain, older.version, version)) &&
      pool.entries.get(key) === older
    ) {
      older.version = version;
    }
    // Read again: another request may have replaced the entry meanwhile.
    const hit = pool.entries.get(key);
    if (hit && hit.version >= version && hit.expires > now && hit.failures === failuresRead) {
      // Most recently used last, so the first entry is the one to evict.
      pool.entries.delete(key);
      pool.entries.set(key, hit);
      return hit.value as Promise<T>;
    }
    if (hit) pool.drop(key);
    const value = compute();
    // Computed while an ingest's rollup sums wait to be folded, an answer may lack some stored
    // reports: kept as older than every report, it serves no later request about its domain.
    const entry: Entry = {
      version: folded ? version : -1,
      ...(failuresRead === undefined ? {} : { failures: failuresRead }),
      expires: now + ANALYSIS_CACHE_MS,
      value,
      size: 0,
    };
    pool.entries.set(key, entry);
    value.then(
      (done) => pool.grow(key, entry, size(done)),
      // A failed question is asked again next time.
      () => {
        if (pool.entries.get(key) === entry) pool.drop(key);
      },
    );
    pool.evict();
    return value;
  }

  /** The kept JSON of `key`, gzipped once and kept beside it (compressing it per request costs more). */
  async gzipped(key: string, json: string): Promise<Buffer> {
    const entry = this.#answers.entries.get(key);
    if (entry?.gzipped) return entry.gzipped;
    const made = gzipAsync(json);
    if (entry) {
      entry.gzipped = made;
      made.then(
        (bytes) => this.#answers.grow(key, entry, bytes.length),
        () => {
          if (this.#answers.entries.get(key) === entry) delete entry.gzipped;
        },
      );
    }
    return made;
  }
  /**
   * Whether a report past `since`, up to `until`, is about `domain`: its policy domain is the
   * domain, a parent of it or a subdomain (subdomains and the plan read those too). A range of
   * the primary key: the reports stored since, however large the store.
   */
  #changed(domain: string, since: number, until: number): Promise<boolean> {
    const memo = `${domain} ${since} ${until}`;
    let asked = this.#concerns.get(memo);
    if (!asked) {
      const labels = domain.split('.');
      const family = labels.map((_, i) => labels.slice(i).join('.'));
      asked = this.store.db
        .selectFrom('reports')
        .select('id')
        .where('id', '>', since)
        .where('id', '<=', until)
        .where((eb) =>
          eb.or([
            eb('policy_domain', 'in', family),
            // Domain names may hold `_`, a LIKE wildcard.
            sql<boolean>`policy_domain like ${`%.${domain.replace(/[\\%_]/g, (c) => `\\${c}`)}`} escape '\\'`,
          ]),
        )
        .limit(1)
        .executeTakeFirst()
        .then((row) => row !== undefined);
      // Only answers for the newest id are worth keeping.
      if (this.#concerns.size > ANALYSIS_CACHE_ENTRIES) this.#concerns.clear();
      this.#concerns.set(memo, asked);
      asked.catch(() => this.#concerns.delete(memo));
    }
    return asked;
  }

  /**
   * The newest report's id, asked at most once per ANALYSIS_VERSION_MS (concurrent askers share
   * it), and the newest failure report's. The same look reads what else answers depend on and
   * another process may change: the owner's sender marks and inventory, stored checks, the
   * prunes that deleted reports, and the copies kept of stored reports, among them the copies a
   * fuller one displaced as it took the count over under the stored report's id (neither leaves
   * a trace in the newest id); when those changed, every answer goes. Each is the end of a
   * primary key or a small table, whatever the store's size.
   */
  #newestReport(): Promise<ReportsVersion> {
    const now = this.clock();
    if (this.#version && now - this.#version.at < ANALYSIS_VERSION_MS) return this.#version.id;
    const id = sql<Record<string, number | string | null>>`select
        (select max(id) from reports) as reports,
        (select min(id) from rollup_pending) as pending,
        (select max(id) from failure_reports) as failures,
        (select count(*) from sender_marks) as marks,
        (select max(marked_at) from sender_marks) as marked,
        (select count(*) from domains) as domains,
        (select max(added_at) from domains) as added,
        (select max(id) from dmarc_checks) as checks,
        (select max(prunes) from retention) as pruned,
        (select max(id) from report_copies) as copies`
      .execute(this.store.db)
      .then(({ rows }) => {
        const row = rows[0] ?? {};
        const { reports, pending, failures, ...rest } = row;
        const owner = JSON.stringify(Object.values(rest).map((v) => (v === null ? null : Number(v))));
        if (this.#owner !== undefined && owner !== this.#owner) {
          this.#answers.clear();
          this.#data.clear();
          this.#concerns.clear();
        }
        this.#owner = owner;
        return {
          version: Number(reports ?? 0),
          folded: pending === null || pending === undefined,
          failures: Number(failures ?? 0),
        };
      });
    const asked = { at: now, id };
    this.#version = asked;
    // A failed look is asked again by the next request.
    id.catch(() => {
      if (this.#version === asked) this.#version = undefined;
    });
    return id;
  }
}
