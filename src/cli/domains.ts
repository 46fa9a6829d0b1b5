import type { Command } from 'commander';
import { addDomain, domainName, listDomains, removeDomain } from '../analysis/inventory.ts';
import { isoDay } from '../analysis/period.ts';
import { analysisText } from '../i18n/analysis.ts';
import { translator } from '../i18n/translate.ts';
import { type AnalysisFlags, analysisOptions, table, withStore } from './analysis-common.ts';
import { type CliContext, printJson, UsageError } from './output.ts';

interface DomainsFlags extends AnalysisFlags {
  note?: string;
}

/** `sumi domains add|remove DOMAIN [--note]`, `sumi domains list`: the owner's inventory. */
export function registerDomains(program: Command, ctx: CliContext): void {
  const t = translator(analysisText, ctx.lang);
  analysisOptions(
    program
      .command('domains')
      .description(t('domains.description'))
      .argument('<add|remove|list>')
      .argument('[domain]')
      .option('--note <text>', t('domains.option.note')),
    ctx,
  ).action(async (action: string, domain: string | undefined, flags: DomainsFlags) => {
    if (action !== 'add' && action !== 'remove' && action !== 'list') {
      throw new UsageError(t('domains.badAction', { action }));
    }
    if (action !== 'list' && domain === undefined) throw new UsageError(t('domains.usage', { action }));
    await withStore(
      flags,
      ctx,
      async (store) => {
        if (action === 'list') {
          const list = await listDomains(store);
          if (flags.json) printJson(ctx, { domains: list });
          else if (list.length === 0) ctx.stdout.write(`${t('domains.empty')}\n`);
          else {
            const rows = list.map((d) => [d.domain, isoDay(d.addedAt), d.note ?? '']);
            ctx.stdout.write(`${table([t('col.domain'), t('col.added'), t('col.note')], rows)}\n`);
          }
          return;
        }
        const normalised = domainName(domain as string);
        const changed =
          action === 'add'
            ? await addDomain(store, normalised, flags.note)
            : await removeDomain(store, normalised);
        if (flags.json) printJson(ctx, { action, domain: normalised, changed });
        else {
          const key =
            action === 'add'
              ? changed
                ? 'domains.added'
                : 'domains.present'
              : changed
                ? 'domains.removed'
                : 'domains.absent';
          ctx.stdout.write(`${t(key, { domain: normalised })}\n`);
        }
        // The inventory may come before any report: adding a domain makes the store.
      },
      { create: action === 'add' },
    );
  });
}
