import type { DnsResult, TxtRecord } from '../dns/types.ts';
import { isTemporary, normalizeName } from '../dns/types.ts';
import type { FetchOutcome } from '../http/types.ts';
import {
  MAX_CERTIFICATE_BYTES,
  type MarkCertificateInfo,
  pemCertificates,
  validateMarkCertificate,
} from '../records/bimi/certificate.ts';
import {
  type BimiDmarcInput,
  type DmarcBlocker,
  dmarcBlockers,
  enforcingDmarcRecord,
} from '../records/bimi/dmarc.ts';
import {
  type BimiRecord,
  buildBimiRecord,
  classifyBimiTxt,
  DEFAULT_BIMI_SELECTOR,
  parseBimiRecord,
  urlProblem,
} from '../records/bimi/record.ts';
import { MAX_SVG_BYTES, type SvgInfo, validateBimiSvg } from '../records/bimi/svg.ts';
import { type Finding, finding } from '../records/finding.ts';
import { MVA_INTERMEDIATES_PEM, MVA_ROOTS_PEM } from './bimi/mva-roots.ts';
import type { CheckContext, FoundRecord, ProtocolReport, SuggestedRecord } from './types.ts';

export type { BimiDmarcInput } from '../records/bimi/dmarc.ts';

/** Whole-request budget for the logo and the certificate downloads. */
export const BIMI_FETCH_TIMEOUT_MS = 10_000;

/** Trust anchors for mark certificates (PEM). Defaults to the bundled MVA set. */
export interface BimiTrust {
  roots: readonly string[];
  /** Intermediates used to finish an incomplete chain (reported when used). */
  intermediates?: readonly string[];
}

export const DEFAULT_BIMI_TRUST: BimiTrust = { roots: MVA_ROOTS_PEM, intermediates: MVA_INTERMEDIATES_PEM };

export interface BimiParsed {
  selector: string;
  /** The DNS name whose record is used (the author domain's, or the organisational domain's). */
  name?: string;
  /** The record came from the organisational-domain fallback. */
  fallback: boolean;
  record?: BimiRecord;
  /** Where DMARC stands for BIMI: enforcing when nothing blocks it. */
  dmarc: { status: BimiDmarcInput['status']; enforcing: boolean; blockers: DmarcBlocker[] };
  logo?: { url: string; fetched: boolean; valid?: boolean; info?: SvgInfo };
  certificate?: { url: string; fetched: boolean; valid?: boolean; info?: MarkCertificateInfo };
}

const toDer = (pems: readonly string[]) => pems.flatMap((p) => pemCertificates(p));

/**
 * BIMI for one domain: the assertion record at `<selector>._bimi.<domain>` (falling back to
 * the same selector at the organisational domain, per the draft), the DMARC precondition,
 * the SVG Tiny PS logo from `l=` and the mark certificate from `a=`.
 */
