/**
 * The published DMARC policy of a domain, day by day: from the policy_published of the
 * aggregate reports received (what each reporter saw when it evaluated the mail) and from the
 * records `sumi check --store` found. Rollouts go back and forth (none -> quarantine -> none ->
 * quarantine -> reject); each step is shown with what it did to the mail around it.
 */
import { sql } from 'kysely';
import type { DmarcParsed } from '../check/dmarc.ts';
import type { ProtocolReport } from '../check/types.ts';
import { type DmarcPolicy, policyBelow } from '../records/dmarc/tags.ts';
import { rollupDay } from '../store/store.ts';
import type { Store } from '../store/types.ts';
import { dayOf, isoDay, type Period } from './period.ts';
import { simulatePolicy } from './simulate.ts';
import { loadSenders } from './sources.ts';

const DAY = 86_400;
/** Days before and after a step over which its effect is measured. */
export const STEP_WINDOW_DAYS = 7;

/** The policy as published, defaults made explicit; null where the source cannot say. */
export interface PublishedPolicy {
  /** null: no DMARC record. */
  p: 'none' | 'quarantine' | 'reject' | null;
  sp: string | null;
  np: string | null;
  /** RFC 7489 pct when published below 100; null for 100 or absent. */
  pct: number | null;
  /** t=y (RFC 9989): receivers apply one level below. */
  testing: boolean;
  /** Aggregate reports requested. Reports arriving prove it; only a check can say "no". */
  rua: boolean | null;
}

export interface PolicyDay {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  policy: PublishedPolicy;
  /** Where the day's policy was read: a check of the DNS wins over reports (reporters cache records). */
  source: 'reports' | 'check';
  /** Aggregate reports counted on this day. */
  reports: number;
  checks: number;
  /** Reports of the day that saw another policy (a reporter's cached record, or a change during the day). */
  disagreeing: number;
}

/** Mail over a window around a step, under the policy in force then. */
export interface StepEffect {
  /** First and last day of the window that had reports, YYYY-MM-DD; null when none had. */
  from: string | null;
  to: string | null;
  /** Days of the window with reports. */
  days: number;
  messages: number;
  /** Messages with neither aligned SPF nor aligned DKIM pass. */
  dmarcFail: number;
  /**
   * Failing messages the policy in force asked receivers to quarantine or reject (t=y one level
   * below, pct applied; mail receivers let through as forwarded, list or local policy left out),
   * split by sender class as `sumi simulate` does.
   */
  affected: number;
  legitimateAffected: number;
  unauthorisedAffected: number;
  /** What the receivers reported doing. */
  quarantined: number;
  rejected: number;
}

export interface PolicyStep {
  day: string;
  from: PublishedPolicy;
  to: PublishedPolicy;
  /** stricter / looser by p (then sp, np, testing, pct); other when only rua changed. */
  direction: 'stricter' | 'looser' | 'other';
  before: StepEffect;
  after: StepEffect;
}

export interface PolicyHistory {
  domain: string;
  since: string;
  until: string;
  days: PolicyDay[];
  steps: PolicyStep[];
}

const STRENGTH: Record<string, number> = { none: 0, quarantine: 1, reject: 2 };

function policyValue(value: string | null | undefined): PublishedPolicy['p'] {
  const v = value?.trim().toLowerCase();
  return v === 'none' || v === 'quarantine' || v === 'reject' ? v : null;
}

/** A policy with sp/np defaults filled in (sp from p, np from sp) and pct=100 as absent. */
export function normalisePolicy(raw: {
  p: string | null;
  sp?: string | null;
  np?: string | null;
  pct?: number | null;
  testing?: boolean | number | null;
  rua: boolean | null;
}): PublishedPolicy {
  const p = policyValue(raw.p);
  const sp = p === null ? null : (policyValue(raw.sp) ?? p);
  const np = p === null ? null : (policyValue(raw.np) ?? sp);
  const pct = raw.pct === null || raw.pct === undefined || raw.pct >= 100 ? null : Math.max(0, raw.pct);
  return {
    p,
    sp,
    np,
    pct: p === null ? null : pct,
    testing: p !== null && Boolean(raw.testing),
    rua: raw.rua,
  };
}

/** Same policy for receivers' purposes (rua compared only when both sides know it). */
function samePolicy(a: PublishedPolicy, b: PublishedPolicy): boolean {
  return (
    a.p === b.p &&
    a.sp === b.sp &&
    a.np === b.np &&
    a.pct === b.pct &&
    a.testing === b.testing &&
    (a.rua === null || b.rua === null || a.rua === b.rua)
  );
}

