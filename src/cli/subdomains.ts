import type { Command } from 'commander';
import { domainName } from '../analysis/inventory.ts';
import { type SubdomainsResult, subdomains } from '../analysis/subdomains.ts';
import { analysisText } from '../i18n/analysis.ts';
import { translator } from '../i18n/translate.ts';
import {
  type AnalysisFlags,
  analysisOptions,
  ipFactsFor,
  periodFromFlags,
  resolverFromFlags,
  table,
  withStore,
} from './analysis-common.ts';
import { type CliContext, count, printJson } from './output.ts';
import { mmdbFromFlags } from './resolve-ips.ts';

export function registerSubdomains(program: Command, ctx: CliContext): void {
  const t = translator(analysisText, ctx.lang);
  analysisOptions(
    program.command('subdomains').description(t('subdomains.description')).argument('<domain>'),
    ctx,
    {
      period: true,
      dns: true,
    },
  ).action(async (domain: string, flags: AnalysisFlags) => {
    const period = periodFromFlags(flags);
    const dns = resolverFromFlags(flags);
    const mmdb = await mmdbFromFlags(flags, ctx);
    try {
      const result = await withStore(flags, ctx, (store) =>
        subdomains(store, domainName(domain), period, {
          ipFacts: ipFactsFor(store, dns?.resolver, mmdb),
          lang: ctx.lang,
          ...(dns ? { resolver: dns.resolver } : {}),
        }),
      );
      if (flags.json) printJson(ctx, result);
      else ctx.stdout.write(`${renderSubdomains(result, ctx)}\n`);
    } finally {
      dns?.close();
    }
  });
}

export function renderSubdomains(r: SubdomainsResult, ctx: CliContext): string {
  const t = translator(analysisText, ctx.lang);
  const out = [t('heading.period', { domain: r.domain, since: r.since, until: r.until }), ''];
  if (r.subdomains.length === 0) out.push(t('subdomains.none'));
  else {
    out.push(
      table(
        [
          t('col.subdomain'),
          t('col.messages'),
          t('col.senders'),
          t('col.first'),
          t('col.last'),
          t('col.inventory'),
          t('col.ownRecord'),
        ],
        r.subdomains.map((s) => [
          s.name,
          count(s.messages),
          count(s.senders),
          s.firstSeen,
          s.lastSeen,
          t(s.inInventory ? 'yes' : 'no'),
          t(`ownRecord.${s.ownRecord}`),
        ]),
        [1, 2],
      ),
    );
  }
  if (r.unknownSenders.length > 0) {
    out.push('', t('subdomains.unknown', { domain: r.domain }));
    out.push(
      table(
        [t('col.ip'), t('col.name'), t('col.class'), t('col.messages'), t('col.domain')],
        r.unknownSenders.map((s) => [
          s.ip,
          s.name === s.ip ? '' : s.name,
          t(`class.${s.class}`),
          count(s.messages),
          s.headerFroms.join(' '),
        ]),
        [3],
      ),
    );
  }
  return out.join('\n');
}