export async function checkBimi(
  domain: string,
  ctx: CheckContext,
  dmarc: BimiDmarcInput,
  orgDomain: string | undefined,
  trust: BimiTrust = DEFAULT_BIMI_TRUST,
): Promise<ProtocolReport<BimiParsed>> {
  const author = normalizeName(domain);
  const org =
    orgDomain !== undefined && normalizeName(orgDomain) !== author ? normalizeName(orgDomain) : undefined;
  const selector = (ctx.options.bimiSelector ?? DEFAULT_BIMI_SELECTOR).toLowerCase();
  const primaryName = `${selector}._bimi.${author}`;
  const findings: Finding[] = [];
  const records: FoundRecord[] = [];
  const parsed: BimiParsed = {
    selector,
    fallback: false,
    dmarc: { status: dmarc.status, enforcing: false, blockers: [] },
  };
  const report = (
    status: ProtocolReport['status'],
    dns?: DnsResult['status'],
    suggested?: SuggestedRecord[],
  ) => {
    const out: ProtocolReport<BimiParsed> = { protocol: 'bimi', status, records, parsed, findings };
    if (dns !== undefined) out.dns = dns;
    if (suggested && suggested.length > 0) out.suggested = suggested;
    return out;
  };

  const [primary, apex] = await Promise.all([
    ctx.resolver.lookup(primaryName, 'TXT'),
    ctx.resolver.lookup(author, 'TXT'),
  ]);
  if (isTemporary(primary.status)) {
    findings.push(dnsError(primary));
    return report('dns-error', primary.status);
  }

  let name = primaryName;
  let published = candidates(primary, findings, records);
  let fallbackName: string | undefined;
  if (published.length === 0 && org) {
    fallbackName = `${selector}._bimi.${org}`;
    const fallback = await ctx.resolver.lookup(fallbackName, 'TXT');
    if (isTemporary(fallback.status)) {
      findings.push(dnsError(fallback));
      return report('dns-error', fallback.status);
    }
    published = candidates(fallback, findings, records);
    if (published.length > 0) {
      name = fallbackName;
      parsed.fallback = true;
      findings.push(finding('bimi-fallback', { domain: author, name, orgDomain: org }, { where: name }));
    }
  }

  const atApex =
    apex.status === 'ok' ? apex.records.filter((r) => classifyBimiTxt(r.text).startsWith('bimi')) : [];
  for (const r of atApex) {
    records.push(foundRecord(author, r, apex.cnames));
    findings.push(
      finding('bimi-at-apex', { domain: author, name: primaryName }, { record: r.text, where: author }),
    );
  }

  if (published.length === 0) {
    if (apex.status === 'nxdomain') {
      findings.push(finding('bimi-domain-not-found', { domain: author }, { where: author }));
    } else {
      findings.push(
        finding(
          'bimi-missing',
          { domain: author, name: primaryName, ...(fallbackName ? { fallbackName } : {}) },
          { where: primaryName },
        ),
      );
    }
    // A record published at the apex by mistake can be written where it belongs.
    const moved =
      atApex.length === 1 ? rewrite(parseBimiRecord(atApex[0]!.text).record, author, selector) : undefined;
    return report('missing', primary.status, moved ? [moved] : undefined);
  }
  parsed.name = name;
  if (published.length > 1) {
    findings.push(finding('bimi-multiple-records', { name, count: published.length }, { where: name }));
    return report('invalid', primary.status);
  }

  const text = published[0]!.text;
  const lint = parseBimiRecord(text, name);
  findings.push(...lint.findings);
  const record = lint.record;
  if (record) parsed.record = record;
  const recordDomain = name.slice(`${selector}._bimi.`.length);
  const suggested: SuggestedRecord[] = [];
  const needsRewrite = lint.findings.some((f) => f.severity !== 'info' || f.code === 'bimi-unknown-tag');
  const rewritten = needsRewrite ? rewrite(record, recordDomain, selector) : undefined;
  if (rewritten && rewritten.value !== text) suggested.push(rewritten);
  const done = () =>
    report(findings.some((f) => f.severity === 'error') ? 'invalid' : 'ok', primary.status, suggested);
  if (!record || record.declined) return done();

  checkDmarc(author, dmarc, parsed, findings);

  const logoUrl = record.tags.l.value[0];
  let svgDocument: Buffer | undefined;
  if (logoUrl !== undefined && urlProblem(logoUrl, 'l') === undefined) {
    const outcome = await safeFetch(ctx, logoUrl, MAX_SVG_BYTES + 1);
    parsed.logo = { url: logoUrl, fetched: outcome.ok };
    if (!outcome.ok) findings.push(fetchFailed('svg', outcome, MAX_SVG_BYTES));
    else {
      const type = outcome.headers['content-type'];
      if (type === undefined || !/^image\/svg\+xml\s*(;|$)/i.test(type)) {
        findings.push(
          finding('bimi-svg-content-type', { contentType: type ?? '(none)' }, { where: logoUrl }),
        );
      }
      const svg = validateBimiSvg(outcome.body, logoUrl);
      findings.push(...svg.findings);
      parsed.logo.valid = svg.valid;
      if (svg.info) parsed.logo.info = svg.info;
      svgDocument = svg.document;
    }
  }

  const certificateUrl = record.tags.a.value;
  if (certificateUrl === '') {
    if (logoUrl !== undefined) findings.push(finding('bimi-no-certificate', {}, { where: name }));
  } else if (urlProblem(certificateUrl, 'a') === undefined) {
    const outcome = await safeFetch(ctx, certificateUrl, MAX_CERTIFICATE_BYTES + 1);
    parsed.certificate = {
      url: certificateUrl,
      fetched: outcome.ok && outcome.body.length <= MAX_CERTIFICATE_BYTES,
    };
    if (!outcome.ok) findings.push(fetchFailed('certificate', outcome, MAX_CERTIFICATE_BYTES));
    else if (outcome.body.length > MAX_CERTIFICATE_BYTES) {
      findings.push(
        finding(
          'bimi-certificate-fetch-failed',
          { url: certificateUrl, failure: 'too-large', error: `more than ${MAX_CERTIFICATE_BYTES} bytes` },
          { where: certificateUrl },
        ),
      );
    } else {
      const domains = [...new Set([author, recordDomain, ...(org ? [org] : [])])];
      const validation = validateMarkCertificate({
        pem: outcome.body,
        domains,
        ...(svgDocument ? { svg: svgDocument } : {}),
        roots: toDer(trust.roots),
        intermediates: toDer(trust.intermediates ?? []),
        now: ctx.options.now ?? new Date(),
        where: certificateUrl,
      });
      findings.push(...validation.findings);
      parsed.certificate.valid = validation.valid;
      if (validation.info) parsed.certificate.info = validation.info;
    }
  }
  return done();
}

