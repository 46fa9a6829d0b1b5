import type { Command } from 'commander';
import { domainName } from '../analysis/inventory.ts';
import { StoredIpFacts } from '../analysis/ip-facts/index.ts';
import { MAX_PERIOD_DAYS } from '../analysis/period.ts';
import { type Blocker, type Plan, type PlanThresholds, plan } from '../analysis/plan.ts';
import { planText } from '../i18n/plan.ts';
import { translator } from '../i18n/translate.ts';
import { type AnalysisFlags, analysisOptions, resolverFromFlags, withStore } from './analysis-common.ts';
import { policyText } from './history.ts';
import { type CliContext, count, printJson, UsageError } from './output.ts';
import { mmdbFromFlags } from './resolve-ips.ts';

interface PlanFlags extends AnalysisFlags {
  mmdb?: string;
  window?: string;
  alignedShare?: string;
  days?: string;
  unknownShare?: string;
  quarantineDays?: string;
  rua?: string[];
  bimiLogo?: string;
  bimiCertificate?: string;
}

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

export function registerPlan(program: Command, ctx: CliContext): void {
  const t = translator(planText, ctx.lang);
  analysisOptions(program.command('plan').description(t('plan.description')).argument('<domain>'), ctx, {
    dns: true,
  })
    .option('--window <days>', t('plan.option.window'))
    .option('--aligned-share <percent>', t('plan.option.alignedShare'))
    .option('--days <n>', t('plan.option.days'))
    .option('--unknown-share <percent>', t('plan.option.unknownShare'))
    .option('--quarantine-days <n>', t('plan.option.quarantineDays'))
    .option('--rua <uri>', t('plan.option.rua'), list)
    .option('--bimi-logo <url>', t('plan.option.bimiLogo'))
    .option('--bimi-certificate <url>', t('plan.option.bimiCertificate'))
    .action(async (domain: string, flags: PlanFlags) => {
      const thresholds = thresholdsFromFlags(flags, ctx);
      const mmdb = await mmdbFromFlags(flags, ctx);
      const dns = resolverFromFlags(flags);
      try {
        const result = await withStore(flags, ctx, (store) =>
          plan(store, domainName(domain), {
            now: Math.floor(Date.now() / 1000),
            thresholds,
            ipFacts: new StoredIpFacts(store, {
              ...(dns ? { resolver: dns.resolver } : {}),
              ...(mmdb ? { mmdb } : {}),
            }),
            lang: ctx.lang,
            ...(flags.rua ? { rua: flags.rua } : {}),
            ...(flags.bimiLogo ? { bimiLogo: flags.bimiLogo } : {}),
            ...(flags.bimiCertificate ? { bimiCertificate: flags.bimiCertificate } : {}),
          }),
        );
        if (flags.json) printJson(ctx, result);
        else ctx.stdout.write(`${renderPlan(result, ctx)}\n`);
      } finally {
        dns?.close();
      }
    });
}

function thresholdsFromFlags(flags: PlanFlags, ctx: CliContext): Partial<PlanThresholds> {
  const t = translator(planText, ctx.lang);
  const out: Partial<PlanThresholds> = {};
  const percent = (flag: string, value: string | undefined, key: 'alignedShare' | 'unknownShare') => {
    if (value === undefined) return;
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
      throw new UsageError(t('error.percent', { flag, value }));
    out[key] = n / 100;
  };
  const days = (
    flag: string,
    value: string | undefined,
    key: 'windowDays' | 'consecutiveDays' | 'quarantineDays',
  ) => {
    if (value === undefined) return;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > MAX_PERIOD_DAYS) {
      throw new UsageError(t('error.days', { flag, value, max: MAX_PERIOD_DAYS }));
    }
    out[key] = n;
  };
  percent('--aligned-share', flags.alignedShare, 'alignedShare');
  percent('--unknown-share', flags.unknownShare, 'unknownShare');
  days('--window', flags.window, 'windowDays');
  days('--days', flags.days, 'consecutiveDays');
  days('--quarantine-days', flags.quarantineDays, 'quarantineDays');
  return out;
}

