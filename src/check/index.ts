import { domainToASCII } from 'node:url';
import { normalizeName } from '../dns/types.ts';
import type { Protocol } from '../i18n/catalog.ts';
import { findingCatalog } from '../i18n/findings/index.ts';
import type { Lang } from '../i18n/lang.ts';
import type { BimiDmarcInput } from '../records/bimi/dmarc.ts';
import { bySeverity, type DescribedFinding, describeFinding, type Finding } from '../records/finding.ts';
import { type BimiParsed, checkBimi } from './bimi.ts';
import { checkDkim, type DkimParsed } from './dkim.ts';
import { checkDmarc, type DmarcParsed } from './dmarc.ts';
import { checkMtaSts, type MtaStsParsed } from './mta-sts.ts';
import { checkMx, type MxParsed, mxHostsOf } from './mx.ts';
import { checkSpf, type SpfParsed } from './spf.ts';
import { checkTlsRpt, type TlsRptParsed } from './tls-rpt.ts';
import type { CheckContext, ProtocolReport } from './types.ts';

export type { CheckContext, CheckOptions, ProtocolReport } from './types.ts';

/** Protocols in the order people read them: the policy first, then what it rests on. */
export const PROTOCOLS = ['dmarc', 'spf', 'dkim', 'bimi', 'mta-sts', 'tls-rpt', 'mx'] as const;
export type CheckedProtocol = (typeof PROTOCOLS)[number];

export interface DomainCheck {
  domain: string;
  checkedAt: string;
  protocols: {
    dmarc: ProtocolReport<DmarcParsed>;
    spf: ProtocolReport<SpfParsed>;
    dkim: ProtocolReport<DkimParsed>;
    bimi: ProtocolReport<BimiParsed>;
    'mta-sts': ProtocolReport<MtaStsParsed>;
    'tls-rpt': ProtocolReport<TlsRptParsed>;
    mx: ProtocolReport<MxParsed>;
  };
  /** Every finding of every protocol, errors first. */
  findings: Finding[];
}

export class InvalidDomainError extends Error {}

/** Lower case, ASCII (IDNs in punycode), no trailing dot; throws for names that cannot be a domain. */
export function normaliseDomain(input: string): string {
  const ascii = domainToASCII(input.trim());
  const name = normalizeName(ascii);
  if (!name || name.length > 253 || !name.includes('.') || name.split('.').some((l) => !l || l.length > 63)) {
    throw new InvalidDomainError(input);
  }
  return name;
}

/**
 * Checks every protocol of one domain. Independent protocols run concurrently; MTA-STS
 * waits for the MX hosts, BIMI for the DMARC policy, TLS-RPT for whether MTA-STS is used.
 */
export async function checkDomain(input: string, ctx: CheckContext): Promise<DomainCheck> {
  const domain = normaliseDomain(input);
  const checkedAt = (ctx.options.now ?? new Date()).toISOString();
  const [dmarc, spf, dkim, mx] = await Promise.all([
    checkDmarc(domain, ctx),
    checkSpf(domain, ctx),
    checkDkim(domain, ctx),
    checkMx(domain, ctx),
  ]);
  const [mtaSts, bimi] = await Promise.all([
    checkMtaSts(domain, ctx, mxHostsOf(mx)),
    checkBimi(domain, ctx, bimiInput(dmarc), dmarc.parsed?.orgDomain),
  ]);
  const tlsRpt = await checkTlsRpt(domain, ctx, {
    mtaSts: mtaSts.status !== 'missing' && mtaSts.status !== 'dns-error',
  });
  const protocols = { dmarc, spf, dkim, bimi, 'mta-sts': mtaSts, 'tls-rpt': tlsRpt, mx };
  const findings = PROTOCOLS.flatMap((p) => protocols[p].findings).sort(bySeverity);
  return { domain, checkedAt, protocols, findings };
}

/** What BIMI needs to know of the DMARC policy that applies to the domain. */
function bimiInput(dmarc: ProtocolReport<DmarcParsed>): BimiDmarcInput {
  const status = dmarc.status === 'not-checked' ? 'missing' : dmarc.status;
  const parsed = dmarc.parsed;
  const tags = parsed?.tags;
  const input: BimiDmarcInput = { status };
  if (!tags) return input;
  if (tags.p.explicit) input.p = tags.p.value;
  if (tags.sp.explicit) input.sp = tags.sp.value;
  const pct = parsed.removedTags?.find((t) => t.name === 'pct');
  if (pct && /^\d+$/.test(pct.value)) input.pct = Number(pct.value);
  if (tags.t.value === 'y') input.testing = true;
  if (parsed.record) input.record = parsed.record;
  if (parsed.policyRecordName) input.name = parsed.policyRecordName;
  return input;
}

export type CheckOutcome = DomainCheck | { domain: string; error: InvalidDomainError };

/**
 * Checks many domains, at most `concurrency` at once; results come back in input order.
 * A slot frees as soon as any domain finishes, so one slow domain does not hold the rest.
 */
export async function* checkDomains(
  domains: readonly string[],
  ctx: CheckContext,
  concurrency = 16,
): AsyncGenerator<CheckOutcome> {
  let running = 0;
  const waiting: (() => void)[] = [];
  const run = async (domain: string): Promise<CheckOutcome> => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await checkDomain(domain, ctx);
    } catch (error) {
      if (error instanceof InvalidDomainError) return { domain, error };
      throw error;
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
  const outcomes = domains.map(run);
  // Unexpected errors surface when their turn comes; until then they must not go unhandled.
  for (const o of outcomes) o.catch(() => undefined);
  for (const outcome of outcomes) yield await outcome;
}

/** A check as `--json` and the API show it: findings with their words, in one flat list. */
export interface DescribedCheck {
  domain: string;
  checkedAt: string;
  summary: { errors: number; warnings: number; info: number };
  protocols: Record<CheckedProtocol, Omit<ProtocolReport, 'findings'>>;
  findings: (DescribedFinding & { protocol: Protocol })[];
}

export function describeCheck(check: DomainCheck, lang: Lang): DescribedCheck {
  const protocols = {} as DescribedCheck['protocols'];
  for (const p of PROTOCOLS) {
    const { findings: _omitted, ...rest } = check.protocols[p];
    protocols[p] = rest;
  }
  const findings = check.findings.map((f) => ({
    protocol: findingCatalog[f.code].protocol,
    ...describeFinding(f, lang),
  }));
  const count = (s: Finding['severity']) => check.findings.filter((f) => f.severity === s).length;
  return {
    domain: check.domain,
    checkedAt: check.checkedAt,
    summary: { errors: count('error'), warnings: count('warning'), info: count('info') },
    protocols,
    findings,
  };
}
