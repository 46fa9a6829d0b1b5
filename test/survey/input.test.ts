import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  DomainListError,
  type InputLine,
  MAX_INPUT_FIELD,
  normaliseListDomain,
  readDomainList,
} from '../../src/survey/input.ts';

async function read(text: string | string[]): Promise<InputLine[]> {
  const out: InputLine[] = [];
  for await (const line of readDomainList(Readable.from(Array.isArray(text) ? text : [text]))) out.push(line);
  return out;
}

describe('domain list input', () => {
  it('reads plain text, one domain per line, skipping blanks and comments', async () => {
    expect(await read('# a list\nexample.co.jp\n\nExample.JP.\nwww.example.com\n')).toEqual([
      { line: 2, item: { domain: 'example.co.jp' } },
      { line: 4, item: { domain: 'example.jp' } },
      { line: 5, item: { domain: 'www.example.com' } },
    ]);
  });

  it('reads CRLF line ends', async () => {
    expect(await read('a.jp\r\nb.jp\r\n\r\nc.jp\r\n')).toEqual([
      { line: 1, item: { domain: 'a.jp' } },
      { line: 2, item: { domain: 'b.jp' } },
      { line: 4, item: { domain: 'c.jp' } },
    ]);
  });

  it('reads CSV columns domain, category, organisation by position', async () => {
    expect(await read('a.co.jp,retail,"Example, Inc."\nb.co.jp,bank\n')).toEqual([
      { line: 1, item: { domain: 'a.co.jp', category: 'retail', organisation: 'Example, Inc.' } },
      { line: 2, item: { domain: 'b.co.jp', category: 'bank' } },
    ]);
  });

  it('reads columns named by a header row, in any order, after a BOM', async () => {
    expect(await read('\uFEFForganization,domain,sector\nExample KK,a.co.jp,retail\n')).toEqual([
      { line: 2, item: { domain: 'a.co.jp', category: 'retail', organisation: 'Example KK' } },
    ]);
    expect(await read('組織名,ドメイン\n例え株式会社,b.co.jp\n')).toEqual([
      { line: 2, item: { domain: 'b.co.jp', organisation: '例え株式会社' } },
    ]);
  });

  it('turns internationalised names into A-labels', async () => {
    expect(normaliseListDomain('例え.東京.jp')).toBe('xn--r8jz45g.xn--1lqs71d.jp');
    expect(normaliseListDomain('ＥＸＡＭＰＬＥ.jp')).toBe('example.jp');
  });

  it('reports lines that are not domains, with their line numbers', async () => {
    const lines = await read('good.jp\nnot a domain\nlocalhost\n-bad-.jp\na..jp\nhttps://example.jp/\n');
    expect(lines.filter((l) => 'invalid' in l).map((l) => l.line)).toEqual([2, 3, 4, 5, 6]);
    expect(normaliseListDomain(`${'a'.repeat(64)}.jp`)).toBeUndefined();
    expect(normaliseListDomain(`${'a.'.repeat(130)}jp`)).toBeUndefined();
  });

  it('treats a field longer than MAX_INPUT_FIELD as not a domain, and cuts long category names', async () => {
    expect(MAX_INPUT_FIELD).toBe(1024);
    const lines = await read(
      `${'a'.repeat(MAX_INPUT_FIELD + 1)}.jp\nb.jp,${'c'.repeat(MAX_INPUT_FIELD + 10)}\n`,
    );
    expect('invalid' in lines[0]!).toBe(true);
    expect((lines[1] as { item: { category: string } }).item.category).toHaveLength(MAX_INPUT_FIELD);
  });

  it('reads lines split across chunks', async () => {
    expect(await read(['exam', 'ple.jp\nb.j', 'p\n'])).toEqual([
      { line: 1, item: { domain: 'example.jp' } },
      { line: 2, item: { domain: 'b.jp' } },
    ]);
  });

  it('reads a file by path, and says so when it is missing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sumi-survey-'));
    const file = path.join(dir, 'list.txt');
    writeFileSync(file, 'a.jp\nb.jp\n');
    const out: InputLine[] = [];
    for await (const line of readDomainList(file)) out.push(line);
    expect(out).toHaveLength(2);
    const missing = async () => {
      for await (const _ of readDomainList(path.join(dir, 'missing.txt')));
    };
    await expect(missing()).rejects.toThrow(DomainListError);
  });
});
