/**
 * Survey scans kept in the store: a named scan, its per-domain results written in batches as
 * they come, resuming (skip what is measured, measure the rest), the report recomputed from
 * the stored facts, and trends across scans of the same list.
 */
import { z } from 'zod';
import { decodeText, encodeText } from '../store/text.ts';
import type { Store } from '../store/types.ts';
import type { InputLine } from './input.ts';
import type { DomainMeasurement } from './measure.ts';
import { FLAGS, flagsOf, SurveyTally } from './metrics.ts';
import { buildReport, type CategoryReport, type MetricCounts, type SurveyReport } from './report.ts';
import { categoryOrder, surveyMethod } from './survey.ts';

/**
 * Results written per statement. A stopped scan loses at most two batches (the one being
 * written and the one filling), measured again on resume.
 */
export const RESULT_BATCH = 500;
/** Domains looked up at once when a resumed scan asks which of the list's domains are already measured. */
export const RESUME_LOOKUP_BATCH = 500;
/** Results read per query when a report is recomputed from the store. */
const REPORT_PAGE = 5_000;

/** The options a stored scan is made with: resuming it, or a worker measuring its shards, uses the same. */
export const storedScanOptions = z.object({
  categories: z.string(),
  organisationRule: z.enum(['any', 'all']),
  /** The resolver as given (`--resolver`); absent: the system's servers. */
  resolver: z.string().optional(),
  resolverLabel: z.string(),
  timeoutMs: z.number().int().positive(),
  qps: z.number().int().nonnegative(),
  concurrency: z.number().int().positive(),
  retryPasses: z.number().int().nonnegative(),
  retryDelayMs: z.number().int().nonnegative(),
  /** DKIM selectors asked for each domain (absent: DKIM not asked; older scans never did). */
  dkimSelectors: z.array(z.string()).optional(),
  /** Distributed through a queue: domains per shard. */
  shardSize: z.number().int().positive().optional(),
});
export type StoredScanOptions = z.infer<typeof storedScanOptions>;

export interface StoredScan {
  id: number;
  name: string;
  list: string;
  options: StoredScanOptions;
  /** Flag names in the bit order of the stored masks. */
  flagNames: string[];
  status: 'running' | 'finished';
  lines: number | null;
  invalid: number | null;
  shards: number | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/** A stored scan cannot be made, found or continued as asked: the user's input, not a failure. */
export class ScanError extends Error {
  constructor(
    /** For the words in the user's language (survey.error.<code> in i18n/survey.ts). */
    readonly code: 'emptyName' | 'exists' | 'unknown' | 'noNames',
    readonly scan: string = '',
  ) {
    const english = {
      emptyName: 'a scan name cannot be empty',
      exists: `a scan named "${scan}" exists already`,
      unknown: `no scan named "${scan}" in the store`,
      noNames: 'name at least one scan',
    };
    super(english[code]);
  }
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** Starts a named scan; the name must be new. */
export async function createScan(
  store: Store,
  scan: { name: string; list: string; options: StoredScanOptions; now?: Date },
): Promise<StoredScan> {
  if (scan.name.trim() === '') throw new ScanError('emptyName');
  if (await findScan(store, scan.name)) throw new ScanError('exists', scan.name);
  await store.db
    .insertInto('survey_scans')
    .values({
      name: encodeText(store.engine, scan.name),
      list: encodeText(store.engine, scan.list),
      options: JSON.stringify(scan.options),
      flag_names: JSON.stringify(FLAGS),
      status: 'running',
      started_at: seconds(scan.now ?? new Date()),
    })
    .execute();
  return (await findScan(store, scan.name))!;
}

export async function findScan(store: Store, name: string): Promise<StoredScan | undefined> {
  return scanWhere(store, 'name', encodeText(store.engine, name));
}

export async function findScanById(store: Store, id: number): Promise<StoredScan | undefined> {
  return scanWhere(store, 'id', id);
}

async function scanWhere(store: Store, column: 'name' | 'id', value: string | number) {
  const row = await store.db
    .selectFrom('survey_scans')
    .selectAll()
    .where(column, '=', value)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    name: decodeText(store.engine, row.name),
    list: decodeText(store.engine, row.list),
    options: storedScanOptions.parse(JSON.parse(row.options)),
    flagNames: z.array(z.string()).parse(JSON.parse(row.flag_names)),
    status: row.status,
    lines: row.lines,
    invalid: row.invalid,
    shards: row.shards,
    startedAt: new Date(row.started_at * 1000),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at * 1000),
  } satisfies StoredScan;
}

