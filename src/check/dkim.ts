import type { DnsResult, TxtRecord } from '../dns/types.ts';
import { isTemporary, normalizeName } from '../dns/types.ts';
import { type DkimKeyRecord, looksLikeDkimKey, parseDkimKeyRecord } from '../records/dkim/index.ts';
import { type Finding, finding } from '../records/finding.ts';
import { COMMON_DKIM_SELECTORS } from './dkim/selectors.ts';
import { foundRecord, locate, MAX_TXT_CANDIDATES } from './txt-discovery.ts';
import type { CheckContext, FoundRecord, ProtocolReport, SuggestedRecord } from './types.ts';

export { COMMON_DKIM_SELECTORS };

export interface DkimSelectorResult {
  selector: string;
  /** `<selector>._domainkey.<domain>` */
  name: string;
  /** found: a key record is there; missing: none; dns-error: could not ask. */
  status: 'found' | 'missing' | 'dns-error';
  /** CNAMEs followed (Microsoft 365 selectors are aliases). */
  cnames?: string[];
  /** Each key record at the name, parsed (several is itself a problem). */
  keys: DkimKeyRecord[];
}

export interface DkimParsed {
  /** options: the selectors given; common: the guess list (COMMON_DKIM_SELECTORS). */
  selectorSource: 'options' | 'common';
  /** Every selector asked for (none when _domainkey itself does not exist). */
  selectorsAsked: string[];
  /**
   * Given selectors: one entry each. Common ones: only those found or that failed, since
   * most of the guesses are absent on any domain.
   */
  selectors: DkimSelectorResult[];
  /** `_domainkey.<domain>` is NXDOMAIN: no selector exists below it (RFC 8020). */
  domainkeyNxdomain: boolean;
}

/**
 * DKIM key records for the given selectors or the common ones. Selectors cannot be listed
 * from DNS, so finding none among the common ones says nothing about the domain's DKIM.
 */
