import { domainToASCII } from 'node:url';
import { isTemporary } from '../dns/types.ts';
import { dmarcRecordName, suggestDmarcRecord } from '../records/dmarc/build.ts';
import { type DmarcEffect, type DmarcLint, type DmarcTags, lintDmarcRecord } from '../records/dmarc/lint.ts';
import { type DmarcPolicy, policyBelow } from '../records/dmarc/tags.ts';
import { classifyDmarcTxt } from '../records/dmarc/text.ts';
import { type Finding, finding } from '../records/finding.ts';
import { pslOrgDomain } from '../records/org-domain.ts';
import {
  type DiscoveryMethod,
  type DmarcDiscovery,
  type DmarcLocation,
  discoverDmarc,
  memoAsk,
} from './dmarc/discovery.ts';
import { checkReportDestinations, found } from './dmarc/reporting.ts';
import type { CheckContext, FoundRecord, ProtocolReport, SuggestedRecord } from './types.ts';

export {
  type DmarcDiscovery,
  type DmarcLocation,
  discoverDmarc,
  discoverOrgDomain,
  type OrgDomainDiscovery,
} from './dmarc/discovery.ts';
export { MAX_REPORT_HOSTS_CHECKED } from './dmarc/reporting.ts';

/** The meaning of a domain's DMARC setup, with every default made explicit. */
export interface DmarcParsed {
  domain: string;
  discovery: DiscoveryMethod;
  /** The `_dmarc` names asked during discovery, in order. */
  queried: string[];
  /** Organisational domain (RFC 9989 s4.10.2 tree walk, or RFC 7489 PSL with discovery `psl`). */
  orgDomain: string;
  /** False when a failed lookup may have hidden a record that changes `orgDomain`. */
  orgDomainCertain: boolean;
  /** False when the domain itself does not exist (NXDOMAIN): its mail gets the np policy. */
  domainExists?: boolean;
  /** The domain whose record applies to the domain's mail. */
  policyDomain?: string;
  /** Where that record was read: `_dmarc.<policyDomain>`, or the end of its CNAME chain. */
  policyRecordName?: string;
  /** `own record`: published for the domain; `tree walk` (RFC 9989) or `psl` (RFC 7489): a parent's. */
  source?: 'own record' | 'tree walk' | 'psl';
  /** The record is a public suffix operator's (psd=y), used because the organisation publishes none. */
  fromPublicSuffix?: boolean;
  /** The record text. */
  record?: string;
  /** Every tag with its value and whether it was published (explicit) or the default. */
  tags?: DmarcTags;
  removedTags?: { name: string; value: string }[];
  unknownTags?: { name: string; value: string }[];
  /** apply, monitor (treated as p=none) or ignore (no DMARC), RFC 9989 s4.10.1. */
  effect?: DmarcEffect;
  /** Which tag of the record governs the domain's mail. */
  policyTag?: 'p' | 'sp' | 'np';
  /** What receivers do with the domain's failing mail, after fallbacks and t=y. Absent: DMARC does not apply. */
  policy?: DmarcPolicy;
  /** t=y: receivers apply one level below the published policy. */
  testing?: boolean;
  /** What failing mail from existing subdomains of the domain gets (from the organisational domain's record). */
  subdomainPolicy?: DmarcPolicy;
  /** What failing mail from non-existent subdomains of the domain gets. */
  nonexistentSubdomainPolicy?: DmarcPolicy;
}

/**
 * Checks a domain's DMARC setup: discovers the record that applies (RFC 9989 tree walk or
 * RFC 7489 PSL), reads and lints it, checks its report destinations, and writes the
 * corrected record when Sumi can. Every DNS question goes through `ctx.resolver`, once.
 */
