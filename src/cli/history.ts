import type { Command } from 'commander';
import {
  type PolicyHistory,
  type PublishedPolicy,
  policyHistory,
  type StepEffect,
} from '../analysis/history.ts';
import { domainName } from '../analysis/inventory.ts';
import { analysisText } from '../i18n/analysis.ts';
import { planText } from '../i18n/plan.ts';
import { translator } from '../i18n/translate.ts';
import { type AnalysisFlags, analysisOptions, periodFromFlags, table, withStore } from './analysis-common.ts';
import { type CliContext, count, printJson } from './output.ts';

/** History looks further back than the other questions: a rollout takes months. */
const HISTORY_DEFAULT_SINCE = '90d';

export function registerHistory(program: Command, ctx: CliContext): void {
  const t = translator(planText, ctx.lang);
  analysisOptions(program.command('history').description(t('history.description')).argument('<domain>'), ctx)
    .option('--since <90d|date>', t('history.option.since'))
    .option('--until <date|Nd>', translator(analysisText, ctx.lang)('option.until'))
    .action(async (domain: string, flags: AnalysisFlags) => {
      const period = periodFromFlags({ ...flags, since: flags.since ?? HISTORY_DEFAULT_SINCE });
      const result = await withStore(flags, ctx, (store) => policyHistory(store, domainName(domain), period));
      if (flags.json) printJson(ctx, result);
      else ctx.stdout.write(`${renderHistory(result, ctx)}\n`);
    });
}

/** `p=quarantine; sp=none; t=y; pct=50`, or "no record". */
export function policyText(p: PublishedPolicy, ctx: CliContext): string {
  if (p.p === null) return translator(planText, ctx.lang)('history.noRecord');
  const tags = [`p=${p.p}`];
  if (p.sp !== p.p) tags.push(`sp=${p.sp}`);
  if (p.np !== p.sp) tags.push(`np=${p.np}`);
  if (p.testing) tags.push('t=y');
  if (p.pct !== null) tags.push(`pct=${p.pct}`);
  if (p.rua === false) tags.push('(no rua)');
  return tags.join('; ');
}

export function renderHistory(h: PolicyHistory, ctx: CliContext): string {
  const t = translator(planText, ctx.lang);
  const out = [t('history.heading', { domain: h.domain, since: h.since, until: h.until }), ''];
  if (h.days.length === 0) return [...out, t('history.empty', { domain: h.domain })].join('\n');
  out.push(
    table(
      [
        t('history.col.day'),
        t('history.col.policy'),
        t('history.col.source'),
        t('history.col.reports'),
        t('history.col.disagreeing'),
      ],
      h.days.map((d) => [
        d.day,
        policyText(d.policy, ctx),
        t(`history.source.${d.source}`),
        count(d.reports),
        d.disagreeing > 0 ? count(d.disagreeing) : '',
      ]),
      [3, 4],
    ),
  );
  if (h.steps.length > 0) out.push('', t('history.steps'));
  const effect = (label: string, e: StepEffect) =>
    `      ${t('history.effect', {
      label,
      days: e.days,
      messages: count(e.messages),
      fail: count(e.dmarcFail),
      affected: count(e.affected),
      legitimate: count(e.legitimateAffected),
      unauthorised: count(e.unauthorisedAffected),
      quarantined: count(e.quarantined),
      rejected: count(e.rejected),
    })}`;
  for (const s of h.steps) {
    out.push(
      `  ${t('history.step', {
        day: s.day,
        direction: t(`history.direction.${s.direction}`),
        from: policyText(s.from, ctx),
        to: policyText(s.to, ctx),
      })}`,
      effect(t('history.before'), s.before),
      effect(t('history.after'), s.after),
    );
  }
  return out.join('\n');
}