const pct = (share: number) => `${Number((share * 100).toFixed(2))}%`;

function renderBlocker(b: Blocker, domain: string, ctx: CliContext): string[] {
  const t = translator(planText, ctx.lang);
  const name = b.name === b.ip ? b.ip : `${b.name} (${b.ip})`;
  const line = t(`blocker.${b.code}`, {
    name,
    messages: count(b.messages),
    failing: count(b.failing),
    share: pct(b.share),
    reason: b.reason.text,
  });
  const fix =
    b.code === 'unknown-sender' ? t('blocker.unknown-sender.fix', { domain, ip: b.ip }) : b.reason.fix;
  return [`       - ${line}`, ...(fix ? [`         ${t('plan.fix')}: ${fix}`] : [])];
}

export function renderPlan(p: Plan, ctx: CliContext): string {
  const t = translator(planText, ctx.lang);
  const th = p.thresholds;
  const out = [t('plan.heading', { domain: p.domain, since: p.window.since, until: p.window.until })];
  out.push(
    p.current.policy === null
      ? t('plan.current.none')
      : t('plan.current', {
          policy: policyText(p.current.policy, ctx),
          source: t(`plan.source.${p.current.source ?? 'reports'}`),
          since: p.current.since ?? '-',
        }),
    t('plan.mail', {
      messages: count(p.senders.messages),
      legitimate: count(p.senders.legitimate),
      passing: count(p.senders.legitimatePassing),
      forwarded: count(p.senders.forwarded),
      unknown: count(p.senders.unknown),
    }),
  );
  const nextStep = p.steps.find((s) => s.id === p.next);
  out.push(
    nextStep
      ? t('plan.next', { step: t(`step.${nextStep.id}`), status: t(`status.${nextStep.status}`) })
      : t('plan.next.none'),
    '',
  );
  const mark = { done: '✓', ready: '→', blocked: '✗', later: '·' };
  p.steps.forEach((step, i) => {
    out.push(`${mark[step.status]} ${i + 1}. ${t(`step.${step.id}`)}  [${t(`status.${step.status}`)}]`);
    if (step.status === 'later' && !step.record && !step.recordMissing) return;
    for (const c of step.criteria) {
      const words = t(`criterion.${c.code}` as Parameters<typeof t>[0], {
        value: c.value ?? '',
        threshold: c.threshold ?? '',
        share: Number((th.alignedShare * 100).toFixed(2)),
        unknown: Number((th.unknownShare * 100).toFixed(2)),
      });
      out.push(`     ${c.met ? '✓' : '✗'} ${words}`);
    }
    if (step.blockers.length > 0) {
      out.push(`     ${t('blockers.heading')}`);
      for (const b of step.blockers) out.push(...renderBlocker(b, p.domain, ctx));
      if (step.moreBlockers > 0) out.push(`       ${t('blockers.more', { count: step.moreBlockers })}`);
    }
    if (step.record) out.push(`     ${t('plan.publish')}: ${step.record.name} TXT "${step.record.value}"`);
    if (step.recordMissing) out.push(`     ${t(`record.${step.recordMissing}`, { domain: p.domain })}`);
    if (step.impact) {
      out.push(
        `     ${t('plan.impact', {
          days: p.window.days,
          quarantined: count(step.impact.wouldQuarantine),
          rejected: count(step.impact.wouldReject),
          legitimate: count(step.impact.legitimateAtRisk),
          unauthorised: count(step.impact.unauthorisedBlocked),
        })}`,
      );
    }
    if (step.leadTimeDays)
      out.push(`     ${t('plan.leadTime', { min: step.leadTimeDays[0], max: step.leadTimeDays[1] })}`);
  });
  return out.join('\n');
}
