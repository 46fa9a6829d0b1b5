/**
 * The rollout plan of a domain: p=none with reports -> fix senders -> quarantine -> reject ->
 * BIMI. For the next step: the criteria and whether they are met, what blocks it (named
 * senders with the reason and the fix), and the exact record to publish, written by the same
 * code as `sumi record`. Plain data, JSON-serialisable, for the CLI and the HTTP API: codes
 * and numbers (words are added where it is shown), except the senders' reasons and fixes,
 * which come from sources in the language asked for.
 */
import { sql } from 'kysely';
import type { Lang } from '../i18n/lang.ts';
import { buildBimiRecord } from '../records/bimi/record.ts';
import { buildDmarcRecord } from '../records/dmarc/build.ts';
import { type DmarcTags, lintDmarcRecord } from '../records/dmarc/lint.ts';
import type { Finding } from '../records/finding.ts';
import type { Store } from '../store/types.ts';
import { latestCheck, type PublishedPolicy, policyHistory } from './history.ts';
import type { IpFactsSource } from './ip-facts.ts';
import { dayOf, isoDay, type Period } from './period.ts';
import { type SimulatedPolicy, simulatePolicy } from './simulate.ts';
import { loadSenders, type Sender, type SenderClass, type SenderReason } from './sources.ts';

const DAY = 86_400;

export const PLAN_STEPS = ['monitor', 'fix-senders', 'quarantine', 'reject', 'bimi'] as const;
export type PlanStepId = (typeof PLAN_STEPS)[number];

export interface PlanThresholds {
  /** Share of legitimate volume that must pass DMARC (aligned SPF or DKIM) each day. */
  alignedShare: number;
  /** Consecutive days (with reports) it must hold for, ending on the last day with reports. */
  consecutiveDays: number;
  /** An unknown sender above this share of the domain's volume must be identified first. */
  unknownShare: number;
  /** Days at p=quarantine (no t=y, no pct below 100) before reject. */
  quarantineDays: number;
  /** Days of reports looked at. */
  windowDays: number;
}

export const DEFAULT_THRESHOLDS: PlanThresholds = {
  alignedShare: 0.98,
  consecutiveDays: 14,
  unknownShare: 0.005,
  quarantineDays: 14,
  windowDays: 30,
};

/** Blockers listed per step; the rest are counted. */
export const MAX_BLOCKERS = 20;

export interface Criterion {
  code: string;
  met: boolean;
  value?: number;
  threshold?: number;
}

export interface Blocker {
  /** sender-failing: a legitimate sender's mail fails; unknown-sender: volume from a sender nobody named. */
  code: 'sender-failing' | 'unknown-sender';
  ip: string;
  /** The known service, else the PTR name, else the IP (sources' name). */
  name: string;
  ptr: string | null;
  class: SenderClass;
  messages: number;
  failing: number;
  /** Share of the domain's messages in the window. */
  share: number;
  /** Why its mail fails and what fixes it (sources' main reason, in the language asked for). */
  reason: SenderReason;
}

/** What the step's policy would have done to the window's mail (sources' simulation). */
export interface StepImpact {
  wouldQuarantine: number;
  wouldReject: number;
  legitimateAtRisk: number;
  unauthorisedBlocked: number;
}

export interface PlanRecord {
  name: string;
  type: 'TXT';
  value: string;
  findings: Finding[];
}

export interface PlanStep {
  id: PlanStepId;
  status: 'done' | 'ready' | 'blocked' | 'later';
  criteria: Criterion[];
  blockers: Blocker[];
  /** Blockers beyond MAX_BLOCKERS. */
  moreBlockers: number;
  /** The record to publish for this step, when it is the next one and can be written. */
  record?: PlanRecord;
  /** Why no record: `rua-unknown` (no stored check gives the report addresses), `bimi-logo-needed`. */
  recordMissing?: 'rua-unknown' | 'bimi-logo-needed';
  /** Outside Sumi: e.g. a mark certificate for BIMI, [min, max] days. */
  leadTimeDays?: [number, number];
  /** For quarantine and reject: the policy's effect on the window's mail. */
  impact?: StepImpact;
}

