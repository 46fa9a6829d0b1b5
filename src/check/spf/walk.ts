import type { DnsResult, DnsStatus, Resolver, RRType, TxtRecord } from '../../dns/types.ts';
import { isAbsent, isTemporary, normalizeName } from '../../dns/types.ts';
import { type Finding, type FindingArgs, type FindingCode, finding } from '../../records/finding.ts';
import {
  checkExplainString,
  domainNameProblem,
  LOOKUP_MECHANISMS,
  lintSpfRecord,
  type Qualifier,
  SPF_LOOKUP_LIMIT,
  type SpfMechanism,
  type SpfModifier,
  type SpfTerm,
  spfVersionKind,
  termTarget,
} from '../../records/spf/index.ts';

/** RFC 7208 s4.6.4 limits (the lookup limit lives with the record builder, which checks it too). */
export { SPF_LOOKUP_LIMIT };
export const SPF_VOID_LOOKUP_LIMIT = 2;
/** An mx term whose name has more MX records than this is a permerror; only this many hosts are resolved. */
export const SPF_MX_LIMIT = 10;
/** Receivers check at most this many names of a PTR answer (ptr mechanism, %{p}); reported, not evaluated. */
export const SPF_PTR_NAMES_LIMIT = 10;
/** From this many lookups on, the total is reported as close to the limit. */
export const SPF_LOOKUPS_NEAR_LIMIT = 9;

/** Caps on what one check may cost, since the records come from other parties. */
export interface SpfWalkLimits {
  /** Include/redirect nesting followed (deeper means more than 10 lookups anyway). */
  maxDepth: number;
  /** Records evaluated in the whole tree (a shared include counts each time it is evaluated). */
  maxNodes: number;
  /** Distinct DNS questions asked. */
  maxQueries: number;
  /** Wall-clock budget for the whole walk (RFC 7208 s4.6.4 suggests receivers allow at least 20 s). */
  timeBudgetMs: number;
  /** Records longer than this (characters) are not parsed. */
  maxRecordChars: number;
  /** Milliseconds clock (tests pass a fake one). */
  clock: () => number;
}

export const SPF_MAX_DEPTH = 10;
export const SPF_MAX_NODES = 100;
export const SPF_MAX_QUERIES = 250;
export const SPF_TIME_BUDGET_MS = 20_000;
export const SPF_MAX_RECORD_CHARS = 8192;

export const DEFAULT_SPF_LIMITS: SpfWalkLimits = {
  maxDepth: SPF_MAX_DEPTH,
  maxNodes: SPF_MAX_NODES,
  maxQueries: SPF_MAX_QUERIES,
  timeBudgetMs: SPF_TIME_BUDGET_MS,
  maxRecordChars: SPF_MAX_RECORD_CHARS,
  clock: () => Date.now(),
};

export interface SpfMxHost {
  host: string;
  preference: number;
  addresses: string[];
}

/** One term of a record in the tree, with its value made explicit and what evaluating it cost. */
export interface SpfTreeTerm {
  text: string;
  /** Index in the record. */
  position: number;
  kind: 'mechanism' | 'modifier';
  name: string;
  qualifier?: Qualifier;
  /** The domain the term looks up (the record's own domain when none is written). */
  target?: string;
  cidr4?: number;
  cidr6?: number;
  /** Which of qualifier, target, cidr4, cidr6 were not written and hold their default. */
  defaults: string[];
  /** The target holds macros: it depends on the message and was not looked up. */
  macro?: true;
  /** False for terms evaluation never reaches (after all; redirect= when there is an all). */
  evaluated: boolean;
  /** DNS-lookup terms counted for this term (0 or 1; include/redirect subtrees are in the child node). */
  lookups: number;
  voidLookups: number;
  /** Running totals over the whole evaluation once this term (and its subtree) is done. */
  cumulativeLookups: number;
  cumulativeVoidLookups: number;
  /** Addresses found for a, and MX hosts with their addresses for mx. */
  addresses?: string[];
  mxHosts?: SpfMxHost[];
  /** How the term's own lookup ended, when it made one. */
  dns?: DnsStatus;
}

export type SpfNodeStatus = 'ok' | 'invalid' | 'missing' | 'multiple' | 'dns-error' | 'loop' | 'not-followed';

