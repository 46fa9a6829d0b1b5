import type { Command } from 'commander';
import { domainName } from '../analysis/inventory.ts';
import { type TlsSessions, type TlsView, tlsReports } from '../analysis/tls.ts';
import { analysisText } from '../i18n/analysis.ts';
import { cliText } from '../i18n/cli.ts';
import { translator } from '../i18n/translate.ts';
import {
  type AnalysisFlags,
  analysisOptions,
  percent,
  periodFromFlags,
  table,
  withStore,
} from './analysis-common.ts';
import { type CliContext, count, printJson, UsageError } from './output.ts';

/** Failure detail groups listed in the text view unless --limit says otherwise. */
const FAILURE_GROUPS_SHOWN = 20;

interface TlsFlags extends AnalysisFlags {
  limit?: string;
}

/** `sumi tls <domain>`: the domain's SMTP TLS reports over a period, as `sumi failures` reads ruf reports. */
export function registerTls(program: Command, ctx: CliContext): void {
  const t = translator(analysisText, ctx.lang);
  analysisOptions(program.command('tls').description(t('tls.description')).argument('<domain>'), ctx, {
    period: true,
  })
    .option('--limit <n>', t('tls.option.limit'))
    .action(async (domain: string, flags: TlsFlags) => {
      const limit = flags.limit === undefined ? FAILURE_GROUPS_SHOWN : Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 0) {
        const words = translator(cliText, ctx.lang);
        throw new UsageError(
          words('error.wholeNumber', { flag: '--limit', value: String(flags.limit), min: 0 }),
        );
      }
      const period = periodFromFlags(flags);
      const view = await withStore(flags, ctx, (store) => tlsReports(store, domainName(domain), period));
      if (flags.json) printJson(ctx, view);
      else ctx.stdout.write(`${renderTls(view, limit, ctx)}\n`);
    });
}

export function renderTls(v: TlsView, limit: number, ctx: CliContext): string {
  const t = translator(analysisText, ctx.lang);
  const out = [t('heading.period', { domain: v.domain, since: v.since, until: v.until }), ''];
  if (v.reports === 0) return [...out, t('tls.none', { domain: v.domain })].join('\n');
  const total = (s: { successful: number; failed: number }) => s.successful + s.failed;
  /** A row's reports, successful and failed sessions and failure rate, as both session tables show them. */
  const sessionCells = (s: TlsSessions) => [
    count(s.reports),
    count(s.successful),
    count(s.failed),
    percent(s.failed, total(s)),
  ];
  out.push(
    t('tls.heading', {
      reports: count(v.reports),
      successful: count(v.successful),
      failed: count(v.failed),
      rate: percent(v.failed, total(v)),
    }),
    '',
    t('tls.byPolicyType'),
    table(
      [
        t('tls.col.policyType'),
        t('col.reports'),
        t('tls.col.successful'),
        t('tls.col.failed'),
        t('tls.col.rate'),
      ],
      v.byPolicyType.map((p) => [p.policyType, ...sessionCells(p)]),
      [1, 2, 3, 4],
    ),
  );
  if (v.byResultType.length > 0) {
    out.push(
      '',
      t('tls.byResultType'),
      table(
        [t('tls.col.resultType'), t('tls.col.sessions'), t('col.reports')],
        v.byResultType.map((r) => [r.resultType, count(r.sessions), count(r.reports)]),
        [1, 2],
      ),
    );
  }
  out.push(
    '',
    t('tls.byReporter'),
    table(
      [t('col.reporter'), t('col.reports'), t('tls.col.successful'), t('tls.col.failed'), t('tls.col.rate')],
      v.byReporter.map((r) => [r.organization, ...sessionCells(r)]),
      [1, 2, 3, 4],
    ),
  );
  if (v.failures.length > 0 && limit > 0) {
    const shown = v.failures.slice(0, limit);
    out.push(
      '',
      t('tls.failures'),
      table(
        [
          t('tls.col.resultType'),
          t('tls.col.sessions'),
          t('col.reports'),
          t('tls.col.sendingMta'),
          t('tls.col.receivingMx'),
          t('tls.col.helo'),
          t('tls.col.receivingIp'),
          t('tls.col.reasonCode'),
          t('tls.col.info'),
        ],
        shown.map((f) => [
          f.resultType,
          count(f.sessions),
          count(f.reports),
          f.sendingMtaIp ?? '-',
          f.receivingMxHostname ?? '-',
          f.receivingMxHelo ?? '-',
          f.receivingIp ?? '-',
          f.failureReasonCode ?? '-',
          f.additionalInformation ?? '-',
        ]),
        [1, 2],
      ),
    );
    const more = v.failuresTotal - shown.length;
    if (more > 0) out.push(t('tls.failuresMore', { more: count(more) }));
  }
  return out.join('\n');
}