function strength(p: PublishedPolicy): number[] {
  const s = (v: string | null) => (v === null ? -1 : (STRENGTH[v] ?? -1));
  // t=y applies one level below; a pct below 100 applies the policy to part of the mail.
  return [s(p.p), s(p.sp), s(p.np), p.testing ? 0 : 1, p.pct ?? 100];
}

export function stepDirection(from: PublishedPolicy, to: PublishedPolicy): PolicyStep['direction'] {
  const a = strength(from);
  const b = strength(to);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? 'stricter' : 'looser';
  }
  return 'other';
}

/** The DMARC part of a `sumi check`, as `sumi check --store` saves it. */
export async function recordCheck(
  store: Store,
  domain: string,
  checkedAt: number,
  dmarc: ProtocolReport<DmarcParsed>,
): Promise<void> {
  const parsed = dmarc.parsed;
  const tags = parsed?.tags;
  const uris = (list: { uri?: string }[] | undefined) =>
    list === undefined ? null : JSON.stringify(list.flatMap((u) => (u.uri ? [u.uri] : [])));
  const pct = parsed?.removedTags?.find((t) => t.name === 'pct');
  const pctValue = pct === undefined ? null : Number.parseInt(pct.value, 10);
  await store.db
    .insertInto('dmarc_checks')
    .values({
      domain,
      checked_at: checkedAt,
      status: dmarc.status,
      policy_domain: parsed?.policyDomain ?? null,
      record:
        store.engine === 'postgres'
          ? (parsed?.record?.replaceAll('\u0000', '') ?? null)
          : (parsed?.record ?? null),
      p: tags?.p.value ?? null,
      sp: tags?.sp.value ?? null,
      np: tags?.np.value ?? null,
      pct: pctValue !== null && Number.isSafeInteger(pctValue) ? pctValue : null,
      testing: tags ? (tags.t.value === 'y' ? 1 : 0) : null,
      adkim: tags?.adkim.value ?? null,
      aspf: tags?.aspf.value ?? null,
      rua: uris(tags?.rua.value),
      ruf: uris(tags?.ruf.value),
    })
    .execute();
}