/** One record in the include/redirect tree. */
export interface SpfTreeNode {
  domain: string;
  via: 'root' | 'include' | 'redirect';
  /** The include/redirect term that led here. */
  term?: string;
  /** The chain of terms from the root, as shown in findings' `where`. */
  where: string;
  status: SpfNodeStatus;
  dns?: DnsStatus;
  cnames?: string[];
  record?: string;
  strings?: string[];
  terms: SpfTreeTerm[];
  /** Lookups (and void lookups) of this record's own terms. */
  lookups: number;
  voidLookups: number;
  /** This record's and every descendant's, i.e. what this branch costs. */
  branchLookups: number;
  branchVoidLookups: number;
  /** Running totals over the whole evaluation when this record is done. */
  cumulativeLookups: number;
  cumulativeVoidLookups: number;
  /** A lookup in this branch failed temporarily, hit a cap or depends on a macro: counts are lower bounds. */
  incomplete: boolean;
  /** Receivers would return permerror on reaching this record (syntax, loop, missing target ...). */
  permerror: boolean;
  children: SpfTreeNode[];
}

type StopReason = 'depth' | 'nodes' | 'queries' | 'time';

/**
 * Walks an SPF record the way check_host() would for an unknown sender: every term in
 * order, includes and redirect followed, counting lookups and void lookups, without
 * expanding macros. Each DNS question is asked once per check; a shared include is
 * evaluated (and counted) each time it is reached, as receivers do.
 */
export class SpfWalker {
  readonly findings: Finding[] = [];
  lookups = 0;
  voidLookups = 0;
  /** Counts are lower bounds (a temporary failure, a cap, or a macro include/redirect). */
  atLeast = false;
  /** Where the running count first went past the limits. */
  overLookupsAt?: string;
  overVoidAt?: string;
  private nodes = 0;
  private queries = 0;
  private stopped?: StopReason;
  private readonly started: number;
  private readonly cache = new Map<string, Promise<DnsResult>>();
  /** include target -> the distinct records (domains) that include it. */
  private readonly includers = new Map<string, Set<string>>();

  constructor(
    private readonly resolver: Resolver,
    private readonly limits: SpfWalkLimits,
    private readonly parked: boolean,
  ) {
    this.started = limits.clock();
  }

  /** Asks once per check; undefined when a cap stops the walk before asking. */
  async query<T extends RRType>(name: string, type: T): Promise<DnsResult<T> | undefined> {
    const key = `${type} ${normalizeName(name)}`;
    const known = this.cache.get(key);
    if (known) return (await known) as DnsResult<T>;
    if (this.queries >= this.limits.maxQueries) return this.stop('queries');
    if (this.limits.clock() - this.started > this.limits.timeBudgetMs) return this.stop('time');
    this.queries++;
    const pending = this.resolver.lookup(name, type);
    this.cache.set(key, pending);
    return pending;
  }

  private stop(reason: StopReason): undefined {
    this.atLeast = true;
    if (!this.stopped) {
      this.stopped = reason;
      const limit = {
        depth: this.limits.maxDepth,
        nodes: this.limits.maxNodes,
        queries: this.limits.maxQueries,
        time: this.limits.timeBudgetMs,
      }[reason];
      this.findings.push(finding('spf-walk-limit-reached', { reason, limit }));
    }
    return undefined;
  }

  private add(
    code: FindingCode,
    args: FindingArgs,
    where: string,
    record?: string,
    severity?: Finding['severity'],
  ) {
    const at: { where: string; record?: string; severity?: Finding['severity'] } = { where };
    if (record !== undefined) at.record = record;
    if (severity) at.severity = severity;
    this.findings.push(finding(code, args, at));
  }

  private dnsError(result: DnsResult, where: string): void {
    const args: FindingArgs = { name: result.name, type: result.type, status: result.status };
    if (result.error) args.error = result.error;
    this.add('spf-dns-error', args, where);
  }

  private countLookup(where: string): void {
    this.lookups++;
    if (this.lookups > SPF_LOOKUP_LIMIT && !this.overLookupsAt) this.overLookupsAt = where;
  }

  private countVoid(where: string): void {
    this.voidLookups++;
    if (this.voidLookups > SPF_VOID_LOOKUP_LIMIT && !this.overVoidAt) this.overVoidAt = where;
  }