export async function checkDmarc(
  domainInput: string,
  ctx: CheckContext,
): Promise<ProtocolReport<DmarcParsed>> {
  const domain = normaliseDomain(domainInput);
  const ask = memoAsk(ctx.resolver);
  const method: DiscoveryMethod = ctx.options.discovery === 'psl' ? 'psl' : 'tree walk';
  const parked = ctx.options.parked === true;
  const [apex, discovery] = await Promise.all([ask(domain, 'TXT'), discoverDmarc(domain, ask, method)]);
  const own = discovery.locations[0]!;
  const findings: Finding[] = [];
  const records: FoundRecord[] = [];

  // The domain's own _dmarc name: everything published there.
  const ownFindings = inspectOwnName(
    own,
    apex.records.find((r) => /^v=spf1(\s|$)/i.test(r.text))?.text,
    discovery,
  );
  findings.push(...ownFindings.findings);
  for (const e of own.entries) records.push(found(own.name, e.txt, own.cnames));
  const ownLints = own.entries
    .filter((e) => e.classified.kind === 'dmarc' || e.classified.kind === 'dmarc-flawed')
    .map((e) => ({ text: e.txt.text, lint: lintDmarcRecord(e.txt.text, { domain, parked }) }));
  for (const { text, lint } of ownLints) findings.push(...located(lint.findings, own.name, text));

  // The domain itself: does it exist, and is a DMARC record misplaced there?
  const domainExists = apex.status === 'nxdomain' ? false : isTemporary(apex.status) ? undefined : true;
  if (apex.status === 'nxdomain')
    findings.push(finding('dmarc-domain-not-found', { domain }, { where: domain }));
  if (isTemporary(apex.status)) {
    findings.push(dnsError(domain, 'TXT', apex.status, apex.error, 'domain-exists'));
  }
  for (const txt of apex.records) {
    const kind = classifyDmarcTxt(txt.text).kind;
    if (kind !== 'dmarc' && kind !== 'dmarc-flawed') continue;
    records.push(found(domain, txt, apex.cnames));
    findings.push(
      finding(
        'dmarc-at-apex',
        { domain },
        { where: domain, record: txt.text, ...(own.record ? { severity: 'warning' } : {}) },
      ),
    );
  }

  // Failures further up the walk.
  for (const failed of discovery.failures) {
    if (failed === own) continue;
    findings.push(
      dnsError(failed.name, 'TXT', failed.status, failed.error, own.record ? 'org-domain' : 'policy'),
    );
  }

  const policy = discovery.policy;
  let policyLint: DmarcLint | undefined;
  const parsed: DmarcParsed = {
    domain,
    discovery: method,
    queried: discovery.locations.map((l) => l.name),
    orgDomain: discovery.orgDomain,
    orgDomainCertain: discovery.orgDomainCertain,
  };
  if (domainExists !== undefined) parsed.domainExists = domainExists;

  if (!policy) {
    if (discovery.policyCertain) {
      findings.push(
        finding(
          'dmarc-missing',
          {
            domain,
            method,
            flawed: own.entries.some((e) => e.classified.kind !== 'other' && e.classified.kind !== 'spf'),
          },
          { where: own.name },
        ),
      );
    }
  } else {
    const location = policy.location;
    const text = location.record!.entry.txt.text;
    const inherited = location !== own;
    policyLint = inherited
      ? lintDmarcRecord(text, { domain: location.domain })
      : ownLints.find((l) => l.text === text)!.lint;
    if (inherited) {
      records.push(found(location.name, location.record!.entry.txt, location.cnames));
      findings.push(...located(policyLint.findings, location.name, text));
    }
    const policyTag = inherited ? (domainExists === false ? 'np' : 'sp') : 'p';
    Object.assign(parsed, {
      policyDomain: location.domain,
      policyRecordName: location.cnames.at(-1) ?? location.name,
      source: policy.source,
      fromPublicSuffix: policy.fromPublicSuffix,
      record: text,
      policyTag,
    });
    const record = policyLint.record;
    if (record) {
      const applied = effective(record.tags, record.effect, policyTag);
      Object.assign(parsed, {
        tags: record.tags,
        removedTags: record.removed,
        unknownTags: record.unknown,
        effect: record.effect,
        testing: record.tags.t.value === 'y',
      });
      if (applied !== undefined) parsed.policy = applied;
      if (inherited) {
        findings.push(
          finding(
            'dmarc-inherited-policy',
            {
              domain,
              policyDomain: location.domain,
              tag: policyTag,
              policy: applied ?? 'none',
              source: policy.source,
            },
            { where: location.name },
          ),
        );
        if (parked && applied !== 'reject') {
          findings.push(
            finding(
              'dmarc-parked-not-reject',
              {
                p: applied ?? 'none',
                sp: record.tags.sp.value,
                np: record.tags.np.value,
                testing: record.tags.t.value === 'y',
              },
              { where: own.name },
            ),
          );
        }
      }
      if (policy.fromPublicSuffix) {
        findings.push(
          finding(
            'dmarc-psd-policy',
            { domain, psd: location.domain, orgDomain: discovery.orgDomain },
            { where: location.name },
          ),
        );
      }
      findings.push(...organisationFindings(discovery, location, record.tags, record.effect));
      const destinations = await checkReportDestinations(record, location.domain, discovery.orgDomain, ask);
      findings.push(...destinations.findings);
      records.push(...destinations.records);
    }
  }
  Object.assign(parsed, subdomainPolicies(discovery));

  const suggested = suggest(discovery, parked, parsed.policy);
  const report: ProtocolReport<DmarcParsed> = {
    protocol: 'dmarc',
    status: status(discovery, ownFindings.broken, policyLint),
    dns: own.status,
    records,
    parsed,
    findings,
  };
  if (suggested) report.suggested = [suggested];
  return report;
}

