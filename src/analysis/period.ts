/**
 * The period a question covers: whole UTC days, as the rollups count them (a report's messages
 * fall on rollupDay of its window). Pure.
 */

const DAY = 86_400;

/** Inclusive range of UTC days, each as the epoch second of its midnight. */
export interface Period {
  /** First day counted. */
  since: number;
  /** Last day counted (inclusive). */
  until: number;
}

/** A period text that is neither `Nd` nor `YYYY-MM-DD`, or an empty range. */
export class PeriodError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(message);
    this.name = 'PeriodError';
    this.input = input;
  }
}

/** The longest relative period accepted: ten years. */
export const MAX_PERIOD_DAYS = 3_660;

/** The default: the last 30 days, today included. */
export const DEFAULT_PERIOD_DAYS = 30;

export function dayOf(seconds: number): number {
  return seconds - (((seconds % DAY) + DAY) % DAY);
}

/** `2026-10-01` for a day. */
export function isoDay(day: number): string {
  return new Date(day * 1000).toISOString().slice(0, 10);
}

function parseDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2026-02-31 over into March: such a date is not one.
  if (isoDay(ms / 1000) !== text) return undefined;
  return ms / 1000;
}

/**
 * `since`: `30d` (the last 30 days, today included) or a date; `until`: a date (inclusive) or
 * `Nd` (N days before today); both default as the CLI does (30d, today). `now` in epoch seconds.
 */
export function parsePeriod(
  texts: { since?: string | undefined; until?: string | undefined },
  now: number = Math.floor(Date.now() / 1000),
): Period {
  const today = dayOf(now);
  const read = (text: string, relative: (days: number) => number): number => {
    const trimmed = text.trim();
    const m = /^(\d{1,5})d$/i.exec(trimmed);
    if (m) {
      const days = Number(m[1]);
      if (days < 1 || days > MAX_PERIOD_DAYS) {
        throw new PeriodError(text, `"${text}": give from 1d to ${MAX_PERIOD_DAYS}d`);
      }
      return relative(days);
    }
    const date = parseDate(trimmed);
    if (date === undefined) {
      throw new PeriodError(text, `"${text}": give a number of days (30d) or a date (2026-10-01)`);
    }
    return date;
  };
  const until = texts.until === undefined ? today : read(texts.until, (days) => today - days * DAY);
  const since =
    texts.since === undefined
      ? until - (DEFAULT_PERIOD_DAYS - 1) * DAY
      : read(texts.since, (days) => today - (days - 1) * DAY);
  if (since > until) {
    throw new PeriodError(
      `${texts.since ?? ''}..${texts.until ?? ''}`,
      `the period starts (${isoDay(since)}) after it ends (${isoDay(until)})`,
    );
  }
  return { since, until };
}

/** Every day of the period, in order. */
export function periodDays(period: Period): number[] {
  const days: number[] = [];
  for (let day = period.since; day <= period.until; day += DAY) days.push(day);
  return days;
}
