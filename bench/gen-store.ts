/**
 * A synthetic report store for the analysis bench (issue 4): `records` aggregate records over
 * `days` days and `domains` domains, from 5 reporters per domain and day, stored through the
 * store's batch ingest path (insertAggregateReports, rollups included) so that the rollups are
 * exactly what ingest maintains. Deterministic: the same options give the same store.
 *   npx tsx bench/gen-store.ts --db FILE|URL [--records 10000000] [--days 90] [--domains 200]
 *
 * Each domain's mail: its own servers (aligned pass), an ESP set up (pass) and one not set up
 * (signed with the ESP's domain), forwarders (DKIM only, some with the reporter's override),
 * a mailing list, and spoofing from scattered addresses; 15% of it From a subdomain. Failure
 * reports: FAILURES_PER_DOMAIN_DAY per domain and day (spoofing of the domain and of a
 * subdomain), as a receiver sending ruf would.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { AggregateRecord, AggregateReportHeader, FailureReport } from '../src/reports/types.ts';
import { openStore } from '../src/store/open.ts';
import type { AggregateBatchItem, Store } from '../src/store/types.ts';

const DAY = 86_400;
/** Reporters per domain and day. */
export const REPORTERS = ['google.com', 'Yahoo! Inc.', 'Enterprise Outlook', 'Mail.Ru', 'KDDI'];
/** Reports per insertAggregateReports call. */
const BATCH_REPORTS = 200;
/** Failure reports per domain and day. */
export const FAILURES_PER_DOMAIN_DAY = 2;

export interface GenOptions {
  records: number;
  days: number;
  domains: number;
  /** Epoch second of the first day's midnight. */
  start: number;
  rollup?: boolean;
  onProgress?: (records: number) => void;
}

/** xorshift32: tiny, seeded. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

export const domainName = (i: number) => `d${i}.example.jp`;

const pick = <T>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
const ipIn = (a: number, b: number, n: number) => `${a}.${b}.${Math.floor(n / 256) % 256}.${n % 256}`;

function record(next: () => number, domain: string, d: number): AggregateRecord {
  const roll = next();
  const sub = next() < 0.15 ? `${pick(next, ['news', 'shop', 'info', 'mail', 'crm'])}.${domain}` : domain;
  const count = 1 + Math.floor(next() ** 3 * 60);
  const own = (dom: string, r: 'pass' | 'fail') => ({
    domain: dom,
    selector: 's1',
    result: r,
    humanResult: null,
  });
  const spf = (dom: string, r: 'pass' | 'fail' | 'softfail') => ({
    domain: dom,
    scope: 'mfrom' as const,
    result: r,
    humanResult: null,
  });
  let sourceIp: string;
  let dkim: 'pass' | 'fail';
  let spfResult: 'pass' | 'fail';
  let auth: AggregateRecord['authResults'];
  const reasons: AggregateRecord['policyEvaluated']['reasons'] = [];
  if (roll < 0.55) {
    sourceIp = ipIn(10, d % 256, Math.floor(next() * 20));
    dkim = 'pass';
    spfResult = 'pass';
    auth = { dkim: [own(sub, 'pass')], spf: [spf(sub, 'pass')] };
  } else if (roll < 0.7) {
    sourceIp = ipIn(167, 89, Math.floor(next() * 300));
    dkim = 'pass';
    spfResult = 'pass';
    auth = { dkim: [own(sub, 'pass'), own('sendgrid.info', 'pass')], spf: [spf(`em.${sub}`, 'pass')] };
  } else if (roll < 0.8) {
    sourceIp = ipIn(149, 72, Math.floor(next() * 300));
    dkim = 'fail';
    spfResult = 'fail';
    auth = { dkim: [own('sendgrid.info', 'pass')], spf: [spf('em.sendgrid.net', 'pass')] };
  } else if (roll < 0.88) {
    sourceIp = ipIn(203, Math.floor(next() * 256), Math.floor(next() * 65536));
    dkim = 'pass';
    spfResult = 'fail';
    auth = { dkim: [own(sub, 'pass')], spf: [spf(sub, 'softfail')] };
    if (next() < 0.3) reasons.push({ type: 'forwarded', comment: null });
  } else if (roll < 0.9) {
    sourceIp = ipIn(198, 51, Math.floor(next() * 50));
    dkim = 'fail';
    spfResult = 'fail';
    auth = {
      dkim: [own(sub, 'fail'), own('lists.example.org', 'pass')],
      spf: [spf('lists.example.org', 'pass')],
    };
  } else {
    sourceIp = `${45 + Math.floor(next() * 150)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`;
    dkim = 'fail';
    spfResult = 'fail';
    auth = { dkim: [], spf: [spf(sub, 'fail')] };
  }
  return {
    sourceIp,
    count,
    policyEvaluated: { disposition: 'none', dkim, spf: spfResult, reasons },
    headerFrom: sub,
    envelopeFrom: null,
    envelopeTo: null,
    authResults: auth,
    extensions: [],
  };
}

function header(reporter: number, domain: string, begin: number, id: string): AggregateReportHeader {
  // Some reporters end their window at the next midnight, others one second before.
  const end = begin + DAY - (reporter % 2 === 0 ? 1 : 0);
  const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  const org = REPORTERS[reporter] ?? 'reporter';
  return {
    version: null,
    namespace: null,
    reporter: {
      orgName: org,
      email: `dmarc@${org.replaceAll(' ', '').toLowerCase()}`,
      extraContactInfo: null,
    },
    metadata: {
      reportId: id,
      reportIdRaw: id,
      window: { begin, end, beginIso: iso(begin), endIso: iso(end) },
      generator: null,
      errors: [],
    },
    policyPublished: {
      domain,
      adkim: 'r',
      aspf: 'r',
      p: 'none',
      sp: null,
      np: null,
      pct: null,
      fo: null,
      testing: null,
      discoveryMethod: null,
      psd: null,
    },
  };
}

/** Fills the store; returns the records and messages written. */
export async function generateStore(
  store: Store,
  options: GenOptions,
): Promise<{ records: number; messages: number }> {
  const next = random(4);
  const reports = options.days * options.domains * REPORTERS.length;
  const perReport = Math.max(1, Math.round(options.records / reports));
  let records = 0;
  let messages = 0;
  let batch: AggregateBatchItem[] = [];
  const flush = async () => {
    const outcomes = await store.insertAggregateReports(batch, { rollup: options.rollup ?? true });
    for (const outcome of outcomes) {
      if (outcome instanceof Error) throw outcome;
      if (outcome.status !== 'stored') throw new Error('a generated report was a duplicate');
    }
    batch = [];
    options.onProgress?.(records);
  };
  for (let day = 0; day < options.days; day++) {
    const begin = options.start + day * DAY;
    for (let d = 0; d < options.domains; d++) {
      const domain = domainName(d);
      for (let r = 0; r < REPORTERS.length; r++) {
        const id = `gen-${day}-${d}-${r}`;
        const rows = Array.from({ length: perReport }, () => record(next, domain, d));
        records += rows.length;
        for (const row of rows) messages += row.count;
        // Small raw bytes: the bench measures the rows, not compressing XML.
        batch.push({
          report: { ...header(r, domain, begin, id), records: rows },
          raw: Buffer.from(id),
          source: { description: 'gen-store' },
        });
        if (batch.length >= BATCH_REPORTS) await flush();
      }
    }
  }
  if (batch.length > 0) await flush();
  return { records, messages };
}

