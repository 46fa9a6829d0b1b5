import { findRunTogether, firstAll, repaired, termTarget } from './lint.ts';
import { parseSpfRecord } from './parse.ts';
import type { SpfRecordParse, SpfTerm } from './types.ts';

/**
 * Corrected records Sumi can write without knowing the domain's senders: the changes are
 * mechanical (put back a missing space, drop a duplicate or a ptr, tighten +all/?all, add
 * the missing all). Flattening includes is never done here: it would freeze other parties'
 * addresses into the record.
 */

export type SpfFix =
  | 'split-run-together'
  | 'drop-duplicate-include'
  | 'drop-ptr'
  | 'tighten-all'
  | 'add-all'
  | 'parked-deny-all';

export interface SpfFixResult {
  value: string;
  changes: SpfFix[];
}

function serialise(terms: readonly SpfTerm[]): string {
  return ['v=spf1', ...terms.map((t) => t.text)].join(' ');
}

/** The record with every mechanical fix applied; undefined when nothing can be fixed or it still does not parse. */
export function fixSpfRecord(
  record: string,
  opts: { strings?: string[]; parked?: boolean } = {},
): SpfFixResult | undefined {
  if (opts.parked) {
    return record === 'v=spf1 -all' ? undefined : { value: 'v=spf1 -all', changes: ['parked-deny-all'] };
  }
  const changes: SpfFix[] = [];
  let parse = parseSpfRecord(record);
  if (!parse.isSpf) return undefined;

  const runTogether = findRunTogether(parse, opts.strings);
  if (runTogether.length > 0) {
    parse = parseSpfRecord(repaired(record, runTogether));
    changes.push('split-run-together');
  }
  if (parse.errors.length > 0) return undefined;

  const terms = applyTermFixes(parse, changes);
  if (changes.length === 0) return undefined;
  const value = serialise(terms);
  return parseSpfRecord(value).errors.length === 0 ? { value, changes } : undefined;
}

function applyTermFixes(parse: SpfRecordParse, changes: SpfFix[]): SpfTerm[] {
  const seen = new Set<string>();
  const terms: SpfTerm[] = [];
  for (const term of parse.terms) {
    if (term.kind === 'mechanism' && term.name === 'include' && !term.hasMacros) {
      const target = termTarget(term)!;
      if (seen.has(target)) {
        if (!changes.includes('drop-duplicate-include')) changes.push('drop-duplicate-include');
        continue;
      }
      seen.add(target);
    }
    if (term.kind === 'mechanism' && term.name === 'ptr') {
      if (!changes.includes('drop-ptr')) changes.push('drop-ptr');
      continue;
    }
    terms.push(term);
  }
  const all = firstAll(terms);
  if (all && (all.qualifier === '+' || all.qualifier === '?')) {
    const index = terms.indexOf(all);
    terms[index] = { ...all, qualifier: '~', qualifierExplicit: true, text: '~all' };
    changes.push('tighten-all');
  }
  const hasRedirect = terms.some((t) => t.kind === 'modifier' && t.name === 'redirect');
  if (!all && !hasRedirect) {
    const tilde = parseSpfRecord('v=spf1 ~all').terms[0]!;
    terms.push(tilde);
    changes.push('add-all');
  }
  return terms;
}

/**
 * One record that authorises what each of several published records did: mechanisms in
 * order without repeats, then one all (-all only when every record that had an all used
 * -all). Undefined when a record does not parse or uses redirect= (then the intent is unclear).
 */
export function mergeSpfRecords(records: readonly string[]): string | undefined {
  const parses = records.map((r) => parseSpfRecord(r));
  if (parses.some((p) => !p.isSpf || p.errors.length > 0)) return undefined;
  if (parses.some((p) => p.terms.some((t) => t.kind === 'modifier' && t.name === 'redirect')))
    return undefined;
  const texts: string[] = [];
  const seen = new Set<string>();
  const exps = new Set<string>();
  const alls = new Set<string>();
  for (const p of parses) {
    const all = firstAll(p.terms);
    if (all) alls.add(all.qualifier);
    for (const term of p.terms) {
      if (all && term.start >= all.start && term.kind === 'mechanism') continue;
      if (term.kind === 'modifier' && term.name === 'exp') {
        exps.add(term.text);
        continue;
      }
      const key = term.text.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      texts.push(term.text);
    }
  }
  if (exps.size > 1) return undefined;
  const allText = alls.size === 1 && alls.has('-') ? '-all' : '~all';
  const merged = ['v=spf1', ...texts, allText, ...exps].join(' ');
  return fixSpfRecord(merged)?.value ?? merged;
}
