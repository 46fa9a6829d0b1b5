/**
 * The rollout plan of a domain: p=none with reports -> fix senders -> quarantine -> reject ->
 * BIMI. For the next step: the criteria and whether they are met, what blocks it (named
 * senders with the reason and the fix), and the exact record to publish, written by the same
 * code as `sumi record`. Plain data (codes and numbers), JSON-serialisable, for the CLI and
 * the HTTP API; words are added where it is shown.
 */
import { buildBimiRecord } from '../records/bimi/record.ts';
import { buildDmarcRecord } from '../records/dmarc/build.ts';
import { lintDmarcRecord } from '../records/dmarc/lint.ts';
import type { Finding } from '../records/finding.ts';
import { pslOrgDomain } from '../records/org-domain.ts';
import { rollupDay } from '../store/store.ts';
import type { Store } from '../store/types.ts';
import { isoDay, latestCheck, type PublishedPolicy, policyHistory } from './history.ts';
import type { IpFactsSource } from './ip-facts.ts';
import { type FailReason, failReason, type ReasonRow } from './senders/fail-reason.ts';

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

export type SenderClass = 'authorised' | 'known-service' | 'forwarder' | 'unknown';

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
  ptr: string | null;
  class: SenderClass;
  messages: number;
  failing: number;
  /** Share of the domain's messages in the window. */
  share: number;
  /** Why it fails and what fixes it: the commonest reason of its failing mail (words: analysis/senders). */
  reason?: Pick<FailReason, 'code' | 'args'>;
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
}

export interface SendersSummary {
  messages: number;
  /** Messages from authorised senders and known services: the volume that must pass. */
  legitimate: number;
  legitimatePassing: number;
  forwarded: number;
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
}

interface SenderAcc {
  ip: string;
  messages: number;
  passing: number;
  forwarded: number;
  /** Failing messages by reason key. */
  reasons: Map<string, { reason: FailReason; messages: number }>;
  days: Map<number, { messages: number; passing: number }>;
  known: boolean;
}

/** Reads the domain's records of [since, until) with their auth results, as failReason rows. */
async function reasonRows(store: Store, domain: string, since: number, until: number) {
  const reports = store.db
    .selectFrom('reports')
    .select('id')
    .where('policy_domain', '=', domain)
    .where('date_end', '>=', since)
    .where('date_begin', '<', until);
  const records = await store.db
    .selectFrom('records')
    .innerJoin('reports', 'reports.id', 'records.report_id')
    .select([
      'records.report_id',
      'records.record_index',
      'records.source_ip',
      'records.count',
      'records.dkim',
      'records.spf',
      'records.header_from',
      'reports.date_begin',
      'reports.date_end',
      'reports.adkim',
      'reports.aspf',
    ])
    .where('reports.policy_domain', '=', domain)
    .where('reports.date_end', '>=', since)
    .where('reports.date_begin', '<', until)
    .execute();
  const key = (r: { report_id: number; record_index: number }) => `${r.report_id}/${r.record_index}`;
  const group = <T extends { report_id: number; record_index: number }>(rows: T[]) => {
    const out = new Map<string, T[]>();
    for (const r of rows) {
      const k = key(r);
      const list = out.get(k) ?? [];
      list.push(r);
      out.set(k, list);
    }
    return out;
  };
  const dkim = group(
    await store.db
      .selectFrom('dkim_auth_results')
      .select(['report_id', 'record_index', 'domain', 'result'])
      .where('report_id', 'in', reports)
      .execute(),
  );
  const spf = group(
    await store.db
      .selectFrom('spf_auth_results')
      .select(['report_id', 'record_index', 'domain', 'scope', 'result'])
      .where('report_id', 'in', reports)
      .execute(),
  );
  const overrides = group(
    await store.db
      .selectFrom('policy_override_reasons')
      .select(['report_id', 'record_index', 'type', 'comment'])
      .where('report_id', 'in', reports)
      .execute(),
  );
  return records.map((r) => {
    const k = key(r);
    const mode = (m: string | null) => (m === 's' ? 's' : 'r');
    const pf = (v: string | null) => (v === 'pass' ? 'pass' : v === 'fail' ? 'fail' : null);
    const row: ReasonRow = {
      headerFrom: r.header_from ?? domain,
      policyEvaluated: { dkim: pf(r.dkim), spf: pf(r.spf), reasons: overrides.get(k) ?? [] },
      authResults: { dkim: dkim.get(k) ?? [], spf: spf.get(k) ?? [] },
      adkim: mode(r.adkim),
      aspf: mode(r.aspf),
    };
    return {
      ip: r.source_ip ?? '',
      messages: Number(r.count),
      day: rollupDay({ begin: Number(r.date_begin), end: Number(r.date_end) }),
      row,
    };
  });
}

/**
 * Mostly relayed (forwarded, mailing lists): a forwarder, whether DKIM survived or not. Else
 * mostly passing: authorised. Else a known service by its evidence, or unknown.
 */
function classify(s: SenderAcc): SenderClass {
  let relayed = s.forwarded;
  for (const { reason, messages } of s.reasons.values()) {
    if (reason.code === 'mailing-list') relayed += messages;
  }
  if (relayed * 2 > s.messages) return 'forwarder';
  if (s.passing * 2 >= s.messages) return 'authorised';
  return s.known ? 'known-service' : 'unknown';
}

