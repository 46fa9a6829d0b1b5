/**
 * Enforcement simulation: over a period, the mail a stricter policy would have quarantined or
 * rejected, split into legitimate mail at risk and unauthorised mail blocked, per sender.
 * `simulatePolicy` is the pure part; `simulate` reads the rollup.
 */
import type { Lang } from '../i18n/lang.ts';
import type { Store } from '../store/types.ts';
import type { IpFactsSource } from './ip-facts.ts';
import { isoDay, type Period } from './period.ts';
import { normaliseName } from './senders/match.ts';
import type { EvaluatedRow, Sender, SenderClass } from './sources.ts';
import { compareText, loadSenders } from './sources.ts';

export type SimulatedPolicy = 'none' | 'quarantine' | 'reject';

/**
 * Override reasons under which the reporter did not apply the policy to failing mail and would
 * not apply a stricter one either. `sampled_out` is not among them: it is the legacy pct at
 * work, and the simulated policy applies to all mail (or to `pct` percent of it).
 */
export const RECEIVER_OVERRIDES: ReadonlySet<string> = new Set([
  'forwarded',
  'trusted_forwarder',
  'mailing_list',
  'local_policy',
]);

/** Classes whose failing mail is legitimate mail at risk (the rest is unauthorised mail blocked). */
export const LEGITIMATE_CLASSES: ReadonlySet<SenderClass> = new Set([
  'authorised',
  'forwarder',
  'known-unconfigured',
]);

export interface SimulateOptions {
  policy: SimulatedPolicy;
  /** Policy for subdomains of the domain (default: `policy`). */
  sp?: SimulatedPolicy;
  /** Policy for non-existent subdomains (default: `sp`, then `policy`); needs `nonExistent`. */
  np?: SimulatedPolicy;
  /** Legacy pct: the share of failing mail the policy applies to (default 100). */
  pct?: number;
  period: Period;
  /** Whether a From domain does not exist (no A, AAAA or MX); only asked when `np` is given. */
  nonExistent?: (name: string) => Promise<boolean>;
  ipFacts?: IpFactsSource;
  lang?: Lang;
}

/** One sender in the simulation (the JSON shape). */
export interface SimulatedSender {
  ip: string;
  name: string;
  class: SenderClass;
  messages: number;
  /** Messages that would be quarantined or rejected. */
  would_fail: number;
  reason: string;
  fix: string | null;
}

/** `sumi simulate --json`: field names as the issue fixes them. */
export interface SimulationResult {
  domain: string;
  policy: SimulatedPolicy;
  /** First day of the period, `YYYY-MM-DD`. */
  since: string;
  messages: number;
  dmarc_pass: number;
  /** Messages with neither aligned SPF nor aligned DKIM pass. */
  dmarc_fail: number;
  would_quarantine: number;
  would_reject: number;
  legitimate_at_risk: number;
  unauthorised_blocked: number;
  /** Senders with mail that would be quarantined or rejected, most first. */
  senders: SimulatedSender[];
}

/** How the From domain relates to the domain: the domain itself, a subdomain, another domain. */
function fromKind(headerFrom: string, domain: string): 'domain' | 'subdomain' | 'other' {
  const from = normaliseName(headerFrom);
  if (from === domain) return 'domain';
  return from.endsWith(`.${domain}`) ? 'subdomain' : 'other';
}

/** Messages out of `n` the pct applies to. */
const applied = (n: number, pct: number) => (pct >= 100 ? n : Math.round((n * pct) / 100));

export interface SimulationInput {
  domain: string;
  senders: readonly Sender[];
  rows: readonly EvaluatedRow[];
  /** Normalised From domains known not to exist. */
  nonExistent?: ReadonlySet<string>;
}