  /** Evaluates the domain's own record (already fetched by the caller). */
  async walkRoot(domain: string, txt: TxtRecord, cnames: string[]): Promise<SpfTreeNode> {
    const node = this.newNode(domain, 'root', undefined, domain);
    if (cnames.length > 0) node.cnames = cnames;
    this.nodes++;
    await this.evaluate(node, txt, [domain], 0, 'policy');
    return node;
  }

  private newNode(
    domain: string,
    via: SpfTreeNode['via'],
    term: string | undefined,
    where: string,
  ): SpfTreeNode {
    const node: SpfTreeNode = {
      domain,
      via,
      where,
      status: 'ok',
      terms: [],
      lookups: 0,
      voidLookups: 0,
      branchLookups: 0,
      branchVoidLookups: 0,
      cumulativeLookups: this.lookups,
      cumulativeVoidLookups: this.voidLookups,
      incomplete: false,
      permerror: false,
      children: [],
    };
    if (term !== undefined) node.term = term;
    return node;
  }

  /** Fetches and evaluates the record at an include or redirect target. */
  private async follow(
    target: string,
    via: 'include' | 'redirect',
    term: string,
    parent: SpfTreeNode,
    chain: string[],
    depth: number,
  ): Promise<SpfTreeNode> {
    const where = `${parent.where} → ${term}`;
    const node = this.newNode(target, via, term, where);
    const stop = (reason: StopReason) => {
      if (reason === 'depth') {
        this.atLeast = true;
        this.add('spf-walk-limit-reached', { reason, limit: this.limits.maxDepth }, where);
      } else {
        this.stop(reason);
      }
      node.status = 'not-followed';
      node.incomplete = true;
      return node;
    };
    if (this.stopped) return stop(this.stopped);
    if (depth > this.limits.maxDepth) return stop('depth');
    if (this.nodes >= this.limits.maxNodes) return stop('nodes');
    this.nodes++;

    const result = await this.query(target, 'TXT');
    if (!result) return stop(this.stopped ?? 'queries');
    node.dns = result.status;
    if (result.cnames.length > 0) node.cnames = result.cnames;
    if (isTemporary(result.status)) {
      this.dnsError(result, where);
      node.status = 'dns-error';
      node.incomplete = true;
      this.atLeast = true;
      return this.finish(node);
    }
    const spf = result.records.filter((r) => spfVersionKind(r.text) === 'spf1');
    const noSpf = via === 'include' ? 'spf-include-no-spf' : 'spf-redirect-no-spf';
    if (spf.length === 0) {
      // An empty answer is a void lookup; TXT records that are not SPF are not.
      if (isAbsent(result.status)) {
        node.voidLookups = 1;
        this.countVoid(where);
      }
      const reason = result.status === 'nxdomain' ? 'nxdomain' : 'no-spf';
      this.add(noSpf, { term, target, reason }, where);
      node.status = 'missing';
      node.permerror = true;
      return this.finish(node);
    }
    if (spf.length > 1) {
      this.add('spf-multiple-records', { name: target, count: spf.length }, where);
      node.status = 'multiple';
      node.permerror = true;
      return this.finish(node);
    }
    await this.evaluate(node, spf[0]!, chain, depth, via === 'redirect' ? 'policy' : 'include');
    return node;
  }

  private finish(node: SpfTreeNode): SpfTreeNode {
    node.branchLookups = node.lookups + node.children.reduce((n, c) => n + c.branchLookups, 0);
    node.branchVoidLookups = node.voidLookups + node.children.reduce((n, c) => n + c.branchVoidLookups, 0);
    node.cumulativeLookups = this.lookups;
    node.cumulativeVoidLookups = this.voidLookups;
    node.incomplete ||= node.children.some((c) => c.incomplete);
    return node;
  }