/** The scan by name, or a ScanError naming what is missing. */
export async function requireScan(store: Store, name: string): Promise<StoredScan> {
  const scan = await findScan(store, name);
  if (!scan) throw new ScanError('unknown', name);
  return scan;
}

/** Records how the list read; for a distributed scan also how many shards it was split into. */
export async function recordInput(
  store: Store,
  scanId: number,
  input: { lines: number; invalid: number; shards?: number },
): Promise<void> {
  await store.db
    .updateTable('survey_scans')
    .set({
      lines: input.lines,
      invalid: input.invalid,
      ...(input.shards === undefined ? {} : { shards: input.shards }),
    })
    .where('id', '=', scanId)
    .execute();
}

export async function finishScan(store: Store, scanId: number, now = new Date()): Promise<void> {
  await store.db
    .updateTable('survey_scans')
    .set({ status: 'finished', finished_at: seconds(now) })
    .where('id', '=', scanId)
    .execute();
}

/** One question per line: `TYPE name status`. */
function answersText(m: DomainMeasurement): string {
  return m.questions.map((q) => `${q.type} ${q.name} ${q.status}`).join('\n');
}

/**
 * Writes a scan's results in batches. A domain written again (a resumed scan, a retried shard)
 * replaces its row: one row per scan and domain, however often it was measured.
 */
export class ScanResultWriter {
  readonly #rows = new Map<string, DomainMeasurement>();
  /** The batch being written while the scan goes on: at most one, so memory holds two batches. */
  #writing: Promise<void> | undefined;

  constructor(
    readonly store: Store,
    readonly scanId: number,
    readonly batch = RESULT_BATCH,
  ) {}

  async add(m: DomainMeasurement): Promise<void> {
    // One row per domain in a statement: PostgreSQL refuses to update a row twice in one upsert.
    this.#rows.set(m.domain, m);
    if (this.#rows.size < this.batch) return;
    await this.#writing;
    const writing = this.#write(this.#take());
    // Seen as handled until awaited (the next batch, or flush), where its error is thrown.
    writing.catch(() => {});
    this.#writing = writing;
  }

  /** Writes what is left; resolves when every result added so far is stored. */
  async flush(): Promise<void> {
    const writing = this.#writing;
    this.#writing = undefined;
    await writing;
    await this.#write(this.#take());
  }

  #take(): DomainMeasurement[] {
    const taken = [...this.#rows.values()];
    this.#rows.clear();
    return taken;
  }

  async #write(measurements: DomainMeasurement[]): Promise<void> {
    if (measurements.length === 0) return;
    const { engine } = this.store;
    const now = seconds(new Date());
    const rows = measurements.map((m) => ({
      scan_id: this.scanId,
      domain: m.domain,
      category: encodeText(engine, m.category),
      organisation: m.organisation === undefined ? null : encodeText(engine, m.organisation),
      measured: m.measured ? 1 : 0,
      flags: m.measured ? flagsOf(m) : 0,
      passes: m.passes,
      policy_domain: m.dmarc.policyDomain ?? null,
      answers: answersText(m),
      measured_at: now,
    }));
    await this.store.db
      .insertInto('survey_results')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['scan_id', 'domain']).doUpdateSet((eb) => ({
          category: eb.ref('excluded.category'),
          organisation: eb.ref('excluded.organisation'),
          measured: eb.ref('excluded.measured'),
          flags: eb.ref('excluded.flags'),
          passes: eb.ref('excluded.passes'),
          policy_domain: eb.ref('excluded.policy_domain'),
          answers: eb.ref('excluded.answers'),
          measured_at: eb.ref('excluded.measured_at'),
        })),
      )
      .execute();
  }
}

