import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { type Command, Option } from 'commander';
import { DirectResolver, parseServers, SystemResolver, systemServers } from '../dns/index.ts';
import type { Resolver } from '../dns/types.ts';
import { cliText } from '../i18n/cli.ts';
import { surveyText } from '../i18n/survey.ts';
import { translator } from '../i18n/translate.ts';
import {
  builtInCategoriser,
  type Categoriser,
  CategoryMap,
  categoryCsvHeader,
  categoryCsvRows,
  DEFAULT_CONCURRENCY,
  DEFAULT_QPS,
  DEFAULT_RETRY_DELAY_MS,
  DEFAULT_RETRY_PASSES,
  DOMAIN_CSV_HEADER,
  DomainListError,
  domainCsvRow,
  type InputLine,
  type MetricCounts,
  type OrganisationRule,
  readDomainList,
  runSurvey,
  type SurveyReport,
} from '../survey/index.ts';
import { type CliContext, csvLine, painter, printJson, UsageError } from './output.ts';

interface SurveyFlags {
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
  program
    .command('survey')
    .description(t('survey.description'))
    .argument('<file>', t('survey.argument.file'))
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
    .action(async (file: string, flags: SurveyFlags) => {
      const qps = wholeNumber(t, '--qps', flags.qps, 0);
      const concurrency = wholeNumber(t, '--concurrency', flags.concurrency, 1);
      const retryPasses = wholeNumber(t, '--retries', flags.retries, 0);
      const retryDelayMs = wholeNumber(t, '--retry-delay', flags.retryDelay, 0);
      const timeoutMs =
        flags.timeout === undefined ? SURVEY_TIMEOUT_MS : wholeNumber(t, '--timeout', flags.timeout, 1);
      const categoriser = flags.categories ? await loadCategoriser(t, flags.categories) : undefined;
      const { resolver, label, close } = surveyResolver(flags.resolver, timeoutMs);
      const perDomain = flags.perDomain ? await openOutput(flags.perDomain) : undefined;
      perDomain?.write(csvLine(DOMAIN_CSV_HEADER));
      const progress = progressLine(ctx);
      let invalidShown = 0;
      let report: SurveyReport;
      try {
        report = await runSurvey(listOf(file, ctx), {
          resolver,
          resolverLabel: label,
          categories: flags.categories ?? 'list',
          ...(categoriser ? { categoriser } : {}),
          organisationRule: flags.orgRule,
          qps,
          concurrency,
          retryPasses,
          retryDelayMs,
          onInvalid: (line, text) => {
            if (invalidShown++ < INVALID_LINES_SHOWN) {
              progress.clear();
              ctx.stderr.write(`${t('survey.invalidLine', { line, text })}\n`);
            }
          },
          onPass: (pass, domains) => progress.note(t('survey.progress.pass', { pass, domains })),
          onResult: async (m) => {
            progress.count(m.measured);
            if (perDomain && !perDomain.write(csvLine(domainCsvRow(m)))) await once(perDomain, 'drain');
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
      if (invalidShown > INVALID_LINES_SHOWN)
        ctx.stderr.write(`${t('survey.invalidMore', { count: invalidShown - INVALID_LINES_SHOWN })}\n`);
      if (report.total.domains === 0) throw new UsageError(t('survey.noDomains', { file }));
      if (flags.json) printJson(ctx, report);
      else if (flags.csv) {
        ctx.stdout.write(csvLine(categoryCsvHeader()));
        for (const row of categoryCsvRows(report)) ctx.stdout.write(csvLine(row));
      } else printTable(ctx, report);
    });
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

/**
 * The survey's resolver: Sumi's direct client (or node:dns with `system`), without the
 * per-run CachingResolver, which keeps every answer and would grow with the list; the
 * survey shares parent answers through its own bounded cache instead.
 */
function surveyResolver(spec: string | undefined, timeoutMs: number) {
  let direct: DirectResolver;
  const servers = spec && spec !== 'system' ? spec : systemServers();
  try {
    direct = new DirectResolver({ servers: parseServers(servers), timeoutMs, attempts: SURVEY_ATTEMPTS });
  } catch (error) {
    throw new UsageError(`--resolver: ${(error as Error).message}`);
  }
  const resolver: Resolver = spec === 'system' ? new SystemResolver(direct) : direct;
  return { resolver, label: spec === 'system' ? 'system (node:dns)' : servers, close: () => direct.close() };
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
  const draw = () => {
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const line = t('survey.progress', { done, rate: Math.round(done / seconds), unmeasured });
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
const SHARE_COLUMNS: [label: string, count: (c: MetricCounts) => number][] = [
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

function printTable(ctx: CliContext, report: SurveyReport): void {
  const t = translator(surveyText, ctx.lang);
  const paint = painter(ctx);
  const share = (count: number, of: number) => (of === 0 ? '-' : `${((count / of) * 100).toFixed(1)}%`);
  const table = (unitLabel: string, rows: { name: string; total: number; c: MetricCounts }[]) => {
    const head = [
      t('survey.table.category'),
      unitLabel,
      t('survey.table.measured'),
      ...SHARE_COLUMNS.map(([l]) => l),
    ];
    const body = rows.map(({ name, total, c }) => [
      name,
      String(total),
      String(c.measured),
      ...SHARE_COLUMNS.map(([, count]) => share(count(c), c.measured)),
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
  ctx.stdout.write(`${out.join('\n')}\n`);
}
