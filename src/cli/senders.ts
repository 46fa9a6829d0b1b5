import type { Command } from 'commander';
import {
  domainName,
  markSender,
  SENDER_MARKS,
  type SenderMarkKind,
  unmarkSender,
} from '../analysis/inventory.ts';
import { analysisText } from '../i18n/analysis.ts';
import { translator } from '../i18n/translate.ts';
import { type AnalysisFlags, analysisOptions, choice, withStore } from './analysis-common.ts';
import { type CliContext, printJson, UsageError } from './output.ts';
import { runSources } from './sources.ts';

interface SendersFlags extends AnalysisFlags {
  as?: string;
  note?: string;
}

/**
 * `sumi senders DOMAIN` lists senders as `sources` does; `senders mark DOMAIN IP --as ...` and
 * `senders unmark DOMAIN IP` keep the owner's verdict on one sender.
 */
export function registerSenders(program: Command, ctx: CliContext): void {
  const t = translator(analysisText, ctx.lang);
  analysisOptions(
    program
      .command('senders')
      .description(t('senders.description'))
      .argument('<domain|mark|unmark>')
      .argument('[args...]')
      .option('--as <mark>', t('senders.option.as'))
      .option('--note <text>', t('senders.option.note')),
    ctx,
    { period: true, dns: true },
  ).action(async (first: string, args: string[], flags: SendersFlags) => {
    if (first !== 'mark' && first !== 'unmark') {
      if (args.length > 0) throw new UsageError(t('senders.description'));
      await runSources(first, flags, ctx);
      return;
    }
    const [domain, ip] = args;
    const mark = first === 'mark' ? choice<SenderMarkKind>('--as', flags.as, SENDER_MARKS, ctx) : undefined;
    if (
      domain === undefined ||
      ip === undefined ||
      args.length > 2 ||
      (first === 'mark' && mark === undefined)
    ) {
      throw new UsageError(t('senders.usage.mark', { action: first, as: first === 'mark' ? ' --as' : '' }));
    }
    await withStore(
      flags,
      ctx,
      async (store) => {
        const name = domainName(domain);
        if (mark !== undefined) {
          const kept = await markSender(store, name, ip, mark, flags.note);
          if (flags.json)
            printJson(ctx, { domain: kept.domain, ip: kept.ip, mark: kept.mark, note: kept.note });
          else
            ctx.stdout.write(
              `${t('senders.marked', { domain: kept.domain, ip: kept.ip, mark: t(`class.${mark}`) })}\n`,
            );
          return;
        }
        const removed = await unmarkSender(store, name, ip);
        if (flags.json) printJson(ctx, { domain: name, ip, removed });
        else
          ctx.stdout.write(
            `${t(removed ? 'senders.unmarked' : 'senders.notMarked', { domain: name, ip })}\n`,
          );
        // Marks may come before any report (an owner's known senders): marking makes the store.
      },
      { create: mark !== undefined },
    );
  });
}