export interface SendersSummary {
  messages: number;
  /** Messages from authorised senders and known services: the volume that must pass. */
  legitimate: number;
  legitimatePassing: number;
  /** From forwarders and mailing lists: passes only where DKIM survives, not the owner's to fix. */
  forwarded: number;
  /** From senders classed suspicious (not marked so by the owner: those are identified). */
  unknown: number;
  /** Failing messages of legitimate senders: what enforcement would stop today. */
  legitimateAtRisk: number;
}

export interface Plan {
  domain: string;
  generatedAt: string;
  window: { since: string; until: string; days: number };
  thresholds: PlanThresholds;
  current: { policy: PublishedPolicy | null; source: 'check' | 'reports' | null; since: string | null };
  next: PlanStepId | null;
  senders: SendersSummary;
  /** Days (YYYY-MM-DD) with reports, with the share of legitimate volume passing. */
  days: { day: string; legitimate: number; passing: number; share: number | null }[];
  /** Consecutive days ending on the last day with reports at or above alignedShare. */
  streak: number;
  steps: PlanStep[];
}

export interface PlanOptions {
  /** Seconds since the epoch. */
  now: number;
  thresholds?: Partial<PlanThresholds>;
  /** Names the source IPs (PTR), which also lets known services be recognised by it. */
  ipFacts?: IpFactsSource;
  /** Report addresses for the record when no stored check gives them. */
  rua?: string[];
  /** BIMI logo (SVG Tiny PS) URL and mark certificate URL, for the BIMI record. */
  bimiLogo?: string;
  bimiCertificate?: string;
  /** Language of the senders' reasons and fixes (default en). */
  lang?: Lang;
}

/** Classes whose mail must pass before enforcement: the owner's own senders. */
const OWN_CLASSES: ReadonlySet<SenderClass> = new Set(['authorised', 'known-unconfigured']);

/** Own senders up to this many are summed per day in SQL (a list well within both engines' parameter limits); more, and rows come per sender. */
export const OWN_IPS_IN_QUERY = 5_000;

/** Days of the period with reports of the domain (in the rollup). */
async function reportedDays(store: Store, domain: string, period: Period): Promise<number[]> {
  const rows = await rollupOf(store, domain, period).select('day').distinct().execute();
  return rows.map((r) => Number(r.day));
}

const rollupOf = (store: Store, domain: string, period: Period) =>
  store.db
    .selectFrom('source_rollup')
    .where('policy_domain', '=', domain)
    .where('day', '>=', period.since)
    .where('day', '<=', period.until);

/**
 * Per day with reports (`days`): the own senders' messages and those passing by the
 * reporters' aligned results (a row without them counts as failing: the few reports without
 * policy_evaluated cannot vouch).
 */
async function dailyPassing(
  store: Store,
  domain: string,
  period: Period,
  own: ReadonlySet<string>,
  days: readonly number[],
) {
  const passing = sql<number>`sum(case when dkim = 'pass' or spf = 'pass' then messages else 0 end)`;
  const out = new Map<number, { legitimate: number; passing: number }>();
  const add = (day: number, messages: number, pass: number) => {
    const d = out.get(day) ?? { legitimate: 0, passing: 0 };
    d.legitimate += messages;
    d.passing += pass;
    out.set(day, d);
  };
  for (const day of days) add(day, 0, 0);
  if (own.size > OWN_IPS_IN_QUERY) {
    const rows = await rollupOf(store, domain, period)
      .select(['day', 'source_ip', sql<number>`sum(messages)`.as('messages'), passing.as('passing')])
      .groupBy(['day', 'source_ip'])
      .execute();
    for (const r of rows)
      add(
        Number(r.day),
        own.has(r.source_ip) ? Number(r.messages) : 0,
        own.has(r.source_ip) ? Number(r.passing) : 0,
      );
    return out;
  }
  if (own.size > 0) {
    const rows = await rollupOf(store, domain, period)
      .where('source_ip', 'in', [...own])
      .select(['day', sql<number>`sum(messages)`.as('messages'), passing.as('passing')])
      .groupBy('day')
      .execute();
    for (const r of rows) add(Number(r.day), Number(r.messages), Number(r.passing));
  }
  return out;
}

