import type { AggregateRecord, PolicyPublished } from '../../reports/types.ts';
import { type AlignmentMode, isAligned, type OrgDomainFn } from './alignment.ts';
import { matchSender, normaliseName } from './match.ts';

/** The parts of one aggregate-report row (plus the domain's alignment modes) a reason needs. */
export interface ReasonRow {
  headerFrom: string;
  policyEvaluated?: {
    dkim?: 'pass' | 'fail' | null;
    spf?: 'pass' | 'fail' | null;
    reasons?: readonly { type: string | null; comment?: string | null }[];
  };
  authResults: {
    dkim: readonly { domain: string | null; selector?: string | null; result: string | null }[];
    spf: readonly { domain: string | null; scope?: string | null; result: string | null }[];
  };
  /** The published adkim / aspf (default relaxed). */
  adkim?: AlignmentMode | null;
  aspf?: AlignmentMode | null;
  /** Forward-confirmed PTR name of the source IP, when known. */
  ptr?: string;
  /** The owner has marked this sender as theirs: a failure is then not spoofing. */
  authorised?: boolean;
}

export type FailReasonCode =
  | 'aligned-pass'
  | 'not-signed'
  | 'signed-by-esp-domain'
  | 'spf-esp-bounce-not-aligned'
  | 'forwarded'
  | 'mailing-list'
  | 'spoofing';

export interface FailReason {
  code: FailReasonCode;
  /**
   * Values for the words: `domain` (the From domain) always; `sender` is the known sender's
   * id, absent when not in the catalogue; `dkimDomain`, `spfDomain`, `via` per code;
   * `network` for spoofing from an ISP's address range.
   */
  args: Record<string, string>;
  /** DMARC result from the auth results: pass when SPF or DKIM passes aligned. */
  dmarc: 'pass' | 'fail';
  dkimAligned: boolean;
  spfAligned: boolean;
}

const FORWARD_OVERRIDES = new Set(['forwarded', 'trusted_forwarder']);
const SPF_NOT_LISTED = new Set(['fail', 'softfail', 'neutral']);

/**
 * Why one row passes or fails DMARC, in one stable code. A row that passes only through DKIM
 * while SPF fails for the From domain is `forwarded` (a forwarder's IP; DMARC still passes).
 * A failing row is explained by, in order: the reporter's own override reason; a DKIM signature
 * of the From domain that no longer verifies while an unknown relay authenticated as itself
 * (changed in transit, as mailing lists do); a passing signature or SPF pass of another domain
 * (the ESP's own); a known (non-ISP) or authorised sender that did not sign; otherwise spoofing.
 */
export function failReason(row: ReasonRow, orgDomain: OrgDomainFn): FailReason {
  const from = row.headerFrom;
  const dkimMode = row.adkim ?? 'r';
  const spfMode = row.aspf ?? 'r';
  const dkim = row.authResults.dkim.filter((d) => d.domain);
  // Alignment is judged on the return-path (mfrom); a result without a scope counts as one
  // (RFC 7489 reports often omit it), a HELO result does not.
  const spf = row.authResults.spf.filter((s) => s.domain && (s.scope ?? 'mfrom') === 'mfrom');
  const dkimAlignedTo = (d: string) => isAligned(d, from, dkimMode, orgDomain);
  const spfAlignedTo = (d: string) => isAligned(d, from, spfMode, orgDomain);

  const passingDkim = dkim.filter((d) => d.result === 'pass').map((d) => d.domain as string);
  const passingSpf = spf.filter((s) => s.result === 'pass').map((s) => s.domain as string);
  // Where the reporter lists no auth result of a kind, its own evaluation is all there is.
  const dkimAligned =
    passingDkim.some(dkimAlignedTo) || (dkim.length === 0 && row.policyEvaluated?.dkim === 'pass');
  const spfAligned =
    passingSpf.some(spfAlignedTo) || (spf.length === 0 && row.policyEvaluated?.spf === 'pass');
  const dmarc = dkimAligned || spfAligned ? 'pass' : 'fail';
  const result = (code: FailReasonCode, args: Record<string, string> = {}): FailReason => ({
    code,
    args: { domain: normaliseName(from), ...args },
    dmarc,
    dkimAligned,
    spfAligned,
  });

  const overrides = row.policyEvaluated?.reasons ?? [];
  const forwardedOverride = overrides.some((r) => r.type && FORWARD_OVERRIDES.has(r.type));
  const listOverride = overrides.some((r) => r.type === 'mailing_list' || /\barc\b/i.test(r.comment ?? ''));
  // The forwarder's address is not in the From domain's SPF record: fail, softfail or neutral
  // (none would mean the domain has no SPF record at all).
  const spfFailsForFrom = spf.some(
    (s) => SPF_NOT_LISTED.has(s.result ?? '') && spfAlignedTo(s.domain as string),
  );

  if (dmarc === 'pass') {
    if (!spfAligned && (forwardedOverride || spfFailsForFrom)) return result('forwarded');
    return result('aligned-pass', { via: dkimAligned && spfAligned ? 'both' : dkimAligned ? 'dkim' : 'spf' });
  }
  if (forwardedOverride) return result('forwarded');
  if (listOverride) return result('mailing-list');
  const espDkim = passingDkim.find((d) => !dkimAlignedTo(d));
  const espBounce = passingSpf.find((d) => !spfAlignedTo(d));
  const espByDkim = espDkim === undefined ? undefined : matchSender({ dkimDomains: [espDkim] });
  const espBySpf = espBounce === undefined ? undefined : matchSender({ spfDomains: [espBounce] });
  // The From domain's signature broke in transit, and the server that resent the message
  // authenticated as itself (its return-path or its own signature) and is no known service: a
  // list that changed it. A broken signature next to a known ESP's own domain is the ESP's
  // DKIM set-up; with nothing else authenticated it is no evidence of a list.
  const broken = dkim.find((d) => d.result === 'fail' && dkimAlignedTo(d.domain as string));
  const relayed = espDkim !== undefined || espBounce !== undefined;
  if (broken && relayed && !espByDkim && !espBySpf) {
    return result('mailing-list', { dkimDomain: normaliseName(broken.domain as string) });
  }
  if (espDkim !== undefined) {
    return result('signed-by-esp-domain', {
      dkimDomain: normaliseName(espDkim),
      ...(espByDkim ? { sender: espByDkim.sender.id } : espBySpf ? { sender: espBySpf.sender.id } : {}),
    });
  }
  if (espBounce !== undefined) {
    return result('spf-esp-bounce-not-aligned', {
      spfDomain: normaliseName(espBounce),
      ...(espBySpf ? { sender: espBySpf.sender.id } : {}),
    });
  }
  const known = row.ptr === undefined ? undefined : matchSender({ ptr: row.ptr });
  // An ISP's PTR names its subscribers' addresses too (home routers, infected PCs): it says
  // where the mail came from, not that a service sends for the domain.
  if (known && known.sender.category !== 'isp') return result('not-signed', { sender: known.sender.id });
  if (row.authorised) return result('not-signed');
  return result('spoofing', known ? { network: known.sender.id } : {});
}

/** The row `failReason` reads, from a parsed aggregate record and its report's policy. */
export function reasonRow(
  record: AggregateRecord,
  policy: Pick<PolicyPublished, 'adkim' | 'aspf'>,
  sender: Pick<ReasonRow, 'ptr' | 'authorised'> = {},
): ReasonRow {
  return {
    headerFrom: record.headerFrom ?? '',
    policyEvaluated: record.policyEvaluated,
    authResults: record.authResults,
    adkim: policy.adkim,
    aspf: policy.aspf,
    ...sender,
  };
}