function normaliseDomain(input: string): string {
  const trimmed = input.trim().toLowerCase().replace(/\.$/, '');
  const ascii = domainToASCII(trimmed);
  if (ascii === '' || ascii.length > 253) throw new RangeError(`"${input}" is not a domain name`);
  return ascii;
}

function dnsError(
  name: string,
  type: string,
  status: string,
  error: string | undefined,
  during: string,
): Finding {
  return finding('dmarc-dns-error', { name, type, status, error, during }, { where: name });
}

/** The lint findings of a record, placed where it was found. */
function located(list: Finding[], where: string, record: string): Finding[] {
  return list.map((f) => ({ ...f, where, record }));
}

/** What receivers apply for one of p/sp/np, after the record's fallback and t=y. */
function effective(tags: DmarcTags, effect: DmarcEffect, tag: 'p' | 'sp' | 'np'): DmarcPolicy | undefined {
  if (effect === 'ignore') return undefined;
  const value = effect === 'monitor' ? 'none' : tags[tag].value;
  return tags.t.value === 'y' ? policyBelow(value) : value;
}

/** Findings about what is published at the domain's own `_dmarc` name, besides the record's own lint. */
function inspectOwnName(
  own: DmarcLocation,
  apexSpf: string | undefined,
  discovery: DmarcDiscovery,
): { findings: Finding[]; broken: boolean } {
  const findings: Finding[] = [];
  const where = own.name;
  if (isTemporary(own.status)) {
    findings.push(dnsError(own.name, 'TXT', own.status, own.error, 'policy'));
  }
  if (own.cnames.length > 0) {
    findings.push(
      finding(
        'dmarc-cname',
        {
          name: own.name,
          target: own.cnames.at(-1),
          chain: own.cnames.join(' → '),
          found: own.record !== undefined,
        },
        { where, ...(own.record ? {} : { severity: 'warning' }) },
      ),
    );
  }
  if (own.entries.some((e) => e.txt.invalidUtf8))
    findings.push(finding('dmarc-invalid-utf8', { name: own.name }, { where }));
  for (const e of own.entries.filter((x) => x.classified.kind === 'spf')) {
    findings.push(
      finding(
        'dmarc-spf-at-dmarc',
        { name: own.name, record: e.txt.text, sameAsApex: e.txt.text === apexSpf },
        { where },
      ),
    );
  }
  const unrelated = own.entries.filter((x) => x.classified.kind === 'other');
  if (unrelated.length > 0) {
    findings.push(
      finding(
        'dmarc-unrelated-txt',
        { name: own.name, count: unrelated.length, first: unrelated[0]!.txt.text.slice(0, 80) },
        { where },
      ),
    );
  }
  if (own.accepted > 1) {
    const parent = discovery.policy?.location;
    findings.push(
      finding(
        'dmarc-multiple-records',
        { name: own.name, count: own.accepted, ...(parent && parent !== own ? { parent: parent.name } : {}) },
        { where },
      ),
    );
  }
  const broken =
    own.accepted > 1 || (own.accepted === 0 && own.entries.some((e) => e.classified.kind === 'dmarc-flawed'));
  return { findings, broken };
}

/** Findings that need the organisational domain: ignored sp/np, missing np, PSL disagreement. */
function organisationFindings(
  discovery: DmarcDiscovery,
  location: DmarcLocation,
  tags: DmarcTags,
  effect: DmarcEffect,
): Finding[] {
  const out: Finding[] = [];
  const { domain, orgDomain } = discovery;
  const own = location === discovery.locations[0];
  if (own && discovery.orgDomainCertain && location.domain !== orgDomain && tags.psd.value !== 'n') {
    const set = (['sp', 'np'] as const).filter((t) => tags[t].explicit);
    if (set.length > 0) {
      out.push(
        finding(
          'dmarc-subdomain-policy-ignored',
          { domain, orgDomain, tags: set.join(', ') },
          { where: location.name },
        ),
      );
    }
  }
  if (location.domain === orgDomain && !tags.np.explicit && effect === 'apply' && tags.psd.value !== 'y') {
    out.push(
      finding(
        'dmarc-np-missing',
        { domain: orgDomain, np: tags.np.value, from: tags.sp.explicit ? 'sp' : 'p' },
        { where: location.name },
      ),
    );
  }
  if (discovery.method === 'tree walk' && discovery.orgDomainCertain) {
    const psl = pslOrgDomain(domain);
    if (psl !== undefined && psl !== orgDomain) {
      out.push(
        finding(
          'dmarc-org-domain-differs',
          { domain, treeWalk: orgDomain, psl, ownRecord: own },
          { where: location.name },
        ),
      );
    }
  }
  return out;
}

