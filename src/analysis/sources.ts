/**
 * Sources: the domain's mail grouped by sending IP into senders, each with its volume, its
 * aligned results, why it fails in plain words and what to do, the known service it belongs
 * to, and a class (authorised, known service not yet configured, forwarder, suspicious).
 * `groupSenders` is the pure part; `sources` reads the rollup and the owner's marks.
 */
import type { Lang } from '../i18n/lang.ts';
import { pslOrgDomain } from '../records/org-domain.ts';
import type { Store } from '../store/types.ts';
import type { SenderMark, SenderMarkKind } from './inventory.ts';
import type { IpFacts, IpFactsSource } from './ip-facts.ts';
import { isoDay, type Period } from './period.ts';
import { readMarks, readSenderIps, readSourceRows, type SourceRollupRow } from './reads.ts';
import type { AlignmentMode } from './senders/alignment.ts';
import type { SenderCategory, SenderRuleKind } from './senders/catalogue.ts';
import { type FailReason, type FailReasonCode, failReason, type ReasonRow } from './senders/fail-reason.ts';
import { matchSender, normaliseName } from './senders/match.ts';
import { describeFailReason, senderName } from './senders/words.ts';

/**
 * - `authorised`: marked so by the owner, or most of its mail passes DMARC.
 * - `known-unconfigured`: a known service (not an ISP) whose mail fails: likely the owner's,
 *   not yet set up for the domain.
 * - `forwarder`: most of its mail is forwarded or resent by a mailing list.
 * - `suspicious`: none of the above, or marked so.
 */
export type SenderClass = 'authorised' | 'known-unconfigured' | 'forwarder' | 'suspicious';

/** Why a sender got its class: the owner's mark, or what its mail showed. */
export type ClassBasis = 'mark' | 'forwarded' | 'passing' | 'catalogue' | 'unknown';

export interface SenderReason {
  code: FailReasonCode;
  /** Values the words are built from (see FailReason.args). */
  args: Record<string, string>;
  /** Messages of the sender with this reason. */
  messages: number;
  /** In plain words, in the language asked for. */
  text: string;
  /** What to do; null for mail that passes. */
  fix: string | null;
}

export interface KnownSenderMatch {
  id: string;
  name: string;
  category: SenderCategory;
  /** Which evidence matched: the PTR name, a DKIM d=, or an SPF (return-path) domain. */
  matchedBy: SenderRuleKind;
  matched: string;
}

/** One sending IP of the domain over the period. */
export interface Sender {
  ip: string;
  /** For people: the known service's name, else the PTR name, else the IP. */
  name: string;
  ptr: string | null;
  ptrConfirmed: boolean;
  /** Organisational domain of the PTR name: who runs the server, for grouping. */
  ptrOrgDomain: string | null;
  asn: number | null;
  asOrg: string | null;
  country: string | null;
  knownSender: KnownSenderMatch | null;
  messages: number;
  /** Messages passing DMARC (aligned SPF or aligned DKIM pass). */
  dmarcPass: number;
  dmarcFail: number;
  spfAligned: number;
  dkimAligned: number;
  class: SenderClass;
  classBasis: ClassBasis;
  mark: SenderMark | null;
  /** The reason covering most of its failing mail (or, when none fails, most of its mail). */
  reason: SenderReason;
  /** Every reason seen, most messages first. */
  reasons: SenderReason[];
  /** From domains it sent as, most messages first. */
  headerFroms: { domain: string; messages: number }[];
}

export interface SourcesResult {
  domain: string;
  /** First and last day of the period, `YYYY-MM-DD`. */
  since: string;
  until: string;
  messages: number;
  dmarcPass: number;
  dmarcFail: number;
  /** Most messages first. */
  senders: Sender[];
}

/** A rollup row with its results worked out: what the simulation reads too. */
export interface EvaluatedRow {
  sourceIp: string;
  headerFrom: string;
  messages: number;
  dmarc: 'pass' | 'fail';
  spfAligned: boolean;
  dkimAligned: boolean;
  /** The reporters' policy override reason types. */
  overrides: string[];
  reason: FailReason;
}