function failureReport(next: () => number, domain: string, at: number, n: number): FailureReport {
  const ip = `${45 + Math.floor(next() * 150)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`;
  // Every other one From a subdomain, the rest From the domain itself. Not from look-alikes:
  // the generated domains share one organisational domain, so a look-alike of it would be
  // every domain's, which no real store shows.
  const from = n % 2 === 0 ? domain : `secure.${domain}`;
  const subject = `Your account ${n % 7} needs attention`;
  const date = new Date(at * 1000).toUTCString();
  const messageId = `<gen-${at}-${n}@${from}>`;
  const headers = [
    { name: 'From', value: `Support <support@${from}>` },
    { name: 'To', value: 'someone@example.net' },
    { name: 'Subject', value: subject },
    { name: 'Date', value: date },
    { name: 'Message-ID', value: messageId },
    { name: 'Reply-To', value: `help@${from}` },
  ];
  return {
    format: 'arf',
    mail: { from: 'ruf@receiver.example.net', subject: `Report domain: ${domain}`, date, messageId: null },
    feedbackType: 'auth-failure',
    userAgent: 'gen-store',
    version: '1',
    authFailure: 'dmarc',
    identityAlignment: 'none',
    deliveryResult: 'reject',
    arrivalDate: date,
    arrivalTime: at,
    sourceIp: ip,
    sourcePort: null,
    reportingMta: 'dns; mx.receiver.example.net',
    originalEnvelopeId: null,
    originalMailFrom: `bounce@${from}`,
    originalRcptTo: ['someone@example.net'],
    reportedDomains: [domain],
    reportedUris: [],
    authenticationResults: [`mx.receiver.example.net; dmarc=fail header.from=${from}`],
    incidents: 1,
    dkimDomain: null,
    dkimIdentity: null,
    dkimSelector: null,
    spfDns: null,
    fields: [],
    original: {
      form: 'message',
      headers,
      from: `support@${from}`,
      to: 'someone@example.net',
      subject,
      date,
      messageId,
      redacted: false,
      body: `Please confirm your password at https://${from}.login.example.com/verify?id=${n}`,
      urls: [`https://${from}.login.example.com/verify?id=${n}`],
    },
    description: null,
    missing: [],
    warnings: [],
  };
}