/** What subdomains of the domain get: the organisational domain's record (or the public suffix's). */
function subdomainPolicies(
  discovery: DmarcDiscovery,
): Pick<DmarcParsed, 'subdomainPolicy' | 'nonexistentSubdomainPolicy'> {
  const governing =
    discovery.locations.find((l) => l.domain === discovery.orgDomain && l.record) ??
    discovery.locations.find((l) => l.domain !== discovery.domain && l.record?.psd === 'y');
  const record = governing?.record?.entry.lint?.record;
  if (!record) return {};
  const out: Pick<DmarcParsed, 'subdomainPolicy' | 'nonexistentSubdomainPolicy'> = {};
  const sp = effective(record.tags, record.effect, 'sp');
  const np = effective(record.tags, record.effect, 'np');
  if (sp !== undefined) out.subdomainPolicy = sp;
  if (np !== undefined) out.nonexistentSubdomainPolicy = np;
  return out;
}

/**
 * The record Sumi would publish: the domain's own record repaired (or its several records
 * merged); for a parked domain without one, a reject record; for a domain that inherits,
 * the inherited record repaired at its own name. Nothing when there is nothing to correct
 * or when writing one needs information Sumi does not have (a report address).
 */
function suggest(
  discovery: DmarcDiscovery,
  parked: boolean,
  applied: DmarcPolicy | undefined,
): SuggestedRecord | undefined {
  const own = discovery.locations[0]!;
  const ownTexts = own.entries
    .filter((e) => e.classified.kind === 'dmarc' || e.classified.kind === 'dmarc-flawed')
    .sort((a, b) => Number(b.classified.kind === 'dmarc') - Number(a.classified.kind === 'dmarc'))
    .map((e) => e.txt.text);
  const at = (l: DmarcLocation) => l.cnames.at(-1) ?? l.name;
  if (ownTexts.length > 0) {
    const value = suggestDmarcRecord(ownTexts, { parked });
    if (value === undefined) return undefined;
    if (ownTexts.length === 1 && own.accepted === 1 && sameMeaning(ownTexts[0]!, value)) return undefined;
    return { name: at(own), type: 'TXT', value };
  }
  if (isTemporary(own.status)) return undefined;
  if (parked && applied !== 'reject')
    return { name: dmarcRecordName(discovery.domain), type: 'TXT', value: 'v=DMARC1; p=reject' };
  const location = discovery.policy?.location;
  if (!location) return undefined;
  const text = location.record!.entry.txt.text;
  const value = suggestDmarcRecord(text);
  if (value === undefined || sameMeaning(text, value)) return undefined;
  return { name: at(location), type: 'TXT', value };
}

/** Same tags with the same values: a suggestion that would only change spacing or order is not one. */
function sameMeaning(published: string, suggested: string): boolean {
  const key = (text: string) =>
    lintDmarcRecord(text)
      .record?.published.map((t) => `${t.name}=${t.value.toLowerCase().replace(/\s+/g, '')}`)
      .sort()
      .join(';');
  const lint = lintDmarcRecord(published);
  const irregular = lint.findings.some(
    (f) => f.code === 'dmarc-syntax-error' || f.code === 'dmarc-nonstandard-syntax',
  );
  return lint.accepted && !irregular && key(published) === key(suggested);
}

function status(
  discovery: DmarcDiscovery,
  ownBroken: boolean,
  policyLint: DmarcLint | undefined,
): ProtocolReport['status'] {
  const own = discovery.locations[0]!;
  if (isTemporary(own.status) || (!discovery.policy && !discovery.policyCertain)) return 'dns-error';
  if (ownBroken) return 'invalid';
  if (!discovery.policy) return 'missing';
  if (policyLint?.record?.effect !== 'apply') return 'invalid';
  return policyLint.findings.some((f) => f.severity === 'error') ? 'invalid' : 'ok';
}