function commonestReason(s: SenderAcc): FailReason | undefined {
  return [...s.reasons.values()].sort((a, b) => b.messages - a.messages)[0]?.reason;
}

const orgDomain = (name: string) => pslOrgDomain(name);

/** Enforcement in full: quarantine or reject, no t=y, no pct below 100. */
function enforcing(policy: PublishedPolicy | null, level: 'quarantine' | 'reject'): boolean {
  if (!policy || policy.testing || policy.pct !== null) return false;
  return level === 'quarantine' ? policy.p === 'quarantine' || policy.p === 'reject' : policy.p === 'reject';
}

export async function plan(store: Store, domainInput: string, options: PlanOptions): Promise<Plan> {
  const domain = domainInput.toLowerCase().replace(/\.$/, '');
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const until = options.now;
  const lastDay = until - (until % DAY);
  const since = lastDay - (thresholds.windowDays - 1) * DAY;

  // The senders of the window, with a reason for every failing row.
  const rows = await reasonRows(store, domain, since, until);
  const ips = [...new Set(rows.map((r) => r.ip).filter((ip) => ip !== ''))];
  const facts = options.ipFacts ? await options.ipFacts.describe(ips) : new Map();
  const senders = new Map<string, SenderAcc>();
  for (const { ip, messages, day, row } of rows) {
    if (day < since || day >= until) continue;
    const ptr = facts.get(ip);
    const reason = failReason(ptr?.ptr && ptr.ptrConfirmed ? { ...row, ptr: ptr.ptr } : row, orgDomain);
    let s = senders.get(ip);
    if (!s) {
      s = { ip, messages: 0, passing: 0, forwarded: 0, reasons: new Map(), days: new Map(), known: false };
      senders.set(ip, s);
    }
    s.messages += messages;
    const d = s.days.get(day) ?? { messages: 0, passing: 0 };
    d.messages += messages;
    if (reason.dmarc === 'pass') {
      s.passing += messages;
      d.passing += messages;
    } else {
      const k = `${reason.code} ${JSON.stringify(reason.args)}`;
      const r = s.reasons.get(k) ?? { reason, messages: 0 };
      r.messages += messages;
      s.reasons.set(k, r);
    }
    if (reason.code === 'forwarded') s.forwarded += messages;
    if (reason.args.sender !== undefined) s.known = true;
    s.days.set(day, d);
  }

  const total = [...senders.values()].reduce((n, s) => n + s.messages, 0);
  const summary: SendersSummary = {
    messages: total,
    legitimate: 0,
    legitimatePassing: 0,
    forwarded: 0,
    unknown: 0,
    legitimateAtRisk: 0,
  };
  const perDay = new Map<number, { legitimate: number; passing: number }>();
  const failingBlockers: Blocker[] = [];
  const unknownBlockers: Blocker[] = [];
  for (const s of senders.values()) {
    const cls = classify(s);
    const failing = s.messages - s.passing;
    const blocker = (code: Blocker['code']): Blocker => {
      const reason = commonestReason(s);
      return {
        code,
        ip: s.ip,
        ptr: facts.get(s.ip)?.ptr ?? null,
        class: cls,
        messages: s.messages,
        failing,
        share: total === 0 ? 0 : s.messages / total,
        ...(reason ? { reason: { code: reason.code, args: reason.args } } : {}),
      };
    };
    if (cls === 'authorised' || cls === 'known-service') {
      summary.legitimate += s.messages;
      summary.legitimatePassing += s.passing;
      summary.legitimateAtRisk += failing;
      for (const [day, d] of s.days) {
        const p = perDay.get(day) ?? { legitimate: 0, passing: 0 };
        p.legitimate += d.messages;
        p.passing += d.passing;
        perDay.set(day, p);
      }
      if (failing > 0) failingBlockers.push(blocker('sender-failing'));
    } else if (cls === 'forwarder') {
      summary.forwarded += s.messages;
    } else {
      summary.unknown += s.messages;
      if (total > 0 && s.messages / total > thresholds.unknownShare)
        unknownBlockers.push(blocker('unknown-sender'));
    }
  }

  // Every day with reports, legitimate mail or not: a day without reports breaks the streak.
  const reportDays = new Set(rows.map((r) => r.day).filter((d) => d >= since && d < until));
  const days = [...reportDays]
    .sort((a, b) => a - b)
    .map((day) => {
      const p = perDay.get(day) ?? { legitimate: 0, passing: 0 };
      return {
        day,
        legitimate: p.legitimate,
        passing: p.passing,
        share: p.legitimate === 0 ? null : p.passing / p.legitimate,
      };
    });
  let streak = 0;
  for (let i = days.length - 1; i >= 0; i--) {
    const d = days[i]!;
    if (i < days.length - 1 && days[i + 1]!.day - d.day !== DAY) break;
    if (d.share !== null && d.share < thresholds.alignedShare) break;
    streak++;
  }

  // What is published now: the latest check, else the latest day of reports.
  const check = await latestCheck(store, domain, until);
  const history = await policyHistory(store, domain, { since: since - 90 * DAY, until });
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
      Object.assign(step, nextRecord(id, domain, rua, check?.record ?? null, options));
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
  published: string | null,
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
  const tags = published === null ? undefined : lintDmarcRecord(published).record?.tags;
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
