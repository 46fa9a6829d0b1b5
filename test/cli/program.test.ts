/** The program loads only the command asked for: every command must still be reachable and listed. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.ts';
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

  it('lists the commands without loading them exactly as the commands would list themselves', async () => {
    for (const lang of ['en', 'ja'] as const) {
      const ctx = { stdout: process.stdout, stderr: process.stderr, env: {}, lang };
      const listed = (await buildProgram(ctx, ['--help'])).helpInformation();
      const loaded = (await buildProgram(ctx, ['--help'], { all: true })).helpInformation();
      expect(listed).toBe(loaded);
    }
    // `sumi help NAME` is NAME's own help, which loads it.
    const help = await sumi(['help', 'ingest']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: sumi ingest \[options\] \[inputs\.\.\.\]/m);
  });

  it('runs a command loaded alone, --lang before it included, and --version with none', async () => {
    const ingest = await sumi(['--lang', 'ja', 'ingest', '--help']);
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/^使い方: sumi ingest/m);
    expect(ingest.stdout).toContain('終了コード');
    const version = await sumi(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('suggests the command meant when one is mistyped', async () => {
    const typo = await sumi(['ingset']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/ingest/);
  });

  it("says Commander's own words in Japanese: the help's headings, defaults and choices, and usage errors", async () => {
    // Every command's help: no English framing around the Japanese text.
    for (const command of [[], ...commandFiles.map((name) => [name])]) {
      const help = await sumi(['--lang', 'ja', ...command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).not.toMatch(/Usage:|Options:|Commands:|Arguments:|\((default|choices):/);
    }
    const ingest = (await sumi(['--lang', 'ja', 'ingest', '--help'])).stdout;
    expect(ingest).toMatch(/^オプション:$/m);
    expect(ingest).toContain('選択肢:\n');
    expect(ingest.replace(/\s+/g, ' ')).toContain('"required", "optional", "off"、既定: "required"）');
    // A default is said once, by Commander, not also by the description.
    expect(ingest.match(/SUMI_IMAP_PASSWORD"/g)).toHaveLength(1);

    const errors: [string[], RegExp][] = [
      [['ingest', '--bogus'], /^エラー: 不明なオプション '--bogus'$/m],
      [['ingset'], /^エラー: 不明なコマンド 'ingset'\n（ingest のことですか\?）$/m],
      [['quarantine'], /^エラー: 必須の引数 'list\|raw\|retry' がありません$/m],
      [['check', '--timeout'], /^エラー: オプション '--timeout <ms>' に値がありません$/m],
      [
        ['ingest', '--starttls', 'bad', 'imap://u@h/INBOX'],
        /^エラー: オプション '--starttls <mode>' の値 'bad' は使えません。選べる値: required, optional, off$/m,
      ],
      [['dns', 'serve', 'a', 'b'], /^エラー: 引数が多すぎます（1 個まで、2 個指定されました）$/m],
    ];
    for (const [args, said] of errors) {
      const run = await sumi(['--lang', 'ja', ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(said);
      expect(run.stderr).toMatch(/^使い方: sumi /m);
      expect(run.stderr).not.toMatch(/error:|Usage:/);
    }
    // English stays Commander's own wording.
    expect((await sumi(['ingest', '--bogus'])).stderr).toMatch(
      /^error: unknown option '--bogus'\n\nUsage: sumi ingest/,
    );
    expect((await sumi(['dns', 'serve', 'a', 'b'])).stderr).toContain(
      "error: too many arguments for 'serve'. Expected 1 argument but got 2.",
    );
  }, 120_000);
});
