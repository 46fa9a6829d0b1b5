import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { cliText } from '../i18n/cli.ts';
import { ingestText } from '../i18n/ingest.ts';
import { translate, translator } from '../i18n/translate.ts';
import { describeFailure, describeRecount } from '../ingest/describe.ts';
import { SMTP_MAX_MESSAGE_BYTES, startSmtpReceiver, tlsFault } from '../ingest/smtp.ts';
import { addOutcome, emptyTotals } from '../ingest/totals.ts';
import { describeStoreAccessError } from '../store/errors.ts';
import { defaultStorePath, openStore, storeFailure } from '../store/open.ts';
import { type CliContext, oneLine, UsageError } from './output.ts';
import { untilStopped } from './with-store.ts';

type Translate = ReturnType<typeof translator<typeof ingestText>>;

interface SmtpdFlags {
  listen: string;
  accept: string;
  db?: string;
  maxSize: string;
  tlsCert?: string;
  tlsKey?: string;
  hostname?: string;
}

export function registerSmtpd(program: Command, ctx: CliContext): void {
  const t = translator(ingestText, ctx.lang);
  program
    .command('smtpd')
    .description(t('smtpd.description'))
    .option('--listen <host:port>', t('smtpd.listen'), '127.0.0.1:2525')
    .requiredOption('--accept <addresses>', t('smtpd.accept'))
    .option('--db <file|url>', t('option.db'))
    .option('--max-size <bytes>', t('smtpd.maxSize'), String(SMTP_MAX_MESSAGE_BYTES))
    .option('--tls-cert <file>', t('smtpd.tlsCert'))
    .option('--tls-key <file>', t('smtpd.tlsKey'))
    .option('--hostname <name>', t('smtpd.hostname'))
    .action(async (flags: SmtpdFlags) => {
      const colon = flags.listen.lastIndexOf(':');
      const host = flags.listen.slice(0, colon).replace(/^\[|\]$/g, '');
      const port = Number(flags.listen.slice(colon + 1));
      if (colon === -1 || !host || !Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(
          translate(cliText, 'error.hostPort', ctx.lang, { flag: '--listen', value: flags.listen }),
        );
      }
      const accept = flags.accept
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
      if (accept.length === 0 || accept.some((a) => !/^[^@\s]+@[^@\s]+$/.test(a))) {
        throw new UsageError(t('smtpd.badAccept', { value: flags.accept }));
      }
      const maxBytes = Number(flags.maxSize);
      if (!Number.isInteger(maxBytes) || maxBytes < 1) {
        throw new UsageError(t('error.badNumber', { option: '--max-size', value: flags.maxSize }));
      }
      if (Boolean(flags.tlsCert) !== Boolean(flags.tlsKey)) throw new UsageError(t('smtpd.tlsPair'));
      let tls: { cert: Buffer; key: Buffer } | undefined;
      if (flags.tlsCert && flags.tlsKey) {
        tls = {
          cert: await tlsFile('--tls-cert', flags.tlsCert, t),
          key: await tlsFile('--tls-key', flags.tlsKey, t),
        };
        const fault = tlsFault(tls);
        if (fault) {
          const [flag, file] = fault === 'cert' ? ['--tls-cert', flags.tlsCert] : ['--tls-key', flags.tlsKey];
          const problem = t(`smtpd.tlsFault.${fault}`, { cert: flags.tlsCert });
          throw new UsageError(t('smtpd.tlsFile', { flag, file, problem }));
        }
      }
      // A mail whose write waits for another process's lock (a `sumi ingest`) must not keep the
      // other sessions unanswered meanwhile: remote MTAs would time out.
      const url = flags.db ?? defaultStorePath(ctx.env);
      const store = await openStore(url, { yieldWhenLocked: true });
      const receiver = await startSmtpReceiver({
        store,
        host,
        port,
        accept,
        maxBytes,
        ...(tls ? { tls } : {}),
        ...(flags.hostname ? { hostname: flags.hostname } : {}),
        onMessage: (source, outcome) => {
          const totals = emptyTotals();
          addOutcome(totals, outcome);
          ctx.stderr.write(
            `${t('smtpd.received', {
              source,
              reports: outcome.reports.length - totals.duplicates,
              duplicates: totals.duplicates,
              failed: outcome.failed.length,
            })}\n`,
          );
          if (totals.copies > 0) ctx.stderr.write(`  ${t('summary.copies', { copies: totals.copies })}\n`);
          const recount = describeRecount(totals, ctx.lang);
          if (recount) ctx.stderr.write(`  ${recount}\n`);
          for (const failure of outcome.failed)
            ctx.stderr.write(`  ${oneLine(describeFailure(failure, ctx.lang))}\n`);
        },
        onError: (source, error) => {
          const failure = storeFailure(url, error);
          const reason = failure
            ? describeStoreAccessError(failure, ctx.lang)
            : error instanceof Error
              ? error.message
              : String(error);
          ctx.stderr.write(`${t('smtpd.notStored', { source, reason: oneLine(reason) })}\n`);
        },
      });
      ctx.stderr.write(`${t('smtpd.listening', { accept: accept.join(', '), address: receiver.address })}\n`);
      // A store a newer Sumi migrated stops the receiver: the mail it would store is answered
      // 451, kept by its sender for the upgraded Sumi.
      await untilStopped(store.outdated);
      // Said once true: close() has told the idle connections 421 as it returns.
      const closed = receiver.close();
      ctx.stderr.write(`${t('smtpd.stopping')}\n`);
      await closed;
      await store.close();
      store.outdated.throwIfAborted();
    });
}

/** A --tls-cert or --tls-key file's bytes; one that cannot be read is a usage error naming it. */
async function tlsFile(flag: string, file: string, t: Translate): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const problem =
      code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' ? t(`smtpd.tlsRead.${code}`) : message;
    throw new UsageError(t('smtpd.tlsFile', { flag, file, problem }));
  }
}