export async function checkDkim(domain: string, ctx: CheckContext): Promise<ProtocolReport<DkimParsed>> {
  const given = (ctx.options.selectors ?? []).map((s) => normalizeName(s.trim())).filter((s) => s !== '');
  const explicit = given.length > 0;
  const selectors = [...new Set(explicit ? given : COMMON_DKIM_SELECTORS)];
  const parsed: DkimParsed = {
    selectorSource: explicit ? 'options' : 'common',
    selectorsAsked: [],
    selectors: [],
    domainkeyNxdomain: false,
  };
  const findings: Finding[] = [];
  const records: FoundRecord[] = [];
  const suggested: SuggestedRecord[] = [];
  const report: ProtocolReport<DkimParsed> = { protocol: 'dkim', status: 'ok', records, findings, parsed };

  // RFC 8020: NXDOMAIN at _domainkey.<domain> means nothing exists below it, so one question
  // replaces one per selector. Only a real NXDOMAIN counts: NODATA (the usual answer when
  // keys exist below), a failure, or an NXDOMAIN at the end of a CNAME says nothing.
  if (selectors.length > 1) {
    const parent = await ctx.resolver.lookup(`_domainkey.${domain}`, 'TXT');
    report.dns = parent.status;
    if (parent.status === 'nxdomain' && parent.cnames.length === 0) {
      parsed.domainkeyNxdomain = true;
      if (explicit) {
        for (const selector of selectors) {
          const name = `${selector}._domainkey.${domain}`;
          parsed.selectors.push({ selector, name, status: 'missing', keys: [] });
          findings.push(finding('dkim-selector-missing', { selector, name, domain }, { where: name }));
        }
      } else findings.push(finding('dkim-selectors-not-found', { domain, count: selectors.length }));
      report.status = 'missing';
      return report;
    }
  }

  parsed.selectorsAsked = selectors;
  const answers = await Promise.all(
    selectors.map(async (selector) => {
      const name = `${selector}._domainkey.${domain}`;
      return { selector, name, result: await ctx.resolver.lookup(name, 'TXT') };
    }),
  );
  if (selectors.length === 1) report.dns = answers[0]!.result.status;

  const failed: string[] = [];
  for (const { selector, name, result } of answers) {
    const entry: DkimSelectorResult = { selector, name, status: 'missing', keys: [] };
    if (result.cnames.length > 0) entry.cnames = result.cnames;
    if (isTemporary(result.status)) {
      entry.status = 'dns-error';
      failed.push(selector);
      parsed.selectors.push(entry);
      continue;
    }
    // For guessed selectors, TXT that is not a key (a wildcard SPF record, say) means "no key".
    const texts = explicit ? result.records : result.records.filter((t) => looksLikeDkimKey(t.text));
    if (texts.length === 0) {
      if (result.cnames.length > 0) {
        findings.push(
          finding('dkim-cname-dangling', { selector, name, target: result.cnames.at(-1)! }, { where: name }),
        );
      }
      if (explicit) {
        findings.push(finding('dkim-selector-missing', { selector, name, domain }, { where: name }));
        parsed.selectors.push(entry);
      } else if (result.cnames.length > 0) parsed.selectors.push(entry);
      continue;
    }
    entry.status = 'found';
    parsed.selectors.push(entry);
    if (texts.length > 1) {
      findings.push(
        finding('dkim-multiple-records', { selector, name, count: texts.length }, { where: name }),
      );
    }
    for (const txt of texts.slice(0, MAX_TXT_CANDIDATES)) {
      records.push(foundRecord(name, txt, result.cnames));
      entry.keys.push(judgeKey(txt, name, selector, findings, suggested, texts.length === 1));
    }
  }

  if (failed.length > 0) {
    const first = answers.find((a) => a.selector === failed[0])!.result;
    findings.push(
      finding('dkim-dns-error', dnsErrorArgs(first, domain, failed), { where: `_domainkey.${domain}` }),
    );
  }

  const found = parsed.selectors.filter((s) => s.status === 'found');
  const keys = found.flatMap((s) => s.keys);
  const usable = keys.filter((k) => k.usable);
  if (found.length > 0) {
    findings.push(
      finding('dkim-selectors-found', { domain, selectors: found.map((s) => s.selector).join(', ') }),
    );
  } else if (!explicit && failed.length === 0) {
    findings.push(finding('dkim-selectors-not-found', { domain, count: selectors.length }));
  }
  // Ed25519 alone: many receivers verify only RSA (RFC 8463 s4 expects both to be published).
  if (usable.some((k) => k.key?.algorithm === 'ed25519') && !usable.some((k) => k.key?.algorithm === 'rsa')) {
    findings.push(finding('dkim-ed25519-without-rsa', { domain }));
  }
  // A revoked key next to working ones, or on a domain that sends nothing, is intended.
  if (ctx.options.parked === true || usable.length > 0) {
    for (const f of findings) if (f.code === 'dkim-key-revoked') f.severity = 'info';
  }

  if (suggested.length > 0) report.suggested = suggested;
  const onlyRevoked = keys.length > 0 && keys.every((k) => k.revoked);
  if (usable.length > 0 || (onlyRevoked && ctx.options.parked === true)) report.status = 'ok';
  else if (keys.length > 0) report.status = 'invalid';
  else if (failed.length > 0) report.status = 'dns-error';
  else report.status = 'missing';
  return report;
}

function judgeKey(
  txt: TxtRecord,
  name: string,
  selector: string,
  findings: Finding[],
  suggested: SuggestedRecord[],
  single: boolean,
): DkimKeyRecord {
  const result = parseDkimKeyRecord(txt.text, { name });
  if (txt.invalidUtf8) {
    findings.push(
      finding('dkim-syntax-error', { name, problem: 'invalid-utf8' }, { where: name, record: txt.text }),
    );
    result.record.usable = false;
  }
  findings.push(
    ...locate(result.findings, name, txt.text).map((f) => ({ ...f, args: { ...f.args, selector } })),
  );
  if (result.corrected !== undefined && single)
    suggested.push({ name, type: 'TXT', value: result.corrected });
  return result.record;
}

function dnsErrorArgs(result: DnsResult, domain: string, failed: string[]): Record<string, string | number> {
  const args: Record<string, string | number> = {
    domain,
    status: result.status,
    selectors: failed.join(', '),
    count: failed.length,
  };
  if (result.error) args.error = result.error;
  return args;
}
