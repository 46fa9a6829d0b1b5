/**
 * source_rollup's key: what it is made of, from a report and a record. Pure, so that a read
 * thread can make a report's records' parts of it while the writing thread works (PreparedRecords).
 */
import type { AggregateRecord } from '../reports/types.ts';
import { lookupDomain } from './values.ts';

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
  /** As lookups compare it (lookupDomain), as the report's row keeps it. */
  policyDomain: string;
  /** rollupDay() of the report's window. */
  day: number;
  adkim: string | null;
  aspf: string | null;
}

/**
 * A report's parts of its records' rollup keys, from its `reports` row (stored or about to be;
 * PostgreSQL may give its bigint columns as strings).
 */
export function rollupReportOfRow(row: {
  policy_domain: string;
  date_begin: number | string;
  date_end: number | string;
  adkim: string | null;
  aspf: string | null;
}): RollupReport {
  return {
    policyDomain: row.policy_domain,
    day: rollupDay({ begin: Number(row.date_begin), end: Number(row.date_end) }),
    adkim: row.adkim,
    aspf: row.aspf,
  };
}

/**
 * source_rollup's key, in the order of SQLite's primary key on it (PostgreSQL keeps no unique key:
 * compactRollup merges the rows of a key).
 */
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

/** The parts of a source_rollup key (SOURCE_ROLLUP_KEY's order) as one string, to sum rows by. */
export function rollupId(key: readonly unknown[]): string {
  // NUL separates the parts; a key whose parts hold one is written as JSON, which holds no NUL.
  const id = key.join('\u0000');
  return JOINED_KEY.test(id) ? id : JSON.stringify(key);
}

/**
 * A record's header_from as the rollup keys it: in the engine's form, '' for none, capped, then
 * as lookups compare a domain (lookupDomain), so that `Example.JP` and `example.jp` are one From
 * domain. Capped first: the key of a row stored before is then enough to make its new key
 * (migration 0022-policy-domain-lookup).
 */
export function rollupHeaderFrom(
  text: (value: string | null) => string | null,
  headerFrom: string | null,
): string {
  return lookupDomain(capped(orEmpty(text, headerFrom), SOURCE_ROLLUP_CAPS.headerFrom));
}

/**
 * Pushes the parts of a record's rollup key that are not columns of its row: every DKIM and SPF
 * result and override reason flattened to text (dkim_auth, spf_auth, reasons), so a sender's
 * fail reason can be worked out from the rollup alone (spaces separate the entries, so they are
 * removed from names). `text`: the engine's form of a string, as the records are stored.
 */
export function pushRollupAuth(
  text: (value: string | null) => string | null,
  record: RollupRecord,
  into: unknown[],
): void {
  const caps = SOURCE_ROLLUP_CAPS;
  // Indexed loops: entries() made an iterator and an [index, item] pair per result.
  const { dkim, spf } = record.authResults;
  let dkimAuth = '';
  for (let i = 0; i < dkim.length; i++) {
    const r = dkim[i]!;
    const entry = `${noSpaces(orEmpty(text, r.domain))}:${noSpaces(orEmpty(text, r.result))}`;
    dkimAuth = i === 0 ? entry : `${dkimAuth} ${entry}`;
  }
  let spfAuth = '';
  for (let i = 0; i < spf.length; i++) {
    const r = spf[i]!;
    const entry = `${noSpaces(orEmpty(text, r.domain))}:${noSpaces(orEmpty(text, r.scope))}:${noSpaces(orEmpty(text, r.result))}`;
    spfAuth = i === 0 ? entry : `${spfAuth} ${entry}`;
  }
  const overrides = record.policyEvaluated.reasons;
  let reasons = '';
  for (let i = 0; i < overrides.length; i++) {
    const entry = noSpaces(orEmpty(text, overrides[i]!.type));
    reasons = i === 0 ? entry : `${reasons} ${entry}`;
  }
  into.push(capped(dkimAuth, caps.dkimAuth), capped(spfAuth, caps.spfAuth), capped(reasons, caps.reasons));
}

/** A string in the engine's form, '' for none (the rollup's key columns are NOT NULL). */
export function orEmpty(text: (value: string | null) => string | null, value: string | null): string {
  return value === null ? '' : (text(value) ?? '');
}
