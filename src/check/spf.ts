import type { TxtRecord } from '../dns/types.ts';
import { isTemporary, normalizeName } from '../dns/types.ts';
import { type Finding, type FindingArgs, finding } from '../records/finding.ts';
import {
  fixSpfRecord,
  lintSpfRecord,
  mergeSpfRecords,
  type Qualifier,
  spfVersionKind,
} from '../records/spf/index.ts';
import {
  DEFAULT_SPF_LIMITS,
  SPF_LOOKUP_LIMIT,
  SPF_PTR_NAMES_LIMIT,
  SPF_VOID_LOOKUP_LIMIT,
  type SpfTreeNode,
  type SpfTreeTerm,
  SpfWalker,
  type SpfWalkLimits,
} from './spf/walk.ts';
import type { CheckContext, FoundRecord, ProtocolReport, SuggestedRecord } from './types.ts';

export * from './spf/walk.ts';

export type SpfResultName = 'pass' | 'fail' | 'softfail' | 'neutral';

/** What mail from a server the record does not list gets. */
export interface SpfDefaultResult {
  qualifier: Qualifier;
  result: SpfResultName;
  /** `all`: the record's all; `redirect`: the all of the record redirect= leads to; `default`: neither, so neutral. */
  source: 'all' | 'redirect' | 'default';
  /** True when no all decides it and the RFC 7208 s4.7 default (neutral) applies. */
  isDefault: boolean;
  /** The domain whose record decides it, when reached through redirect=. */
  decidedBy?: string;
}

export interface SpfCount {
  count: number;
  limit: number;
  /** A lookup failed, a cap was hit, or an include/redirect depends on a macro: the count is a lower bound. */
  atLeast: boolean;
}

/** The domain's SPF record with every value explicit, and the evaluation tree behind it. */
export interface SpfParsed {
  domain: string;
  record: string;
  /** The record's terms with their defaults filled in (qualifier "+", the domain itself, /32 and /128). */
  terms: SpfTreeTerm[];
  /** What unlisted servers get. */
  defaultResult: SpfDefaultResult;
  redirect?: string;
  exp?: string;
  lookups: SpfCount;
  voidLookups: SpfCount;
  /** Receivers check at most this many PTR names for ptr and %{p} (not evaluated without a client address). */
  ptrNamesLimit: number;
  tree: SpfTreeNode;
  /** Receivers would return permerror for this domain. */
  permerror: boolean;
}

const RESULT_OF: Record<Qualifier, SpfResultName> = {
  '+': 'pass',
  '-': 'fail',
  '~': 'softfail',
  '?': 'neutral',
};

/**
 * Checks the SPF record of `domain`: finds it (TXT, plus the obsolete type-99 and Sender ID
 * records), lints it, and walks the include/redirect tree counting DNS lookups and void lookups
 * as receivers do. `limits` overrides the caps (tests).
 */
