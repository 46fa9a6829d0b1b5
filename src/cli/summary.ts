import type { Command } from 'commander';
import { domainName } from '../analysis/inventory.ts';
import { type SummaryResult, summary } from '../analysis/summary.ts';
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

export function registerSummary(program: Command, ctx: CliContext): void {
  const t = translator(analysisText, ctx.lang);
  analysisOptions(
    program.command('summary').description(t('summary.description')).argument('<domain>'),
    ctx,
    { period: true },
  ).action(async (domain: string, flags: AnalysisFlags) => {
    const period = periodFromFlags(flags);
    const result = await withStore(flags, ctx, (store) => summary(store, domainName(domain), period));
    if (flags.json) printJson(ctx, result);
    else ctx.stdout.write(`${renderSummary(result, ctx)}\n`);
  });
}

export function renderSummary(r: SummaryResult, ctx: CliContext): string {
  const t = translator(analysisText, ctx.lang);
  const out = [t('heading.period', { domain: r.domain, since: r.since, until: r.until }), ''];
  const m = r.totals.messages;
  if (m === 0 && r.policy.length === 0) return [...out, t('heading.noData', { domain: r.domain })].join('\n');
  out.push(
    table(
      ['', '', ''],
      [
        [t('summary.messages'), count(m), ''],
        [t('summary.dmarcPass'), count(r.totals.dmarcPass), percent(r.totals.dmarcPass, m)],
        [t('summary.dmarcFail'), count(r.totals.dmarcFail), percent(r.totals.dmarcFail, m)],
        [t('summary.spfAligned'), count(r.totals.spfAligned), percent(r.totals.spfAligned, m)],
        [t('summary.dkimAligned'), count(r.totals.dkimAligned), percent(r.totals.dkimAligned, m)],
        ...Object.entries(r.totals.dispositions)
          .sort((a, b) => b[1] - a[1])
          .map(([d, n]) => [`${t('summary.dispositions')}: ${d || '-'}`, count(n), percent(n, m)]),
      ],
      [1, 2],
    )
      .split('\n')
      .slice(1)
      .join('\n'),
    '',
  );
  out.push(
    table(
      [t('col.day'), t('col.messages'), t('col.pass'), t('col.spf'), t('col.dkim')],
      r.days.map((d) => [
        d.day,
        count(d.messages),
        percent(d.dmarcPass, d.messages),
        percent(d.spfAligned, d.messages),
        percent(d.dkimAligned, d.messages),
      ]),
      [1, 2, 3, 4],
    ),
  );
  if (r.policy.length > 0) {
    out.push('', t('summary.policy'));
    for (const p of r.policy) {
      const tags = [
        `p=${p.p ?? '-'}`,
        ...(p.sp ? [`sp=${p.sp}`] : []),
        ...(p.pct !== null && p.pct !== 100 ? [`pct=${p.pct}`] : []),
      ];
      out.push(
        `  ${p.day}  ${tags.join('; ')}  (${p.reports}/${p.totalReports})${p.changed ? `  <- ${t('summary.changed')}` : ''}`,
      );
    }
  }
  return out.join('\n');
}
