import { describe, expect, it } from 'vitest';
import { failReason, reasonRow } from '../../../src/analysis/senders/fail-reason.ts';
import { pslOrgDomain } from '../../../src/records/org-domain.ts';
import { parseAggregateReportToObject } from '../../../src/reports/aggregate.ts';

/** One record of an RFC 7489 aggregate report. */
function record(opts: {
  ip: string;
  count: number;
  dkim: 'pass' | 'fail';
  spf: 'pass' | 'fail';
  reason?: string;
  auth: string;
}): string {
  const reason = opts.reason ? `<reason><type>${opts.reason}</type></reason>` : '';
  return `<record><row><source_ip>${opts.ip}</source_ip><count>${opts.count}</count>
<policy_evaluated><disposition>none</disposition><dkim>${opts.dkim}</dkim><spf>${opts.spf}</spf>${reason}</policy_evaluated>
</row><identifiers><header_from>example.co.jp</header_from></identifiers>
<auth_results>${opts.auth}</auth_results></record>`;
}

const dkim = (domain: string, result: string) =>
  `<dkim><domain>${domain}</domain><selector>s1</selector><result>${result}</result></dkim>`;
const spf = (domain: string, result: string) =>
  `<spf><domain>${domain}</domain><scope>mfrom</scope><result>${result}</result></spf>`;

const report = `<?xml version="1.0"?>
<feedback>
<report_metadata><org_name>receiver.example</org_name><email>dmarc@receiver.example</email>
<report_id>r-1</report_id><date_range><begin>1764288000</begin><end>1764374399</end></date_range></report_metadata>
<policy_published><domain>example.co.jp</domain><adkim>r</adkim><aspf>s</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>
${record({ ip: '192.0.2.1', count: 40, dkim: 'pass', spf: 'fail', auth: dkim('example.co.jp', 'pass') + spf('bounce.example.co.jp', 'pass') })}
${record({ ip: '192.0.2.2', count: 12, dkim: 'fail', spf: 'fail', auth: dkim('sendgrid.info', 'pass') + spf('em42.sendgrid.net', 'pass') })}
${record({ ip: '192.0.2.3', count: 5, dkim: 'fail', spf: 'fail', auth: spf('pm.mtasv.net', 'pass') })}
${record({ ip: '192.0.2.4', count: 3, dkim: 'pass', spf: 'fail', auth: dkim('example.co.jp', 'pass') + spf('example.co.jp', 'softfail') })}
${record({ ip: '192.0.2.5', count: 2, dkim: 'fail', spf: 'fail', reason: 'mailing_list', auth: dkim('example.co.jp', 'fail') + spf('lists.example.org', 'pass') })}
${record({ ip: '192.0.2.6', count: 9, dkim: 'fail', spf: 'fail', auth: spf('example.co.jp', 'fail') })}
</feedback>`;

describe('failReason on a parsed aggregate report', () => {
  it('explains every row, with the published aspf=s', async () => {
    const parsed = await parseAggregateReportToObject(report);
    const codes = parsed.records.map((r) => {
      const why = failReason(reasonRow(r, parsed.policyPublished), pslOrgDomain);
      return [r.sourceIp, r.count, why.code, why.dmarc];
    });
    expect(codes).toEqual([
      // bounce.example.co.jp does not align under aspf=s, but DKIM does.
      ['192.0.2.1', 40, 'aligned-pass', 'pass'],
      ['192.0.2.2', 12, 'signed-by-esp-domain', 'fail'],
      ['192.0.2.3', 5, 'spf-esp-bounce-not-aligned', 'fail'],
      ['192.0.2.4', 3, 'forwarded', 'pass'],
      ['192.0.2.5', 2, 'mailing-list', 'fail'],
      ['192.0.2.6', 9, 'spoofing', 'fail'],
    ]);
  });

  it('takes the PTR and the owner’s mark from the caller', async () => {
    const parsed = await parseAggregateReportToObject(report);
    const last = parsed.records[5];
    if (!last) throw new Error('record missing');
    const p = parsed.policyPublished;
    expect(failReason(reasonRow(last, p, { ptr: 'sv1.xserver.jp' }), pslOrgDomain).args.sender).toBe(
      'xserver',
    );
    expect(failReason(reasonRow(last, p, { authorised: true }), pslOrgDomain).code).toBe('not-signed');
  });
});
