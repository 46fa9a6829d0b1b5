/**
 * Every domain at a glance, for whoever runs DMARC for many: each policy domain with reports in a
 * period and each inventory domain, with its published policy, its messages and DMARC pass rate
 * per day, and the next step of its rollout. Read off the rollup and the reports' latest policy:
 * two queries whatever the number of domains.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { analysisText } from '../i18n/analysis.ts';
import type { Lang } from '../i18n/lang.ts';
import { translate } from '../i18n/translate.ts';
import type { Store } from '../store/types.ts';
import { isoDay, type Period } from './period.ts';

/** Below this share of passing mail, the next step is fixing senders, not enforcing. */
export const ENFORCE_PASS_RATE = 0.98;

export type NextStep = 'publish-dmarc' | 'fix-senders' | 'quarantine' | 'reject' | 'watch' | 'no-data';

export function nextStep(policy: string | null, messages: number, passRate: number | null): NextStep {
  if (policy === null) return messages === 0 ? 'publish-dmarc' : 'fix-senders';
  if (messages === 0 || passRate === null) return 'no-data';
  // Enforced already: failing mail is then mostly spoofing, which the policy is there to stop.
  if (policy === 'reject') return 'watch';
  if (passRate < ENFORCE_PASS_RATE) return 'fix-senders';
  if (policy === 'none') return 'quarantine';
  return policy === 'quarantine' ? 'reject' : 'watch';
}

/** A next step as the API and `--json` give it: its code, and the sentence in `lang`. */
export function describeNextStep(next: NextStep, lang: Lang): { code: NextStep; text: string } {
  return { code: next, text: translate(analysisText, `next.${next}`, lang) };
}

export interface DomainOverview {
  domain: string;
  /** The policy of the domain's latest report, null before any. */
  policy: { p: string | null; sp: string | null; pct: number | null } | null;
  messages: number;
  /** Share of the messages that passed DMARC (aligned DKIM or SPF), null without messages. */
  passRate: number | null;
  /**
   * The days of the period with mail, oldest first. Not every day: a period of years over a
   * store of thousands of domains, each day at 0 for each, made a JSON answer past what a string
   * may hold.
   */
  trend: { day: string; messages: number; pass: number }[];
  next: NextStep;
}

/** The domains a reader may see: as a condition on a column holding a domain, and for one name. */
export interface DomainFilter {
  condition(column: string): RawBuilder<SqlBool>;
  allows(domain: string): boolean;
}

/**
 * One overview per domain, sorted by name: every policy domain with reports (the latest policy
 * of any time, the volume of `period`) and every domain of `inventory`, those `filter` allows.
 */
export async function domainOverviews(
  store: Store,
  period: Period,
  options: { inventory?: readonly string[]; filter?: DomainFilter } = {},
): Promise<DomainOverview[]> {
  const { filter } = options;
  const allowed = (column: string) => filter?.condition(column) ?? sql<SqlBool>`true`;
  const volume = await store.db
    .selectFrom('source_rollup')
    .select([
      'policy_domain',
      'day',
      sql<number>`sum(messages)`.as('messages'),
      sql<number>`sum(case when dkim = 'pass' or spf = 'pass' then messages else 0 end)`.as('pass'),
    ])
    .where('day', '>=', period.since)
    .where('day', '<=', period.until)
    .where(allowed('policy_domain'))
    .groupBy(['policy_domain', 'day'])
    .execute();
  // The policy of each domain's latest report: the newest window start per domain (read off
  // the reports_domain_begin index), then the reports starting then.
  const policies = await store.db
    .selectFrom('reports as r')
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('reports')
          .select(['policy_domain', (e) => e.fn.max('date_begin').as('latest')])
          .where(allowed('policy_domain'))
          .groupBy('policy_domain')
          .as('l'),
      (join) => join.onRef('l.policy_domain', '=', 'r.policy_domain').onRef('l.latest', '=', 'r.date_begin'),
    )
    .select(['r.policy_domain', 'r.p', 'r.sp', 'r.pct'])
    .orderBy('r.id')
    .execute();
  const days = new Map<string, Map<number, { messages: number; pass: number }>>();
  for (const row of volume) {
    const byDay = days.get(row.policy_domain) ?? new Map<number, { messages: number; pass: number }>();
    days.set(row.policy_domain, byDay);
    byDay.set(Number(row.day), { messages: Number(row.messages), pass: Number(row.pass) });
  }
  const names = new Set<string>([...policies.map((p) => p.policy_domain), ...days.keys()]);
  for (const domain of options.inventory ?? []) if (filter?.allows(domain) ?? true) names.add(domain);
  const policyOf = new Map(policies.map((p) => [p.policy_domain, { p: p.p, sp: p.sp, pct: p.pct }]));
  return [...names].sort().map((domain) => {
    const trend: DomainOverview['trend'] = [];
    let messages = 0;
    let pass = 0;
    const byDay = [...(days.get(domain) ?? [])].sort(([a], [b]) => a - b);
    for (const [day, counted] of byDay) {
      if (counted.messages === 0) continue;
      messages += counted.messages;
      pass += counted.pass;
      trend.push({ day: isoDay(day), ...counted });
    }
    const policy = policyOf.get(domain) ?? null;
    const passRate = messages === 0 ? null : pass / messages;
    return {
      domain,
      policy,
      messages,
      passRate,
      trend,
      next: nextStep(policy?.p ?? null, messages, passRate),
    };
  });
}