export function simulatePolicy(
  input: SimulationInput,
  options: Pick<SimulateOptions, 'policy' | 'sp' | 'np' | 'pct' | 'period'>,
): SimulationResult {
  const domain = normaliseName(input.domain);
  const pct = options.pct ?? 100;
  const sp = options.sp ?? options.policy;
  const np = options.np ?? sp;
  const classOf = new Map(input.senders.map((s) => [s.ip, s.class]));
  // Failing messages by the policy that applies to them, in all and per sender; pct is applied
  // to the sums once, so that the figures do not depend on how the rows are grouped.
  const toReject = new Map<string, number>();
  const toQuarantine = new Map<string, number>();
  let messages = 0;
  let dmarcPass = 0;
  for (const row of input.rows) {
    messages += row.messages;
    if (row.dmarc === 'pass') {
      dmarcPass += row.messages;
      continue;
    }
    if (row.overrides.some((o) => RECEIVER_OVERRIDES.has(o))) continue;
    const kind = fromKind(row.headerFrom, domain);
    const policy =
      kind !== 'subdomain' ? options.policy : input.nonExistent?.has(normaliseName(row.headerFrom)) ? np : sp;
    if (policy === 'none') continue;
    const into = policy === 'reject' ? toReject : toQuarantine;
    into.set(row.sourceIp, (into.get(row.sourceIp) ?? 0) + row.messages);
  }
  const sum = (m: ReadonlyMap<string, number>, keep: (ip: string) => boolean = () => true) =>
    [...m].reduce((n, [ip, v]) => n + (keep(ip) ? v : 0), 0);
  const legitimateIp = (ip: string) => LEGITIMATE_CLASSES.has(classOf.get(ip) ?? 'suspicious');
  // Legacy pct: mail sampled out of p=reject is quarantined instead (RFC 7489 6.6.4), mail
  // sampled out of p=quarantine is delivered.
  const rejectAll = sum(toReject);
  const wouldReject = applied(rejectAll, pct);
  const wouldQuarantine = rejectAll - wouldReject + applied(sum(toQuarantine), pct);
  const legitimate = sum(toReject, legitimateIp) + applied(sum(toQuarantine, legitimateIp), pct);
  const perSender = new Map<string, number>();
  for (const ip of new Set([...toReject.keys(), ...toQuarantine.keys()])) {
    perSender.set(ip, (toReject.get(ip) ?? 0) + applied(toQuarantine.get(ip) ?? 0, pct));
  }
  const unauthorised = wouldReject + wouldQuarantine - legitimate;
  const senders = input.senders
    .filter((s) => (perSender.get(s.ip) ?? 0) > 0)
    .map((s) => ({
      ip: s.ip,
      name: s.name,
      class: s.class,
      messages: s.messages,
      would_fail: perSender.get(s.ip) ?? 0,
      reason: s.reason.text,
      fix: s.reason.fix,
    }))
    .sort((a, b) => b.would_fail - a.would_fail || compareText(a.ip, b.ip));
  return {
    domain,
    policy: options.policy,
    since: isoDay(options.period.since),
    messages,
    dmarc_pass: dmarcPass,
    dmarc_fail: messages - dmarcPass,
    would_quarantine: wouldQuarantine,
    would_reject: wouldReject,
    legitimate_at_risk: legitimate,
    unauthorised_blocked: unauthorised,
    senders,
  };
}

/** The simulation over the stored reports of `domain` (the reports' policy domain). */
export async function simulate(
  store: Store,
  domain: string,
  options: SimulateOptions,
): Promise<SimulationResult> {
  const name = normaliseName(domain);
  const { senders, rows } = await loadSenders(store, name, options.period, {
    ...(options.ipFacts ? { ipFacts: options.ipFacts } : {}),
    ...(options.lang ? { lang: options.lang } : {}),
  });
  const nonExistent = new Set<string>();
  if (options.np !== undefined && options.nonExistent) {
    const subdomains = new Set(
      rows
        .filter((r) => r.dmarc === 'fail' && fromKind(r.headerFrom, name) === 'subdomain')
        .map((r) => normaliseName(r.headerFrom)),
    );
    const ask = options.nonExistent;
    await Promise.all(
      [...subdomains].map(async (sub) => {
        if (await ask(sub)) nonExistent.add(sub);
      }),
    );
  }
  return simulatePolicy({ domain: name, senders, rows, nonExistent }, options);
}
