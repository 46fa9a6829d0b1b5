import type { Command } from 'commander';
import { type FailureItem, type FailuresView, failureReports } from '../analysis/failures.ts';
import { domainName } from '../analysis/inventory.ts';
import { StoredIpFacts } from '../analysis/ip-facts/index.ts';
import { cliText } from '../i18n/cli.ts';
import { planText } from '../i18n/plan.ts';
import { translator } from '../i18n/translate.ts';
import {
  type AnalysisFlags,
  analysisOptions,
  periodFromFlags,
  resolverFromFlags,
  table,
  withStore,
} from './analysis-common.ts';
import { type CliContext, count, printJson, UsageError } from './output.ts';
import { mmdbFromFlags } from './resolve-ips.ts';

/** Reports shown in full in the text view unless --limit says otherwise. */
const FAILURES_SHOWN = 10;
/** Body lines shown per report in the text view. */
const BODY_LINES_SHOWN = 8;

interface FailuresFlags extends AnalysisFlags {
  limit?: string;
  mmdb?: string;
}

export function registerFailures(program: Command, ctx: CliContext): void {
  const t = translator(planText, ctx.lang);
  analysisOptions(
    program.command('failures').description(t('failures.description')).argument('<domain>'),
    ctx,
    { period: true, dns: true },
  )
    .option('--limit <n>', t('failures.option.limit'))
    .action(async (domain: string, flags: FailuresFlags) => {
      const limit = flags.limit === undefined ? FAILURES_SHOWN : Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 0) {
        const words = translator(cliText, ctx.lang);
        throw new UsageError(
          words('error.wholeNumber', { flag: '--limit', value: String(flags.limit), min: 0 }),
        );
      }
      const period = periodFromFlags(flags);
      const mmdb = await mmdbFromFlags(flags, ctx);
      const dns = resolverFromFlags(flags);
      try {
        const view = await withStore(flags, ctx, (store) =>
          failureReports(store, domainName(domain), {
            period,
            ipFacts: new StoredIpFacts(store, {
              ...(dns ? { resolver: dns.resolver } : {}),
              ...(mmdb ? { mmdb } : {}),
            }),
          }),
        );
        if (flags.json) printJson(ctx, view);
        else ctx.stdout.write(`${renderFailures(view, limit, ctx)}\n`);
      } finally {
        dns?.close();
      }
    });
}

function renderItem(item: FailureItem, ctx: CliContext): string[] {
  const t = translator(planText, ctx.lang);
  const out = [
    `  ${t('failures.item', {
      id: item.id,
      arrival: item.arrival ?? '-',
      ip: item.sourceIp ?? '-',
      auth: item.authFailure ?? '-',
      delivery: item.deliveryResult ?? '-',
    })}`,
  ];
  const field = (key: Parameters<typeof t>[0], value: string) => out.push(`    ${t(key)}: ${value}`);
  const relation = (r: FailureItem['from']) =>
    r === null ? '' : ` [${t(`relation.${r.relation}`)}${r.why ? `: ${t(`why.${r.why}`)}` : ''}]`;
  if (item.from) field('failures.field.from', `${item.from.value}${relation(item.from)}`);
  if (item.mailFrom) field('failures.field.mailFrom', `${item.mailFrom.value}${relation(item.mailFrom)}`);
  if (item.replyTo) field('failures.field.replyTo', `${item.replyTo.value}${relation(item.replyTo)}`);
  if (item.subject !== null) field('failures.field.subject', item.subject);
  if (item.recipients.length > 0) field('failures.field.recipients', item.recipients.join(', '));
  if (item.urls.length > 0) field('failures.field.urls', item.urls.join(' '));
  if (item.headers.length > 0) out.push(`    ${t('failures.field.headers', { count: item.headers.length })}`);
  if (item.body !== null) {
    out.push(`    ${t('failures.field.body')}:`);
    for (const line of item.body.split(/\r?\n/).slice(0, BODY_LINES_SHOWN)) out.push(`      ${line}`);
  }
  if (item.originalForm === null) out.push(`    (${t('failures.nothing')})`);
  return out;
}

export function renderFailures(v: FailuresView, limit: number, ctx: CliContext): string {
  const t = translator(planText, ctx.lang);
  const out = [
    t('failures.heading', {
      domain: v.domain,
      reports: count(v.reports),
      incidents: count(v.incidents),
      failing: count(v.aggregateFailing),
    }),
  ];
  if (v.truncated) out.push(t('failures.truncated', { max: count(v.reports) }));
  if (v.reports > 0) {
    out.push(t('failures.carried', { ...v.carried }), '', t('failures.bySender'));
    out.push(
      table(
        [
          t('failures.col.ip'),
          t('failures.col.ptr'),
          t('failures.col.network'),
          t('failures.col.reports'),
          t('failures.col.messages'),
          t('failures.col.first'),
          t('failures.col.last'),
          t('failures.col.from'),
        ],
        v.bySender.map((s) => [
          s.ip || '-',
          s.ptr ?? '',
          [s.asn === null ? '' : `AS${s.asn}`, s.country ?? ''].filter(Boolean).join(' '),
          count(s.reports),
          count(s.incidents),
          s.first ?? '',
          s.last ?? '',
          s.fromDomains.join(' '),
        ]),
        [3, 4],
      ),
      '',
      t('failures.byIdentity'),
      table(
        [
          t('failures.col.domain'),
          t('failures.col.relation'),
          t('failures.col.reports'),
          t('failures.col.messages'),
          t('failures.col.senders'),
        ],
        v.byIdentity.map((g) => [
          g.domain,
          `${t(`relation.${g.relation}`)}${g.why ? ` (${t(`why.${g.why}`)})` : ''}`,
          count(g.reports),
          count(g.incidents),
          g.senders.join(' '),
        ]),
        [2, 3],
      ),
    );
    if (limit > 0) {
      out.push('', t('failures.reports'));
      for (const item of v.items.slice(0, limit)) out.push(...renderItem(item, ctx));
    }
  }
  out.push(
    '',
    t('failures.cannotTell'),
    ...v.cannotTell.map((code) => `  - ${t(`cannot.${code}` as Parameters<typeof t>[0])}`),
  );
  return out.join('\n');
}