  private async evaluate(
    node: SpfTreeNode,
    txt: TxtRecord,
    chain: string[],
    depth: number,
    role: 'policy' | 'include',
  ): Promise<void> {
    node.record = txt.text;
    if (txt.strings.length > 1) node.strings = txt.strings;
    if (txt.text.length > this.limits.maxRecordChars) {
      const bytes = txt.lengths.reduce((a, b) => a + b, 0);
      this.add(
        'spf-record-too-large',
        { bytes, limit: this.limits.maxRecordChars, notParsed: true },
        node.where,
        txt.text,
      );
      node.status = 'invalid';
      node.permerror = true;
      this.finish(node);
      return;
    }
    const lint = lintSpfRecord({
      record: txt.text,
      strings: txt.strings,
      lengths: txt.lengths,
      role,
      parked: this.parked && node.via === 'root',
      invalidUtf8: txt.invalidUtf8 === true,
      where: node.where,
    });
    // Third parties' records: their strictness is their business; what breaks this domain is reported.
    this.findings.push(
      ...(role === 'include' ? lint.findings.filter((f) => f.severity !== 'info') : lint.findings),
    );
    if (lint.permerror) {
      node.status = 'invalid';
      node.permerror = true;
    }

    const terms = lint.parse.terms;
    const hasAll = terms.some((t) => t.kind === 'mechanism' && t.name === 'all');
    let pastAll = false;
    let redirect: SpfTerm | undefined;
    for (const term of terms) {
      const entry = describeTerm(term, node.domain);
      node.terms.push(entry);
      const where = `${node.where} → ${term.text}`;
      if (term.kind === 'modifier') {
        if (term.name === 'redirect') {
          redirect = term;
          entry.evaluated = !hasAll;
        }
        if (term.name === 'exp' && role === 'policy') await this.checkExp(term, entry, node.where);
        entry.cumulativeLookups = this.lookups;
        entry.cumulativeVoidLookups = this.voidLookups;
        continue;
      }
      if (pastAll) {
        entry.evaluated = false;
        entry.cumulativeLookups = this.lookups;
        entry.cumulativeVoidLookups = this.voidLookups;
        continue;
      }
      if (term.name === 'all') pastAll = true;
      if (LOOKUP_MECHANISMS.has(term.name)) {
        entry.lookups = 1;
        node.lookups++;
        this.countLookup(where);
        const voidBefore = this.voidLookups;
        await this.lookupTerm(term, entry, node, chain, depth, where);
        entry.voidLookups = this.voidLookups - voidBefore - childVoids(node, entry);
        node.voidLookups += entry.voidLookups;
      }
      entry.cumulativeLookups = this.lookups;
      entry.cumulativeVoidLookups = this.voidLookups;
    }

    if (redirect && !hasAll) {
      const entry = node.terms.find((t) => t.position === redirect.start)!;
      const where = `${node.where} → ${redirect.text}`;
      entry.lookups = 1;
      node.lookups++;
      this.countLookup(where);
      await this.followTarget(redirect, entry, node, chain, depth, where, 'redirect');
      entry.cumulativeLookups = this.lookups;
      entry.cumulativeVoidLookups = this.voidLookups;
    }
    this.finish(node);
  }

  private async lookupTerm(
    term: SpfMechanism,
    entry: SpfTreeTerm,
    node: SpfTreeNode,
    chain: string[],
    depth: number,
    where: string,
  ): Promise<void> {
    if (term.name === 'include') {
      await this.followTarget(term, entry, node, chain, depth, where, 'include');
      return;
    }
    if (term.hasMacros) {
      this.add('spf-macro-not-followed', { term: term.text }, where);
      return;
    }
    const target = entry.target!;
    if (domainNameProblem(target)) return;
    switch (term.name) {
      case 'a': {
        const addresses = await this.addresses(target, where, node);
        if (addresses === undefined) return;
        entry.addresses = addresses.list;
        entry.dns = addresses.status;
        if (addresses.list.length === 0) {
          this.countVoid(where);
          this.add('spf-a-no-address', { term: term.text, target }, where);
        }
        return;
      }
      case 'mx':
        await this.lookupMx(term, entry, node, target, where);
        return;
      case 'exists': {
        const result = await this.query(target, 'A');
        if (!result) return this.markIncomplete(node);
        entry.dns = result.status;
        if (isTemporary(result.status)) {
          this.dnsError(result, where);
          this.markIncomplete(node);
        } else if (isAbsent(result.status)) {
          this.countVoid(where);
        }
        return;
      }
      case 'ptr': {
        // Evaluating ptr needs the client's address; only the written target can be checked.
        if (term.domainSpec === undefined) return;
        const result = await this.query(target, 'A');
        if (!result) return this.markIncomplete(node);
        if (result.status === 'nxdomain')
          this.add('spf-ptr-target-missing', { term: term.text, target }, where);
        return;
      }
    }
  }

