import { Command, CommanderError, Option } from 'commander';
import { cliText } from '../i18n/cli.ts';
import { detectLang, type Lang } from '../i18n/lang.ts';
import { translator } from '../i18n/translate.ts';
import { hostPort } from '../net/address.ts';
import { describeStoreAccessError, StoreAccessError } from '../store/errors.ts';
import { registerCheck } from './check.ts';
import { registerDemo } from './demo.ts';
import { registerDns } from './dns.ts';
import { registerDomains } from './domains.ts';
import { registerFailures } from './failures.ts';
import { registerHistory } from './history.ts';
import { registerIngest } from './ingest.ts';
import { type CliContext, RuntimeError, UsageError } from './output.ts';
import { registerPlan } from './plan.ts';
import { registerQuarantine } from './quarantine.ts';
import { registerRecord } from './record.ts';
import { registerReporters } from './reporters.ts';
import { registerResolveIps } from './resolve-ips.ts';
import { registerSenders } from './senders.ts';
import { registerServe } from './serve.ts';
import { registerSimulate } from './simulate.ts';
import { registerSmtpd } from './smtpd.ts';
import { registerSources } from './sources.ts';
import { registerSubdomains } from './subdomains.ts';
import { registerSummary } from './summary.ts';
import { registerSurvey } from './survey.ts';
import { registerUser } from './user.ts';
import { registerWorker } from './worker.ts';

/** The language must be known before the help texts are built, so `--lang` is read first. */
function languageFromArgv(argv: string[], env: Record<string, string | undefined>): Lang {
  const i = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  const flag = i === -1 ? undefined : argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  try {
    return detectLang(flag, env);
  } catch {
    return detectLang(undefined, env);
  }
}

export function buildProgram(ctx: CliContext): Command {
  const t = translator(cliText, ctx.lang);
  const program = new Command('sumi')
    .description(t('program.description'))
    .version('0.1.0', '-V, --version', t('option.version'))
    .helpOption('-h, --help', t('option.help'))
    .helpCommand('help [command]', t('option.help'))
    .addOption(new Option('--lang <lang>', t('option.lang')).choices(['en', 'ja']))
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  registerCheck(program, ctx);
  registerDemo(program, ctx);
  registerDns(program, ctx);
  registerIngest(program, ctx);
  registerQuarantine(program, ctx);
  registerRecord(program, ctx);
  registerServe(program, ctx);
  registerSmtpd(program, ctx);
  registerSurvey(program, ctx);
  registerUser(program, ctx);
  registerWorker(program, ctx);
  registerDomains(program, ctx);
  registerReporters(program, ctx);
  registerSenders(program, ctx);
  registerSimulate(program, ctx);
  registerSources(program, ctx);
  registerSubdomains(program, ctx);
  registerSummary(program, ctx);
  registerFailures(program, ctx);
  registerHistory(program, ctx);
  registerPlan(program, ctx);
  registerResolveIps(program, ctx);
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 runtime failure, 2 bad usage or input). */
export async function run(argv: string[], ctx: Omit<CliContext, 'lang'>): Promise<number> {
  const lang = languageFromArgv(argv, ctx.env);
  const full: CliContext = { ...ctx, lang };
  const t = translator(cliText, lang);
  try {
    await buildProgram(full).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end through here too, with exit code 0; a command's own ends
      // (sumi.*) carry their status.
      if (error.code.startsWith('sumi.')) return error.exitCode;
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      ctx.stderr.write(`${t('error.usage', { message: error.message })}\n`);
      return 2;
    }
    const listening = listenFailure(error);
    if (listening) {
      const reason =
        listening.code === 'EADDRINUSE' || listening.code === 'EACCES' || listening.code === 'EADDRNOTAVAIL'
          ? t(`error.listen.${listening.code}`)
          : listening.message;
      const message = t('error.listen', { address: listening.address, reason });
      ctx.stderr.write(`${t('error.runtime', { message })}\n`);
      return 1;
    }
    if (error instanceof RuntimeError) {
      ctx.stderr.write(`${t('error.runtime', { message: error.message })}\n`);
      return 1;
    }
    if (error instanceof StoreAccessError) {
      // The configuration or the server, not a bug: its words, no stack.
      ctx.stderr.write(`${t('error.runtime', { message: describeStoreAccessError(error, lang) })}\n`);
      // A --db that is no URL is the command's input; the rest, the world's state.
      return error.code === 'bad-url' ? 2 : 1;
    }
    ctx.stderr.write(`${t('error.runtime', { message: (error as Error).stack ?? String(error) })}\n`);
    return 1;
  }
}

/** A server's listen() or bind() that failed (`sumi serve`, `smtpd`, `dns serve`): its address and why. */
function listenFailure(error: unknown): { address: string; code: string; message: string } | undefined {
  const { syscall, address, port, code, message } = error as {
    syscall?: unknown;
    address?: unknown;
    port?: unknown;
    code?: unknown;
    message?: unknown;
  };
  // 'bind': a UDP socket's (dns serve).
  if ((syscall !== 'listen' && syscall !== 'bind') || typeof code !== 'string') return undefined;
  const host = typeof address === 'string' ? address : '';
  const shown = typeof port === 'number' ? hostPort(host, port) : host;
  return { address: shown, code, message: String(message) };
}