export async function checkSpf(
  domain: string,
  ctx: CheckContext,
  limits: Partial<SpfWalkLimits> = {},
): Promise<ProtocolReport<SpfParsed>> {
  const name = normalizeName(domain);
  const parked = ctx.options.parked === true;
  const walker = new SpfWalker(ctx.resolver, { ...DEFAULT_SPF_LIMITS, ...limits }, parked);
  const report: ProtocolReport<SpfParsed> = { protocol: 'spf', status: 'missing', records: [], findings: [] };
  const findings: Finding[] = [];
  const done = () => {
    report.findings = dedupe([...findings, ...walker.findings]);
    return report;
  };

  const txt = await walker.query(name, 'TXT');
  if (!txt) {
    report.status = 'not-checked';
    return done();
  }
  report.dns = txt.status;
  if (isTemporary(txt.status)) {
    const args: FindingArgs = { name, type: 'TXT', status: txt.status };
    if (txt.error) args.error = txt.error;
    findings.push(finding('spf-dns-error', args, { where: name }));
    report.status = 'dns-error';
    return done();
  }
  if (txt.status === 'nxdomain') {
    findings.push(finding('spf-domain-not-found', { domain: name }, { where: name }));
    return done();
  }

  const found = (record: TxtRecord, type: string): FoundRecord => {
    const r: FoundRecord = { name, type, text: record.text };
    if (record.strings.length > 1) r.strings = record.strings;
    if (txt.cnames.length > 0) r.cnames = txt.cnames;
    return r;
  };
  const spf: TxtRecord[] = [];
  const malformed: TxtRecord[] = [];
  for (const record of txt.records) {
    const kind = spfVersionKind(record.text);
    if (kind === 'spf1') spf.push(record);
    else if (kind === 'malformed') malformed.push(record);
    else if (kind === 'sender-id') {
      findings.push(
        finding('spf-sender-id-record', { name, record: record.text }, { where: name, record: record.text }),
      );
    } else if (record.invalidUtf8) {
      findings.push(finding('spf-invalid-utf8', { name, notSpf: true }, { where: name, severity: 'info' }));
    }
    if (kind !== 'other') report.records.push(found(record, 'TXT'));
  }

  const type99 = await walker.query(name, 'SPF');
  for (const record of type99?.status === 'ok' ? type99.records : []) {
    if (spfVersionKind(record.text) !== 'spf1') continue;
    const same = spf.some((r) => r.text === record.text);
    findings.push(finding('spf-type99-record', { name, same }, { where: name, record: record.text }));
    report.records.push(found(record, 'SPF'));
  }

  // A near miss next to a valid record is ignored by receivers, but its author thinks it counts.
  for (const record of malformed) {
    const lint = lintSpfRecord({ record: record.text, where: name }).findings;
    findings.push(...(spf.length > 0 ? lint.map((f) => ({ ...f, severity: 'warning' as const })) : lint));
  }
  if (spf.length === 0) {
    if (malformed.length > 0) {
      report.status = 'invalid';
    } else {
      findings.push(finding('spf-missing', { domain: name }, { where: name }));
    }
    if (parked) report.suggested = [{ name, type: 'TXT', value: 'v=spf1 -all' }];
    return done();
  }

  if (spf.length > 1) {
    const merged = parked ? 'v=spf1 -all' : mergeSpfRecords(spf.map((r) => r.text));
    const args: FindingArgs = { name, count: spf.length };
    if (merged) args.suggested = merged;
    findings.push(finding('spf-multiple-records', args, { where: name }));
    for (const record of spf) {
      const lint = lintSpfRecord({
        record: record.text,
        strings: record.strings,
        lengths: record.lengths,
        where: name,
      });
      findings.push(...lint.findings.filter((f) => f.severity !== 'info'));
    }
    report.status = 'invalid';
    if (merged) report.suggested = [{ name, type: 'TXT', value: merged }];
    return done();
  }

  const record = spf[0]!;
  const tree = await walker.walkRoot(name, record, txt.cnames);
  walker.totals(name, tree);
  const permerror =
    tree.permerror || walker.lookups > SPF_LOOKUP_LIMIT || walker.voidLookups > SPF_VOID_LOOKUP_LIMIT;
  report.status = permerror ? 'invalid' : 'ok';
  report.parsed = parsedOf(name, record.text, tree, walker, permerror);
  const suggested = suggest(name, record, parked);
  if (suggested) report.suggested = [suggested];
  return done();
}

function parsedOf(
  domain: string,
  record: string,
  tree: SpfTreeNode,
  walker: SpfWalker,
  permerror: boolean,
): SpfParsed {
  const parsed: SpfParsed = {
    domain,
    record,
    terms: tree.terms,
    defaultResult: defaultResult(tree),
    lookups: { count: walker.lookups, limit: SPF_LOOKUP_LIMIT, atLeast: walker.atLeast },
    voidLookups: { count: walker.voidLookups, limit: SPF_VOID_LOOKUP_LIMIT, atLeast: walker.atLeast },
    ptrNamesLimit: SPF_PTR_NAMES_LIMIT,
    tree,
    permerror,
  };
  const redirect = tree.terms.find((t) => t.kind === 'modifier' && t.name === 'redirect');
  const exp = tree.terms.find((t) => t.kind === 'modifier' && t.name === 'exp');
  if (redirect?.target) parsed.redirect = redirect.target;
  if (exp?.target) parsed.exp = exp.target;
  return parsed;
}

/** Follows redirect= to the record whose all decides what unlisted servers get. */
function defaultResult(root: SpfTreeNode): SpfDefaultResult {
  let node: SpfTreeNode | undefined = root;
  let source: SpfDefaultResult['source'] = 'all';
  for (let hops = 0; node && hops <= 20; hops++) {
    const all = node.terms.find((t) => t.kind === 'mechanism' && t.name === 'all');
    if (all?.qualifier) {
      const result: SpfDefaultResult = {
        qualifier: all.qualifier,
        result: RESULT_OF[all.qualifier],
        source,
        isDefault: false,
      };
      if (node !== root) result.decidedBy = node.domain;
      return result;
    }
    const redirect: SpfTreeNode | undefined = node.children.find(
      (c) => c.via === 'redirect' && c.status === 'ok',
    );
    node = redirect;
    source = 'redirect';
  }
  return { qualifier: '?', result: 'neutral', source: 'default', isDefault: true };
}

function suggest(name: string, record: TxtRecord, parked: boolean): SuggestedRecord | undefined {
  const fixed = fixSpfRecord(record.text, { strings: record.strings, parked });
  if (!fixed) return undefined;
  return { name, type: 'TXT', value: fixed.value };
}

/** One finding per problem: a shared include evaluated twice reports its problems once. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}|${f.record ?? ''}|${JSON.stringify(f.args ?? {})}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
