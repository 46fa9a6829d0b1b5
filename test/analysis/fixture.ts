/**
 * A hand-written store for the analysis tests: six aggregate reports from three reporters
 * over three days (2025-01-01 .. 01-03), ingested through the real store. Every figure the
 * tests check is worked out by hand in the comments below.
 *
 * example.jp (adkim=r, aspf=r):
 *   R1 Google  01-01 [begin, +86399]  p=none sp=none pct=100
 *     a 192.0.2.1     x100 pass/pass  dkim example.jp pass, spf example.jp pass
 *     b 198.51.100.10 x20  fail/fail  dkim sendgrid.info pass, spf em.sendgrid.net pass   (SendGrid, own DKIM domain)
 *     c 203.0.113.5   x7   pass/fail  dkim example.jp pass, spf example.jp fail          (forwarded, passes)
 *     d 203.0.113.66  x5   fail/fail  spf example.jp fail                                 (spoofing)
 *     e 192.0.2.1     x3   fail/fail  From news.example.jp, spf news.example.jp softfail  (own server, not signed)
 *   R2 Yahoo   01-01 [begin, +86400]  p=none sp=none pct=100
 *     a 192.0.2.1     x50  pass/pass
 *     b 203.0.113.5   x4   fail/fail  reason forwarded; dkim example.jp fail, spf example.jp fail
 *     c 198.51.100.10 x6   fail/fail  reason sampled_out; dkim sendgrid.info pass
 *   R3 Google  01-03 [begin, +86399]  p=quarantine sp=none pct=50
 *     a 192.0.2.1     x80  pass/pass
 *     b 203.0.113.66  x15  fail/fail  disposition quarantine
 *   R4 Outlook 01-01 [begin, +86400]  192.0.2.1 x10 pass/pass
 *   R5 Outlook 01-02 [01-02 00:00, 01-03 00:00] (touches R4's end)  192.0.2.1 x10 pass/pass
 * shop.example.jp (its own record):
 *   R6 Google  01-02  192.0.2.7 x12 pass/pass, From shop.example.jp
 */
import { parseAggregateReportToObject } from '../../src/reports/aggregate.ts';
import type { Store } from '../../src/store/types.ts';

export const JAN_1 = 1_735_689_600; // 2025-01-01T00:00:00Z
export const DAY = 86_400;
export const PERIOD = { since: JAN_1, until: JAN_1 + 2 * DAY };

interface Row {
  ip: string;
  count: number;
  dkim: 'pass' | 'fail';
  spf: 'pass' | 'fail';
  disposition?: string;
  reason?: string;
  from?: string;
  auth: string;
}

const dkim = (domain: string, result: string) =>
  `<dkim><domain>${domain}</domain><selector>s1</selector><result>${result}</result></dkim>`;
const spf = (domain: string, result: string) =>
  `<spf><domain>${domain}</domain><scope>mfrom</scope><result>${result}</result></spf>`;

function xml(opts: {
  org: string;
  id: string;
  domain?: string;
  begin: number;
  end: number;
  p: string;
  sp: string;
  pct: number;
  rows: Row[];
}): string {
  const records = opts.rows.map(
    (r) => `<record><row><source_ip>${r.ip}</source_ip><count>${r.count}</count>
<policy_evaluated><disposition>${r.disposition ?? 'none'}</disposition><dkim>${r.dkim}</dkim><spf>${r.spf}</spf>${
      r.reason ? `<reason><type>${r.reason}</type></reason>` : ''
    }</policy_evaluated></row>
<identifiers><header_from>${r.from ?? opts.domain ?? 'example.jp'}</header_from></identifiers>
<auth_results>${r.auth}</auth_results></record>`,
  );
  return `<?xml version="1.0"?>
<feedback>
<report_metadata><org_name>${opts.org}</org_name><email>dmarc@${opts.org.toLowerCase()}.example</email>
<report_id>${opts.id}</report_id><date_range><begin>${opts.begin}</begin><end>${opts.end}</end></date_range></report_metadata>
<policy_published><domain>${opts.domain ?? 'example.jp'}</domain><adkim>r</adkim><aspf>r</aspf><p>${opts.p}</p><sp>${opts.sp}</sp><pct>${opts.pct}</pct></policy_published>
${records.join('\n')}
</feedback>`;
}

