import { once } from 'node:events';
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { type Command, Option } from 'commander';
import { DirectResolver, parseServers, SystemResolver, systemServers } from '../dns/index.ts';
import type { Resolver } from '../dns/types.ts';
import { cliText } from '../i18n/cli.ts';
import { surveyText } from '../i18n/survey.ts';
import { translator } from '../i18n/translate.ts';
import {
  connectQueue,
  DEFAULT_SHARD_SIZE,
  describeShardFailures,
  nextShardNumber,
  QueueConnectionError,
  recordSubmitted,
  ShardFailedError,
  SURVEY_QUEUE,
  submitShards,
  surveyQueue,
  waitForScan,
} from '../jobs/survey.ts';
import { urlWithoutPassword } from '../net/address.ts';
import { defaultStorePath, openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import {
  builtInCategoriser,
  type Categoriser,
  CategoryMap,
  categoryCsvHeader,
  categoryCsvRows,
  createScan,
  DEFAULT_CONCURRENCY,
  DEFAULT_QPS,
  DEFAULT_RETRY_DELAY_MS,
  DEFAULT_RETRY_PASSES,
  DkimSelectorError,
  DomainListError,
  type DomainMeasurement,
  domainCsvHeader,
  domainCsvRow,
  finishScan,
  type InputLine,
  MAX_DKIM_SELECTORS,
  type MetricCounts,
  type OrganisationRule,
  parseDkimSelectors,
  pointShare,
  readDomainList,
  recordInput,
  requireScan,
  runSurvey,
  ScanError,
  ScanResultWriter,
  type StoredScan,
  type StoredScanOptions,
  type SurveyReport,
  type SurveyTrend,
  storedCounts,
  storedReport,
  surveyTrend,
  TREND_METRICS,
  unmeasuredLines,
} from '../survey/index.ts';
import { type CliContext, csvLine, painter, printJson, RuntimeError, UsageError } from './output.ts';
import {
  type ReportFileFlags,
  reportOptions,
  writeReportFiles,
  writeTrendReportFiles,
} from './survey-report.ts';
import { withStore } from './with-store.ts';

interface SurveyFlags extends ReportFileFlags {
  categories?: string;
  orgRule: OrganisationRule;
  resolver?: string;
  timeout?: string;
  qps: string;
  concurrency: string;
  retries: string;
  retryDelay: string;
  json?: boolean;
  csv?: boolean;
  perDomain?: string;
  db?: string;
  name?: string;
  resume?: string;
  queue?: string;
  queueName: string;
  shardSize: string;
  detach?: boolean;
  dkimSelectors?: string;
}

/** Per-attempt DNS timeout for a survey: short, since the retry passes ask again. */
const SURVEY_TIMEOUT_MS = 2000;
/** Attempts per question inside one pass (the passes retry the rest). */
const SURVEY_ATTEMPTS = 2;
/** Lines that are not domains shown one by one before a summary line. */
const INVALID_LINES_SHOWN = 10;

export function registerSurvey(program: Command, ctx: CliContext): void {
  const t = translator(surveyText, ctx.lang);
  const tc = translator(cliText, ctx.lang);
  const survey = program
    .command('survey')
    .description(t('survey.description'))
    .argument('[file]', t('survey.argument.file'))
    .option('--categories <jp|tld|file.csv>', t('survey.option.categories'))
    .addOption(
      new Option('--org-rule <rule>', t('survey.option.orgRule')).choices(['any', 'all']).default('any'),
    )
    .option('--resolver <servers>', tc('option.resolver'))
    .option('--timeout <ms>', tc('option.timeout'))
    .option('--qps <n>', t('survey.option.qps'), String(DEFAULT_QPS))
    .option('--concurrency <n>', t('survey.option.concurrency'), String(DEFAULT_CONCURRENCY))
    .option('--retries <n>', t('survey.option.retries'), String(DEFAULT_RETRY_PASSES))
    .option('--retry-delay <ms>', t('survey.option.retryDelay'), String(DEFAULT_RETRY_DELAY_MS))
    .option('--json', t('survey.option.json'))
    .option('--csv', t('survey.option.csv'))
    .option('--per-domain <file>', t('survey.option.perDomain'))
    .option('--db <file|url>', t('survey.option.db'))
    .option('--name <name>', t('survey.option.name'))
    .option('--resume <name>', t('survey.option.resume'))
    .option('--queue <redis-url>', t('survey.option.queue'))
    .option('--queue-name <name>', t('survey.option.queueName'), SURVEY_QUEUE)
    .option('--shard-size <n>', t('survey.option.shardSize'), String(DEFAULT_SHARD_SIZE))
    .option('--detach', t('survey.option.detach'))
    .option('--dkim-selectors <list>', t('survey.option.dkimSelectors'))
    .action(async (file: string | undefined, flags: SurveyFlags, command: Command) => {
      const stored = Boolean(flags.db || flags.name || flags.resume || flags.queue);
      if (flags.resume && flags.name) throw new UsageError(t('survey.resumeNeedsNoName'));
      if (flags.queue && flags.perDomain) throw new UsageError(t('survey.perDomainQueue'));
      if (flags.detach && !flags.queue) throw new UsageError(t('survey.detachNeedsQueue'));
      if (!file && !flags.resume) throw new UsageError(t('survey.needsFile'));
      const options = optionsFromFlags(t, flags);
      let report: SurveyReport | undefined;
      if (!stored) {
        const categoriser = flags.categories ? await loadCategoriser(t, flags.categories) : undefined;
        report = await scanLocally(ctx, file!, listOf(file!, ctx), options, categoriser, flags.perDomain);
      } else {
        // Queries are under way while results are written: a write waiting for another
        // process's lock must not hold the event loop, or their answers come after their timeouts.
        const store = await openStore(flags.db ?? defaultStorePath(ctx.env), { yieldWhenLocked: true });
        try {
          report = await scanStored(ctx, store, file, flags, options, command);
        } catch (error) {
          if (error instanceof ScanError) throw scanUsageError(ctx, error);
          throw error;
        } finally {
          await store.close();
        }
      }
      if (report) {
        printReport(ctx, report, flags, file ?? flags.resume!);
        await writeReportFiles(ctx, report, flags);
      }
    });
  // --html, --charts, --chart-format, --report-lang (src/cli/survey-report.ts)
  for (const option of reportOptions(ctx)) survey.addOption(option);

  survey
    .command('show')
    .description(t('survey.show.description'))
    .argument('<name>', t('survey.option.name'))
    .addHelpText('after', t('survey.sub.help'))
    .action(async (name: string, _flags: unknown, command: Command) => {
      const flags = command.optsWithGlobals<SurveyFlags>();
      await withScans(ctx, flags, async (store) => {
        const scan = await requireScan(store, name);
        if (scan.status !== 'finished') {
          const { results } = await storedCounts(store, scan.id);
          ctx.stderr.write(`${t('survey.show.unfinished', { name, results })}\n`);
        }
        const report = await storedReport(store, scan);
        printReport(ctx, report, flags, scan.list);
        await writeReportFiles(ctx, report, flags);
      });
    });

  survey
    .command('trend')
    .description(t('survey.trend.description'))
    .argument('<names...>', t('survey.trend.argument'))
    .addHelpText('after', t('survey.sub.help'))
    .action(async (names: string[], _flags: unknown, command: Command) => {
      const flags = command.optsWithGlobals<SurveyFlags>();
      await withScans(ctx, flags, async (store) => {
        const trend = await surveyTrend(store, names);
        if (flags.json) printJson(ctx, trend);
        else printTrend(ctx, trend);
        await writeTrendReportFiles(ctx, store, trend, flags);
      });
    });
}

function scanUsageError(ctx: CliContext, error: ScanError): UsageError {
  const t = translator(surveyText, ctx.lang);
  return new UsageError(t(`survey.error.${error.code}`, { name: error.scan }));
}

/** The store of stored scans, for reading them: one that is not there is refused, not made. */
function withScans(
  ctx: CliContext,
  flags: SurveyFlags,
  work: (store: Store) => Promise<void>,
): Promise<void> {
  return withStore(flags, ctx, work, {
    usageError: (error) => (error instanceof ScanError ? scanUsageError(ctx, error) : undefined),
  });
}

/** The scan's method options from the flags (what a stored scan keeps, and its workers use). */
function optionsFromFlags(t: SurveyT, flags: SurveyFlags): StoredScanOptions {
  const options: StoredScanOptions = {
    categories: flags.categories ?? 'list',
    organisationRule: flags.orgRule,
    resolverLabel: resolverLabel(flags.resolver),
    timeoutMs:
      flags.timeout === undefined ? SURVEY_TIMEOUT_MS : wholeNumber(t, '--timeout', flags.timeout, 1),
    qps: wholeNumber(t, '--qps', flags.qps, 0),
    concurrency: wholeNumber(t, '--concurrency', flags.concurrency, 1),
    retryPasses: wholeNumber(t, '--retries', flags.retries, 0),
    retryDelayMs: wholeNumber(t, '--retry-delay', flags.retryDelay, 0),
  };
  if (flags.resolver !== undefined) options.resolver = flags.resolver;
  if (flags.queue) options.shardSize = wholeNumber(t, '--shard-size', flags.shardSize, 1);
  if (flags.dkimSelectors !== undefined) {
    try {
      options.dkimSelectors = parseDkimSelectors(flags.dkimSelectors);
    } catch (error) {
      if (!(error instanceof DkimSelectorError)) throw error;
      throw new UsageError(
        t('survey.badDkimSelectors', { value: flags.dkimSelectors, max: MAX_DKIM_SELECTORS }),
      );
    }
  }
  return options;
}

/**
 * A resumed scan keeps its method (categories, organisation rule, retries); how it is asked
 * (resolver, timeout, rate, concurrency) may change when the flags say so.
 */
function resumedOptions(scanOptions: StoredScanOptions, given: StoredScanOptions, command: Command) {
  const fromCli = (name: string) => command.getOptionValueSource(name) === 'cli';
  const options = { ...scanOptions };
  if (given.resolver !== undefined) {
    options.resolver = given.resolver;
    options.resolverLabel = given.resolverLabel;
  }
  if (fromCli('timeout')) options.timeoutMs = given.timeoutMs;
  if (fromCli('qps')) options.qps = given.qps;
  if (fromCli('concurrency')) options.concurrency = given.concurrency;
  if (fromCli('shardSize') && given.shardSize !== undefined) options.shardSize = given.shardSize;
  return options;
}

/** A scan kept in the store: new (`--name`, or a made-up name) or resumed; local or through a queue. */
async function scanStored(
  ctx: SurveyContext,
  store: Store,
  file: string | undefined,
  flags: SurveyFlags,
  given: StoredScanOptions,
  command: Command,
): Promise<SurveyReport | undefined> {
  const t = translator(surveyText, ctx.lang);
  let resumed: StoredScan | undefined;
  let options: StoredScanOptions;
  let categoriser: Categoriser | undefined;
  const categoriserOf = (o: StoredScanOptions) =>
    o.categories === 'list' ? undefined : loadCategoriser(t, o.categories);
  if (flags.resume) {
    resumed = await requireScan(store, flags.resume);
    if (resumed.status === 'finished')
      throw new UsageError(t('survey.resumeFinished', { name: resumed.name }));
    options = resumedOptions(resumed.options, given, command);
    if (flags.queue && options.shardSize === undefined)
      options.shardSize = wholeNumber(t, '--shard-size', flags.shardSize, 1);
    categoriser = await categoriserOf(options);
  } else {
    options = given;
    // A list, a mapping or a queue that cannot be had leaves no scan behind.
    if (file !== undefined && file !== '-') {
      await access(file, constants.R_OK).catch((error: Error) => {
        throw new UsageError(`${file}: ${error.message}`);
      });
    }
    categoriser = await categoriserOf(options);
  }
  const connection = flags.queue ? await connectSurveyQueue(t, flags.queue) : undefined;
  let scan: StoredScan;
  try {
    scan = resumed ?? (await createScan(store, { name: newScanName(flags), list: file!, options }));
  } catch (error) {
    connection?.disconnect();
    throw error;
  }
  if (!resumed) {
    const where = store.engine === 'postgres' ? 'PostgreSQL' : (flags.db ?? 'SQLite');
    ctx.stderr.write(`${t('survey.stored', { name: scan.name, store: where })}\n`);
  }
  const source = file ?? scan.list;
  let skipped = 0;
  const list = listOf(source, ctx);
  const lines = flags.resume
    ? unmeasuredLines(store, scan.id, list, (n) => {
        skipped += n;
      })
    : list;
  if (connection) {
    return scanQueued(ctx, store, scan, lines, options, categoriser, flags, connection, () => skipped);
  }

  const writer = new ScanResultWriter(store, scan.id);
  const run = await scanLocally(ctx, source, lines, options, categoriser, flags.perDomain, (m) =>
    writer.add(m),
  );
  await writer.flush();
  if (flags.resume) ctx.stderr.write(`${t('survey.resuming', { name: scan.name, skipped })}\n`);
  await recordInput(store, scan.id, {
    lines: run.method.input.lines + skipped,
    invalid: run.method.input.invalid,
  });
  await finishScan(store, scan.id);
  return storedReport(store, await requireScan(store, scan.name));
}

/** Shards on the queue for `sumi worker`s; waits for them (unless --detach) and reads the results from the store. */
async function scanQueued(
  ctx: SurveyContext,
  store: Store,
  scan: StoredScan,
  lines: AsyncIterable<InputLine>,
  options: StoredScanOptions,
  categoriser: Categoriser | undefined,
  flags: SurveyFlags,
  connection: QueueConnection,
  skipped: () => number,
): Promise<SurveyReport | undefined> {
  const t = translator(surveyText, ctx.lang);
  const queue = surveyQueue(connection, flags.queueName);
  const progress = progressLine(ctx);
  try {
    const firstShard = flags.resume ? await nextShardNumber(store, queue, scan) : 0;
    const invalid = invalidReporter(ctx, progress);
    let submitted: Awaited<ReturnType<typeof submitShards>>;
    try {
      submitted = await submitShards(queue, scan, lines, {
        ...(categoriser ? { categoriser } : {}),
        shardSize: options.shardSize ?? DEFAULT_SHARD_SIZE,
        firstShard,
        onInvalid: invalid.line,
      });
    } catch (error) {
      if (error instanceof DomainListError) throw new UsageError(`${scan.list}: ${error.message}`);
      throw error;
    }
    invalid.summary();
    const shards = firstShard + submitted.shards;
    await recordSubmitted(store, scan.id, {
      shards,
      lines: submitted.lines + skipped(),
      invalid: submitted.invalid,
      resumedAt: firstShard,
    });
    if (flags.resume) ctx.stderr.write(`${t('survey.resuming', { name: scan.name, skipped: skipped() })}\n`);
    const counts = { name: scan.name, domains: submitted.domains, shards: submitted.shards };
    if (flags.detach) {
      if (flags.json)
        printJson(ctx, { scan: scan.name, shards: submitted.shards, domains: submitted.domains });
      else ctx.stdout.write(`${t('survey.detached', counts)}\n`);
      return undefined;
    }
    ctx.stderr.write(`${t('survey.queued', { ...counts, queue: urlWithoutPassword(flags.queue!) })}\n`);
    try {
      await waitForScan(store, queue, scan, shards, {
        firstShard,
        onProgress: (results, measured) => progress.set(results, results - measured, 'survey.progress.queue'),
      });
    } catch (error) {
      if (error instanceof ShardFailedError)
        throw new RuntimeError(
          t('survey.shardsFailed', {
            name: scan.name,
            count: error.failed.length,
            shards: describeShardFailures(error.failed, ctx.lang),
          }),
        );
      throw error;
    }
  } finally {
    progress.done();
    await queue.close();
    connection.disconnect();
  }
  return storedReport(store, await requireScan(store, scan.name));
}

type QueueConnection = Awaited<ReturnType<typeof connectQueue>>;

/** The name of a new scan: --name, or survey-<time>. */
function newScanName(flags: SurveyFlags): string {
  return flags.name ?? `survey-${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`;
}

/** The survey queue's Redis, or the reason it cannot be had in the user's words. */
async function connectSurveyQueue(t: SurveyT, url: string): Promise<QueueConnection> {
  try {
    return await connectQueue(url);
  } catch (error) {
    if (error instanceof QueueConnectionError) {
      throw new RuntimeError(t('survey.queueUnreachable', { url: error.url, reason: error.reason }));
    }
    throw error;
  }
}

/** Shows the first lines that are not domains, then how many more there were. */
function invalidReporter(ctx: CliContext, progress: ReturnType<typeof progressLine>) {
  const t = translator(surveyText, ctx.lang);
  let shown = 0;
  return {
    line(line: number, text: string) {
      if (shown++ < INVALID_LINES_SHOWN) {
        progress.clear();
        ctx.stderr.write(`${t('survey.invalidLine', { line, text })}\n`);
      }
    },
    summary() {
      if (shown > INVALID_LINES_SHOWN)
        ctx.stderr.write(`${t('survey.invalidMore', { count: shown - INVALID_LINES_SHOWN })}\n`);
    },
  };
}

/** Measures the list here, with the progress line and the per-domain CSV; `onResult` also gets each result (the store's writer). */
async function scanLocally(
  ctx: SurveyContext,
  file: string,
  lines: AsyncIterable<InputLine>,
  options: StoredScanOptions,
  categoriser: Categoriser | undefined,
  perDomainPath: string | undefined,
  onResult?: (m: DomainMeasurement) => Promise<void>,
): Promise<SurveyReport> {
  const t = translator(surveyText, ctx.lang);
  const { resolver, close } = surveyResolver(options.resolver, options.timeoutMs);
  const perDomain = perDomainPath ? await openOutput(perDomainPath) : undefined;
  perDomain?.write(csvLine(domainCsvHeader(Boolean(options.dkimSelectors?.length))));
  const progress = progressLine(ctx);
  const invalid = invalidReporter(ctx, progress);
  let report: SurveyReport;
  try {
    report = await runSurvey(lines, {
      ...options,
      resolver,
      ...(categoriser ? { categoriser } : {}),
      onInvalid: invalid.line,
      onPass: (pass, domains) => progress.note(t('survey.progress.pass', { pass, domains })),
      onResult: async (m) => {
        progress.count(m.measured);
        if (perDomain && !perDomain.write(csvLine(domainCsvRow(m)))) await once(perDomain, 'drain');
        await onResult?.(m);
      },
    });
  } catch (error) {
    if (error instanceof DomainListError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  } finally {
    progress.done();
    close();
    if (perDomain) {
      perDomain.end();
      await once(perDomain, 'close');
    }
  }
  invalid.summary();
  return report;
}

function printReport(ctx: CliContext, report: SurveyReport, flags: SurveyFlags, list: string): void {
  const t = translator(surveyText, ctx.lang);
  if (report.total.domains === 0) throw new UsageError(t('survey.noDomains', { file: list }));
  if (flags.json) printJson(ctx, report);
  else if (flags.csv) {
    ctx.stdout.write(csvLine(categoryCsvHeader(report)));
    for (const row of categoryCsvRows(report)) ctx.stdout.write(csvLine(row));
  } else printTable(ctx, report);
}

function wholeNumber(t: SurveyT, flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(t('survey.badNumber', { flag, value, min }));
  return n;
}

/** Tests run the CLI in-process and hand it their own stdin. */
type SurveyContext = CliContext & { stdin?: Readable };
type SurveyT = ReturnType<typeof translator<typeof surveyText>>;

function listOf(file: string, ctx: SurveyContext): AsyncIterable<InputLine> {
  return readDomainList(file === '-' ? (ctx.stdin ?? process.stdin) : file);
}

/** `jp`, `tld`, or a mapping file (domain, category[, organisation]; read whole: it is the mapping, not the list). */
async function loadCategoriser(t: SurveyT, spec: string): Promise<Categoriser> {
  const builtIn = builtInCategoriser(spec);
  if (builtIn) return builtIn;
  const map = new CategoryMap();
  try {
    for await (const line of readDomainList(spec)) {
      if ('item' in line && line.item.category) {
        const { category, organisation } = line.item;
        map.set(line.item.domain, organisation === undefined ? { category } : { category, organisation });
      }
    }
  } catch (error) {
    throw new UsageError(`--categories ${spec}: ${(error as Error).message}`);
  }
  if (map.size === 0) throw new UsageError(t('survey.badMapping', { file: spec }));
  return map.categoriser();
}

/** The resolver as the method names it. */
function resolverLabel(spec: string | undefined): string {
  return spec === 'system' ? 'system (node:dns)' : (spec ?? systemServers());
}

/**
 * The survey's resolver: Sumi's direct client (or node:dns with `system`), without the
 * per-run CachingResolver, which keeps every answer and would grow with the list; the
 * survey shares parent answers through its own bounded cache instead. `sumi worker` asks
 * the same way.
 */
export function surveyResolver(spec: string | undefined, timeoutMs: number) {
  let direct: DirectResolver;
  const servers = spec && spec !== 'system' ? spec : systemServers();
  try {
    direct = new DirectResolver({ servers: parseServers(servers), timeoutMs, attempts: SURVEY_ATTEMPTS });
  } catch (error) {
    throw new UsageError(`--resolver: ${(error as Error).message}`);
  }
  const resolver: Resolver = spec === 'system' ? new SystemResolver(direct) : direct;
  return { resolver, close: () => direct.close() };
}

async function openOutput(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path);
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new UsageError(`--per-domain ${path}: ${(error as Error).message}`);
  }
  return stream;
}

