/**
 * A domain's rollout, hand-built: p=none, then quarantine (one reporter still sees none),
 * a step back to none found by `sumi check`, then quarantine again. The expected figures in
 * history.test.ts and plan.test.ts are computed by hand from these records.
 */
import { recordCheck } from '../../src/analysis/history.ts';
import { checkDmarc } from '../../src/check/dmarc.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import type {
  AggregateRecord,
  Disposition,
  PolicyPublished,
  RequestedPolicy,
} from '../../src/reports/types.ts';
import type { Store } from '../../src/store/types.ts';
import { noFetch } from '../check/dmarc-helpers.ts';
import { DAY, header, JAN_1, record } from '../store/helpers.ts';

export const GOOD_IP = '192.0.2.1';
export const BAD_IP = '198.51.100.7';

export function pass(count: number, headerFrom = 'example.jp'): AggregateRecord {
  return record({ sourceIp: GOOD_IP, count, headerFrom });
}

export function fail(
  count: number,
  disposition: Disposition = 'none',
  headerFrom = 'example.jp',
  ip = BAD_IP,
): AggregateRecord {
  return record({
    sourceIp: ip,
    count,
    headerFrom,
    policyEvaluated: { disposition, dkim: 'fail', spf: 'fail', reasons: [] },
    authResults: {
      dkim: [],
      spf: [{ domain: 'spoofer.example', scope: 'mfrom', result: 'pass', humanResult: null }],
    },
  });
}

export async function addReport(
  store: Store,
  opts: {
    org: string;
    id: string;
    day: number;
    p: RequestedPolicy;
    sp?: RequestedPolicy;
    records: AggregateRecord[];
    domain?: string;
  },
): Promise<void> {
  const h = header({
    orgName: opts.org,
    reportId: opts.id,
    begin: JAN_1 + opts.day * DAY,
    domain: opts.domain ?? 'example.jp',
  });
  const policyPublished: PolicyPublished = {
    ...h.policyPublished,
    p: opts.p,
    sp: opts.sp ?? 'none',
    np: null,
    pct: 100,
  };
  await store.insertAggregateReport({ ...h, policyPublished, records: opts.records }, Buffer.from(opts.id), {
    description: opts.id,
  });
}

/** Days 0-2 and 5 as in the file comment; day 4 is the check's (see history.test.ts). */
export async function rollout(store: Store): Promise<void> {
  await addReport(store, { org: 'A', id: 'a0', day: 0, p: 'none', records: [pass(10), fail(4)] });
  await addReport(store, { org: 'A', id: 'a1', day: 1, p: 'none', records: [pass(10), fail(2)] });
  await addReport(store, {
    org: 'A',
    id: 'a2',
    day: 2,
    p: 'quarantine',
    records: [pass(10), fail(3, 'quarantine')],
  });
  await addReport(store, { org: 'B', id: 'b2', day: 2, p: 'none', records: [pass(5)] });
  await addReport(store, {
    org: 'C',
    id: 'c2',
    day: 2,
    p: 'quarantine',
    records: [fail(1, 'quarantine', 'sub.example.jp')],
  });
  await addReport(store, {
    org: 'A',
    id: 'a5',
    day: 5,
    p: 'quarantine',
    records: [pass(10), fail(5, 'quarantine')],
  });
}

/** Runs the DMARC check of `domain` against a zone holding `record` (none when null) and stores it as `sumi check --store` does. */
export async function storeCheck(store: Store, record: string | null, at: number, domain = 'example.jp') {
  const zone = new Zone();
  if (record !== null) zone.txt(`_dmarc.${domain}`, record);
  zone.add(domain, 'A', '192.0.2.80');
  const report = await checkDmarc(domain, {
    resolver: new ZoneResolver(zone),
    fetcher: noFetch,
    options: {},
  });
  await recordCheck(store, domain, at, report);
}