export interface GroupOptions {
  marks?: ReadonlyMap<string, SenderMark>;
  facts?: ReadonlyMap<string, IpFacts>;
  lang?: Lang;
}

/** Code-unit order: stable across machines, and much faster than localeCompare on thousands of senders. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const entries = (text: string): string[] => (text === '' ? [] : text.split(' '));

/** `domain:result` entries of the rollup: the result is after the last colon. */
function dkimResults(text: string): ReasonRow['authResults']['dkim'] {
  return entries(text).map((entry) => {
    const cut = entry.lastIndexOf(':');
    return { domain: entry.slice(0, cut) || null, result: entry.slice(cut + 1) || null };
  });
}

/** `domain:scope:result` entries: scope and result are after the last two colons. */
function spfResults(text: string): ReasonRow['authResults']['spf'] {
  return entries(text).map((entry) => {
    const last = entry.lastIndexOf(':');
    const scopeCut = entry.lastIndexOf(':', last - 1);
    return {
      domain: entry.slice(0, scopeCut) || null,
      scope: entry.slice(scopeCut + 1, last) || null,
      result: entry.slice(last + 1) || null,
    };
  });
}

const passFail = (v: string): 'pass' | 'fail' | null => (v === 'pass' || v === 'fail' ? v : null);
const mode = (v: string): AlignmentMode | null => (v === 'r' || v === 's' ? v : null);
const orgDomain = (name: string) => pslOrgDomain(name);

/**
 * The reporter's own aligned results decide pass or fail where it gave them; the auth results
 * decide only where it did not. The reason is worked out from the auth results; when they say
 * otherwise than the reporter, the reason is taken from what failed.
 */
function evaluate(
  row: SourceRollupRow,
  sender: { ptr?: string; authorised: boolean; ptrRule: string },
  memo: Map<string, FailReason>,
): EvaluatedRow {
  const overrides = entries(row.reasons);
  const key = [
    row.headerFrom,
    row.dkim,
    row.spf,
    row.adkim,
    row.aspf,
    row.dkimAuth,
    row.spfAuth,
    row.reasons,
    // The PTR name counts only through the rule it matches (ptrRule).
    sender.ptrRule,
    sender.authorised ? '1' : '0',
  ].join('\u0000');
  let reason = memo.get(key);
  const dkimAligned = row.dkim === '' ? undefined : row.dkim === 'pass';
  const spfAligned = row.spf === '' ? undefined : row.spf === 'pass';
  if (!reason) {
    const reasonRow: ReasonRow = {
      headerFrom: row.headerFrom,
      policyEvaluated: {
        dkim: passFail(row.dkim),
        spf: passFail(row.spf),
        reasons: overrides.map((type) => ({ type })),
      },
      authResults: { dkim: dkimResults(row.dkimAuth), spf: spfResults(row.spfAuth) },
      adkim: mode(row.adkim),
      aspf: mode(row.aspf),
      ...(sender.ptr === undefined ? {} : { ptr: sender.ptr }),
      authorised: sender.authorised,
    };
    reason = failReason(reasonRow, orgDomain);
    const reported =
      dkimAligned === undefined && spfAligned === undefined
        ? reason.dmarc
        : dkimAligned || spfAligned
          ? 'pass'
          : 'fail';
    if (reported === 'pass' && reason.dmarc === 'fail') {
      reason = {
        ...reason,
        code: 'aligned-pass',
        args: {
          domain: normaliseName(row.headerFrom),
          via: dkimAligned && spfAligned ? 'both' : dkimAligned ? 'dkim' : 'spf',
        },
        dmarc: 'pass',
      };
    } else if (reported === 'fail' && reason.code === 'aligned-pass') {
      // The reporter found no aligned pass where the auth results seem to show one (another
      // organisational domain, a key it could not fetch): explain from what failed.
      reason = {
        ...failReason({ ...reasonRow, authResults: { dkim: [], spf: [] } }, orgDomain),
        dmarc: 'fail',
      };
    }
    memo.set(key, reason);
  }
  const finalDkim = dkimAligned ?? reason.dkimAligned;
  const finalSpf = spfAligned ?? reason.spfAligned;
  return {
    sourceIp: row.sourceIp,
    headerFrom: row.headerFrom,
    messages: row.messages,
    dmarc: finalDkim || finalSpf ? 'pass' : 'fail',
    spfAligned: finalSpf,
    dkimAligned: finalDkim,
    overrides,
    reason,
  };
}

