import { isTemporary } from '../dns/types.ts';
import type { FetchFailure } from '../http/types.ts';
import { type Finding, finding } from '../records/finding.ts';
import {
  coveringPattern,
  lintPolicyContentType,
  looksLikeMtaStsRecord,
  MAX_MTA_STS_POLICY_BYTES,
  type MtaStsPolicy,
  type MtaStsPolicyResult,
  type MtaStsRecord,
  parseMtaStsPolicy,
  parseMtaStsRecord,
  policyId,
} from '../records/mta-sts/index.ts';
import { discoverTxt, locate } from './txt-discovery.ts';
import type { CheckContext, ProtocolReport } from './types.ts';

/** Whole-fetch budget for the policy file; RFC 8461 s3.3 asks senders to time out too. */
export const MTA_STS_FETCH_TIMEOUT_MS = 10_000;

export interface MtaStsFetch {
  ok: boolean;
  status?: number;
  contentType?: string;
  failure?: FetchFailure;
  error?: string;
  /** Redirect target, when the server answered with one (never followed). */
  location?: string;
}

export interface MtaStsCoverage {
  host: string;
  /** The policy pattern matching the host; absent when none does. */
  pattern?: string;
}

export interface MtaStsParsed {
  /** Where the record belongs: `_mta-sts.<domain>`. */
  name: string;
  record?: MtaStsRecord;
  /** Exactly one record and it is valid. */
  recordValid: boolean;
  policyUrl: string;
  /** How the policy fetch went (absent when it was not attempted). */
  fetch?: MtaStsFetch;
  policy?: MtaStsPolicy;
  policyValid: boolean;
  /** Each MX host and the pattern covering it (when the MX hosts were known). */
  mxCoverage?: MtaStsCoverage[];
}

/**
 * MTA-STS (RFC 8461): the `_mta-sts` record, the policy fetched over https (never following
 * redirects), and whether the policy's mx patterns cover every MX host. `mxHosts` comes from
 * `mxHostsOf(checkMx(...))`; undefined when the MX hosts are unknown (coverage not checked).
 */
export async function checkMtaSts(
  domain: string,
  ctx: CheckContext,
  mxHosts: string[] | undefined,
): Promise<ProtocolReport<MtaStsParsed>> {
  const name = `_mta-sts.${domain}`;
  const policyUrl = `https://mta-sts.${domain}/.well-known/mta-sts.txt`;
  const found = await discoverTxt(ctx.resolver, domain, name, looksLikeMtaStsRecord, {
    dnsError: 'mta-sts-dns-error',
    multiple: 'mta-sts-multiple-records',
    unrelated: 'mta-sts-unrelated-record',
    spf: 'mta-sts-spf-record',
    atApex: 'mta-sts-at-apex',
  });
  const parsed: MtaStsParsed = { name, recordValid: false, policyUrl, policyValid: false };
  const report: ProtocolReport<MtaStsParsed> = {
    protocol: 'mta-sts',
    status: 'ok',
    dns: found.result.status,
    records: found.records,
    findings: found.findings,
    parsed,
  };
  // Without the record no sender looks for the policy; a DNS failure leaves that unknown.
  if (isTemporary(found.result.status)) {
    report.status = 'dns-error';
    return report;
  }
  const newRecord = {
    name,
    type: 'TXT' as const,
    value: `v=STSv1; id=${policyId(ctx.options.now ?? new Date())}`,
  };

  if (found.candidates.length === 0) {
    report.status = found.apexRecord ? 'invalid' : 'missing';
    if (found.apexRecord) report.suggested = [newRecord];
    const policy = await fetchPolicy(ctx, policyUrl, parsed);
    // A policy no record points to is dead weight, and half of a setup someone meant to finish.
    if (policy.ok && policy.result.policy?.version === 'STSv1' && !found.apexRecord) {
      report.findings.push(
        finding('mta-sts-policy-without-record', { domain, name, url: policyUrl }, { where: policyUrl }),
      );
      report.findings.push(...policy.findings);
      report.records.push({ name: policyUrl, type: 'policy', text: policy.text });
      report.suggested = [newRecord];
    } else if (!found.apexRecord) {
      report.findings.push(finding('mta-sts-missing', { domain, name }, { where: name }));
    }
    return report;
  }

  let recordValid = found.candidates.length === 1;
  for (const txt of found.candidates) {
    if (txt.invalidUtf8) {
      report.findings.push(
        finding('mta-sts-syntax-error', { name, problem: 'invalid-utf8' }, { where: name, record: txt.text }),
      );
      recordValid = false;
    }
    const result = parseMtaStsRecord(txt.text, { name });
    report.findings.push(...locate(result.findings, name, txt.text));
    if (!result.valid) recordValid = false;
    if (result.record && !parsed.record) parsed.record = result.record;
  }
  parsed.recordValid = recordValid;
  if (!recordValid && found.candidates.length === 1) report.suggested = [newRecord];

  const policy = await fetchPolicy(ctx, policyUrl, parsed);
  report.findings.push(...policy.findings);
  if (policy.ok) {
    report.records.push({ name: policyUrl, type: 'policy', text: policy.text });
    const mode = policy.result.policy?.mode;
    if (policy.result.policy && mxHosts && (mode === 'enforce' || mode === 'testing')) {
      parsed.mxCoverage = coverage(policy.result.policy, mxHosts);
      for (const { host } of parsed.mxCoverage.filter((c) => c.pattern === undefined)) {
        report.findings.push(
          finding(
            'mta-sts-mx-not-covered',
            { host, mode, url: policyUrl, name, patterns: policy.result.policy.mx.join(', ') },
            // In testing mode senders only report the failure; in enforce mode they stop delivering.
            { where: policyUrl, severity: mode === 'enforce' ? 'error' : 'warning' },
          ),
        );
      }
    }
  }
  if (!recordValid || !parsed.policyValid) report.status = 'invalid';
  return report;
}