/** The latest stored check of a domain at or before `at`, when any. */
export async function latestCheck(store: Store, domain: string, at?: number) {
  let query = store.db
    .selectFrom('dmarc_checks')
    .selectAll()
    .where('domain', '=', domain)
    .where('status', '!=', 'dns-error');
  if (at !== undefined) query = query.where('checked_at', '<=', at);
  const row = await query.orderBy('checked_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!row) return undefined;
  const list = (text: string | null): string[] => (text === null ? [] : (JSON.parse(text) as string[]));
  return {
    checkedAt: Number(row.checked_at),
    status: row.status,
    policyDomain: row.policy_domain,
    record: row.record,
    adkim: row.adkim,
    aspf: row.aspf,
    rua: list(row.rua),
    ruf: list(row.ruf),
    policy: normalisePolicy({ ...row, rua: row.rua === null ? false : list(row.rua).length > 0 }),
  };
}

interface DayAcc {
  votes: Map<string, { policy: PublishedPolicy; reports: number; latest: number }>;
  reports: number;
  check?: { policy: PublishedPolicy; at: number };
  checks: number;
}

/**
 * The published policy per day over `period`, and the steps between days whose policy
 * differs, each with the mail of STEP_WINDOW_DAYS before and after it.
 */
export async function policyHistory(
  store: Store,
  domain: string,
  period: Period,
  options: { steps?: boolean } = {},
): Promise<PolicyHistory> {
  const since = period.since;
  // Exclusive end: the day after the period's last.
  const until = period.until + DAY;
  const days = new Map<number, DayAcc>();
  const acc = (day: number) => {
    let a = days.get(day);
    if (!a) {
      a = { votes: new Map(), reports: 0, checks: 0 };
      days.set(day, a);
    }
    return a;
  };

  const reports = await store.db
    .selectFrom('reports')
    .select(['date_begin', 'date_end', 'p', 'sp', 'np', 'pct', 'testing'])
    .where('policy_domain', '=', domain)
    .where('date_end', '>=', since)
    .where('date_begin', '<', until)
    .execute();
  for (const r of reports) {
    const day = rollupDay({ begin: Number(r.date_begin), end: Number(r.date_end) });
    if (day < since || day >= until) continue;
    // A report that reached us proves rua was published.
    const policy = normalisePolicy({ ...r, pct: r.pct === null ? null : Number(r.pct), rua: true });
    const key = JSON.stringify(policy);
    const a = acc(day);
    a.reports++;
    const vote = a.votes.get(key) ?? { policy, reports: 0, latest: 0 };
    vote.reports++;
    vote.latest = Math.max(vote.latest, Number(r.date_end));
    a.votes.set(key, vote);
  }

  const checks = await store.db
    .selectFrom('dmarc_checks')
    .select(['checked_at', 'status', 'p', 'sp', 'np', 'pct', 'testing', 'rua'])
    .where('domain', '=', domain)
    .where('checked_at', '>=', since)
    .where('checked_at', '<', until)
    .where('status', '!=', 'dns-error')
    .orderBy('checked_at')
    .orderBy('id')
    .execute();
  for (const c of checks) {
    const at = Number(c.checked_at);
    const a = acc(dayOf(at));
    a.checks++;
    const rua = c.rua === null ? false : (JSON.parse(c.rua) as string[]).length > 0;
    // The last check of the day is what was published at the end of it.
    a.check = { at, policy: normalisePolicy({ ...c, pct: c.pct === null ? null : Number(c.pct), rua }) };
  }

  const out: PolicyDay[] = [];
  for (const [day, a] of [...days].sort(([x], [y]) => x - y)) {
    const votes = [...a.votes.values()].sort((x, y) => y.reports - x.reports || y.latest - x.latest);
    const policy = a.check?.policy ?? votes[0]!.policy;
    const agreeing = votes.filter((v) => samePolicy(v.policy, policy)).reduce((n, v) => n + v.reports, 0);
    out.push({
      day: isoDay(day),
      policy,
      source: a.check ? 'check' : 'reports',
      reports: a.reports,
      checks: a.checks,
      disagreeing: a.reports - agreeing,
    });
  }

  const steps: PolicyStep[] = [];
  // `steps: false`: the days alone (the plan needs no effects, which read the senders).
  for (let i = 1; i < out.length && options.steps !== false; i++) {
    const before = out[i - 1]!;
    const after = out[i]!;
    if (samePolicy(before.policy, after.policy)) continue;
    const stepDay = Date.parse(`${after.day}T00:00:00Z`) / 1000;
    steps.push({
      day: after.day,
      from: before.policy,
      to: after.policy,
      direction: stepDirection(before.policy, after.policy),
      before: await stepEffect(store, domain, stepDay - STEP_WINDOW_DAYS * DAY, stepDay, before.policy),
      after: await stepEffect(store, domain, stepDay, stepDay + STEP_WINDOW_DAYS * DAY, after.policy),
    });
  }
  return { domain, since: isoDay(since), until: isoDay(period.until), days: out, steps };
}

/** The domain's mail over the days [from, to) (the rollup), and what `policy` applied to (sources and simulate). */
export async function stepEffect(
  store: Store,
  domain: string,
  from: number,
  to: number,
  policy: PublishedPolicy,
): Promise<StepEffect> {
  const rows = await store.db
    .selectFrom('source_rollup')
    .select(['day', 'header_from', 'disposition', 'dkim', 'spf', sql<number>`sum(messages)`.as('messages')])
    .where('policy_domain', '=', domain)
    .where('day', '>=', from)
    .where('day', '<', to)
    .groupBy(['day', 'header_from', 'disposition', 'dkim', 'spf'])
    .execute();
  const effect: StepEffect = {
    from: null,
    to: null,
    days: 0,
    messages: 0,
    dmarcFail: 0,
    affected: 0,
    legitimateAffected: 0,
    unauthorisedAffected: 0,
    quarantined: 0,
    rejected: 0,
  };
  const seen = new Set<number>();
  for (const r of rows) {
    const messages = Number(r.messages);
    seen.add(Number(r.day));
    effect.messages += messages;
    if (r.disposition === 'quarantine') effect.quarantined += messages;
    if (r.disposition === 'reject') effect.rejected += messages;
    if (r.dkim !== 'pass' && r.spf !== 'pass') effect.dmarcFail += messages;
  }
  // t=y asks receivers for one level below (quarantine -> none).
  const inForce = (p: string | null): DmarcPolicy => {
    const v: DmarcPolicy = p === 'quarantine' || p === 'reject' ? p : 'none';
    return policy.testing ? policyBelow(v) : v;
  };
  const p = inForce(policy.p);
  const sp = inForce(policy.sp);
  if (effect.dmarcFail > 0 && (p !== 'none' || sp !== 'none')) {
    const period = { since: from, until: to - DAY };
    const { senders, rows: evaluated } = await loadSenders(store, domain, period);
    const simulated = simulatePolicy(
      { domain, senders, rows: evaluated },
      { policy: p, sp, pct: policy.pct ?? 100, period },
    );
    effect.affected = simulated.would_quarantine + simulated.would_reject;
    effect.legitimateAffected = simulated.legitimate_at_risk;
    effect.unauthorisedAffected = simulated.unauthorised_blocked;
  }
  const sorted = [...seen].sort((a, b) => a - b);
  effect.days = sorted.length;
  if (sorted.length > 0) {
    effect.from = isoDay(sorted[0]!);
    effect.to = isoDay(sorted.at(-1)!);
  }
  return effect;
}