/** Of these domains, the ones the scan has measured. */
export async function measuredAmong(store: Store, scanId: number, domains: string[]): Promise<Set<string>> {
  if (domains.length === 0) return new Set();
  const rows = await store.db
    .selectFrom('survey_results')
    .select('domain')
    .where('scan_id', '=', scanId)
    .where('measured', '=', 1)
    .where('domain', 'in', domains)
    .execute();
  return new Set(rows.map((r) => r.domain));
}

/**
 * The list without the domains the scan has measured already (unmeasured ones are asked
 * again), looked up a batch at a time so that memory stays flat. Lines that are not domains
 * pass through, so the scan still counts them.
 */
export async function* unmeasuredLines(
  store: Store,
  scanId: number,
  lines: AsyncIterable<InputLine>,
  onSkipped: (count: number) => void,
  batch = RESUME_LOOKUP_BATCH,
): AsyncGenerator<InputLine> {
  let chunk: InputLine[] = [];
  const filter = async function* (): AsyncGenerator<InputLine> {
    const domains = chunk.flatMap((l) => ('item' in l ? [l.item.domain] : []));
    const measured = await measuredAmong(store, scanId, domains);
    let skipped = 0;
    for (const line of chunk) {
      if ('item' in line && measured.has(line.item.domain)) skipped++;
      else yield line;
    }
    if (skipped > 0) onSkipped(skipped);
    chunk = [];
  };
  for await (const line of lines) {
    chunk.push(line);
    if (chunk.length >= batch) yield* filter();
  }
  yield* filter();
}

/** Bit remapping from a scan's stored flag order to today's FLAGS (a flag added later reads as 0). */
function flagRemap(flagNames: string[]): (mask: number) => number {
  if (flagNames.length === FLAGS.length && flagNames.every((f, i) => f === FLAGS[i])) return (mask) => mask;
  const moves = flagNames.flatMap((name, from) => {
    const to = (FLAGS as readonly string[]).indexOf(name);
    return to === -1 ? [] : [[from, to] as const];
  });
  return (mask) => {
    let out = 0;
    for (const [from, to] of moves) if (mask & (1 << from)) out |= 1 << to;
    return out;
  };
}

/** Results stored for a scan so far. */
export async function storedCounts(
  store: Store,
  scanId: number,
): Promise<{ results: number; measured: number; shardsDone: number }> {
  const row = await store.db
    .selectFrom('survey_results')
    .select((eb) => [eb.fn.countAll<number>().as('results'), eb.fn.sum<number>('measured').as('measured')])
    .where('scan_id', '=', scanId)
    .executeTakeFirstOrThrow();
  const shards = await store.db
    .selectFrom('survey_shards')
    .select((eb) => eb.fn.countAll<number>().as('done'))
    .where('scan_id', '=', scanId)
    .executeTakeFirstOrThrow();
  return {
    results: Number(row.results),
    measured: Number(row.measured ?? 0),
    shardsDone: Number(shards.done),
  };
}

/**
 * A scan's report recomputed from its stored results: the same figures as the run that
 * measured them (an uninterrupted run, or the runs of a stopped and resumed one), read a page
 * at a time.
 */
