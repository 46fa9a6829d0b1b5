import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDkimKeyRecord } from '../../src/records/dkim/index.ts';

/**
 * The DNS key records in the shared DKIM corpus (RFC 6376 appendix C, dkimpy, mailauth,
 * stalwart), each with the verdict a receiver would reach. Read in place, never copied.
 */
const repoRoot = path.resolve(import.meta.dirname, '../..');
const suite = path.resolve(repoRoot, '../shared/corpus/suites/dkim');
const present = existsSync(suite);
if (!present) console.log(`DKIM corpus tests skipped: ${suite} is absent`);

const read = (file: string) => readFileSync(path.join(suite, file), 'utf8');

interface Case {
  source: string;
  record: string;
  usable: boolean;
  codes: string[];
  bits?: number;
}

function dkimpy(file: string, usable: boolean, codes: string[], bits?: number): Case {
  const c: Case = { source: `dkimpy/${file}`, record: read(`dkimpy/${file}`).trim(), usable, codes };
  if (bits !== undefined) c.bits = bits;
  return c;
}

/** The zone-file record in RFC 6376 appendix C: quoted strings inside TXT ( ... ). */
function rfcAppendixRecord(): string {
  const text = read('rfc/rfc6376.txt');
  const group = /brisbane\s+IN\s+TXT\s+\(([^)]*)\)/.exec(text)?.[1] ?? '';
  return [...group.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('');
}

/** "name record" lines before the first blank line of a stalwart test message. */
function stalwart(file: string): { name: string; record: string }[] {
  const head = read(`stalwart/${file}`).split(/\r?\n\r?\n/)[0]!;
  return head.split(/\r?\n/).map((line) => {
    const space = line.indexOf(' ');
    return { name: line.slice(0, space), record: line.slice(space + 1) };
  });
}

/** A PEM public key as it would be published in p=. */
function pemBody(file: string): string {
  return read(file)
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('-----'))
    .join('');
}

describe.skipIf(!present)('DKIM corpus key records (skipped: ../shared/corpus absent)', () => {
  const cases: Case[] = present
    ? [
        {
          source: 'rfc/rfc6376.txt appendix C',
          record: rfcAppendixRecord(),
          usable: true,
          codes: ['dkim-key-short'],
          bits: 1024,
        },
        dkimpy('test.txt', true, ['dkim-unknown-tag', 'dkim-key-short'], 1024),
        dkimpy('test2.txt', true, ['dkim-unknown-tag', 'dkim-key-short'], 1024),
        // k=ed25519-sha256 is not a key type: verifiers ignore the key.
        dkimpy('badk.txt', false, ['dkim-unknown-tag', 'dkim-key-type-unknown']),
        // "v=DKIM1:" makes the version "DKIM1: g=*", so the record is discarded.
        dkimpy('badversion.txt', false, ['dkim-version-invalid', 'dkim-key-short'], 1024),
        // The last base64 quantum is altered: the DER no longer decodes.
        dkimpy('test_bad.txt', false, ['dkim-unknown-tag', 'dkim-key-invalid']),
        // s=tlsrpt: a key for TLS reports, not for email.
        dkimpy('test_tlsrpt.txt', false, ['dkim-not-for-email', 'dkim-unknown-tag', 'dkim-key-short'], 1024),
        dkimpy('ed25519test.dns', true, [], 256),
        dkimpy('eximtest.dns', true, [], 256),
        ...Object.entries(
          JSON.parse(read('mailauth/dkim/ec/fixtures/dns.json')) as Record<string, { TXT?: string[][] }>,
        )
          .filter(([name]) => name.includes('._domainkey.'))
          .flatMap(([name, rrs]) =>
            (rrs.TXT ?? []).map((strings) => {
              const record = strings.join('');
              const ed = record.includes('k=ed25519');
              return {
                source: `mailauth dns.json ${name}`,
                record,
                usable: true,
                codes: ed ? [] : ['dkim-key-short'],
                bits: ed ? 256 : 1024,
              };
            }),
          ),
        {
          source: 'mailauth fixtures/public-rsa.pem',
          record: `v=DKIM1; k=rsa; p=${pemBody('mailauth/fixtures/public-rsa.pem')}`,
          usable: true,
          codes: [],
          bits: 2048,
        },
        {
          source: 'mailauth fixtures/public-small.pem',
          record: `v=DKIM1; k=rsa; p=${pemBody('mailauth/fixtures/public-small.pem')}`,
          usable: false,
          codes: ['dkim-key-weak'],
          bits: 512,
        },
        ...['001.txt', '002.txt', '003.txt', '004.txt', '005.txt', '006.txt'].flatMap((file) =>
          stalwart(file).map(({ name, record }) => {
            const ed = record.includes('k=ed25519');
            // 002 publishes a bare PKCS#1 RSAPublicKey (the RFC 6376 appendix A key).
            const pkcs1 = file === '002.txt';
            return {
              source: `stalwart/${file} ${name}`,
              record,
              usable: true,
              codes: ed ? [] : pkcs1 ? ['dkim-key-pkcs1', 'dkim-key-short'] : ['dkim-key-short'],
              bits: ed ? 256 : 1024,
            };
          }),
        ),
      ]
    : [];

  it('finds the key records in the corpus', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(cases[0]!.record).toMatch(/^v=DKIM1; p=MIGf/);
  });

  it.each(cases)('$source', ({ record, usable, codes, bits }) => {
    const result = parseDkimKeyRecord(record);
    expect(result.findings.map((f) => f.code)).toEqual(codes);
    expect(result.record.usable).toBe(usable);
    if (bits !== undefined) expect(result.record.key?.bits).toBe(bits);
  });
});
