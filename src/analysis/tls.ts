/**
 * SMTP TLS reports (RFC 8460) of one policy domain over a period: the sessions that succeeded
 * and failed, by policy type (sts, tlsa, no-policy-found), by result type, by reporter, and the
 * failure details grouped by every field a report gives them. The answer of `sumi tls --json`.
 */
import { sql } from 'kysely';
import { decodeText, encodeText } from '../store/text.ts';
import type { Store } from '../store/types.ts';
import { lookupDomain } from '../store/values.ts';
import { isoDay, type Period } from './period.ts';

const DAY = 86_400;

/** Failure detail groups listed, most failed sessions first (`failuresTotal` counts them all). */
export const MAX_TLS_FAILURE_GROUPS = 200;

export interface TlsSessions {
  /** Reports (of the domain, in the period) counted in. */
  reports: number;
  successful: number;
  failed: number;
  /** Failed sessions over all sessions; null without sessions. */
  failureRate: number | null;
}

export interface TlsFailureGroup {
  resultType: string;
  sendingMtaIp: string | null;
  receivingMxHostname: string | null;
  receivingMxHelo: string | null;
  receivingIp: string | null;
  failureReasonCode: string | null;
  additionalInformation: string | null;
  sessions: number;
  reports: number;
}

export interface TlsView extends TlsSessions {
  domain: string;
  /** First and last day of the period, YYYY-MM-DD. */
  since: string;
  until: string;
  byPolicyType: (TlsSessions & { policyType: string })[];
  byResultType: { resultType: string; sessions: number; reports: number }[];
  byReporter: (TlsSessions & { organization: string })[];
  failures: TlsFailureGroup[];
  /** Failure detail groups in all (failures lists MAX_TLS_FAILURE_GROUPS at most). */
  failuresTotal: number;
}

function sessions(reports: unknown, successful: unknown, failed: unknown): TlsSessions {
  const ok = Number(successful ?? 0);
  const bad = Number(failed ?? 0);
  return {
    reports: Number(reports ?? 0),
    successful: ok,
    failed: bad,
    failureRate: ok + bad === 0 ? null : bad / (ok + bad),
  };
}

/** The reports' policies of the domain whose window ends on or after `since` and begins before `before`. */
function domainPolicies(store: Store, domain: string, since: number, before: number) {
  return store.db
    .selectFrom('tls_policies as p')
    .innerJoin('tls_reports as r', 'r.id', 'p.tls_report_id')
    .where('p.policy_domain', '=', encodeText(store.engine, lookupDomain(domain)))
    .where('r.date_end', '>=', since)
    .where('r.date_begin', '<', before);
}

const DETAIL_FIELDS = [
  'd.result_type',
  'd.sending_mta_ip',
  'd.receiving_mx_hostname',
  'd.receiving_mx_helo',
  'd.receiving_ip',
  'd.failure_reason_code',
  'd.additional_information',
] as const;

/**
 * The failure details of the domain's reports whose window ends on or after `since` (and begins
 * before `before`), grouped by every field a report gives them, most failed sessions first
 * (MAX_TLS_FAILURE_GROUPS of them), and how many groups there are: `sumi tls` and the dashboard's
 * TLS page say them alike.
 */
export async function tlsFailureGroups(
  store: Store,
  domain: string,
  since: number,
  before = Number.MAX_SAFE_INTEGER,
): Promise<{ failures: TlsFailureGroup[]; total: number }> {
  const text = (value: string) => decodeText(store.engine, value);
  const optionalText = (value: string | null) => (value === null ? null : text(value));
  const details = () =>
    domainPolicies(store, domain, since, before).innerJoin('tls_failure_details as d', (join) =>
      join.onRef('d.tls_report_id', '=', 'p.tls_report_id').onRef('d.policy_index', '=', 'p.policy_index'),
    );
  const [failures, groups] = await Promise.all([
    details()
      .select([
        ...DETAIL_FIELDS,
        sql<number>`sum(d.failed_session_count)`.as('sessions'),
        sql<number>`count(distinct d.tls_report_id)`.as('reports'),
      ])
      .groupBy([...DETAIL_FIELDS])
      .orderBy('sessions', 'desc')
      .orderBy('d.result_type')
      .limit(MAX_TLS_FAILURE_GROUPS)
      .execute(),
    store.db
      .selectFrom(
        details()
          .select(DETAIL_FIELDS)
          .groupBy([...DETAIL_FIELDS])
          .as('g'),
      )
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    failures: failures.map((f) => ({
      resultType: text(f.result_type),
      sendingMtaIp: optionalText(f.sending_mta_ip),
      receivingMxHostname: optionalText(f.receiving_mx_hostname),
      receivingMxHelo: optionalText(f.receiving_mx_helo),
      receivingIp: optionalText(f.receiving_ip),
      failureReasonCode: optionalText(f.failure_reason_code),
      additionalInformation: optionalText(f.additional_information),
      sessions: Number(f.sessions),
      reports: Number(f.reports),
    })),
    total: Number(groups.n),
  };
}

/** The domain's TLS reports whose window overlaps the period (a report's window is a day, UTC). */
export async function tlsReports(store: Store, domainInput: string, period: Period): Promise<TlsView> {
  const domain = lookupDomain(domainInput);
  const text = (value: string) => decodeText(store.engine, value);
  const before = period.until + DAY;
  const policies = () => domainPolicies(store, domain, period.since, before);
  const totals = [
    sql<number>`count(distinct p.tls_report_id)`.as('reports'),
    sql<number>`sum(p.total_successful_session_count)`.as('successful'),
    sql<number>`sum(p.total_failure_session_count)`.as('failed'),
  ] as const;
  const [all, byType, byResult, byReporter, groups] = await Promise.all([
    policies().select(totals).executeTakeFirstOrThrow(),
    policies()
      .select(['p.policy_type', ...totals])
      .groupBy('p.policy_type')
      .execute(),
    policies()
      .innerJoin('tls_failure_details as d', (join) =>
        join.onRef('d.tls_report_id', '=', 'p.tls_report_id').onRef('d.policy_index', '=', 'p.policy_index'),
      )
      .select([
        'd.result_type',
        sql<number>`sum(d.failed_session_count)`.as('sessions'),
        sql<number>`count(distinct d.tls_report_id)`.as('reports'),
      ])
      .groupBy('d.result_type')
      .execute(),
    policies()
      .select(['r.organization_name', ...totals])
      .groupBy('r.organization_name')
      .execute(),
    tlsFailureGroups(store, domain, period.since, before),
  ]);
  const bySessions = <T extends { failed: number; successful: number }>(a: T, b: T) =>
    b.failed - a.failed || b.successful - a.successful;
  return {
    domain,
    since: isoDay(period.since),
    until: isoDay(period.until),
    ...sessions(all.reports, all.successful, all.failed),
    byPolicyType: byType
      .map((t) => ({ policyType: text(t.policy_type), ...sessions(t.reports, t.successful, t.failed) }))
      .sort((a, b) => bySessions(a, b) || a.policyType.localeCompare(b.policyType)),
    byResultType: byResult
      .map((r) => ({
        resultType: text(r.result_type),
        sessions: Number(r.sessions),
        reports: Number(r.reports),
      }))
      .sort((a, b) => b.sessions - a.sessions || a.resultType.localeCompare(b.resultType)),
    byReporter: byReporter
      .map((r) => ({
        organization: text(r.organization_name),
        ...sessions(r.reports, r.successful, r.failed),
      }))
      .sort((a, b) => bySessions(a, b) || a.organization.localeCompare(b.organization)),
    failures: groups.failures,
    failuresTotal: groups.total,
  };
}
