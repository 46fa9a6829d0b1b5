import type { Command } from 'commander';
import { domainName } from '../analysis/inventory.ts';
import { type SimulatedPolicy, type SimulationResult, simulate } from '../analysis/simulate.ts';
import type { Resolver } from '../dns/types.ts';
import { isAbsent } from '../dns/types.ts';
import { analysisText } from '../i18n/analysis.ts';
import { translator } from '../i18n/translate.ts';
import {
  type AnalysisFlags,
  analysisOptions,
  choice,
  ipFactsFor,
  percent,
  periodFromFlags,
  resolverFromFlags,
  table,
  withStore,
} from './analysis-common.ts';
import { type CliContext, count, printJson, UsageError } from './output.ts';
import { mmdbFromFlags } from './resolve-ips.ts';

interface SimulateFlags extends AnalysisFlags {
  policy?: string;
  sp?: string;
  np?: string;
  pct?: string;
}

const POLICIES = ['none', 'quarantine', 'reject'] as const;

/** RFC 9989 non-existent domain: no A, AAAA or MX record (a DNS error is no evidence). */
function nonExistence(resolver: Resolver) {
  return async (name: string): Promise<boolean> => {
    const answers = await Promise.all(
      (['A', 'AAAA', 'MX'] as const).map((type) => resolver.lookup(name, type)),
    );
    return answers.every((a) => isAbsent(a.status));
  };
}

export function registerSimulate(program: Command, ctx: CliContext): void {
  const t = translator(analysisText, ctx.lang);
  analysisOptions(
    program
      .command('simulate')
      .description(t('simulate.description'))
      .argument('<domain>')
      .requiredOption('--policy <policy>', t('simulate.option.policy'))
      .option('--sp <policy>', t('simulate.option.sp'))
      .option('--np <policy>', t('simulate.option.np'))
      .option('--pct <percent>', t('simulate.option.pct')),
    ctx,
    { period: true, dns: true },
  ).action(async (domain: string, flags: SimulateFlags) => {
    const policy =
      choice<SimulatedPolicy>('--policy', flags.policy, ['quarantine', 'reject'], ctx) ?? 'reject';
    const sp = choice<SimulatedPolicy>('--sp', flags.sp, POLICIES, ctx);
    const np = choice<SimulatedPolicy>('--np', flags.np, POLICIES, ctx);
    const pct = flags.pct === undefined ? undefined : Number(flags.pct);
    if (pct !== undefined && (!Number.isInteger(pct) || pct < 0 || pct > 100)) {
      throw new UsageError(t('error.pct', { value: String(flags.pct) }));
    }
    const period = periodFromFlags(flags);
    const dns = resolverFromFlags(flags);
    const mmdb = await mmdbFromFlags(flags, ctx);
    try {
      const result = await withStore(flags, ctx, (store) =>
        simulate(store, domainName(domain), {
          policy,
          period,
          lang: ctx.lang,
          ipFacts: ipFactsFor(store, dns?.resolver, mmdb),
          ...(sp ? { sp } : {}),
          ...(np ? { np } : {}),
          ...(pct === undefined ? {} : { pct }),
          ...(dns ? { nonExistent: nonExistence(dns.resolver) } : {}),
        }),
      );
      if (flags.json) printJson(ctx, result);
      else ctx.stdout.write(`${renderSimulation(result, sp, ctx)}\n`);
    } finally {
      dns?.close();
    }
  });
}

export function renderSimulation(
  r: SimulationResult,
  sp: SimulatedPolicy | undefined,
  ctx: CliContext,
): string {
  const t = translator(analysisText, ctx.lang);
  if (r.messages === 0) return t('heading.noData', { domain: r.domain });
  // Legitimate mail: what passes, and what legitimate senders would lose.
  const legitimateTotal = r.dmarc_pass + r.legitimate_at_risk;
  const out = [
    t('simulate.headline', {
      policy: r.policy,
      sp: sp ? `; sp=${sp}` : '',
      fail: count(r.dmarc_fail),
      messages: count(r.messages),
      quarantine: count(r.would_quarantine),
      reject: count(r.would_reject),
    }),
    t('simulate.legitimate', {
      count: count(r.legitimate_at_risk),
      share: percent(r.legitimate_at_risk, legitimateTotal),
      blocked: count(r.unauthorised_blocked),
    }),
    '',
  ];
  if (r.senders.length === 0) return [...out, t('simulate.noneAtRisk')].join('\n');
  out.push(
    table(
      [t('col.ip'), t('col.name'), t('col.class'), t('col.messages'), t('col.wouldFail')],
      r.senders.map((s) => [
        s.ip,
        s.name === s.ip ? '' : s.name,
        t(`class.${s.class}`),
        count(s.messages),
        count(s.would_fail),
      ]),
      [3, 4],
    ),
  );
  for (const s of r.senders.filter((x) => x.class !== 'suspicious')) {
    out.push('', `${s.ip}${s.name === s.ip ? '' : ` (${s.name})`}: ${s.reason}`);
    if (s.fix) out.push(`  ${t('sources.fix', { fix: s.fix })}`);
  }
  return out.join('\n');
}
