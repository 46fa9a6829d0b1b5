/**
 * Shadow IT: every From domain below the domain seen in the reports, with its volume, senders,
 * first and last day, whether the owner lists it in their inventory and whether it has a DMARC
 * record of its own; and the domain's senders that are neither authorised nor forwarders, most
 * mail first. `listSubdomains` is the pure part; `subdomains` reads the store (and asks DNS
 * when given a resolver).
 */
import type { Resolver } from '../dns/types.ts';
import type { Lang } from '../i18n/lang.ts';
import type { Store } from '../store/types.ts';
import type { IpFactsSource } from './ip-facts.ts';
import { isoDay, type Period } from './period.ts';
import { type HeaderFromRow, readHeaderFroms, readInventory, readPolicyDomainsUnder } from './reads.ts';
import { normaliseName } from './senders/match.ts';
import { compareText, loadSenders, type Sender, type SenderClass } from './sources.ts';

/**
 * - `reports`: reporters evaluated its mail under a DMARC record of its own.
 * - `dns`: a DMARC record is published at `_dmarc.<name>` now.
 * - `none`: DNS says there is none (mail falls under the domain's record, sp=).
 * - `dns-error`: DNS could not be asked.
 * - `not-checked`: no reports under its own record, and no resolver was given.
 */
export type OwnRecord = 'reports' | 'dns' | 'none' | 'dns-error' | 'not-checked';

export interface Subdomain {
  name: string;
  messages: number;
  /** Distinct sending IPs (the most seen under any one policy domain). */
  senders: number;
  firstSeen: string;
  lastSeen: string;
  inInventory: boolean;
  ownRecord: OwnRecord;
}

export interface UnknownSender {
  ip: string;
  name: string;
  class: SenderClass;
  messages: number;
  dmarcFail: number;
  headerFroms: string[];
  reason: string;
}

export interface SubdomainsResult {
  domain: string;
  since: string;
  until: string;
  /** Most messages first; subdomains in the inventory but never seen are not listed. */
  subdomains: Subdomain[];
  /** Senders of the domain neither authorised nor forwarders, most messages first. */
  unknownSenders: UnknownSender[];
}

/** The From domains strictly below `domain`, merged across case and policy domains. */
export function listSubdomains(
  domain: string,
  rows: readonly HeaderFromRow[],
  context: { inventory: ReadonlySet<string>; policyDomains: ReadonlySet<string> },
): Subdomain[] {
  const merged = new Map<string, { messages: number; senders: number; first: number; last: number }>();
  for (const row of rows) {
    const name = normaliseName(row.headerFrom);
    if (!name.endsWith(`.${domain}`)) continue;
    const m = merged.get(name);
    if (m) {
      m.messages += row.messages;
      m.senders = Math.max(m.senders, row.senders);
      m.first = Math.min(m.first, row.firstDay);
      m.last = Math.max(m.last, row.lastDay);
    } else {
      merged.set(name, {
        messages: row.messages,
        senders: row.senders,
        first: row.firstDay,
        last: row.lastDay,
      });
    }
  }
  return [...merged]
    .map(([name, m]) => ({
      name,
      messages: m.messages,
      senders: m.senders,
      firstSeen: isoDay(m.first),
      lastSeen: isoDay(m.last),
      inInventory: context.inventory.has(name),
      ownRecord: (context.policyDomains.has(name) ? 'reports' : 'not-checked') as OwnRecord,
    }))
    .sort((a, b) => b.messages - a.messages || compareText(a.name, b.name));
}

/** Senders neither authorised nor forwarders, most messages first. */
export function unknownSenders(senders: readonly Sender[]): UnknownSender[] {
  return senders
    .filter((s) => s.class !== 'authorised' && s.class !== 'forwarder')
    .map((s) => ({
      ip: s.ip,
      name: s.name,
      class: s.class,
      messages: s.messages,
      dmarcFail: s.dmarcFail,
      headerFroms: s.headerFroms.map((h) => h.domain),
      reason: s.reason.text,
    }))
    .sort((a, b) => b.messages - a.messages || compareText(a.ip, b.ip));
}

async function dmarcInDns(resolver: Resolver, name: string): Promise<OwnRecord> {
  const answer = await resolver.lookup(`_dmarc.${name}`, 'TXT');
  if (answer.status === 'ok') {
    return answer.records.some((r) => /^v\s*=\s*DMARC1\s*(;|$)/i.test(r.text)) ? 'dns' : 'none';
  }
  return answer.status === 'nxdomain' || answer.status === 'nodata' ? 'none' : 'dns-error';
}

export interface SubdomainsOptions {
  /** Asks `_dmarc.<subdomain>` for the subdomains not seen under a record of their own. */
  resolver?: Resolver;
  ipFacts?: IpFactsSource;
  lang?: Lang;
}

export async function subdomains(
  store: Store,
  domain: string,
  period: Period,
  options: SubdomainsOptions = {},
): Promise<SubdomainsResult> {
  const name = normaliseName(domain);
  // The From domains need the policy domains first; the senders need neither (PostgreSQL runs
  // the reads side by side).
  const froms = readPolicyDomainsUnder(store, name).then(async (policyDomains) => ({
    policyDomains,
    rows: await readHeaderFroms(store, policyDomains.length > 0 ? policyDomains : [name], period),
  }));
  const [{ policyDomains, rows }, inventory, loaded] = await Promise.all([
    froms,
    readInventory(store),
    loadSenders(store, name, period, {
      ...(options.ipFacts ? { ipFacts: options.ipFacts } : {}),
      ...(options.lang ? { lang: options.lang } : {}),
    }),
  ]);
  const list = listSubdomains(name, rows, { inventory, policyDomains: new Set(policyDomains) });
  const resolver = options.resolver;
  if (resolver) {
    await Promise.all(
      list.map(async (sub) => {
        if (sub.ownRecord === 'not-checked') sub.ownRecord = await dmarcInDns(resolver, sub.name);
      }),
    );
  }
  return {
    domain: name,
    since: isoDay(period.since),
    until: isoDay(period.until),
    subdomains: list,
    unknownSenders: unknownSenders(loaded.senders),
  };
}
