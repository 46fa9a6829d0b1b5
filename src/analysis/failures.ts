/**
 * Failure (ruf) reports of a domain: what each one carries (headers, subject, body, URLs),
 * grouped by the sending IP and by the identity it used, spoofed (the domain itself or a
 * subdomain) or look-alike (a near spelling, confusable letters, another suffix). Aggregate
 * reports carry none of the message: the view says so, with the counts to compare.
 */
import { domainToUnicode } from 'node:url';
import type { SelectQueryBuilder } from 'kysely';
import { editDistance } from '../records/dmarc/tags.ts';
import { pslOrgDomain, publicSuffix } from '../records/org-domain.ts';
import { decodeEncodedWords } from '../reports/mail.ts';
import type { HeaderField } from '../reports/types.ts';
import type { Database } from '../store/schema.ts';
import { decodeText } from '../store/text.ts';
import type { Store } from '../store/types.ts';
import { lookupDomain } from '../store/values.ts';
import type { IpFactsSource } from './ip-facts.ts';
import { isoDay, type Period } from './period.ts';

const DAY = 86_400;

/** Failure reports read for one view, newest first; older ones are left out (`truncated`). */
export const MAX_FAILURE_REPORTS_READ = 5_000;
/**
 * Failure reports of the period looked through for the domain's, newest first (every domain's
 * are, for its look-alikes: only their identities are read); older ones are left out
 * (`truncated`).
 */
export const MAX_FAILURE_REPORTS_SCANNED = 100_000;
/** Header fields shown per report, and characters per value (Subject, Date and Message-ID too). */
export const MAX_HEADERS_SHOWN = 40;
export const MAX_HEADER_VALUE_CHARS = 500;
/** Characters of the body shown. */
export const MAX_BODY_EXCERPT_CHARS = 1_000;
/** Subjects listed per group. */
export const MAX_GROUP_SUBJECTS = 5;

/** How an identity in a report relates to the domain the view is for. */
export type IdentityRelation = 'exact' | 'subdomain' | 'same-organisation' | 'look-alike' | 'unrelated';

export interface Identity {
  /** The address or domain as the report gave it (redacted local part). */
  value: string;
  domain: string;
  relation: IdentityRelation;
  /** For look-alikes: what makes them so. */
  why?: 'edit-distance' | 'confusable' | 'other-suffix' | 'contains-name';
}

export interface FailureItem {
  id: number;
  /** ISO time the failing message arrived, when the report says. */
  arrival: string | null;
  reporter: string | null;
  sourceIp: string | null;
  authFailure: string | null;
  deliveryResult: string | null;
  identityAlignment: string | null;
  incidents: number;
  from: Identity | null;
  mailFrom: Identity | null;
  replyTo: Identity | null;
  reportedDomains: string[];
  subject: string | null;
  date: string | null;
  messageId: string | null;
  /** Recipients with their local part hidden. */
  recipients: string[];
  /** `message`, `headers`, `inline`, or null when the report has no copy of the message. */
  originalForm: string | null;
  headers: HeaderField[];
  /** The body's first MAX_BODY_EXCERPT_CHARS characters, addresses' local parts hidden. */
  body: string | null;
  /** The reporter redacted addresses itself (RFC 6590). */
  redactedByReporter: boolean;
  urls: string[];
  dkim: { domain: string | null; selector: string | null };
  authenticationResults: string[];
  /** Which parts of the message this report carries. */
  carries: ('headers' | 'subject' | 'recipients' | 'body' | 'urls')[];
}

export interface SenderGroup {
  ip: string;
  ptr: string | null;
  /** From the owner's mmdb, when given. */
  asn: number | null;
  asOrg: string | null;
  country: string | null;
  reports: number;
  incidents: number;
  first: string | null;
  last: string | null;
  fromDomains: string[];
  subjects: string[];
}

export interface IdentityGroup {
  domain: string;
  relation: IdentityRelation;
  why?: Identity['why'];
  reports: number;
  incidents: number;
  senders: string[];
  subjects: string[];
}