  private markIncomplete(node: SpfTreeNode): void {
    node.incomplete = true;
    this.atLeast = true;
  }

  /** A and AAAA of a name; undefined when a lookup could not be made (counted as incomplete). */
  private async addresses(
    name: string,
    where: string,
    node: SpfTreeNode,
  ): Promise<{ list: string[]; status: DnsStatus } | undefined> {
    const [a, aaaa] = [await this.query(name, 'A'), await this.query(name, 'AAAA')];
    if (!a || !aaaa) {
      this.markIncomplete(node);
      return undefined;
    }
    const failed = [a, aaaa].filter((r) => isTemporary(r.status));
    for (const r of failed) this.dnsError(r, where);
    if (failed.length > 0) {
      this.markIncomplete(node);
      if (failed.length === 2) return undefined;
    }
    const list = [...a.records, ...aaaa.records];
    const status = list.length > 0 ? 'ok' : a.status === 'nxdomain' ? 'nxdomain' : a.status;
    if (failed.length > 0 && list.length === 0) return undefined;
    return { list, status };
  }

  private async lookupMx(
    term: SpfTerm,
    entry: SpfTreeTerm,
    node: SpfTreeNode,
    target: string,
    where: string,
  ) {
    const result = await this.query(target, 'MX');
    if (!result) return this.markIncomplete(node);
    entry.dns = result.status;
    if (isTemporary(result.status)) {
      this.dnsError(result, where);
      return this.markIncomplete(node);
    }
    if (isAbsent(result.status)) {
      this.countVoid(where);
      this.add('spf-mx-no-records', { term: term.text, target, nullMx: false }, where);
      return;
    }
    const hosts = [...result.records]
      .filter((r) => r.exchange !== '')
      .sort((a, b) => a.preference - b.preference);
    if (hosts.length === 0) {
      this.add('spf-mx-no-records', { term: term.text, target, nullMx: true }, where);
      entry.mxHosts = [];
      return;
    }
    if (hosts.length > SPF_MX_LIMIT) {
      this.add(
        'spf-too-many-mx',
        { term: term.text, target, count: hosts.length, limit: SPF_MX_LIMIT },
        where,
      );
      node.permerror = true;
    }
    entry.mxHosts = [];
    for (const mx of hosts.slice(0, SPF_MX_LIMIT)) {
      const host: SpfMxHost = { host: mx.exchange, preference: mx.preference, addresses: [] };
      entry.mxHosts.push(host);
      const addresses = await this.addresses(mx.exchange, where, node);
      if (addresses === undefined) continue;
      host.addresses = addresses.list;
      if (addresses.list.length === 0) {
        this.countVoid(where);
        this.add('spf-mx-host-no-address', { term: term.text, target, host: mx.exchange }, where);
      }
    }
  }

  private async followTarget(
    term: SpfTerm,
    entry: SpfTreeTerm,
    node: SpfTreeNode,
    chain: string[],
    depth: number,
    where: string,
    via: 'include' | 'redirect',
  ): Promise<void> {
    if (term.hasMacros) {
      // The target's own lookups are unknown: the total is a lower bound.
      this.add('spf-macro-not-followed', { term: term.text }, where);
      this.markIncomplete(node);
      return;
    }
    const target = entry.target!;
    if (domainNameProblem(target)) return;
    if (via === 'include') {
      const from = this.includers.get(target) ?? new Set<string>();
      from.add(node.domain);
      this.includers.set(target, from);
    }
    if (chain.includes(target)) {
      const loop = [...chain.slice(chain.indexOf(target)), target].join(' → ');
      this.add(via === 'include' ? 'spf-include-loop' : 'spf-redirect-loop', { chain: loop, target }, where);
      const child = this.newNode(target, via, term.text, where);
      child.status = 'loop';
      child.permerror = true;
      node.children.push(this.finish(child));
      node.permerror = true;
      return;
    }
    const child = await this.follow(target, via, term.text, node, [...chain, target], depth + 1);
    node.children.push(child);
    if (child.permerror) node.permerror = true;
    if (child.incomplete) node.incomplete = true;
  }

