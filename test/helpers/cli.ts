import { Writable } from 'node:stream';
import { run } from '../../src/cli/program.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs the CLI in-process, as `sumi ARGS` would, capturing both streams. */
export async function sumi(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run(args, { stdout, stderr, env: { LANG: 'en_US.UTF-8', ...env } });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