export interface FailuresView {
  domain: string;
  /** First and last day of the period, YYYY-MM-DD; null for all reports. */
  since: string | null;
  until: string | null;
  reports: number;
  incidents: number;
  /** Older reports were left out (MAX_FAILURE_REPORTS_READ of the domain's, MAX_FAILURE_REPORTS_SCANNED in all). */
  truncated: boolean;
  carried: {
    headers: number;
    subject: number;
    body: number;
    urls: number;
    redacted: number;
    noOriginal: number;
  };
  /** Messages failing DMARC in the aggregate reports over the same period: what ruf reports sample. */
  aggregateFailing: number;
  bySender: SenderGroup[];
  byIdentity: IdentityGroup[];
  items: FailureItem[];
  /** Codes of what aggregate data cannot tell (words in i18n/plan.ts, `failures.cannot.*`). */
  cannotTell: string[];
}

// ---------------------------------------------------------------- look-alikes

/** Letters that look like others, by the Latin letter they imitate (a working subset of Unicode confusables). */
const CONFUSABLE: Record<string, string> = {
  '0': 'o',
  '1': 'l',
  '3': 'e',
  '5': 's',
  '7': 't',
  i: 'l',
  '\u0430': 'a', // Cyrillic а
  '\u0435': 'e', // е
  '\u043e': 'o', // о
  '\u0440': 'p', // р
  '\u0441': 'c', // с
  '\u0443': 'y', // у
  '\u0445': 'x', // х
  '\u0456': 'l', // і
  '\u0458': 'j', // ј
  '\u0455': 's', // ѕ
  '\u04bb': 'h', // һ
  '\u03bf': 'o', // Greek ο
  '\u03b1': 'a', // α
  '\u03bd': 'v', // ν
  '\u03c1': 'p', // ρ
  '\u0131': 'l', // dotless ı
};

/** The shape a label reads as: confusable letters mapped, `rn` as `m`, `vv` as `w`. */
export function skeleton(label: string): string {
  const mapped = [...label.normalize('NFKC').toLowerCase()].map((c) => CONFUSABLE[c] ?? c).join('');
  return mapped.replaceAll('rn', 'm').replaceAll('vv', 'w');
}

/** The registrable label (`example` of example.co.jp) and its suffix. */
function split(domain: string): { label: string; suffix: string } | undefined {
  const org = pslOrgDomain(domain);
  const suffix = publicSuffix(domain);
  if (!org || !suffix) return undefined;
  return { label: domainToUnicode(org.slice(0, -(suffix.length + 1))), suffix };
}

/** How `candidate` relates to `domain` (both lower case). */
export function identityRelation(candidate: string, domain: string): Pick<Identity, 'relation' | 'why'> {
  const c = candidate.toLowerCase().replace(/\.$/, '');
  if (c === domain) return { relation: 'exact' };
  if (c.endsWith(`.${domain}`)) return { relation: 'subdomain' };
  const mine = split(domain);
  const theirs = split(c);
  if (!mine || !theirs) return { relation: 'unrelated' };
  if (pslOrgDomain(c) === pslOrgDomain(domain)) return { relation: 'same-organisation' };
  if (theirs.label === mine.label) return { relation: 'look-alike', why: 'other-suffix' };
  if (skeleton(theirs.label) === skeleton(mine.label)) return { relation: 'look-alike', why: 'confusable' };
  // Short names are a letter or two from many real domains: only longer ones count.
  if (mine.label.length >= 5 && editDistance(theirs.label, mine.label) <= (mine.label.length >= 8 ? 2 : 1)) {
    return { relation: 'look-alike', why: 'edit-distance' };
  }
  if (mine.label.length >= 4 && theirs.label.split(/[-.]/).includes(mine.label)) {
    return { relation: 'look-alike', why: 'contains-name' };
  }
  return { relation: 'unrelated' };
}

// ---------------------------------------------------------------- reading

