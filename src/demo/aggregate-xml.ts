/**
 * Aggregate report XML as the demo's reporters write it: RFC 7489 with each reporter's habits
 * (which identifiers, scope or not, a version element, schema attributes), or RFC 9990 with
 * its namespace, np, testing, discovery_method and the `pass` disposition.
 */
import type { Disposition, DkimResult, DmarcResult, SpfResult } from '../reports/types.ts';
import type { PolicyState, Reporter } from './story.ts';

export interface DemoRow {
  sourceIp: string;
  count: number;
  disposition: Disposition;
  dkim: DmarcResult;
  spf: DmarcResult;
  reasons: readonly { type: string; comment: string }[];
  headerFrom: string;
  envelopeFrom: string;
  envelopeTo: string;
  authDkim: readonly { domain: string; selector: string; result: DkimResult }[];
  authSpf: { domain: string; result: SpfResult };
}

export interface DemoAggregateReport {
  reporter: Reporter;
  /** As written, brackets included where the reporter adds them. */
  reportId: string;
  begin: number;
  end: number;
  domain: string;
  policy: PolicyState;
  rows: readonly DemoRow[];
}

export function aggregateXml(report: DemoAggregateReport): string {
  const { reporter, policy } = report;
  const bis = reporter.form === 'rfc9990';
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  if (bis) lines.push('<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">');
  else if (reporter.id === 'microsoft') {
    lines.push(
      '<feedback xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    );
  } else lines.push('<feedback>');
  if (bis || reporter.id === 'microsoft') lines.push('  <version>1.0</version>');
  lines.push('  <report_metadata>');
  lines.push(element(4, 'org_name', reporter.orgName));
  lines.push(element(4, 'email', reporter.email));
  if (reporter.extraContactInfo) lines.push(element(4, 'extra_contact_info', reporter.extraContactInfo));
  lines.push(element(4, 'report_id', report.reportId));
  lines.push('    <date_range>');
  lines.push(element(6, 'begin', String(report.begin)));
  lines.push(element(6, 'end', String(report.end)));
  lines.push('    </date_range>');
  if (bis) lines.push(element(4, 'generator', `${reporter.orgName} dmarc-reporter 2.4`));
  lines.push('  </report_metadata>');

  lines.push('  <policy_published>');
  lines.push(element(4, 'domain', report.domain));
  if (bis) lines.push(element(4, 'discovery_method', 'treewalk'));
  if (!bis) {
    lines.push(element(4, 'adkim', 'r'));
    lines.push(element(4, 'aspf', 'r'));
  }
  lines.push(element(4, 'p', policy.p));
  const sp = writtenSp(policy, bis);
  if (sp !== undefined) lines.push(element(4, 'sp', sp));
  if (bis) {
    if (policy.np) lines.push(element(4, 'np', policy.np));
    lines.push(element(4, 'adkim', 'r'));
    lines.push(element(4, 'aspf', 'r'));
    lines.push(element(4, 'testing', 'n'));
  } else {
    lines.push(element(4, 'pct', String(policy.pct ?? 100)));
  }
  if (policy.fo !== undefined || reporter.id === 'microsoft') lines.push(element(4, 'fo', policy.fo ?? '0'));
  lines.push('  </policy_published>');

  for (const row of report.rows) lines.push(...recordXml(reporter, row));
  lines.push('</feedback>');
  return `${lines.join('\n')}\n`;
}

/**
 * sp as each kind of reporter writes it: RFC 7489 reporters write the sp they applied (p when
 * sp is absent or invalid); RFC 9990 ones write sp only when published, as published, so univ's
 * "sp=non" typo shows in their reports.
 */
function writtenSp(policy: PolicyState, bis: boolean): string | undefined {
  if (bis) return policy.sp;
  return policy.sp === undefined || policy.sp === 'non' ? policy.p : policy.sp;
}

function recordXml(reporter: Reporter, row: DemoRow): string[] {
  const bis = reporter.form === 'rfc9990';
  const out = ['  <record>', '    <row>'];
  out.push(element(6, 'source_ip', row.sourceIp));
  out.push(element(6, 'count', String(row.count)));
  out.push('      <policy_evaluated>');
  out.push(element(8, 'disposition', row.disposition));
  out.push(element(8, 'dkim', row.dkim));
  out.push(element(8, 'spf', row.spf));
  for (const reason of row.reasons) {
    out.push('        <reason>');
    out.push(element(10, 'type', reason.type));
    out.push(element(10, 'comment', reason.comment));
    out.push('        </reason>');
  }
  out.push('      </policy_evaluated>');
  out.push('    </row>');
  out.push('    <identifiers>');
  if (reporter.id === 'microsoft') out.push(element(6, 'envelope_to', row.envelopeTo));
  if (bis || reporter.id === 'microsoft') out.push(element(6, 'envelope_from', row.envelopeFrom));
  out.push(element(6, 'header_from', row.headerFrom));
  out.push('    </identifiers>');
  out.push('    <auth_results>');
  for (const dkim of row.authDkim) {
    out.push('      <dkim>');
    out.push(element(8, 'domain', dkim.domain));
    out.push(element(8, 'selector', dkim.selector));
    out.push(element(8, 'result', dkim.result));
    out.push('      </dkim>');
  }
  out.push('      <spf>');
  out.push(element(8, 'domain', row.authSpf.domain));
  // Yahoo leaves the scope out, as RFC 7489 allows.
  if (reporter.id !== 'yahoo') out.push(element(8, 'scope', 'mfrom'));
  out.push(element(8, 'result', row.authSpf.result));
  out.push('      </spf>');
  out.push('    </auth_results>');
  out.push('  </record>');
  return out;
}

function element(indent: number, name: string, value: string): string {
  return `${' '.repeat(indent)}<${name}>${escapeXml(value)}</${name}>`;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
