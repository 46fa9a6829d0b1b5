/** The program loads only the command asked for: every command must still be reachable and listed. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sumi } from '../ingest/helpers/sumi.ts';

const CLI = path.resolve(import.meta.dirname, '../../src/cli');
/** Every command file: one exporting a register function. */
const commandFiles = readdirSync(CLI)
  .filter(
    (file) =>
      file.endsWith('.ts') &&
      /export function register[A-Z]/.test(readFileSync(path.join(CLI, file), 'utf8')),
  )
  .map((file) => file.replace(/\.ts$/, ''));

describe('sumi program', () => {
  it('lists every command in its help, in English and Japanese', async () => {
    expect(commandFiles.length).toBeGreaterThan(20);
    for (const lang of ['en', 'ja']) {
      const help = await sumi(['--lang', lang, '--help']);
      expect(help.code).toBe(0);
      const listed = [...help.stdout.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]);
      expect(listed.filter((name) => name !== 'help').sort()).toEqual([...commandFiles].sort());
    }
  });

  it('runs a command loaded alone, --lang before it included, and --version with none', async () => {
    const ingest = await sumi(['--lang', 'ja', 'ingest', '--help']);
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/^Usage: sumi ingest/m);
    expect(ingest.stdout).toContain('終了コード');
    const version = await sumi(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('suggests the command meant when one is mistyped (all are loaded then)', async () => {
    const typo = await sumi(['ingset']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/ingest/);
  });
});