type FetchedPolicy =
  | { ok: false; findings: Finding[] }
  | { ok: true; text: string; result: MtaStsPolicyResult; findings: Finding[] };

/** Fetches and lints the policy; the findings say what went wrong, located at the URL. */
async function fetchPolicy(ctx: CheckContext, url: string, parsed: MtaStsParsed): Promise<FetchedPolicy> {
  const outcome = await ctx.fetcher.fetch(url, {
    maxBytes: MAX_MTA_STS_POLICY_BYTES,
    timeoutMs: MTA_STS_FETCH_TIMEOUT_MS,
  });
  if (!outcome.ok) {
    parsed.fetch = { ok: false, failure: outcome.failure, error: outcome.error };
    if (outcome.status !== undefined) parsed.fetch.status = outcome.status;
    if (outcome.location !== undefined) parsed.fetch.location = outcome.location;
    const at = { where: url };
    if (outcome.failure === 'redirect') {
      return {
        ok: false,
        findings: [finding('mta-sts-policy-redirect', { url, location: outcome.location ?? '' }, at)],
      };
    }
    if (outcome.failure === 'too-large') {
      return {
        ok: false,
        findings: [finding('mta-sts-policy-too-large', { url, max: MAX_MTA_STS_POLICY_BYTES }, at)],
      };
    }
    const args = { url, failure: outcome.failure, error: outcome.error };
    const withStatus = outcome.status === undefined ? args : { ...args, status: outcome.status };
    return { ok: false, findings: [finding('mta-sts-policy-fetch-failed', withStatus, at)] };
  }
  const contentType = outcome.headers['content-type'];
  parsed.fetch = { ok: outcome.status === 200, status: outcome.status };
  if (contentType !== undefined) parsed.fetch.contentType = contentType;
  // RFC 8461 s3.3: only a 200 response carries a policy.
  if (outcome.status !== 200) {
    const args = { url, failure: 'http-status', status: outcome.status, error: `HTTP ${outcome.status}` };
    return { ok: false, findings: [finding('mta-sts-policy-fetch-failed', args, { where: url })] };
  }
  const result = parseMtaStsPolicy(outcome.body, { url });
  if (result.policy) parsed.policy = result.policy;
  parsed.policyValid = result.valid;
  // The record's name goes into each finding so the fix can say where to change the id.
  const findings = locate([...lintPolicyContentType(contentType, { url }), ...result.findings], url).map(
    (f) => ({
      ...f,
      args: { ...f.args, name: parsed.name },
    }),
  );
  return { ok: true, text: outcome.body.toString('utf8'), result, findings };
}

function coverage(policy: MtaStsPolicy, mxHosts: string[]): MtaStsCoverage[] {
  return mxHosts
    .filter((host) => host !== '')
    .map((host) => {
      const pattern = coveringPattern(policy.mx, host);
      return pattern === undefined ? { host } : { host, pattern };
    });
}
