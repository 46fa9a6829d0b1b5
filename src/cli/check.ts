import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import {
  type CheckOutcome,
  checkDomains,
  type DescribedCheck,
  describeCheck,
  PROTOCOLS,
} from '../check/index.ts';
import type { CheckOptions } from '../check/types.ts';
import { analysisText } from '../i18n/analysis.ts';
import { cliText } from '../i18n/cli.ts';
import { planText } from '../i18n/plan.ts';
import { translator } from '../i18n/translate.ts';
import { type NetworkFlags, networkFromFlags } from './network.ts';
import { type CliContext, csvLine, painter, printJson, UsageError } from './output.ts';

export interface CheckFlags extends NetworkFlags {
  json?: boolean;
  csv?: boolean;
  file?: string;
  selectors?: string;
  bimiSelector?: string;
  parked?: boolean;
  discovery: 'treewalk' | 'psl';
  concurrency: string;
  /** Save the DMARC result in the store (policy history), at --db. */
  store?: boolean;
  db?: string;
}

const PROTOCOL_LABEL: Record<string, string> = {
  dmarc: 'DMARC',
  spf: 'SPF',
  dkim: 'DKIM',
  bimi: 'BIMI',
  'mta-sts': 'MTA-STS',
  'tls-rpt': 'TLS-RPT',
  mx: 'MX',
  dnssec: 'DNSSEC',
  dns: 'DNS',
};

export function registerCheck(program: Command, ctx: CliContext): void {
  const t = translator(cliText, ctx.lang);
  program
    .command('check')
    .description(t('check.description'))
    .argument('[domains...]')
    .option('--json', t('option.json'))
    .option('--csv', t('option.csv'))
    .option('-f, --file <path>', t('check.option.file'))
    .option('--resolver <servers>', t('option.resolver'))
    .option('--timeout <ms>', t('option.timeout'))
    .option('--selectors <list>', t('check.option.selectors'))
    .option('--bimi-selector <selector>', t('check.option.bimiSelector'))
    .option('--parked', t('check.option.parked'))
    .addOption(
      new Option('--discovery <method>', t('check.option.discovery'))
        .choices(['treewalk', 'psl'])
        .default('treewalk'),
    )
    .option('--allow-private', t('check.option.allowPrivate'))
    .option('--ca-file <pem>', t('check.option.caFile'))
    .option('--concurrency <n>', t('check.option.concurrency'), '16')
    .option('--store', translator(planText, ctx.lang)('check.option.store'))
    .option('--db <file|url>', translator(analysisText, ctx.lang)('option.db'))
    .action((args: string[], flags: CheckFlags) => runCheck(ctx, args, flags));
}

/** The `check` command's work, also used by `sumi demo`. */
export async function runCheck(ctx: CliContext, args: string[], flags: CheckFlags): Promise<void> {
  const t = translator(cliText, ctx.lang);
  const domains = [...args, ...(flags.file ? await readDomainList(flags.file) : [])];
  if (domains.length === 0) throw new UsageError(t('check.noDomains'));
  const concurrency = Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UsageError(t('error.wholeNumber', { flag: '--concurrency', value: flags.concurrency, min: 1 }));
  }
  const options: CheckOptions = { discovery: flags.discovery };
  if (flags.selectors)
    options.selectors = flags.selectors
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (flags.bimiSelector) options.bimiSelector = flags.bimiSelector;
  if (flags.parked) options.parked = true;
  const network = await networkFromFlags(flags, ctx.lang);
  // The store and what writes to it are loaded only for --store: most checks never open one, and
  // its modules (Kysely, both drivers) are a third of a command's start.
  const recording = flags.store
    ? await Promise.all([import('../store/open.ts'), import('../analysis/history.ts')])
    : undefined;
  const store = recording
    ? await recording[0].openStore(flags.db ?? recording[0].defaultStorePath(ctx.env), {
        // Other domains' checks are under way while one's result is written (see with-store.ts).
        yieldWhenLocked: true,
      })
    : undefined;
  let stored = 0;
  try {
    const described: DescribedCheck[] = [];
    const invalid: string[] = [];
    if (flags.csv) ctx.stdout.write(csvLine(CSV_COLUMNS));
    for await (const outcome of checkDomains(domains, { ...network, options }, concurrency)) {
      if ('error' in outcome) {
        invalid.push(outcome.domain);
        ctx.stderr.write(`${t('check.invalidDomain', { domain: outcome.domain })}\n`);
        continue;
      }
      if (store && recording) {
        await recording[1].recordCheck(
          store,
          outcome.domain,
          Math.floor(Date.parse(outcome.checkedAt) / 1000),
          outcome.protocols.dmarc,
        );
        stored++;
      }
      const d = describeCheck(outcome, ctx.lang);
      if (flags.json) described.push(d);
      else if (flags.csv) ctx.stdout.write(csvLine(csvRow(d, outcome)));
      else printHuman(ctx, d);
    }
    if (flags.json) printJson(ctx, described.length === 1 && domains.length === 1 ? described[0] : described);
    if (store) ctx.stderr.write(`${translator(planText, ctx.lang)('check.stored', { count: stored })}\n`);
    if (invalid.length > 0) throw new UsageError(t('check.invalidDomain', { domain: invalid.join(', ') }));
  } finally {
    network.close();
    await store?.close();
  }
}