/** Stores the failure reports (FAILURES_PER_DOMAIN_DAY per domain and day); returns how many. */
export async function generateFailureReports(store: Store, options: GenOptions): Promise<number> {
  const next = random(5);
  let written = 0;
  for (let day = 0; day < options.days; day++) {
    for (let d = 0; d < options.domains; d++) {
      for (let n = 0; n < FAILURES_PER_DOMAIN_DAY; n++) {
        const at = options.start + day * DAY + Math.floor(next() * DAY);
        const outcome = await store.insertFailureReport(
          failureReport(next, domainName(d), at, n),
          Buffer.from(`gen-ruf-${day}-${d}-${n}`),
          { description: 'gen-store' },
        );
        if (outcome.status !== 'stored') throw new Error('a generated failure report was a duplicate');
        written++;
      }
    }
  }
  return written;
}

/**
 * The reverse-DNS cache as `sumi resolve-ips` leaves it: a row for every sending IP of the
 * store. The domains' own servers, the ESPs, forwarders and the mailing list have
 * forward-confirmed names; half the spoofing addresses have an unconfirmed name, the rest none.
 * One set-based statement: millions of IPs in seconds. Returns the rows written.
 */
export async function generateIpFacts(store: Store, at: number): Promise<number> {
  const dashed = sql`replace(source_ip, '.', '-')`;
  const octet = sql`cast(substr(source_ip, length(source_ip), 1) as integer)`;
  const ptr = sql`case
    when source_ip like '10.%' then 'mail-' || ${dashed} || '.example.jp'
    when source_ip like '167.89.%' or source_ip like '149.72.%' then 'o' || ${dashed} || '.outbound-mail.sendgrid.net'
    when source_ip like '203.%' then 'fwd-' || ${dashed} || '.mx.example.net'
    when source_ip like '198.51.%' then 'lists-' || ${dashed} || '.example.org'
    when ${octet} % 2 = 0 then 'host-' || ${dashed} || '.dyn.example.com'
    else null end`;
  const confirmed = sql`case when source_ip like '10.%' or source_ip like '167.89.%' or source_ip like '149.72.%'
    or source_ip like '203.%' or source_ip like '198.51.%' then 1 else 0 end`;
  const org = sql`case
    when source_ip like '10.%' then 'example.jp'
    when source_ip like '167.89.%' or source_ip like '149.72.%' then 'sendgrid.net'
    when source_ip like '203.%' then 'example.net'
    when source_ip like '198.51.%' then 'example.org'
    when ${octet} % 2 = 0 then 'example.com'
    else null end`;
  const result = await sql`
    insert into ip_facts (ip, status, dns_status, ptr, ptr_confirmed, ptr_org_domain, error, looked_up_at, expires_at)
    select source_ip, case when p is null then 'none' else 'ok' end, case when p is null then 'nxdomain' else 'ok' end,
      p, c, o, null, ${at}, ${at + 7 * DAY}
    from (select source_ip, ${ptr} as p, ${confirmed} as c, ${org} as o
          from (select distinct source_ip from source_rollup where source_ip <> '') ips) named`.execute(
    store.db,
  );
  return Number(result.numAffectedRows ?? 0);
}

/** What a kept store holds, written beside it (JSON) once each part is complete, so a later run can reuse it. */
export interface GenManifest {
  records: number;
  messages: number;
  days: number;
  domains: number;
  /** GenOptions.start. */
  start: number;
  /** Wall time of the aggregate reports' generation and ingest, and when it ran. */
  seconds: number;
  generatedAt: string;
  /** Failure reports stored; absent until they are. */
  failureReports?: number;
  failureSeconds?: number;
  /** Reverse-DNS cache rows (generateIpFacts); absent until written. */
  ipFacts?: number;
  ipFactsSeconds?: number;
}

export function readManifest(file: string): GenManifest | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as GenManifest) : undefined;
}

export function writeManifest(file: string, manifest: GenManifest): void {
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      records: { type: 'string', default: '10000000' },
      days: { type: 'string', default: '90' },
      domains: { type: 'string', default: '200' },
    },
  });
  if (!values.db) {
    console.error(
      'usage: npx tsx bench/gen-store.ts --db FILE|URL [--records N] [--days 90] [--domains 200]',
    );
    process.exit(2);
  }
  const options: GenOptions = {
    records: Number(values.records),
    days: Number(values.days),
    domains: Number(values.domains),
    start: Math.floor(Date.now() / 1000 / DAY) * DAY - (Number(values.days) - 1) * DAY,
  };
  const store = await openStore(values.db);
  try {
    let started = performance.now();
    const written = await generateStore(store, options);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${written.records.toLocaleString('en')} records in ${seconds.toFixed(1)} s (${Math.round(written.records / seconds).toLocaleString('en')} records/s)`,
    );
    started = performance.now();
    const failureReports = await generateFailureReports(store, options);
    const failureSeconds = (performance.now() - started) / 1000;
    console.log(`${failureReports.toLocaleString('en')} failure reports in ${failureSeconds.toFixed(1)} s`);
    // A file store gets its manifest beside it: the analysis bench's --keep reuses it.
    if (!values.db.startsWith('postgres')) {
      writeManifest(`${values.db}.json`, {
        ...options,
        ...written,
        seconds,
        generatedAt: new Date().toISOString(),
        failureReports,
        failureSeconds,
      });
    }
  } finally {
    await store.close();
  }
}