const own = dkim('example.jp', 'pass') + spf('example.jp', 'pass');

export const FIXTURE_REPORTS: string[] = [
  xml({
    org: 'Google',
    id: 'r1',
    begin: JAN_1,
    end: JAN_1 + DAY - 1,
    p: 'none',
    sp: 'none',
    pct: 100,
    rows: [
      { ip: '192.0.2.1', count: 100, dkim: 'pass', spf: 'pass', auth: own },
      {
        ip: '198.51.100.10',
        count: 20,
        dkim: 'fail',
        spf: 'fail',
        auth: dkim('sendgrid.info', 'pass') + spf('em.sendgrid.net', 'pass'),
      },
      {
        ip: '203.0.113.5',
        count: 7,
        dkim: 'pass',
        spf: 'fail',
        auth: dkim('example.jp', 'pass') + spf('example.jp', 'fail'),
      },
      { ip: '203.0.113.66', count: 5, dkim: 'fail', spf: 'fail', auth: spf('example.jp', 'fail') },
      {
        ip: '192.0.2.1',
        count: 3,
        dkim: 'fail',
        spf: 'fail',
        from: 'news.example.jp',
        auth: spf('news.example.jp', 'softfail'),
      },
    ],
  }),
  xml({
    org: 'Yahoo',
    id: 'r2',
    begin: JAN_1,
    end: JAN_1 + DAY,
    p: 'none',
    sp: 'none',
    pct: 100,
    rows: [
      { ip: '192.0.2.1', count: 50, dkim: 'pass', spf: 'pass', auth: own },
      {
        ip: '203.0.113.5',
        count: 4,
        dkim: 'fail',
        spf: 'fail',
        reason: 'forwarded',
        auth: dkim('example.jp', 'fail') + spf('example.jp', 'fail'),
      },
      {
        ip: '198.51.100.10',
        count: 6,
        dkim: 'fail',
        spf: 'fail',
        reason: 'sampled_out',
        auth: dkim('sendgrid.info', 'pass'),
      },
    ],
  }),
  xml({
    org: 'Google',
    id: 'r3',
    begin: JAN_1 + 2 * DAY,
    end: JAN_1 + 3 * DAY - 1,
    p: 'quarantine',
    sp: 'none',
    pct: 50,
    rows: [
      { ip: '192.0.2.1', count: 80, dkim: 'pass', spf: 'pass', auth: own },
      {
        ip: '203.0.113.66',
        count: 15,
        dkim: 'fail',
        spf: 'fail',
        disposition: 'quarantine',
        auth: spf('example.jp', 'fail'),
      },
    ],
  }),
  xml({
    org: 'Outlook',
    id: 'r4',
    begin: JAN_1,
    end: JAN_1 + DAY,
    p: 'none',
    sp: 'none',
    pct: 100,
    rows: [{ ip: '192.0.2.1', count: 10, dkim: 'pass', spf: 'pass', auth: own }],
  }),
  xml({
    org: 'Outlook',
    id: 'r5',
    begin: JAN_1 + DAY,
    end: JAN_1 + 2 * DAY,
    p: 'none',
    sp: 'none',
    pct: 100,
    rows: [{ ip: '192.0.2.1', count: 10, dkim: 'pass', spf: 'pass', auth: own }],
  }),
  xml({
    org: 'Google',
    id: 'r6',
    domain: 'shop.example.jp',
    begin: JAN_1 + DAY,
    end: JAN_1 + 2 * DAY - 1,
    p: 'reject',
    sp: 'reject',
    pct: 100,
    rows: [
      {
        ip: '192.0.2.7',
        count: 12,
        dkim: 'pass',
        spf: 'pass',
        auth: dkim('shop.example.jp', 'pass') + spf('shop.example.jp', 'pass'),
      },
    ],
  }),
];

/** Ingests the fixture through the store, as `sumi ingest` would. */
export async function loadFixture(store: Store): Promise<void> {
  for (const [i, text] of FIXTURE_REPORTS.entries()) {
    const report = await parseAggregateReportToObject(text);
    const outcome = await store.insertAggregateReport(report, Buffer.from(text), {
      description: `fixture report ${i + 1}`,
    });
    if (outcome.status !== 'stored') throw new Error(`fixture report ${i + 1} was not stored`);
  }
}
