import { Command, CommanderError, Option } from 'commander';
import { cliText } from '../i18n/cli.ts';
import { detectLang, type Lang } from '../i18n/lang.ts';
import { translator } from '../i18n/translate.ts';
import { hostPort } from '../net/address.ts';
import { describeStoreAccessError, StoreAccessError } from '../store/errors.ts';
import { commanderInLanguage } from './commander-text.ts';
import { type CliContext, RuntimeError, UsageError } from './output.ts';

type Register = (program: Command, ctx: CliContext) => void;

/** Every command, in the order the help lists them, and how to load it. */
const COMMANDS: readonly (readonly [name: string, load: () => Promise<Register>])[] = [
  ['check', async () => (await import('./check.ts')).registerCheck],
  ['demo', async () => (await import('./demo.ts')).registerDemo],
  ['dns', async () => (await import('./dns.ts')).registerDns],
  ['ingest', async () => (await import('./ingest.ts')).registerIngest],
  ['quarantine', async () => (await import('./quarantine.ts')).registerQuarantine],
  ['record', async () => (await import('./record.ts')).registerRecord],
  ['serve', async () => (await import('./serve.ts')).registerServe],
  ['smtpd', async () => (await import('./smtpd.ts')).registerSmtpd],
  ['survey', async () => (await import('./survey.ts')).registerSurvey],
  ['user', async () => (await import('./user.ts')).registerUser],
  ['worker', async () => (await import('./worker.ts')).registerWorker],
  ['domains', async () => (await import('./domains.ts')).registerDomains],
  ['reporters', async () => (await import('./reporters.ts')).registerReporters],
  ['senders', async () => (await import('./senders.ts')).registerSenders],
  ['simulate', async () => (await import('./simulate.ts')).registerSimulate],
  ['sources', async () => (await import('./sources.ts')).registerSources],
  ['subdomains', async () => (await import('./subdomains.ts')).registerSubdomains],
  ['summary', async () => (await import('./summary.ts')).registerSummary],
  ['failures', async () => (await import('./failures.ts')).registerFailures],
  ['history', async () => (await import('./history.ts')).registerHistory],
  ['plan', async () => (await import('./plan.ts')).registerPlan],
  ['resolve-ips', async () => (await import('./resolve-ips.ts')).registerResolveIps],
];

/** The command argv names: its first word that is neither an option nor --lang's value. */
function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--lang') i++;
    else if (!word.startsWith('-')) return word;
  }
  return undefined;
}

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

/**
 * The program with its commands: only the command `argv` names, when it names one (loading
 * every command's modules took 1.3 s of each run); none for `--version`; all of them for the
 * help, a mistyped command or none.
 */
export async function buildProgram(ctx: CliContext, argv: readonly string[] = []): Promise<Command> {
  const t = translator(cliText, ctx.lang);
  const program = new Command('sumi');
  // Before the commands are added: they copy these settings.
  commanderInLanguage(program, ctx.lang);
  program
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
  const asked = commandName(argv);
  const chosen = COMMANDS.filter(([name]) => name === asked);
  const versionOnly = asked === undefined && argv.some((word) => word === '-V' || word === '--version');
  const loading = versionOnly ? [] : chosen.length > 0 ? chosen : COMMANDS;
  const registers = await Promise.all(loading.map(([, load]) => load()));
  for (const register of registers) register(program, ctx);
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 runtime failure, 2 bad usage or input). */
export async function run(argv: string[], ctx: Omit<CliContext, 'lang'>): Promise<number> {
  const lang = languageFromArgv(argv, ctx.env);
  const full: CliContext = { ...ctx, lang };
  const t = translator(cliText, lang);
  try {
    await (await buildProgram(full, argv)).parseAsync(argv, { from: 'user' });
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
