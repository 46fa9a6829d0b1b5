import type { Command } from 'commander';
import { domainName } from '../analysis/inventory.ts';
import { type SourcesResult, sources } from '../analysis/sources.ts';
import { analysisText } from '../i18n/analysis.ts';
import { translator } from '../i18n/translate.ts';
import {
  type AnalysisFlags,
  analysisOptions,
  ipFactsFor,
  percent,
  periodFromFlags,
  resolverFromFlags,
  table,
  withStore,
} from './analysis-common.ts';
import { type CliContext, count, printJson } from './output.ts';
import { mmdbFromFlags } from './resolve-ips.ts';

export function registerSources(program: Command, ctx: CliContext): void {
  const t = translator(analysisText, ctx.lang);
  analysisOptions(
    program.command('sources').description(t('sources.description')).argument('<domain>'),
    ctx,
    {
      period: true,
      dns: true,
    },
  ).action((domain: string, flags: AnalysisFlags) => runSources(domain, flags, ctx));
}

/** `sumi sources DOMAIN` (also `sumi senders DOMAIN`). */
export async function runSources(domain: string, flags: AnalysisFlags, ctx: CliContext): Promise<void> {
  const period = periodFromFlags(flags);
  const dns = resolverFromFlags(flags);
  const mmdb = await mmdbFromFlags(flags, ctx);
  try {
    const result = await withStore(flags, ctx, (store) =>
      sources(store, domainName(domain), period, {
        ipFacts: ipFactsFor(store, dns?.resolver, mmdb),
        lang: ctx.lang,
      }),
    );
    if (flags.json) printJson(ctx, result);
    else ctx.stdout.write(`${renderSources(result, ctx)}\n`);
  } finally {
    dns?.close();
  }
}

export function renderSources(r: SourcesResult, ctx: CliContext): string {
  const t = translator(analysisText, ctx.lang);
  const out = [t('heading.period', { domain: r.domain, since: r.since, until: r.until }), ''];
  if (r.senders.length === 0) return [...out, t('heading.noData', { domain: r.domain })].join('\n');
  out.push(
    table(
      [
        t('col.ip'),
        t('col.name'),
        t('col.class'),
        t('col.messages'),
        t('col.pass'),
        t('col.spf'),
        t('col.dkim'),
      ],
      r.senders.map((s) => [
        s.ip,
        s.name === s.ip ? '' : s.name,
        t(`class.${s.class}`),
        count(s.messages),
        percent(s.dmarcPass, s.messages),
        percent(s.spfAligned, s.messages),
        percent(s.dkimAligned, s.messages),
      ]),
      [3, 4, 5, 6],
    ),
  );
  // Why each failing sender fails, and what to do, most mail first.
  for (const s of r.senders.filter((x) => x.dmarcFail > 0)) {
    out.push(
      '',
      `${s.ip}${s.name === s.ip ? '' : ` (${s.name})`}: ${count(s.dmarcFail)} / ${count(s.messages)}`,
    );
    if (s.mark)
      out.push(
        `  ${t('sources.marked', { mark: t(`class.${s.mark.mark}`) })}${s.mark.note ? `: ${s.mark.note}` : ''}`,
      );
    out.push(`  ${s.reason.text}`);
    if (s.reason.fix) out.push(`  ${t('sources.fix', { fix: s.reason.fix })}`);
  }
  return out.join('\n');
}