export async function storedReport(store: Store, scan: StoredScan): Promise<SurveyReport> {
  const tally = new SurveyTally();
  const remap = flagRemap(scan.flagNames);
  let retried = 0;
  let after: string | undefined;
  for (;;) {
    let query = store.db
      .selectFrom('survey_results')
      .select(['domain', 'category', 'organisation', 'measured', 'flags', 'passes'])
      .where('scan_id', '=', scan.id);
    if (after !== undefined) query = query.where('domain', '>', after);
    const rows = await query.orderBy('domain').limit(REPORT_PAGE).execute();
    for (const row of rows) {
      const organisation = row.organisation === null ? undefined : decodeText(store.engine, row.organisation);
      tally.addFacts(
        decodeText(store.engine, row.category),
        organisation,
        row.measured === 1,
        remap(row.flags),
      );
      if (row.passes > 1) retried++;
    }
    if (rows.length < REPORT_PAGE) break;
    after = rows[rows.length - 1]!.domain;
  }
  const { options } = scan;
  return buildReport(
    tally,
    surveyMethod(options, {
      lines: scan.lines ?? 0,
      invalid: scan.invalid ?? 0,
      retried,
      started: scan.startedAt,
      finished: scan.finishedAt ?? new Date(),
    }),
    categoryOrder(options.categories),
  );
}

/** The metrics a trend compares between scans: a count's key (policy ones as `policy.p`). */
export const TREND_METRICS = [
  'measured',
  'spf',
  'spfStrict',
  'dmarc',
  'policy.reject',
  'policy.quarantine',
  'policy.none',
  'rua',
  'bimi',
  'mtaSts',
  'tlsRpt',
  'nullMx',
  'dkim',
] as const;
export type TrendMetric = (typeof TREND_METRICS)[number];

/** A metric's share in one scan's point; null where that scan did not measure it (DKIM not asked). */
export function pointShare(point: TrendPoint, scan: { dkim: boolean }, metric: TrendMetric): number | null {
  if (!point.metrics || (metric === 'dkim' && !scan.dkim)) return null;
  return metricShare(point.metrics, metric);
}

/** A metric's share in a category's counts (measured: of all domains; the rest: of measured). */
export function metricShare(counts: MetricCounts & { domains?: number }, metric: TrendMetric): number | null {
  if (metric === 'measured') return (counts.shares.measured as { share: number | null }).share;
  const [head, sub] = metric.split('.') as [string, string | undefined];
  const shares = counts.shares[head] as Record<string, { share: number | null }> & { share?: number | null };
  return (sub ? shares[sub]?.share : shares.share) ?? null;
}

export interface TrendPoint {
  scan: string;
  /** The category's counts in that scan; null when the scan has no such category. */
  metrics: (MetricCounts & { domains: number }) | null;
}

export interface MetricChange {
  /** Share in the first and last scan that have the category. */
  from: number | null;
  to: number | null;
  /** to - from, in percentage points (null when either share is). */
  points: number | null;
}

export interface SurveyTrend {
  scans: {
    name: string;
    list: string;
    status: string;
    startedAt: string;
    finishedAt: string | null;
    /** Whether the scan asked DKIM selectors (its `dkim` share means nothing otherwise). */
    dkim: boolean;
  }[];
  /** Per category (then `*`, every domain), one point per scan in the order asked. */
  categories: { name: string; series: TrendPoint[]; changes: Record<TrendMetric, MetricChange> }[];
}

/**
 * Scans of the same list side by side: for each category, its counts in each scan and each
 * metric's change in share from the first scan to the last. For the trend table and charts.
 */
export async function surveyTrend(store: Store, names: readonly string[]): Promise<SurveyTrend> {
  if (names.length === 0) throw new ScanError('noNames');
  const scans: StoredScan[] = [];
  const reports: SurveyReport[] = [];
  for (const name of names) {
    const scan = await requireScan(store, name);
    scans.push(scan);
    reports.push(await storedReport(store, scan));
  }
  const asked = reports.map((r) => ({ dkim: r.method.dkimSelectors !== undefined }));
  const categoryNames: string[] = [];
  for (const report of reports)
    for (const c of report.categories) if (!categoryNames.includes(c.name)) categoryNames.push(c.name);
  const seriesOf = (pick: (r: SurveyReport) => TrendPoint['metrics']): TrendPoint[] =>
    reports.map((r, i) => ({ scan: scans[i]!.name, metrics: pick(r) }));
  const withoutOrgs = (c: CategoryReport) => {
    const { name: _name, organisations: _orgs, ...counts } = c;
    return counts;
  };
  const categories = [
    ...categoryNames.map((name) =>
      seriesOf((r) => {
        const c = r.categories.find((x) => x.name === name);
        return c ? withoutOrgs(c) : null;
      }),
    ),
    seriesOf((r) => r.total),
  ].map((series, i) => ({
    name: categoryNames[i] ?? '*',
    series,
    changes: changesOf(series, asked),
  }));
  return {
    scans: scans.map((s, i) => ({
      name: s.name,
      list: s.list,
      status: s.status,
      startedAt: s.startedAt.toISOString(),
      finishedAt: s.finishedAt?.toISOString() ?? null,
      dkim: asked[i]!.dkim,
    })),
    categories,
  };
}