const FORWARDING: ReadonlySet<FailReasonCode> = new Set(['forwarded', 'mailing-list']);

function classify(
  mark: SenderMarkKind | undefined,
  s: { messages: number; dmarcPass: number; forwarded: number; known: KnownSenderMatch | null },
): { class: SenderClass; basis: ClassBasis } {
  if (mark) return { class: mark, basis: 'mark' };
  // Half or more: a sender is what most of its mail shows.
  if (s.forwarded * 2 >= s.messages && s.forwarded > 0) return { class: 'forwarder', basis: 'forwarded' };
  if (s.dmarcPass * 2 > s.messages) return { class: 'authorised', basis: 'passing' };
  if (s.known && s.known.category !== 'isp') return { class: 'known-unconfigured', basis: 'catalogue' };
  return { class: 'suspicious', basis: 'unknown' };
}

/** A one-row sender as worked out, to be copied for senders whose row differs only in IP and count. */
interface Shape {
  sender: Sender;
  row: EvaluatedRow;
}

const shape = (r: SourceRollupRow) =>
  [r.headerFrom, r.dkim, r.spf, r.adkim, r.aspf, r.dkimAuth, r.spfAuth, r.reasons].join('\u0000');

/**
 * What a sender's facts change in its evaluation: a forward-confirmed PTR name counts only
 * through the known sender its name matches (failReason and matchSender read nothing else of
 * it), so senders whose names match the same rule, or none, are evaluated alike. '' for none.
 */
function ptrRule(ptr: string | undefined): string {
  if (ptr === undefined) return '';
  const match = matchSender({ ptr });
  return match ? `${match.sender.id}\u0000${match.rule.kind}\u0000${match.rule.suffix}` : '';
}

/** What a sender's entry shows of its network, from its IP facts (null: not known). */
function networkFacts(
  facts: IpFacts | undefined,
): Pick<Sender, 'ptrOrgDomain' | 'asn' | 'asOrg' | 'country'> {
  return {
    ptrOrgDomain: facts?.ptrOrgDomain ?? null,
    asn: facts?.asn ?? null,
    asOrg: facts?.asOrg ?? null,
    country: facts?.country ?? null,
  };
}

function fromShape(
  { sender, row }: Shape,
  raw: SourceRollupRow,
  facts: IpFacts | undefined,
): { sender: Sender; row: EvaluatedRow } {
  const n = raw.messages;
  const reason = { ...sender.reason, messages: n };
  const ptr = facts?.ptr ?? null;
  const ptrConfirmed = facts?.ptrConfirmed ?? false;
  // A match by PTR names the matching name: this sender's own.
  const known =
    sender.knownSender?.matchedBy === 'ptr' && ptr !== null
      ? { ...sender.knownSender, matched: normaliseName(ptr) }
      : sender.knownSender;
  return {
    row: { ...row, sourceIp: raw.sourceIp, messages: n },
    sender: {
      ...sender,
      ip: raw.sourceIp,
      name: known?.name ?? ptr ?? raw.sourceIp,
      ptr,
      ptrConfirmed,
      ...networkFacts(facts),
      knownSender: known,
      messages: n,
      dmarcPass: row.dmarc === 'pass' ? n : 0,
      dmarcFail: row.dmarc === 'pass' ? 0 : n,
      spfAligned: row.spfAligned ? n : 0,
      dkimAligned: row.dkimAligned ? n : 0,
      reason,
      reasons: [reason],
      headerFroms: [{ domain: raw.headerFrom, messages: n }],
    },
  };
}

