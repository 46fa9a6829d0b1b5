/**
 * Runs `sumi` with `ingest` and `smtpd` registered, exactly as src/cli/program.ts's `run` does
 * once the lead wires them in (until then, this adds them to the program).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { registerIngest } from '../../../src/cli/ingest.ts';
import type { CliContext } from '../../../src/cli/output.ts';
import { buildProgram, run } from '../../../src/cli/program.ts';
import { registerSmtpd } from '../../../src/cli/smtpd.ts';
import { detectLang } from '../../../src/i18n/lang.ts';

const wired = (() => {
  const probe = buildProgram({ lang: 'en', stdout: process.stdout, stderr: process.stderr, env: {} });
  return probe.commands.some((c) => c.name() === 'ingest');
})();

export async function runSumi(argv: string[], ctx: Omit<CliContext, 'lang'>): Promise<number> {
  if (wired) return run(argv, ctx);
  const { Command } = await import('commander');
  const original = Command.prototype.parseAsync;
  // Add the commands to the program `run` builds, then let `run` do the rest (exit codes, errors).
  Command.prototype.parseAsync = function (this: InstanceType<typeof Command>, ...args) {
    if (this.name() === 'sumi' && !this.commands.some((c) => c.name() === 'ingest')) {
      const flag = argv.includes('--lang') ? argv[argv.indexOf('--lang') + 1] : undefined;
      const lang = detectLang(flag, ctx.env);
      registerIngest(this, { ...ctx, lang });
      registerSmtpd(this, { ...ctx, lang });
    }
    return original.apply(this, args);
  };
  try {
    return await run(argv, ctx);
  } finally {
    Command.prototype.parseAsync = original;
  }
}

/** Runs `sumi ARGS` in a child process. */
export function spawnSumi(args: string[], env: Record<string, string> = {}) {
  const main = fileURLToPath(new URL('./sumi-main.ts', import.meta.url));
  return spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** In-process run capturing stdout and stderr. */
export async function sumi(argv: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runSumi(argv, {
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
    } as unknown as CliContext['stdout'],
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    } as unknown as CliContext['stderr'],
    env: { LANG: 'en_US.UTF-8', ...env },
  });
  return { code, stdout, stderr };
}