/** A progress line on a terminal's stderr, redrawn at most four times a second. */
function progressLine(ctx: CliContext) {
  const t = translator(surveyText, ctx.lang);
  const enabled = Boolean(ctx.stderr.isTTY) && ctx.env.TERM !== 'dumb';
  const started = Date.now();
  let done = 0;
  let unmeasured = 0;
  let last = 0;
  let shown = false;
  let note = '';
  let progressKey: 'survey.progress' | 'survey.progress.queue' = 'survey.progress';
  const draw = () => {
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const line = t(progressKey, { done, rate: Math.round(done / seconds), unmeasured });
    ctx.stderr.write(`\r\x1b[K${line}${note ? ` · ${note}` : ''}`);
    shown = true;
  };
  return {
    count(measured: boolean) {
      done++;
      if (!measured) unmeasured++;
      if (!enabled) return;
      const now = Date.now();
      if (now - last >= 250) {
        last = now;
        draw();
      }
    },
    /** Progress counted elsewhere (workers): the totals so far. */
    set(total: number, notMeasured: number, key: 'survey.progress.queue') {
      done = total;
      unmeasured = notMeasured;
      progressKey = key;
      if (enabled) draw();
    },
    note(text: string) {
      note = text;
      if (enabled) draw();
    },
    clear() {
      if (shown) ctx.stderr.write('\r\x1b[K');
      shown = false;
    },
    done() {
      if (shown) ctx.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** Terminal width of a string: East Asian wide characters take two columns. */
function width(text: string): number {
  let w = 0;
  for (const ch of text)
    w +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        ch,
      )
        ? 2
        : 1;
  return w;
}

const pad = (text: string, to: number, right = false) => {
  const fill = ' '.repeat(Math.max(0, to - width(text)));
  return right ? fill + text : text + fill;
};

/** The share columns of the table: label and how to read the count. */
type ShareColumn = [label: string, count: (c: MetricCounts) => number];
const SHARE_COLUMNS: ShareColumn[] = [
  ['SPF', (c) => c.spf],
  ['-all', (c) => c.spfStrict],
  ['DMARC', (c) => c.dmarc],
  ['reject', (c) => c.policy.reject],
  ['quar.', (c) => c.policy.quarantine],
  ['none', (c) => c.policy.none],
  ['rua', (c) => c.rua],
  ['BIMI', (c) => c.bimi],
  ['MTA-STS', (c) => c.mtaSts],
  ['TLS-RPT', (c) => c.tlsRpt],
  ['null MX', (c) => c.nullMx],
];
/** Shown when the scan asked DKIM selectors. */
const DKIM_COLUMN: ShareColumn = ['DKIM', (c) => c.dkim ?? 0];

function printTable(ctx: CliContext, report: SurveyReport): void {
  const t = translator(surveyText, ctx.lang);
  const paint = painter(ctx);
  const share = (count: number, of: number) => (of === 0 ? '-' : `${((count / of) * 100).toFixed(1)}%`);
  const columns = report.method.dkimSelectors ? [...SHARE_COLUMNS, DKIM_COLUMN] : SHARE_COLUMNS;
  const table = (unitLabel: string, rows: { name: string; total: number; c: MetricCounts }[]) => {
    const head = [
      t('survey.table.category'),
      unitLabel,
      t('survey.table.measured'),
      ...columns.map(([l]) => l),
    ];
    const body = rows.map(({ name, total, c }) => [
      name,
      String(total),
      String(c.measured),
      ...columns.map(([, count]) => share(count(c), c.measured)),
    ]);
    const widths = head.map((h, i) => Math.max(width(h), ...body.map((r) => width(r[i]!))));
    const line = (cells: string[]) => cells.map((cell, i) => pad(cell, widths[i]!, i > 0)).join('  ');
    return [paint('bold', line(head)), ...body.map(line)];
  };
  const out: string[] = [paint('bold', t('survey.heading.domains'))];
  out.push(
    ...table(t('survey.table.domains'), [
      ...report.categories.map((c) => ({ name: c.name, total: c.domains, c })),
      { name: t('survey.table.total'), total: report.total.domains, c: report.total },
    ]),
  );
  const orgRows = report.categories.flatMap((c) =>
    c.organisations ? [{ name: c.name, total: c.organisations.count, c: c.organisations }] : [],
  );
  if (orgRows.length > 0) {
    out.push(
      '',
      paint(
        'bold',
        t('survey.heading.organisations', { rule: t(`survey.rule.${report.method.organisationRule}`) }),
      ),
      ...table(t('survey.table.organisations'), orgRows),
    );
  }
  const m = report.method;
  out.push(
    '',
    t('survey.unmeasured', { count: report.unmeasured, passes: m.retries.passes }),
    t('survey.input', {
      lines: m.input.lines,
      invalid: m.input.invalid,
      resolver: m.resolver,
      rate: m.qps === null ? t('survey.rate.uncapped') : t('survey.rate.capped', { qps: m.qps }),
      concurrency: m.concurrency,
    }),
    paint('dim', t('survey.method')),
  );
  if (m.dkimSelectors)
    out.push(paint('dim', t('survey.method.dkim', { selectors: m.dkimSelectors.join(', ') })));
  ctx.stdout.write(`${out.join('\n')}\n`);
}

/** Column labels of the trend table, in TREND_METRICS order. */
const TREND_LABELS: Record<(typeof TREND_METRICS)[number], string> = {
  measured: 'measured',
  spf: 'SPF',
  spfStrict: '-all',
  dmarc: 'DMARC',
  'policy.reject': 'reject',
  'policy.quarantine': 'quar.',
  'policy.none': 'none',
  rua: 'rua',
  bimi: 'BIMI',
  mtaSts: 'MTA-STS',
  tlsRpt: 'TLS-RPT',
  nullMx: 'null MX',
  dkim: 'DKIM',
};

function printTrend(ctx: CliContext, trend: SurveyTrend): void {
  // DKIM only when a scan asked its selectors: the others did not measure it.
  const metrics = TREND_METRICS.filter((m) => m !== 'dkim' || trend.scans.some((s) => s.dkim));
  const t = translator(surveyText, ctx.lang);
  const paint = painter(ctx);
  const percent = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  const points = (x: number | null) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}`);
  const head = [
    t('survey.table.category'),
    t('survey.trend.scan'),
    t('survey.table.domains'),
    ...metrics.map((m) => TREND_LABELS[m]),
  ];
  const body: string[][] = [];
  for (const category of trend.categories) {
    const name = category.name === '*' ? t('survey.table.total') : category.name;
    category.series.forEach((point, i) => {
      body.push([
        i === 0 ? name : '',
        point.scan,
        point.metrics ? String(point.metrics.domains) : '-',
        ...metrics.map((m) => percent(pointShare(point, trend.scans[i]!, m))),
      ]);
    });
    if (category.series.length > 1)
      body.push([
        '',
        t('survey.trend.change'),
        '',
        ...metrics.map((m) => points(category.changes[m].points)),
      ]);
  }
  const widths = head.map((h, i) => Math.max(width(h), ...body.map((r) => width(r[i]!))));
  const line = (cells: string[]) => cells.map((cell, i) => pad(cell, widths[i]!, i > 1)).join('  ');
  ctx.stdout.write(
    `${[paint('bold', line(head)), ...body.map(line), '', paint('dim', t('survey.trend.method'))].join('\n')}\n`,
  );
}
