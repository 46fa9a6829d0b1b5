/** Runs `sumi` in-process (through the CLI's own `run`) or as a child process (bin/sumi.js). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../../../src/cli/output.ts';
import { run } from '../../../src/cli/program.ts';

/** Runs `sumi ARGS` in a child process, as a user would. */
export function spawnSumi(args: string[], env: Record<string, string> = {}) {
  const bin = fileURLToPath(new URL('../../../bin/sumi.js', import.meta.url));
  return spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** What a child writes, gathered as it comes (`stdout` and `stderr` read at any time), and its exit code. */
export function childOutput(child: ReturnType<typeof spawnSumi>) {
  const out = {
    stdout: '',
    stderr: '',
    exited: new Promise<number | null>((resolve) => child.on('close', resolve)),
  };
  child.stdout.on('data', (d) => {
    out.stdout += d;
  });
  child.stderr.on('data', (d) => {
    out.stderr += d;
  });
  return out;
}

/** Runs `sumi ARGS` in a child process with `stdin` as its input, to its end. */
export async function sumiWithInput(args: string[], stdin: string | Buffer) {
  const child = spawnSumi(args);
  const out = childOutput(child);
  child.stdin.end(stdin);
  const code = await out.exited;
  return { code, stdout: out.stdout, stderr: out.stderr };
}

/**
 * `sumi ARGS` run in-process (through the CLI's own `run`), started: what it writes (read at any
 * time) and its exit code once it ends.
 */
export function startSumi(argv: string[], env: Record<string, string | undefined> = {}) {
  const out = { stdout: '', stderr: '' };
  const code = run(argv, {
    stdout: {
      write: (s: string) => {
        out.stdout += s;
        return true;
      },
    } as unknown as CliContext['stdout'],
    stderr: {
      write: (s: string) => {
        out.stderr += s;
        return true;
      },
    } as unknown as CliContext['stderr'],
    env: { LANG: 'en_US.UTF-8', ...env },
  });
  return { out, code };
}

/** In-process run capturing stdout and stderr. */
export async function sumi(argv: string[], env: Record<string, string | undefined> = {}) {
  const { out, code } = startSumi(argv, env);
  return { code: await code, stdout: out.stdout, stderr: out.stderr };
}