  private async checkExp(term: SpfModifier, entry: SpfTreeTerm, where: string): Promise<void> {
    // exp= is fetched only after a fail and is not counted toward the limits (RFC 7208 s4.6.4, s6.2).
    if (term.hasMacros) return;
    const target = entry.target!;
    if (domainNameProblem(target)) return;
    const result = await this.query(target, 'TXT');
    if (!result) return;
    entry.dns = result.status;
    const at = `${where} → ${term.text}`;
    if (isTemporary(result.status)) {
      this.dnsError(result, at);
      return;
    }
    const unusable = (reason: string, detail?: string) => {
      const args: FindingArgs = { term: term.text, target, reason };
      if (detail !== undefined) args.detail = detail;
      this.add('spf-exp-unusable', args, at);
    };
    if (result.status === 'nxdomain') return unusable('nxdomain');
    if (result.records.length === 0) return unusable('none');
    if (result.records.length > 1) return unusable('multiple');
    const issue = checkExplainString(result.records[0]!.text);
    if (issue) unusable('syntax', issue.found);
  }

  /** Findings that need the whole walk: totals against the limits, includes reached from several records. */
  totals(domain: string, root: SpfTreeNode): void {
    const top = costliest(root);
    const base: FindingArgs = { domain, limit: SPF_LOOKUP_LIMIT, count: this.lookups, atLeast: this.atLeast };
    if (top) base.top = top;
    if (this.lookups > SPF_LOOKUP_LIMIT) {
      this.add('spf-too-many-lookups', base, this.overLookupsAt ?? domain);
    } else if (this.lookups >= SPF_LOOKUPS_NEAR_LIMIT) {
      this.add('spf-lookups-near-limit', base, domain);
    }
    if (this.voidLookups > SPF_VOID_LOOKUP_LIMIT) {
      this.add(
        'spf-too-many-void-lookups',
        { domain, count: this.voidLookups, limit: SPF_VOID_LOOKUP_LIMIT, atLeast: this.atLeast },
        this.overVoidAt ?? domain,
      );
    }
    for (const [target, from] of this.includers) {
      if (from.size > 1) {
        this.add(
          'spf-duplicate-include',
          { target, count: from.size, from: [...from].join(', '), sameRecord: false },
          domain,
        );
      }
    }
  }
}

/** Void lookups made inside an include/redirect subtree belong to the child node, not to the term. */
function childVoids(node: SpfTreeNode, entry: SpfTreeTerm): number {
  if (entry.name !== 'include') return 0;
  const child = node.children.at(-1);
  return child && child.term === entry.text ? child.branchVoidLookups : 0;
}

function describeTerm(term: SpfTerm, domain: string): SpfTreeTerm {
  const entry: SpfTreeTerm = {
    text: term.text,
    position: term.start,
    kind: term.kind,
    name: term.name,
    defaults: [],
    evaluated: true,
    lookups: 0,
    voidLookups: 0,
    cumulativeLookups: 0,
    cumulativeVoidLookups: 0,
  };
  if (term.kind === 'modifier') {
    if (term.name === 'redirect' || term.name === 'exp') {
      entry.target = termTarget(term)!;
      if (term.hasMacros) entry.macro = true;
    }
    return entry;
  }
  entry.qualifier = term.qualifier;
  if (!term.qualifierExplicit) entry.defaults.push('qualifier');
  if (term.hasMacros) entry.macro = true;
  if (['include', 'exists', 'a', 'mx', 'ptr'].includes(term.name)) {
    const target = termTarget(term);
    entry.target = target ?? domain;
    if (target === undefined) entry.defaults.push('target');
  }
  if (term.name === 'a' || term.name === 'mx' || term.name === 'ip4') {
    entry.cidr4 = term.cidr4 ?? 32;
    if (term.cidr4 === undefined) entry.defaults.push('cidr4');
  }
  if (term.name === 'a' || term.name === 'mx' || term.name === 'ip6') {
    entry.cidr6 = term.cidr6 ?? 128;
    if (term.cidr6 === undefined) entry.defaults.push('cidr6');
  }
  return entry;
}

/** The root's include/redirect terms that cost more than one lookup, costliest first. */
function costliest(root: SpfTreeNode): string | undefined {
  const costs = root.children
    .map((c) => ({ term: c.term ?? c.domain, cost: 1 + c.branchLookups }))
    .filter((c) => c.cost > 1)
    .sort((a, b) => b.cost - a.cost)
    .slice(0, 3);
  return costs.length > 0 ? costs.map((c) => `${c.term} (${c.cost})`).join(', ') : undefined;
}
