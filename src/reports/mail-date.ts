/**
 * A date of a mail header (an ARF Arrival-Date), read as RFC 5322 §3.3 and §4.3 write it, or as
 * ISO 8601, which some reporters send. Date.parse is not used: it reads a date without a zone in
 * the process's local time, and makes 31 April into 1 May.
 */

export interface MailDate {
  seconds: number;
  /** `given`: the text says its offset; `none`: it says no zone; `unknown`: it names a zone RFC 5322 does not know. */
  zone: 'given' | 'none' | 'unknown';
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** RFC 5322 §4.3's obsolete zones; any other name (military letters too) is -0000 there. */
const NAMED_ZONES: Record<string, number> = {
  ut: 0,
  gmt: 0,
  z: 0,
  est: -5 * 60,
  edt: -4 * 60,
  cst: -6 * 60,
  cdt: -5 * 60,
  mst: -7 * 60,
  mdt: -6 * 60,
  pst: -8 * 60,
  pdt: -7 * 60,
};

const RFC5322 =
  /^(?:[a-z]{3}\s*,\s*)?(\d{1,2})\s+([a-z]{3})\s+(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?(?:\.\d+)?(?:\s+([+-]\d{4}|[a-z]{1,5}))?$/i;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[t ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(z|[+-]\d{2}:?\d{2})?$/i;
const ASCTIME = /^[a-z]{3}\s+([a-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(\d{4})$/i;

/** The date the text says, or null when it is not a date or not one that exists (31 April). */
export function readMailDate(text: string): MailDate | null {
  // A trailing comment names the zone for people ("+0900 (JST)"); the offset says it.
  const value = text.replace(/\s*\([^)]*\)\s*$/, '').trim();
  let match = RFC5322.exec(value);
  if (match) {
    const [, day, month, year, hour, minute, second, zone] = match;
    let fullYear = Number(year);
    // RFC 5322 §4.3: two-digit years 00-49 are 2000-2049, 50-99 and three-digit ones 1900 and on.
    if (year!.length === 2) fullYear += fullYear < 50 ? 2000 : 1900;
    else if (year!.length === 3) fullYear += 1900;
    return dated(fullYear, monthNumber(month!), day!, hour!, minute!, second, zone);
  }
  match = ISO.exec(value);
  if (match) {
    const [, year, month, day, hour, minute, second, zone] = match;
    return dated(Number(year), Number(month), day!, hour!, minute!, second, zone);
  }
  match = ASCTIME.exec(value);
  if (match) {
    const [, month, day, hour, minute, second, year] = match;
    return dated(Number(year), monthNumber(month!), day!, hour!, minute!, second, undefined);
  }
  return null;
}

function monthNumber(name: string): number {
  return MONTHS.indexOf(name.toLowerCase()) + 1;
}

function dated(
  year: number,
  month: number,
  day: string,
  hour: string,
  minute: string,
  second: string | undefined,
  zone: string | undefined,
): MailDate | null {
  const [d, h, m, s] = [Number(day), Number(hour), Number(minute), Number(second ?? 0)];
  // A leap second (60) is allowed; a field past its range is no date, not a later one.
  if (month < 1 || d < 1 || h > 23 || m > 59 || s > 60) return null;
  const ms = Date.UTC(year, month - 1, d, h, m, s);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== d)
    return null;
  const offset = zoneMinutes(zone);
  return {
    // RFC 5322 §4.3: a zone name not known is -0000, UTC with the sender's offset unknown.
    seconds: Math.floor(ms / 1000) - (offset ?? 0) * 60,
    zone: zone === undefined ? 'none' : offset === null ? 'unknown' : 'given',
  };
}

/** The zone's offset east of UTC in minutes (none is UTC); null for a name not known. */
function zoneMinutes(zone: string | undefined): number | null {
  if (zone === undefined) return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3]);
    return numeric[1] === '-' ? -minutes : minutes;
  }
  return NAMED_ZONES[zone.toLowerCase()] ?? null;
}
