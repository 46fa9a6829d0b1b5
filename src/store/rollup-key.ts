/**
 * source_rollup's key as one string (rollupId), and back (rollupKey): pure, so that a read
 * thread can key a report's records while the writing thread works (PreparedRecords).
 */
import type { AggregateRecord } from '../reports/types.ts';

/**
 * Caps on the rollup's text key columns: untrusted reports may carry any number of auth results
 * and any length of name, and a PostgreSQL index entry must stay under about 2,700 bytes.
 */
export const SOURCE_ROLLUP_CAPS = { headerFrom: 255, dkimAuth: 800, spfAuth: 500, reasons: 200 } as const;

/**
 * The UTC day a report's messages are counted on in the rollup: the day holding the middle
 * of its window. A one-day window is counted on its own day whether it ends at begin+86399 or
 * begin+86400, and a window aligned on another time zone's midnight lands on the day holding
 * most of it. A window of several days is counted whole on its middle day, not spread over
 * them: rare (10 of 3,592 collected reports span more than 27 hours). Epoch second of that
 * day's midnight.
 */
export function rollupDay(window: { begin: number; end: number }): number {
  const middle = Math.floor((window.begin + Math.max(window.begin, window.end)) / 2);
  return middle - (middle % 86_400);
}

/** What the rollup needs of a report, with text as the engine stores it (encodeText). */
export interface RollupReport {
  policyDomain: string;
  /** rollupDay() of the report's window. */
  day: number;
  adkim: string | null;
  aspf: string | null;
}

/** source_rollup's key, in the order of its primary key. */
export const SOURCE_ROLLUP_KEY = [
  'policy_domain',
  'day',
  'source_ip',
  'header_from',
  'disposition',
  'dkim',
  'spf',
  'adkim',
  'aspf',
  'dkim_auth',
  'spf_auth',
  'reasons',
] as const;

/** What the rollup needs of a record: an AggregateRecord, or one read back from the store. */
export interface RollupRecord {
  sourceIp: string | null;
  count: number;
  headerFrom: string | null;
  policyEvaluated: Pick<AggregateRecord['policyEvaluated'], 'disposition' | 'dkim' | 'spf'> & {
    reasons: readonly { type: string | null }[];
  };
  authResults: {
    dkim: readonly { domain: string | null; result: string | null }[];
    spf: readonly { domain: string | null; scope: string | null; result: string | null }[];
  };
}

/** The first `max` characters (code points, as SQL's substr counts them). */
function capped(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text).slice(0, max).join('');
}

const noSpaces = (text: string) => (text.includes(' ') ? text.replaceAll(' ', '') : text);

/** A key of exactly SOURCE_ROLLUP_KEY.length parts joined by NUL: none of the parts held one. */
const JOINED_KEY = new RegExp(`^[^\\u0000]*(?:\\u0000[^\\u0000]*){${SOURCE_ROLLUP_KEY.length - 1}}$`);

/**
 * A record's source_rollup key as one string, its parts in SOURCE_ROLLUP_KEY's order: the day and
 * source, the disposition, the aligned results, the report's alignment modes and every DKIM and
 * SPF result and override reason flattened to text, so a sender's fail reason can be worked out
 * from the rollup alone (spaces separate the entries, so they are removed from names). `text`:
 * the engine's form of a string, as the records are stored.
 */
export function rollupId(
  text: (value: string | null) => string | null,
  report: RollupReport,
  record: RollupRecord,
): string {
  const pe = record.policyEvaluated;
  const caps = SOURCE_ROLLUP_CAPS;
  let dkimAuth = '';
  for (const [i, r] of record.authResults.dkim.entries()) {
    const entry = `${noSpaces(orEmpty(text, r.domain))}:${noSpaces(orEmpty(text, r.result))}`;
    dkimAuth = i === 0 ? entry : `${dkimAuth} ${entry}`;
  }
  let spfAuth = '';
  for (const [i, r] of record.authResults.spf.entries()) {
    const entry = `${noSpaces(orEmpty(text, r.domain))}:${noSpaces(orEmpty(text, r.scope))}:${noSpaces(orEmpty(text, r.result))}`;
    spfAuth = i === 0 ? entry : `${spfAuth} ${entry}`;
  }
  let reasons = '';
  for (const [i, r] of pe.reasons.entries()) {
    const entry = noSpaces(orEmpty(text, r.type));
    reasons = i === 0 ? entry : `${reasons} ${entry}`;
  }
  const key = [
    report.policyDomain,
    report.day,
    record.sourceIp ?? '',
    capped(orEmpty(text, record.headerFrom), caps.headerFrom),
    orEmpty(text, pe.disposition),
    orEmpty(text, pe.dkim),
    orEmpty(text, pe.spf),
    report.adkim ?? '',
    report.aspf ?? '',
    capped(dkimAuth, caps.dkimAuth),
    capped(spfAuth, caps.spfAuth),
    capped(reasons, caps.reasons),
  ];
  // NUL separates the parts; a key whose parts hold one is written as JSON, which holds no NUL.
  const id = key.join('\u0000');
  return JOINED_KEY.test(id) ? id : JSON.stringify(key);
}

/** A string in the engine's form, '' for none (the rollup's key columns are NOT NULL). */
function orEmpty(text: (value: string | null) => string | null, value: string | null): string {
  return value === null ? '' : (text(value) ?? '');
}

/** The parts of a rollupId. */
export function rollupKey(id: string): (string | number)[] {
  if (!id.includes('\u0000')) return JSON.parse(id) as (string | number)[];
  const key: (string | number)[] = id.split('\u0000');
  key[1] = Number(key[1]);
  return key;
}
