/** The senders of plan.test.ts and the CLI test: 16 days of one domain's mail, hand-built. */
import type { AggregateRecord, RequestedPolicy } from '../../src/reports/types.ts';
import type { Store } from '../../src/store/types.ts';
import { record } from '../store/helpers.ts';
import { addReport, fail, pass } from './history-fixture.ts';

export const ESP_IP = '192.0.2.50';
export const FORWARDER_IP = '192.0.2.77';
export const RARE_IP = '203.0.113.9';

/** SendGrid without domain authentication: signed d=sendgrid.info, return-path under sendgrid.net. */
export function esp(count: number, fixed: boolean): AggregateRecord {
  return record({
    sourceIp: ESP_IP,
    count,
    policyEvaluated: { disposition: 'none', dkim: fixed ? 'pass' : 'fail', spf: 'fail', reasons: [] },
    authResults: {
      dkim: [
        { domain: fixed ? 'example.jp' : 'sendgrid.info', selector: 's1', result: 'pass', humanResult: null },
      ],
      spf: [{ domain: 'em123.sendgrid.net', scope: 'mfrom', result: 'pass', humanResult: null }],
    },
  });
}

/** Forwarded: the signature survived, SPF fails for example.jp. */
function forwarded(count: number): AggregateRecord {
  return record({
    sourceIp: FORWARDER_IP,
    count,
    policyEvaluated: { disposition: 'none', dkim: 'pass', spf: 'fail', reasons: [] },
    authResults: {
      dkim: [{ domain: 'example.jp', selector: 's1', result: 'pass', humanResult: null }],
      spf: [{ domain: 'example.jp', scope: 'mfrom', result: 'fail', humanResult: null }],
    },
  });
}

/**
 * 16 days (2025-01-01 to 01-16), one report a day: 100 passing messages from GOOD_IP; SendGrid
 * 10 a day, failing on days 0-7 and fixed from day 8; 1 spoofed message a day from BAD_IP;
 * 2 from RARE_IP on day 3; 5 forwarded a day on days 10-15.
 */
export async function senders(
  store: Store,
  p: RequestedPolicy,
  /** `from`: the first day, in days after 2025-01-01 (default 0). */
  opts: { espFixed?: boolean; spoofing?: boolean; from?: number } = {},
) {
  for (let day = 0; day < 16; day++) {
    const records = [pass(100), esp(10, opts.espFixed === true || day >= 8)];
    if (opts.spoofing !== false) records.push(fail(1));
    if (day === 3) records.push(fail(2, 'none', 'example.jp', RARE_IP));
    if (day >= 10) records.push(forwarded(5));
    await addReport(store, { org: 'A', id: `d${day}`, day: (opts.from ?? 0) + day, p, records });
  }
}