/** Fetches through the injected fetcher; a fetcher that throws is reported like a failed connection. */
async function safeFetch(ctx: CheckContext, url: string, maxBytes: number): Promise<FetchOutcome> {
  try {
    return await ctx.fetcher.fetch(url, { maxBytes, timeoutMs: BIMI_FETCH_TIMEOUT_MS });
  } catch (error) {
    return { ok: false, url, failure: 'connect', error: (error as Error).message };
  }
}

/** The BIMI-looking TXT records at a name; reports the other records found there. */
function candidates(result: DnsResult<'TXT'>, findings: Finding[], records: FoundRecord[]): TxtRecord[] {
  if (result.status !== 'ok') return [];
  const out: TxtRecord[] = [];
  for (const r of result.records) {
    records.push(foundRecord(result.name, r, result.cnames));
    const at = { record: r.text, where: result.name };
    if (r.invalidUtf8) findings.push(finding('bimi-invalid-utf8', { name: result.name }, at));
    const kind = classifyBimiTxt(r.text);
    if (kind === 'bimi' || kind === 'bimi-bad-version') out.push(r);
    else if (kind === 'spf') findings.push(finding('bimi-spf-record', { name: result.name }, at));
    else findings.push(finding('bimi-unrelated-record', { name: result.name, record: r.text }, at));
  }
  return out;
}

function foundRecord(name: string, r: TxtRecord, cnames: string[]): FoundRecord {
  const out: FoundRecord = { name, type: 'TXT', text: r.text };
  if (r.strings.length > 1) out.strings = r.strings;
  if (cnames.length > 0) out.cnames = cnames;
  return out;
}

function dnsError(result: DnsResult): Finding {
  return finding(
    'bimi-dns-error',
    { name: result.name, status: result.status, ...(result.error ? { error: result.error } : {}) },
    { where: result.name },
  );
}

function checkDmarc(domain: string, dmarc: BimiDmarcInput, parsed: BimiParsed, findings: Finding[]): void {
  const where = dmarc.name ?? `_dmarc.${domain}`;
  if (dmarc.status === 'dns-error') {
    findings.push(finding('bimi-dmarc-unverified', { domain }, { where }));
    return;
  }
  if (dmarc.status !== 'ok') {
    findings.push(finding('bimi-dmarc-missing', { domain, status: dmarc.status }, { where }));
    return;
  }
  const blockers = dmarcBlockers(dmarc);
  parsed.dmarc = { status: dmarc.status, enforcing: blockers.length === 0, blockers };
  if (blockers.length === 0) return;
  const fixedRecord = enforcingDmarcRecord(dmarc);
  for (const b of blockers) {
    findings.push(
      finding(
        'bimi-dmarc-not-enforcing',
        { tag: b.tag, value: b.value, required: b.required, fixedRecord, dmarcName: where },
        { where, ...(dmarc.record !== undefined ? { record: dmarc.record } : {}) },
      ),
    );
  }
}

function fetchFailed(
  what: 'svg' | 'certificate',
  outcome: FetchOutcome & { ok: false },
  limit: number,
): Finding {
  if (what === 'svg' && outcome.failure === 'too-large') {
    return finding('bimi-svg-too-large', { bytes: `>${limit}`, limit }, { where: outcome.url });
  }
  const args = {
    url: outcome.url,
    failure: outcome.failure,
    error: outcome.error,
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
  };
  return finding(what === 'svg' ? 'bimi-svg-fetch-failed' : 'bimi-certificate-fetch-failed', args, {
    where: outcome.url,
  });
}

/** The record rewritten cleanly from what it says, when it names one usable logo URL. */
function rewrite(
  record: BimiRecord | undefined,
  domain: string,
  selector: string,
): SuggestedRecord | undefined {
  if (!record) return undefined;
  const logo = record.tags.l.value;
  const cert = record.tags.a.value;
  if (record.declined) {
    return { name: `${selector}._bimi.${domain}`, type: 'TXT', value: 'v=BIMI1; l=; a=;' };
  }
  if (logo.length !== 1 || urlProblem(logo[0]!, 'l') !== undefined) return undefined;
  const lps = record.tags.lps.value;
  const built = buildBimiRecord({
    domain,
    selector,
    logoUrl: logo[0]!,
    ...(cert !== '' && urlProblem(cert, 'a') === undefined ? { certificateUrl: cert } : {}),
    ...(record.tags.avp.explicit ? { avp: record.tags.avp.value } : {}),
    ...(lps?.every((p) => /^[A-Za-z0-9-]{1,63}$/.test(p)) ? { lps } : {}),
  });
  return built.valid ? { name: built.name, type: 'TXT', value: built.value } : undefined;
}
