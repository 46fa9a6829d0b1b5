import type { Command } from 'commander';
import { domainName } from '../analysis/inventory.ts';
import { type ReportersResult, reporters } from '../analysis/reporters.ts';
import { analysisText } from '../i18n/analysis.ts';
import { translator } from '../i18n/translate.ts';
import {
  type AnalysisFlags,
  analysisOptions,
  percent,
  periodFromFlags,
  table,
  withStore,
} from './analysis-common.ts';
import { type CliContext, count, printJson } from './output.ts';

/** Gap days listed in the table before the rest are counted. */
const GAPS_SHOWN = 3;

export function registerReporters(program: Command, ctx: CliContext): void {
  const t = translator(analysisText, ctx.lang);
  analysisOptions(
    program.command('reporters').description(t('reporters.description')).argument('<domain>'),
    ctx,
    {
      period: true,
    },
  ).action(async (domain: string, flags: AnalysisFlags) => {
    const period = periodFromFlags(flags);
    const result = await withStore(flags, ctx, (store) => reporters(store, domainName(domain), period));
    if (flags.json) printJson(ctx, result);
    else ctx.stdout.write(`${renderReporters(result, ctx)}\n`);
  });
}

export function renderReporters(r: ReportersResult, ctx: CliContext): string {
  const t = translator(analysisText, ctx.lang);
  const out = [t('heading.period', { domain: r.domain, since: r.since, until: r.until }), ''];
  if (r.reporters.length === 0) return [...out, t('heading.noData', { domain: r.domain })].join('\n');
  out.push(
    table(
      [
        t('col.reporter'),
        t('col.reports'),
        t('col.messages'),
        t('col.share'),
        t('col.first'),
        t('col.last'),
        t('col.cadence'),
        t('col.gaps'),
        t('col.status'),
      ],
      r.reporters.map((x) => [
        x.orgName,
        count(x.reports),
        count(x.messages),
        percent(x.messages, r.messages),
        x.firstDay,
        x.lastDay,
        x.cadenceHours === null ? '-' : t('reporters.hours', { hours: x.cadenceHours }),
        x.gaps.length <= GAPS_SHOWN
          ? x.gaps.join(' ')
          : `${x.gaps.slice(0, GAPS_SHOWN).join(' ')} +${x.gaps.length - GAPS_SHOWN}`,
        [
          x.stopped ? t('reporters.stopped', { days: x.silentDays }) : t('reporters.active'),
          ...(x.overlaps > 0 ? [t('reporters.overlaps', { count: x.overlaps })] : []),
        ].join(', '),
      ]),
      [1, 2, 3],
    ),
  );
  return out.join('\n');
}