// A local part starts where no local-part character is before it: matched from every position of
// a long run of them, the search took quadratic time (200,000 characters: 40 s).
const ADDRESS = /(?<![A-Za-z0-9._%+=-])([A-Za-z0-9._%+=-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;

/** Hides the local part of every address: recipients are the receiver's users. */
export function hideLocalParts(text: string): string {
  return text.replace(ADDRESS, (_, _local: string, host: string) => `***@${host}`);
}

/**
 * Authentication-Results with the local parts of its property values hidden (smtp.mailfrom=
 * bounces+bob=163.com@... is ***@...): `=` may stand in a local part, so each value is hidden
 * apart from its property's name.
 */
function hideResultLocalParts(results: string): string {
  return results.replace(
    /([\w.-]+=)(\S+)/g,
    (_, property: string, value: string) => property + hideLocalParts(value),
  );
}

/** A header value as the view shows it: local parts hidden, cut at MAX_HEADER_VALUE_CHARS. */
function nullableHidden(value: string | null): string | null {
  return value === null ? null : hideLocalParts(value).slice(0, MAX_HEADER_VALUE_CHARS);
}

/** The domain of the first address in a header value or path (`Name <a@b.example>`, `<a@b.example>`). */
function addressDomain(value: string | null): string | null {
  if (!value) return null;
  const angle = /<([^<>]*)>/.exec(value)?.[1] ?? value;
  const at = angle.lastIndexOf('@');
  if (at === -1) return null;
  const domain = angle
    .slice(at + 1)
    .trim()
    .replace(/[>\s].*$/, '')
    .toLowerCase();
  return /^[a-z0-9.-]+\.[a-z0-9-]+$/.test(domain) ? domain : null;
}

type Relation = Pick<Identity, 'relation' | 'why'>;

/**
 * identityRelation to one domain, each candidate worked out once: a view reads thousands of
 * reports (every domain's, for the look-alikes) naming a few hundred domains, and each
 * relation takes several public-suffix lookups.
 */
function relationsTo(domain: string): (candidate: string) => Relation {
  const known = new Map<string, Relation>();
  return (candidate) => {
    let relation = known.get(candidate);
    if (!relation) {
      relation = identityRelation(candidate, domain);
      known.set(candidate, relation);
    }
    return relation;
  };
}

/** The identity a header value or path names; its value as given (see shown()). */
function identity(value: string | null, relationOf: (candidate: string) => Relation): Identity | null {
  const d = addressDomain(value);
  if (!value || !d) return null;
  return { value, domain: d, ...relationOf(d) };
}

/** The identity as a view shows it: encoded words decoded (as the Subject is), local parts hidden, the value cut. */
function shown(i: Identity | null): Identity | null {
  return i === null
    ? null
    : { ...i, value: hideLocalParts(decodeEncodedWords(i.value)).slice(0, MAX_HEADER_VALUE_CHARS) };
}

function iso(seconds: number | null): string | null {
  return seconds === null ? null : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Relations that make a report one of the domain's. */
const RELATED: ReadonlySet<IdentityRelation> = new Set(['exact', 'subdomain', 'look-alike']);

/** Reports per page of the scan for the domain's. */
const FAILURE_SCAN_PAGE = 5_000;

/** Who a report names, worked out in the scan. */
interface Identities {
  reportedDomains: string[];
  headers: HeaderField[];
  from: Identity | null;
  mailFrom: Identity | null;
  reply: Identity | null;
}

/** Reports per read of the domain's reports by id (within SQLite's parameter limit). */
const FAILURE_IDS_PER_READ = 500;

/** What a view shows of these failure reports. */
function readFailureRows(store: Store, ids: readonly number[]) {
  return store.db
    .selectFrom('failure_reports')
    .select([
      'id',
      'arrival_time',
      'mail_from',
      'source_ip',
      'auth_failure',
      'delivery_result',
      'identity_alignment',
      'incidents',
      'original_rcpt_to',
      'authentication_results',
      'dkim_domain',
      'dkim_selector',
      'original_form',
      'original_to',
      'original_subject',
      'original_date',
      'original_message_id',
      'redacted',
      'original_body',
      'original_urls',
    ])
    .where('id', 'in', ids)
    .execute();
}

export interface FailuresOptions {
  /** Reports of messages that arrived (else were ingested) on these days; all when absent. */
  period?: Period;
  /** Names the source IPs from the cache (no lookups needed). */
  ipFacts?: IpFactsSource;
}

/**
 * The domain's failure reports: those reporting it or a subdomain, and those whose From,
 * envelope sender or Reply-To is one of its look-alikes.
 */
export async function failureReports(
  store: Store,
  domainInput: string,
  options: FailuresOptions = {},
): Promise<FailuresView> {
  const domain = domainInput.toLowerCase().replace(/\.$/, '');
  const inPeriod = <Q extends SelectQueryBuilder<Database, 'failure_reports', object>>(query: Q): Q => {
    if (options.period === undefined) return query;
    const since = options.period.since;
    const until = options.period.until + DAY;
    return query.where((eb) =>
      eb.or([
        eb.and([eb('arrival_time', '>=', since), eb('arrival_time', '<', until)]),
        eb.and([
          eb('arrival_time', 'is', null),
          eb('ingested_at', '>=', since),
          eb('ingested_at', '<', until),
        ]),
      ]),
    ) as Q;
  };
  const text = (v: string | null) => (v === null ? null : decodeText(store.engine, v));
  const list = <T>(v: string | null): T[] => {
    if (v === null) return [];
    try {
      const parsed = JSON.parse(decodeText(store.engine, v)) as unknown;
      return Array.isArray(parsed) ? (parsed as T[]) : [];
    } catch {
      return [];
    }
  };

  // Which reports are the domain's: their identities alone are read first, a page at a time
  // (memory stays bounded), then the rest of the domain's only (most reports of a store with
  // many domains are other domains').
  const relationOf = relationsTo(domain);
  const domainsOwn = new Map<number, Identities>();
  let scanned = 0;
  let before = Number.POSITIVE_INFINITY;
  while (scanned < MAX_FAILURE_REPORTS_SCANNED) {
    let query = inPeriod(
      store.db
        .selectFrom('failure_reports')
        .select(['id', 'reported_domains', 'original_headers', 'original_from', 'original_mail_from']),
    );
    if (before !== Number.POSITIVE_INFINITY) query = query.where('id', '<', before);
    const limit = Math.min(FAILURE_SCAN_PAGE, MAX_FAILURE_REPORTS_SCANNED - scanned);
    const page = await query.orderBy('id', 'desc').limit(limit).execute();
    for (const r of page) {
      // As lookups compare them: `Example.JP.` is example.jp.
      const reportedDomains = list<string>(r.reported_domains).map((d) => lookupDomain(String(d)));
      const headers = list<HeaderField>(r.original_headers);
      const replyTo = headers.find((h) => h.name.toLowerCase() === 'reply-to')?.value ?? null;
      // Without a copy of the message, the Reported-Domain is the From domain the receiver evaluated.
      const reportedFrom = reportedDomains[0];
      const from =
        identity(text(r.original_from), relationOf) ??
        (reportedFrom ? { value: reportedFrom, domain: reportedFrom, ...relationOf(reportedFrom) } : null);
      const mailFrom = identity(text(r.original_mail_from), relationOf);
      const reply = identity(replyTo, relationOf);
      const reported = reportedDomains.some((d) => d === domain || d.endsWith(`.${domain}`));
      if (reported || [from, mailFrom, reply].some((i) => i !== null && RELATED.has(i.relation)))
        domainsOwn.set(Number(r.id), { reportedDomains, headers, from, mailFrom, reply });
    }
    scanned += page.length;
    const last = page.at(-1);
    if (last) before = Number(last.id);
    if (page.length < limit) break;
  }
  // Whether older reports remain unread: asked only when the scan stopped at its cap.
  const more =
    scanned >= MAX_FAILURE_REPORTS_SCANNED &&
    (
      await inPeriod(store.db.selectFrom('failure_reports').select('id'))
        .where('id', '<', before)
        .limit(1)
        .execute()
    ).length > 0;
  const ids = [...domainsOwn.keys()];
  const truncated = more || ids.length > MAX_FAILURE_REPORTS_READ;
  const rows: Awaited<ReturnType<typeof readFailureRows>> = [];
  for (let i = 0; i < Math.min(ids.length, MAX_FAILURE_REPORTS_READ); i += FAILURE_IDS_PER_READ) {
    const chunk = ids.slice(i, Math.min(i + FAILURE_IDS_PER_READ, MAX_FAILURE_REPORTS_READ));
    rows.push(...(await readFailureRows(store, chunk)));
  }
  rows.sort((a, b) => Number(b.id) - Number(a.id));

  const items: FailureItem[] = [];
  for (const r of rows) {
    const found = domainsOwn.get(Number(r.id));
    if (!found) continue;
    const { reportedDomains, headers } = found;
    const from = shown(found.from);
    const mailFrom = shown(found.mailFrom);
    const reply = shown(found.reply);
    const body = text(r.original_body);
    const urls = list<string>(r.original_urls).map(String);
    // Header values are cut for the view, the Subject (decoded from one) like the others.
    const subject = text(r.original_subject)?.slice(0, MAX_HEADER_VALUE_CHARS) ?? null;
    const recipients = [
      ...list<string>(r.original_rcpt_to).map(String),
      ...(r.original_to ? [text(r.original_to)!] : []),
    ].map(hideLocalParts);
    const carries: FailureItem['carries'] = [];
    if (headers.length > 0) carries.push('headers');
    if (subject !== null) carries.push('subject');
    if (recipients.length > 0) carries.push('recipients');
    if (body !== null && body.trim() !== '') carries.push('body');
    if (urls.length > 0) carries.push('urls');
    const incidents = r.incidents !== null && Number(r.incidents) > 0 ? Number(r.incidents) : 1;
    items.push({
      id: Number(r.id),
      arrival: iso(r.arrival_time === null ? null : Number(r.arrival_time)),
      reporter: text(r.mail_from),
      sourceIp: text(r.source_ip),
      authFailure: text(r.auth_failure),
      deliveryResult: text(r.delivery_result),
      identityAlignment: text(r.identity_alignment),
      incidents,
      from,
      mailFrom,
      replyTo: reply,
      reportedDomains,
      subject,
      date: text(r.original_date)?.slice(0, MAX_HEADER_VALUE_CHARS) ?? null,
      // Hidden as in the header list: a Message-ID's left part may carry the recipient.
      messageId: nullableHidden(text(r.original_message_id)),
      recipients,
      originalForm: text(r.original_form),
      headers: headers.slice(0, MAX_HEADERS_SHOWN).map((h) => ({
        name: String(h.name),
        value: hideLocalParts(String(h.value)).slice(0, MAX_HEADER_VALUE_CHARS),
      })),
      body: body === null ? null : hideLocalParts(body).slice(0, MAX_BODY_EXCERPT_CHARS),
      redactedByReporter: Number(r.redacted) === 1,
      urls,
      dkim: { domain: text(r.dkim_domain), selector: text(r.dkim_selector) },
      // smtp.mailfrom= there is the envelope sender, which a bounce address makes the recipient's.
      authenticationResults: list<string>(r.authentication_results).map((v) =>
        hideResultLocalParts(String(v)),
      ),
      carries,
    });
  }

  const facts = options.ipFacts
    ? await options.ipFacts.describe([...new Set(items.flatMap((i) => (i.sourceIp ? [i.sourceIp] : [])))])
    : new Map();
  const { reports, incidents, carried, ...groups } = groupFailures(items, (ip) => facts.get(ip));
  return {
    domain,
    since: options.period ? isoDay(options.period.since) : null,
    until: options.period ? isoDay(options.period.until) : null,
    reports,
    incidents,
    truncated,
    carried,
    aggregateFailing: await aggregateFailing(store, domain, options),
    ...groups,
  };
}

/** What the network knows of a sender, for its group. */
type SenderFacts = Pick<SenderGroup, 'ptr' | 'asn' | 'asOrg' | 'country'>;

/**
 * The figures, groups and items of a view worked out from its items (newest first): by sender
 * (with `factsOf` its network facts), by identity used, what they carry and what aggregate data
 * cannot tell. Also cuts a kept view down to the items one caller may see.
 */
export function groupFailures(
  items: FailureItem[],
  factsOf: (ip: string) => Partial<SenderFacts> | undefined,
): Pick<
  FailuresView,
  'reports' | 'incidents' | 'carried' | 'bySender' | 'byIdentity' | 'items' | 'cannotTell'
> {
  const senders = new Map<string, SenderGroup>();
  const identities = new Map<string, IdentityGroup>();
  const addSubject = (subjects: string[], subject: string | null) => {
    if (subject !== null && subjects.length < MAX_GROUP_SUBJECTS && !subjects.includes(subject))
      subjects.push(subject);
  };
  // Oldest first, so first/last read in order.
  for (const item of [...items].reverse()) {
    const ip = item.sourceIp ?? '';
    let s = senders.get(ip);
    if (!s) {
      const facts = factsOf(ip);
      s = {
        ip,
        ptr: facts?.ptr ?? null,
        asn: facts?.asn ?? null,
        asOrg: facts?.asOrg ?? null,
        country: facts?.country ?? null,
        reports: 0,
        incidents: 0,
        first: item.arrival,
        last: item.arrival,
        fromDomains: [],
        subjects: [],
      };
      senders.set(ip, s);
    }
    s.reports++;
    s.incidents += item.incidents;
    if (item.arrival !== null) {
      if (s.first === null || item.arrival < s.first) s.first = item.arrival;
      if (s.last === null || item.arrival > s.last) s.last = item.arrival;
    }
    if (item.from && !s.fromDomains.includes(item.from.domain)) s.fromDomains.push(item.from.domain);
    addSubject(s.subjects, item.subject);

    const seen = new Set<string>();
    for (const id of [item.from, item.mailFrom, item.replyTo]) {
      if (!id || !RELATED.has(id.relation) || seen.has(id.domain)) continue;
      seen.add(id.domain);
      let g = identities.get(id.domain);
      if (!g) {
        g = {
          domain: id.domain,
          relation: id.relation,
          ...(id.why ? { why: id.why } : {}),
          reports: 0,
          incidents: 0,
          senders: [],
          subjects: [],
        };
        identities.set(id.domain, g);
      }
      g.reports++;
      g.incidents += item.incidents;
      if (ip && !g.senders.includes(ip)) g.senders.push(ip);
      addSubject(g.subjects, item.subject);
    }
  }

  const count = (part: FailureItem['carries'][number]) =>
    items.filter((i) => i.carries.includes(part)).length;
  const carried = {
    headers: count('headers'),
    subject: count('subject'),
    body: count('body'),
    urls: count('urls'),
    redacted: items.filter((i) => i.redactedByReporter).length,
    noOriginal: items.filter((i) => i.originalForm === null).length,
  };
  const cannotTell = ['aggregate-no-content', 'ruf-sample'];
  if (carried.noOriginal > 0) cannotTell.push('no-original');
  if (carried.body < items.length) cannotTell.push('headers-only');
  if (carried.redacted > 0) cannotTell.push('redacted');
  if (items.length === 0) cannotTell.push('no-ruf');

  return {
    reports: items.length,
    incidents: items.reduce((n, i) => n + i.incidents, 0),
    carried,
    bySender: [...senders.values()].sort((a, b) => b.incidents - a.incidents || a.ip.localeCompare(b.ip)),
    byIdentity: [...identities.values()].sort(
      (a, b) => b.incidents - a.incidents || a.domain.localeCompare(b.domain),
    ),
    items,
    cannotTell,
  };
}

async function aggregateFailing(store: Store, domain: string, options: FailuresOptions): Promise<number> {
  let query = store.db
    .selectFrom('source_rollup')
    .select((eb) => eb.fn.sum<number>('messages').as('messages'))
    .where('policy_domain', '=', domain)
    .where('dkim', '!=', 'pass')
    .where('spf', '!=', 'pass');
  if (options.period !== undefined) {
    query = query.where('day', '>=', options.period.since).where('day', '<=', options.period.until);
  }
  const row = await query.executeTakeFirst();
  return Number(row?.messages ?? 0);
}