/** One domain per line; CSV takes the first column; blank lines and # comments are skipped. */
async function readDomainList(file: string): Promise<string[]> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
  return text
    .split(/\r?\n/)
    .map((line) =>
      line
        .split(',')[0]!
        .trim()
        .replace(/^\uFEFF/, ''),
    )
    .filter((d) => d && !d.startsWith('#'));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function printHuman(ctx: CliContext, check: DescribedCheck): void {
  const t = translator(cliText, ctx.lang);
  const paint = painter(ctx);
  const out: string[] = [paint('bold', check.domain)];
  const mark = { error: paint('red', '✗'), warning: paint('yellow', '!'), info: paint('cyan', 'i') };
  for (const protocol of PROTOCOLS) {
    const report = check.protocols[protocol];
    const mine = check.findings.filter(
      (f) => f.protocol === protocol || (protocol === 'mx' && f.protocol === 'dnssec'),
    );
    const status = t(`check.status.${report.status}`);
    const colour =
      report.status === 'ok'
        ? 'green'
        : report.status === 'missing' || report.status === 'not-checked'
          ? 'yellow'
          : 'red';
    out.push(`  ${paint('bold', PROTOCOL_LABEL[protocol]!.padEnd(8))} ${paint(colour, status)}`);
    for (const record of report.records) {
      out.push(`    ${paint('dim', `${record.name} ${record.type}`)} ${record.text}`);
    }
    for (const f of mine) {
      out.push(`    ${mark[f.severity]} ${paint('dim', `[${f.code}]`)} ${f.message}`);
      if (f.where && !f.message.includes(f.where))
        out.push(`        ${paint('dim', `${t('check.at')}: ${f.where}`)}`);
      if (f.fix) out.push(`        ${paint('green', `${t('check.fix')}:`)} ${f.fix}`);
    }
    for (const s of report.suggested ?? []) {
      out.push(
        `    ${paint('green', `${t('check.suggested')}:`)} ${s.name} ${s.type} ${paint('bold', `"${s.value}"`)}`,
      );
    }
  }
  out.push(`  ${t('check.summary', check.summary)}`, '');
  ctx.stdout.write(`${out.join('\n')}\n`);
}

const CSV_COLUMNS = [
  'domain',
  'errors',
  'warnings',
  'info',
  'dmarc_status',
  'dmarc_record',
  'dmarc_policy_domain',
  'dmarc_policy',
  'spf_status',
  'spf_record',
  'dkim_status',
  'bimi_status',
  'mta_sts_status',
  'tls_rpt_status',
  'mx_status',
  'mx_hosts',
  'finding_codes',
];

function csvRow(d: DescribedCheck, outcome: Exclude<CheckOutcome, { error: unknown }>): unknown[] {
  const p = outcome.protocols;
  return [
    d.domain,
    d.summary.errors,
    d.summary.warnings,
    d.summary.info,
    p.dmarc.status,
    p.dmarc.parsed?.record,
    p.dmarc.parsed?.policyDomain,
    p.dmarc.parsed?.policy,
    p.spf.status,
    p.spf.records.map((r) => r.text).join(' | '),
    p.dkim.status,
    p.bimi.status,
    p['mta-sts'].status,
    p['tls-rpt'].status,
    p.mx.status,
    p.mx.parsed?.hosts.map((h) => h.exchange).join(' | '),
    d.findings.map((f) => f.code).join(' '),
  ];
}