/** Senders and their evaluated rows, most messages first (ties by IP). */
export function groupSenders(
  rows: readonly SourceRollupRow[],
  options: GroupOptions,
): { senders: Sender[]; rows: EvaluatedRow[] } {
  const lang = options.lang ?? 'en';
  const memo = new Map<string, FailReason>();
  // Many senders share their evidence and reasons (spoofing from scattered addresses): each is
  // matched and put in words once.
  const knownBy = new Map<string, KnownSenderMatch | null>();
  const wordsBy = new Map<string, { reason: string; fix?: string }>();
  const shapes = new Map<string, Shape>();
  const byIp = new Map<string, SourceRollupRow[]>();
  for (const row of rows) {
    const list = byIp.get(row.sourceIp);
    if (list) list.push(row);
    else byIp.set(row.sourceIp, [row]);
  }
  const evaluated: EvaluatedRow[] = [];
  const senders: Sender[] = [];
  for (const [ip, raw] of byIp) {
    const facts = options.facts?.get(ip);
    const mark = options.marks?.get(ip) ?? null;
    // Most senders of a domain are one-row senders sharing a few shapes (spoofing and forwarding
    // from scattered addresses): each shape is worked out once and copied for the others.
    const ptr = facts?.ptr ?? null;
    const ptrConfirmed = facts?.ptrConfirmed ?? false;
    const confirmed = ptr !== null && ptrConfirmed ? { ptr } : {};
    const rule = ptrRule(confirmed.ptr);
    const single = raw.length === 1 && !mark && (raw[0]?.messages ?? 0) > 0 ? raw[0] : undefined;
    const shapeKey = single ? `${shape(single)}\u0001${rule}` : undefined;
    const shaped = shapeKey === undefined ? undefined : shapes.get(shapeKey);
    if (single && shaped) {
      const copy = fromShape(shaped, single, facts);
      senders.push(copy.sender);
      evaluated.push(copy.row);
      continue;
    }
    let authorised = mark?.mark === 'authorised';
    let ipRows = raw.map((row) => evaluate(row, { ...confirmed, authorised, ptrRule: rule }, memo));
    // A sender whose mail mostly passes is the owner's: its failing rest is not spoofing.
    if (
      !mark &&
      ipRows.reduce(
        (n, r) => n + (r.dmarc === 'pass' && !FORWARDING.has(r.reason.code) ? r.messages : 0),
        0,
      ) *
        2 >
        ipRows.reduce((n, r) => n + r.messages, 0)
    ) {
      authorised = true;
      ipRows = raw.map((row) => evaluate(row, { ...confirmed, authorised, ptrRule: rule }, memo));
    }
    evaluated.push(...ipRows);
    const evidence = [rule, ...new Set(raw.map((r) => `${r.dkimAuth}\u0000${r.spfAuth}`))].join('\u0001');
    let known = knownBy.get(evidence);
    // A match by PTR names the matching name: this sender's own.
    if (known?.matchedBy === 'ptr' && confirmed.ptr !== undefined)
      known = { ...known, matched: normaliseName(confirmed.ptr) };
    if (known === undefined) {
      const dkimDomains = new Set<string>();
      const spfDomains = new Set<string>();
      for (const row of raw) {
        for (const d of dkimResults(row.dkimAuth))
          if (d.domain && d.result === 'pass') dkimDomains.add(d.domain);
        for (const f of spfResults(row.spfAuth))
          if (f.domain && f.result === 'pass') spfDomains.add(f.domain);
      }
      const match = matchSender({ ...confirmed, dkimDomains: [...dkimDomains], spfDomains: [...spfDomains] });
      known = match
        ? {
            id: match.sender.id,
            name: senderName(match.sender, lang),
            category: match.sender.category,
            matchedBy: match.rule.kind,
            matched: match.matched,
          }
        : null;
      knownBy.set(evidence, known);
    }
    let messages = 0;
    let dmarcPass = 0;
    let spfAligned = 0;
    let dkimAligned = 0;
    let forwarded = 0;
    const reasons = new Map<string, { reason: FailReason; messages: number; failing: boolean }>();
    const froms = new Map<string, number>();
    for (const r of ipRows) {
      messages += r.messages;
      if (r.dmarc === 'pass') dmarcPass += r.messages;
      if (r.spfAligned) spfAligned += r.messages;
      if (r.dkimAligned) dkimAligned += r.messages;
      if (FORWARDING.has(r.reason.code)) forwarded += r.messages;
      const key = JSON.stringify([r.reason.code, r.reason.args]);
      const seen = reasons.get(key) ?? { reason: r.reason, messages: 0, failing: false };
      seen.messages += r.messages;
      seen.failing ||= r.dmarc === 'fail';
      reasons.set(key, seen);
      froms.set(r.headerFrom, (froms.get(r.headerFrom) ?? 0) + r.messages);
    }
    const described = [...reasons.values()]
      .sort((a, b) => b.messages - a.messages || compareText(a.reason.code, b.reason.code))
      .map((r) => {
        const wordsKey = JSON.stringify([r.reason.code, r.reason.args]);
        let words = wordsBy.get(wordsKey);
        if (!words) {
          words = describeFailReason(r.reason, lang);
          wordsBy.set(wordsKey, words);
        }
        return {
          failing: r.failing,
          reason: {
            code: r.reason.code,
            args: r.reason.args,
            messages: r.messages,
            text: words.reason,
            fix: words.fix ?? null,
          } satisfies SenderReason,
        };
      });
    const main = (described.find((r) => r.failing) ?? described[0])?.reason;
    if (!main) continue;
    const cls = classify(mark?.mark, { messages, dmarcPass, forwarded, known });
    const sender: Sender = {
      ip,
      name: known?.name ?? ptr ?? ip,
      ptr,
      ptrConfirmed,
      ...networkFacts(facts),
      knownSender: known,
      messages,
      dmarcPass,
      dmarcFail: messages - dmarcPass,
      spfAligned,
      dkimAligned,
      class: cls.class,
      classBasis: cls.basis,
      mark,
      reason: main,
      reasons: described.map((r) => r.reason),
      headerFroms: [...froms]
        .sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))
        .map(([domain, n]) => ({ domain, messages: n })),
    };
    senders.push(sender);
    const row = ipRows[0];
    if (shapeKey !== undefined && row) shapes.set(shapeKey, { sender, row });
  }
  senders.sort((a, b) => b.messages - a.messages || compareText(a.ip, b.ip));
  return { senders, rows: evaluated };
}