/** Enforcement in full: quarantine or reject, no t=y, no pct below 100. */
function enforcing(policy: PublishedPolicy | null, level: 'quarantine' | 'reject'): boolean {
  if (!policy || policy.testing || policy.pct !== null) return false;
  return level === 'quarantine' ? policy.p === 'quarantine' || policy.p === 'reject' : policy.p === 'reject';
}

export async function plan(store: Store, domainInput: string, options: PlanOptions): Promise<Plan> {
  const domain = domainInput.toLowerCase().replace(/\.$/, '');
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const until = options.now;
  const lastDay = dayOf(until);
  const since = lastDay - (thresholds.windowDays - 1) * DAY;

  const period: Period = { since, until: lastDay };
  // The reads that do not depend on the senders go at once (PostgreSQL runs them side by side).
  const [{ senders, rows }, withReports, check, history] = await Promise.all([
    loadSenders(store, domain, period, {
      ...(options.ipFacts ? { ipFacts: options.ipFacts } : {}),
      ...(options.lang ? { lang: options.lang } : {}),
    }),
    reportedDays(store, domain, period),
    // What is published now: the latest check, else the latest day of reports.
    latestCheck(store, domain, until),
    policyHistory(store, domain, { since: since - 90 * DAY, until: lastDay }, { steps: false }),
  ]);
  const total = senders.reduce((n, s) => n + s.messages, 0);
  const summary: SendersSummary = {
    messages: total,
    legitimate: 0,
    legitimatePassing: 0,
    forwarded: 0,
    unknown: 0,
    legitimateAtRisk: 0,
  };
  const blocker = (code: Blocker['code'], s: Sender): Blocker => ({
    code,
    ip: s.ip,
    name: s.name,
    ptr: s.ptr,
    class: s.class,
    messages: s.messages,
    failing: s.dmarcFail,
    share: total === 0 ? 0 : s.messages / total,
    reason: s.reason,
  });
  const failingBlockers: Blocker[] = [];
  const unknownBlockers: Blocker[] = [];
  const own = new Set<string>();
  for (const s of senders) {
    if (OWN_CLASSES.has(s.class)) {
      own.add(s.ip);
      summary.legitimate += s.messages;
      summary.legitimatePassing += s.dmarcPass;
      summary.legitimateAtRisk += s.dmarcFail;
      if (s.dmarcFail > 0) failingBlockers.push(blocker('sender-failing', s));
    } else if (s.class === 'forwarder') {
      summary.forwarded += s.messages;
    } else if (s.classBasis !== 'mark') {
      summary.unknown += s.messages;
      if (total > 0 && s.messages / total > thresholds.unknownShare)
        unknownBlockers.push(blocker('unknown-sender', s));
    }
  }

  // Every day with reports, own mail or not: a day without reports breaks the streak.
  const perDay = await dailyPassing(store, domain, period, own, withReports);
  const days = [...perDay]
    .sort(([a], [b]) => a - b)
    .map(([day, p]) => ({
      day,
      legitimate: p.legitimate,
      passing: p.passing,
      share: p.legitimate === 0 ? null : p.passing / p.legitimate,
    }));
  let streak = 0;
  for (let i = days.length - 1; i >= 0; i--) {
    const d = days[i]!;
    if (i < days.length - 1 && days[i + 1]!.day - d.day !== DAY) break;
    if (i === days.length - 1 && d.day !== lastDay && d.day !== lastDay - DAY) break;
    if (d.share !== null && d.share < thresholds.alignedShare) break;
    streak++;
  }

  const lastReported = history.days.filter((d) => d.source === 'reports').at(-1);
  const checkIsNewer = check !== undefined && (!lastReported || isoDay(check.checkedAt) >= lastReported.day);
  const policy = checkIsNewer ? check.policy : (lastReported?.policy ?? null);
  // How long the current policy has been in force: back through the days with the same p/sp/np/t/pct.
  let policySince: string | null = null;
  if (policy !== null) {
    const same = (p: PublishedPolicy) =>
      p.p === policy.p && p.sp === policy.sp && p.testing === policy.testing && p.pct === policy.pct;
    for (let i = history.days.length - 1; i >= 0 && same(history.days[i]!.policy); i--)
      policySince = history.days[i]!.day;
    if (checkIsNewer && policySince === null) policySince = isoDay(check.checkedAt);
  }
  const daysInForce =
    policySince === null
      ? 0
      : Math.floor((lastDay - Date.parse(`${policySince}T00:00:00Z`) / 1000) / DAY) + 1;

  const rua = check?.rua.length ? check.rua : (options.rua ?? []);
  const publishedTags = check?.record ? lintDmarcRecord(check.record).record?.tags : undefined;
  const reportsArriving = days.some((d) => d.day >= lastDay - 6 * DAY);
  const sortBlockers = (list: Blocker[]) =>
    list.sort((a, b) => b.failing - a.failing || b.messages - a.messages || a.ip.localeCompare(b.ip));

  const criteria: Record<PlanStepId, Criterion[]> = {
    monitor: [
      { code: 'record-published', met: policy !== null && policy.p !== null },
      { code: 'rua-published', met: policy?.rua === true || rua.length > 0 || reportsArriving },
      { code: 'reports-arriving', met: reportsArriving },
    ],
    'fix-senders': [
      {
        code: 'aligned-share',
        met: streak >= thresholds.consecutiveDays,
        value: streak,
        threshold: thresholds.consecutiveDays,
      },
      {
        code: 'unknown-senders',
        met: unknownBlockers.length === 0,
        value: unknownBlockers.length,
        threshold: 0,
      },
    ],
    quarantine: [{ code: 'quarantine-published', met: enforcing(policy, 'quarantine') }],
    reject: [
      {
        code: 'quarantine-days',
        met: enforcing(policy, 'quarantine') && daysInForce >= thresholds.quarantineDays,
        value: enforcing(policy, 'quarantine') ? daysInForce : 0,
        threshold: thresholds.quarantineDays,
      },
      {
        code: 'aligned-share',
        met: streak >= thresholds.consecutiveDays,
        value: streak,
        threshold: thresholds.consecutiveDays,
      },
      { code: 'reject-published', met: enforcing(policy, 'reject') },
    ],
    bimi: [{ code: 'enforcing', met: enforcing(policy, 'quarantine') }],
  };

  // Done: the step's outcome is in place. monitor: reports come; fix-senders: its criteria;
  // quarantine / reject: published in full.
  const done: Record<PlanStepId, boolean> = {
    monitor: criteria.monitor.every((c) => c.met),
    'fix-senders': criteria['fix-senders'].every((c) => c.met) || enforcing(policy, 'quarantine'),
    quarantine: enforcing(policy, 'quarantine'),
    reject: enforcing(policy, 'reject'),
    // BIMI is checked by `sumi check`, not in reports: never marked done here.
    bimi: false,
  };
  const next = PLAN_STEPS.find((id) => !done[id]) ?? null;

  const steps: PlanStep[] = PLAN_STEPS.map((id) => {
    const step: PlanStep = { id, status: 'later', criteria: criteria[id], blockers: [], moreBlockers: 0 };
    if (done[id]) step.status = 'done';
    else if (id === next) {
      const blockers =
        id === 'fix-senders' || id === 'quarantine' || id === 'reject'
          ? [...sortBlockers(failingBlockers), ...sortBlockers(unknownBlockers)]
          : [];
      step.blockers = blockers.slice(0, MAX_BLOCKERS);
      step.moreBlockers = Math.max(0, blockers.length - MAX_BLOCKERS);
      const ready =
        id === 'quarantine' ||
        (id === 'reject' && criteria.reject.slice(0, 2).every((c) => c.met)) ||
        (id === 'bimi' && criteria.bimi.every((c) => c.met));
      step.status = ready ? 'ready' : 'blocked';
    }
    // The next DNS change: this step's, or quarantine's while the senders are being fixed.
    if (id === next || (next === 'fix-senders' && id === 'quarantine')) {
      Object.assign(step, nextRecord(id, domain, rua, publishedTags, options));
      if (id === 'quarantine' || id === 'reject') {
        const sp = publishedTags?.sp.explicit ? publishedTags.sp.value : undefined;
        const simulated = simulatePolicy(
          { domain, senders, rows },
          { policy: id as SimulatedPolicy, period, ...(sp ? { sp } : {}) },
        );
        step.impact = {
          wouldQuarantine: simulated.would_quarantine,
          wouldReject: simulated.would_reject,
          legitimateAtRisk: simulated.legitimate_at_risk,
          unauthorisedBlocked: simulated.unauthorised_blocked,
        };
      }
    }
    if (id === 'bimi') step.leadTimeDays = [14, 60];
    return step;
  });

  return {
    domain,
    generatedAt: new Date(until * 1000).toISOString().replace('.000Z', 'Z'),
    window: { since: isoDay(since), until: isoDay(lastDay), days: thresholds.windowDays },
    thresholds,
    current: {
      policy,
      source: policy === null ? null : checkIsNewer ? 'check' : 'reports',
      since: policySince,
    },
    next,
    senders: summary,
    days: days.map((d) => ({ ...d, day: isoDay(d.day) })),
    streak,
    steps,
  };
}

