/**
 * Reporters: which organisations send aggregate reports for the domain, how much of its mail
 * each covers, how often they report, and the gaps (a reporter that stopped). Windows that end
 * at begin+86400 and those that end at begin+86399 both count on one day (rollupDay), and a
 * window touching the next one is not an overlap. `reporterStats` is the pure part.
 */
import { rollupDay } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { isoDay, type Period } from './period.ts';
import { type ReportHead, readReportHeads } from './reads.ts';
import { normaliseName } from './senders/match.ts';

const DAY = 86_400;

/** A reporter is taken to have stopped when silent this many report intervals (and at least STOPPED_MIN_DAYS). */
export const STOPPED_INTERVALS = 2;
export const STOPPED_MIN_DAYS = 2;

export interface ReporterStats {
  orgName: string;
  reports: number;
  messages: number;
  /** Of the domain's reported messages in the period, 0..1. */
  share: number;
  firstDay: string;
  lastDay: string;
  /** Days with at least one report. */
  days: number;
  /** Days between its first and last report without one. */
  gaps: string[];
  /** Median time between the starts of successive reports, in hours; null with one report. */
  cadenceHours: number | null;
  /** Median report window, in hours. */
  windowHours: number;
  /** Days from its last report to the end of the period. */
  silentDays: number;
  stopped: boolean;
  /** Reports whose window began before the previous one ended (a shared boundary second is not one). */
  overlaps: number;
}

export interface ReportersResult {
  domain: string;
  since: string;
  until: string;
  reports: number;
  messages: number;
  /** Most messages first. */
  reporters: ReporterStats[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const hours = (seconds: number) => Math.round((seconds / 3600) * 10) / 10;

export function reporterStats(domain: string, heads: readonly ReportHead[], period: Period): ReportersResult {
  const byOrg = new Map<string, { head: ReportHead; day: number }[]>();
  let total = 0;
  let reports = 0;
  for (const head of heads) {
    const day = rollupDay({ begin: head.begin, end: head.end });
    if (day < period.since || day > period.until) continue;
    total += head.messages;
    reports++;
    const list = byOrg.get(head.orgName) ?? [];
    list.push({ head, day });
    byOrg.set(head.orgName, list);
  }
  const reporters: ReporterStats[] = [];
  for (const [orgName, list] of byOrg) {
    list.sort((a, b) => a.head.begin - b.head.begin || a.head.end - b.head.end);
    const days = new Set(list.map((r) => r.day));
    const first = Math.min(...days);
    const last = Math.max(...days);
    const gaps: string[] = [];
    for (let day = first; day <= last; day += DAY) if (!days.has(day)) gaps.push(isoDay(day));
    const intervals = list.slice(1).map((r, i) => r.head.begin - (list[i]?.head.begin ?? 0));
    let overlaps = 0;
    let previousEnd = -Infinity;
    for (const { head } of list) {
      if (head.begin < previousEnd) overlaps++;
      previousEnd = Math.max(previousEnd, head.end);
    }
    const cadence = intervals.length > 0 ? median(intervals) : null;
    const silentDays = (period.until - last) / DAY;
    const threshold = Math.max(STOPPED_MIN_DAYS, cadence === null ? 0 : (STOPPED_INTERVALS * cadence) / DAY);
    const messages = list.reduce((n, r) => n + r.head.messages, 0);
    reporters.push({
      orgName,
      reports: list.length,
      messages,
      share: total === 0 ? 0 : messages / total,
      firstDay: isoDay(first),
      lastDay: isoDay(last),
      days: days.size,
      gaps,
      cadenceHours: cadence === null ? null : hours(cadence),
      windowHours: hours(median(list.map((r) => r.head.end - r.head.begin))),
      silentDays,
      stopped: silentDays > threshold,
      overlaps,
    });
  }
  reporters.sort((a, b) => b.messages - a.messages || a.orgName.localeCompare(b.orgName));
  return {
    domain,
    since: isoDay(period.since),
    until: isoDay(period.until),
    reports,
    messages: total,
    reporters,
  };
}

/** The reporters of `domain` (the reports' policy domain) over the period. */
export async function reporters(store: Store, domain: string, period: Period): Promise<ReportersResult> {
  const name = normaliseName(domain);
  return reporterStats(name, await readReportHeads(store, [name], period), period);
}