export interface SourcesOptions {
  ipFacts?: IpFactsSource;
  lang?: Lang;
}

/** What `sources` and `simulate` share: the rollup rows of the period, read and evaluated. */
export async function loadSenders(
  store: Store,
  domain: string,
  period: Period,
  options: SourcesOptions = {},
): Promise<{ senders: Sender[]; rows: EvaluatedRow[] }> {
  const name = normaliseName(domain);
  const ipFacts = options.ipFacts;
  const describe = (ips: string[]) => (ipFacts && ips.length > 0 ? ipFacts.describe(ips) : undefined);
  // The senders' facts are asked beside the rollup rows, not after them: read with their IPs in
  // the database where the source can (the store's cache without DNS or mmdb), else on
  // PostgreSQL with the IPs read on their own (with 10 million records the cache lookup of a
  // domain's ~3,600 senders took ~25 ms). Else (SQLite answers one query at a time) the IPs
  // come from the rows.
  const early = ipFacts
    ? Promise.resolve(ipFacts.describeSenders?.(name, period)).then((facts) =>
        facts !== undefined || store.engine !== 'postgres'
          ? facts
          : readSenderIps(store, name, period).then(describe),
      )
    : undefined;
  const [rows, marks, earlyFacts] = await Promise.all([
    readSourceRows(store, name, period),
    readMarks(store, name),
    early,
  ]);
  const facts =
    earlyFacts ?? (await describe([...new Set(rows.map((r) => r.sourceIp))].filter((ip) => ip !== '')));
  return groupSenders(rows, {
    marks,
    ...(facts ? { facts } : {}),
    ...(options.lang ? { lang: options.lang } : {}),
  });
}

/** The domain's senders over the period. `domain` is the reports' policy domain. */
export async function sources(
  store: Store,
  domain: string,
  period: Period,
  options: SourcesOptions = {},
): Promise<SourcesResult> {
  const { senders } = await loadSenders(store, domain, period, options);
  let messages = 0;
  let dmarcPass = 0;
  for (const s of senders) {
    messages += s.messages;
    dmarcPass += s.dmarcPass;
  }
  return {
    domain: normaliseName(domain),
    since: isoDay(period.since),
    until: isoDay(period.until),
    messages,
    dmarcPass,
    dmarcFail: messages - dmarcPass,
    senders,
  };
}