/**
 * The record a step publishes: the published record (its explicit tags kept: sp, np, psd,
 * adkim, aspf, ruf, fo) with the step's policy and without t=y, written by `sumi record`'s code.
 */
function nextRecord(
  id: PlanStepId,
  domain: string,
  rua: string[],
  tags: DmarcTags | undefined,
  options: PlanOptions,
): Pick<PlanStep, 'record' | 'recordMissing'> {
  if (id === 'fix-senders') return {};
  if (id === 'bimi') {
    if (!options.bimiLogo) return { recordMissing: 'bimi-logo-needed' };
    const built = buildBimiRecord({
      domain,
      logoUrl: options.bimiLogo,
      ...(options.bimiCertificate ? { certificateUrl: options.bimiCertificate } : {}),
    });
    return { record: { name: built.name, type: 'TXT', value: built.value, findings: built.findings } };
  }
  if (rua.length === 0) return { recordMissing: 'rua-unknown' };
  const explicit = <T>(tag: { value: T; explicit: boolean } | undefined) =>
    tag?.explicit ? tag.value : undefined;
  const sp = explicit(tags?.sp);
  const np = explicit(tags?.np);
  const psd = explicit(tags?.psd);
  const adkim = explicit(tags?.adkim);
  const aspf = explicit(tags?.aspf);
  const fo = explicit(tags?.fo);
  const ruf = (explicit(tags?.ruf) ?? []).flatMap((u) => (u.uri ? [u.uri] : []));
  const built = buildDmarcRecord({
    domain,
    policy: id === 'monitor' ? 'none' : id,
    rua,
    ...(sp ? { subdomainPolicy: sp } : {}),
    ...(np ? { nonexistentPolicy: np } : {}),
    ...(psd ? { psd } : {}),
    ...(adkim ? { adkim } : {}),
    ...(aspf ? { aspf } : {}),
    ...(ruf.length > 0 ? { ruf } : {}),
    ...(ruf.length > 0 && fo ? { fo } : {}),
  });
  return { record: { name: built.name, type: 'TXT', value: built.value, findings: built.findings } };
}