/** Each metric's change from the first scan that measured it to the last (none with fewer than two). */
function changesOf(
  series: TrendPoint[],
  scans: readonly { dkim: boolean }[],
): Record<TrendMetric, MetricChange> {
  const out = {} as Record<TrendMetric, MetricChange>;
  for (const metric of TREND_METRICS) {
    const shares = series
      .map((point, i) => pointShare(point, scans[i]!, metric))
      .filter((s): s is number => s !== null);
    const from = shares[0] ?? null;
    const to = shares.length > 0 ? shares[shares.length - 1]! : null;
    out[metric] = { from, to, points: shares.length < 2 ? null : (to! - from!) * 100 };
  }
  return out;
}

/** A distributed scan's shard is done; written once however often the shard ran. */
export async function recordShard(
  store: Store,
  shard: { scanId: number; shard: number; domains: number; worker: string },
): Promise<void> {
  await store.db
    .insertInto('survey_shards')
    .values({
      scan_id: shard.scanId,
      shard: shard.shard,
      domains: shard.domains,
      worker: encodeText(store.engine, shard.worker),
      finished_at: seconds(new Date()),
    })
    .onConflict((oc) => oc.columns(['scan_id', 'shard']).doNothing())
    .execute();
}

/** The highest shard number of a distributed scan done in the store, -1 for none. */
export async function highestShard(store: Store, scanId: number): Promise<number> {
  const row = await store.db
    .selectFrom('survey_shards')
    .select((eb) => eb.fn.max('shard').as('shard'))
    .where('scan_id', '=', scanId)
    .executeTakeFirst();
  return row?.shard === null || row?.shard === undefined ? -1 : Number(row.shard);
}

/**
 * A resumed distributed scan's earlier shards below `below` that never finished (failed for
 * good, or lost) are marked done: the resume has queued again whatever of theirs was not
 * measured. One still running may finish too; its results land once (survey_results' key).
 */
export async function supersedeShards(store: Store, scanId: number, below: number): Promise<void> {
  const finishedAt = seconds(new Date());
  // Rows per statement within SQLite's 32,766 bound parameters.
  for (let first = 0; first < below; first += 1_000) {
    const rows = [];
    for (let shard = first; shard < Math.min(below, first + 1_000); shard++)
      rows.push({
        scan_id: scanId,
        shard,
        domains: 0,
        worker: 'superseded by --resume',
        finished_at: finishedAt,
      });
    await store.db
      .insertInto('survey_shards')
      .values(rows)
      .onConflict((oc) => oc.columns(['scan_id', 'shard']).doNothing())
      .execute();
  }
}

/**
 * Marks a distributed scan finished once its list has been read through and every shard is
 * done (the submitter and each worker ask; whoever sees it first marks it). Returns whether it is.
 */
export async function finishIfComplete(store: Store, scanId: number): Promise<boolean> {
  const scan = await findScanById(store, scanId);
  if (!scan) return false;
  if (scan.status === 'finished') return true;
  if (scan.shards === null) return false;
  const { shardsDone } = await storedCounts(store, scanId);
  if (shardsDone < scan.shards) return false;
  await finishScan(store, scanId);
  return true;
}
