import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * README.md and its Japanese translation README.ja.md are kept in step: a change to one that
 * forgets the other fails here. The commands (fenced blocks) are the same bytes in the same
 * order, the sections the same in number at each heading level, every --flag the English
 * names in inline code is named in the Japanese too, and each opens with the two commands and
 * then links to the other.
 */
const root = path.resolve(import.meta.dirname, '../..');
const EN = 'README.md';
const JA = 'README.ja.md';

interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  /** The block whole: opening fence, body and closing fence. */
  text: string;
}

interface Readme {
  name: string;
  lines: string[];
  blocks: Block[];
  /** The text outside fenced blocks, line by line (a block's lines left empty). */
  prose: string[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

function readme(name: string): Readme {
  const lines = readFileSync(path.join(root, name), 'utf8').split(/\r?\n/);
  const blocks: Block[] = [];
  const prose: string[] = [];
  let open: { fence: string; start: number } | undefined;
  lines.forEach((line, i) => {
    const fence = FENCE.exec(line)?.[1];
    if (open === undefined) {
      if (fence !== undefined) {
        open = { fence, start: i };
        prose.push('');
      } else {
        prose.push(line);
      }
      return;
    }
    prose.push('');
    const closing = fence !== undefined && fence[0] === open.fence[0] && fence.length >= open.fence.length;
    if (closing && line.trim() === fence) {
      blocks.push({ line: open.start + 1, text: lines.slice(open.start, i + 1).join('\n') });
      open = undefined;
    }
  });
  if (open !== undefined)
    throw new Error(`${name}: the fenced block at line ${open.start + 1} is never closed`);
  return { name, lines, blocks, prose };
}

function headings(doc: Readme, level: number): string[] {
  const found: string[] = [];
  for (const line of doc.prose) {
    const m = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (m?.[1]?.length === level) found.push(m[2] ?? '');
  }
  return found;
}

/** The --flags named in the inline code of the prose (a code span may go over a line break). */
function inlineFlags(doc: Readme): Set<string> {
  const flags = new Set<string>();
  const text = doc.prose.join('\n');
  for (const span of text.matchAll(/(`+)([\s\S]*?[^`])\1(?!`)/g)) {
    for (const flag of (span[2] ?? '').matchAll(/(?<![\w-])--[a-z0-9][a-z0-9-]*/gi)) flags.add(flag[0]);
  }
  return flags;
}

/** The first line where two blocks part, said for the failure message. */
function firstDifference(a: string, b: string): string {
  const al = a.split('\n');
  const bl = b.split('\n');
  for (let i = 0; i < Math.max(al.length, bl.length); i++) {
    if (al[i] !== bl[i]) {
      return `line ${i + 1} of the block: ${EN} ${JSON.stringify(al[i] ?? '(none)')}, ${JA} ${JSON.stringify(bl[i] ?? '(none)')}`;
    }
  }
  return 'no line differs';
}

describe('README.md and README.ja.md', () => {
  const en = readme(EN);
  const ja = readme(JA);

  it('have the same fenced code blocks, byte for byte, in the same order', () => {
    expect(en.blocks.length, `${EN} has no fenced block: the parse is broken`).toBeGreaterThan(0);
    const n = Math.min(en.blocks.length, ja.blocks.length);
    for (let i = 0; i < n; i++) {
      const a = en.blocks[i]!;
      const b = ja.blocks[i]!;
      expect(
        b.text,
        `fenced block ${i + 1} differs (${EN} line ${a.line}, ${JA} line ${b.line}): ${firstDifference(a.text, b.text)}`,
      ).toBe(a.text);
    }
    const extra = (en.blocks.length > n ? en : ja).blocks.slice(n).map((b) => `line ${b.line}`);
    expect(
      ja.blocks.length,
      `${EN} has ${en.blocks.length} fenced blocks, ${JA} ${ja.blocks.length}; ` +
        `${en.blocks.length > n ? EN : JA} has more, from ${extra.join(', ')}`,
    ).toBe(en.blocks.length);
  });

  it('have the same number of headings at each level', () => {
    expect(headings(en, 1).length + headings(en, 2).length, `${EN} has no heading`).toBeGreaterThan(0);
    for (let level = 1; level <= 6; level++) {
      const a = headings(en, level);
      const b = headings(ja, level);
      expect(
        b.length,
        `level-${level} headings (${'#'.repeat(level)}) differ: ${EN} has ${a.length} (${a.join(' | ')}), ` +
          `${JA} has ${b.length} (${b.join(' | ')})`,
      ).toBe(a.length);
    }
  });

  it('name in the Japanese every --flag the English names in inline code', () => {
    const flags = inlineFlags(en);
    expect(flags.size, `no --flag found in ${EN}'s inline code: the parse is broken`).toBeGreaterThan(10);
    const inJa = inlineFlags(ja);
    const missing = [...flags].filter((f) => !inJa.has(f));
    expect(
      missing,
      `${JA} does not name in inline code these flags ${EN} does: ${missing.join(', ')}`,
    ).toEqual([]);
  });

  it('open with the two commands, then link to each other', () => {
    for (const [doc, link] of [
      [en, `[日本語](${JA})`],
      [ja, `[English](${EN})`],
    ] as const) {
      expect(doc.lines[0], `${doc.name} does not start with its title`).toMatch(/^# /);
      const first = doc.blocks[0];
      expect(first, `${doc.name} has no fenced block`).toBeDefined();
      const between = doc.lines.slice(1, first!.line - 1).filter((line) => line.trim() !== '');
      expect(between, `${doc.name}: text between the title and the commands`).toEqual([]);
      const after = first!.line + first!.text.split('\n').length - 1;
      const next = doc.lines.slice(after).find((line) => line.trim() !== '');
      expect(next?.trim(), `${doc.name}: the line after the commands is not ${link}`).toBe(link);
    }
  });
});
