import { describe, expect, it } from 'vitest';
import {
  buildDmarcRecord,
  classifyDmarcTxt,
  editDistance,
  formatDmarcRecord,
  lintDmarcRecord,
  MAX_DMARC_RECORD_BYTES,
  MAX_DMARC_TAGS,
  MAX_REPORT_URIS,
  MAX_TREE_WALK_QUERIES,
  nearestTags,
  nearestValue,
  parseReportUri,
  repairDmarcText,
  selectOrgDomain,
  suggestDmarcRecord,
  treeWalkDomains,
} from '../../src/records/dmarc/index.ts';
import { describeFinding, type Finding } from '../../src/records/finding.ts';

const codes = (findings: Finding[]) => findings.map((f) => f.code);
const lint = (text: string, ctx = {}) => lintDmarcRecord(text, ctx);
const findingFor = (text: string, code: string) => lint(text).findings.find((f) => f.code === code);

describe('classifyDmarcTxt', () => {
  it('accepts only records that start with v=DMARC1 (RFC 9989 s4.10 step 2)', () => {
    expect(classifyDmarcTxt('v=DMARC1; p=none').kind).toBe('dmarc');
    expect(classifyDmarcTxt('v = DMARC1 ;p=none').kind).toBe('dmarc');
    expect(classifyDmarcTxt('v=DMARC1').kind).toBe('dmarc');
    expect(classifyDmarcTxt('v=spf1 -all').kind).toBe('spf');
    expect(classifyDmarcTxt('google-site-verification=x').kind).toBe('other');
  });

  it('names each reason a DMARC-looking record is discarded', () => {
    expect(classifyDmarcTxt('\nv=DMARC1; p=none').flaws).toEqual(['leading-whitespace']);
    expect(classifyDmarcTxt('v=dmarc1; p=none').flaws).toEqual(['version-case']);
    expect(classifyDmarcTxt('"v=DMARC1; p=none"')).toEqual({
      kind: 'dmarc-flawed',
      flaws: ['text-before-version'],
      dmarcText: 'v=DMARC1; p=none',
    });
    expect(classifyDmarcTxt('&quot;v=DMARC1; p=reject&quot;').dmarcText).toBe('v=DMARC1; p=reject');
    expect(classifyDmarcTxt('v=DMARC1 p=none').flaws).toEqual(['version-not-terminated']);
    expect(classifyDmarcTxt('\nv=dmarc1').flaws).toEqual(['leading-whitespace', 'version-case']);
  });
});

describe('repairDmarcText', () => {
  it('undoes the usual publishing mistakes', () => {
    expect(repairDmarcText('v=dmarc1\\\\;p=none\\\\;fo=1')).toBe('v=DMARC1; p=none;fo=1');
    expect(repairDmarcText('v=DMARC1；p=reject；rua=mailto:a@example.jp')).toBe(
      'v=DMARC1;p=reject;rua=mailto:a@example.jp',
    );
    expect(repairDmarcText('v=DMARC1; p=none; fo=1 aspf=S')).toBe('v=DMARC1; p=none; fo=1; aspf=S');
    expect(repairDmarcText('v=DMARC1; ruf:mailto:a@example.jp')).toBe('v=DMARC1; ruf=mailto:a@example.jp');
    expect(repairDmarcText('v=DMARC1;\np=none')).toBe('v=DMARC1; p=none');
    expect(repairDmarcText('v=spf1 -all')).toBe('v=spf1 -all');
  });
});

describe('lintDmarcRecord: tags and defaults', () => {
  it('makes every default explicit (adkim=r, aspf=r, fo=0, psd=u, t=n, sp←p, np←p)', () => {
    const { record, accepted } = lint('v=DMARC1; p=reject; rua=mailto:d@example.jp');
    expect(accepted).toBe(true);
    const t = record!.tags;
    expect(t.p).toEqual({ value: 'reject', explicit: true });
    expect(t.sp).toEqual({ value: 'reject', explicit: false });
    expect(t.np).toEqual({ value: 'reject', explicit: false });
    expect(t.adkim).toEqual({ value: 'r', explicit: false });
    expect(t.aspf).toEqual({ value: 'r', explicit: false });
    expect(t.fo).toEqual({ value: ['0'], explicit: false });
    expect(t.psd).toEqual({ value: 'u', explicit: false });
    expect(t.t).toEqual({ value: 'n', explicit: false });
    expect(record!.effect).toBe('apply');
  });

  it('takes np from an explicit sp, else from p', () => {
    expect(lint('v=DMARC1; p=reject; sp=quarantine').record!.tags.np).toEqual({
      value: 'quarantine',
      explicit: false,
    });
    expect(lint('v=DMARC1; p=reject; np=none').record!.tags.np).toEqual({ value: 'none', explicit: true });
  });

  it('reads tag names and values case-insensitively', () => {
    const { record, findings } = lint('v=DMARC1; P=Reject; ADKIM=S; Fo=D:1; rua=MAILTO:d@Example.JP');
    expect(record!.tags.p.value).toBe('reject');
    expect(record!.tags.adkim.value).toBe('s');
    expect(record!.tags.fo.value).toEqual(['d', '1']);
    expect(record!.tags.rua.value[0]!.uri).toBe('mailto:d@Example.JP');
    expect(record!.tags.rua.value[0]!.host).toBe('example.jp');
    expect(codes(findings)).not.toContain('dmarc-invalid-value');
  });

  it('reads psd and t', () => {
    const t = lint('v=DMARC1; p=reject; psd=n; t=y').record!.tags;
    expect(t.psd).toEqual({ value: 'n', explicit: true });
    expect(t.t).toEqual({ value: 'y', explicit: true });
  });

  it('reads the first of duplicated tags and flags the second', () => {
    const r = lint('v=DMARC1; p=reject; p=none');
    expect(r.record!.tags.p.value).toBe('reject');
    expect(findingFor('v=DMARC1; p=reject; p=none', 'dmarc-duplicate-tag')!.args).toMatchObject({
      tag: 'p',
      first: 'reject',
      second: 'none',
    });
  });

  it('flags a second v tag as a duplicate', () => {
    expect(codes(lint('v=DMARC1; p=none; v=DMARC1').findings)).toContain('dmarc-duplicate-tag');
  });
});

describe('lintDmarcRecord: invalid values', () => {
  it('says which values are allowed and suggests the nearest (sp=non)', () => {
    const f = findingFor('v=DMARC1; p=reject; sp=non; rua=mailto:d@example.jp', 'dmarc-invalid-value')!;
    expect(f.args).toMatchObject({
      tag: 'sp',
      value: 'non',
      allowed: 'none, quarantine, reject',
      suggestion: 'none',
    });
    expect(describeFinding(f, 'en').message).toContain('did you mean sp=none?');
  });

  it('follows RFC 9989 s4.10.1: an invalid sp makes the record p=none when rua is usable', () => {
    const { record } = lint('v=DMARC1; p=reject; sp=non; rua=mailto:d@example.jp');
    expect(record!.effect).toBe('monitor');
    expect(
      findingFor('v=DMARC1; p=reject; sp=non; rua=mailto:d@example.jp', 'dmarc-invalid-value')!.args!.effect,
    ).toBe('monitor');
  });

  it('and makes the record do nothing without a usable rua', () => {
    expect(lint('v=DMARC1; p=rejet').record!.effect).toBe('ignore');
    expect(findingFor('v=DMARC1; p=rejet', 'dmarc-invalid-value')!.args).toMatchObject({
      suggestion: 'reject',
      effect: 'ignore',
    });
  });

  it('checks adkim, aspf, psd, t and fo', () => {
    expect(findingFor('v=DMARC1; p=none; adkim=relaxed', 'dmarc-invalid-value')!.args).toMatchObject({
      suggestion: 'r',
    });
    expect(findingFor('v=DMARC1; p=none; aspf=x', 'dmarc-invalid-value')!.args).toMatchObject({
      tag: 'aspf',
      allowed: 'r, s',
    });
    expect(findingFor('v=DMARC1; p=none; psd=yes', 'dmarc-invalid-value')!.args).toMatchObject({
      suggestion: 'y',
    });
    expect(findingFor('v=DMARC1; p=none; t=1', 'dmarc-invalid-value')!.args).toMatchObject({ tag: 't' });
    expect(findingFor('v=DMARC1; p=none; fo=2', 'dmarc-invalid-value')!.args).toMatchObject({ tag: 'fo' });
    expect(findingFor('v=DMARC1; p=none; fo=1:1', 'dmarc-invalid-value')!.args).toMatchObject({ tag: 'fo' });
  });

  it('spots a missing semicolon inside a value', () => {
    expect(findingFor('v=DMARC1; p=none; fo=1 aspf=S', 'dmarc-invalid-value')!.args).toMatchObject({
      hint: 'missing-semicolon',
    });
  });

  it('ignores invalid values of non-policy tags for the effect', () => {
    expect(lint('v=DMARC1; p=reject; adkim=x').record!.effect).toBe('apply');
  });
});

describe('lintDmarcRecord: syntax', () => {
  it('reports the grammar errors with their reason', () => {
    const reason = (text: string) => findingFor(text, 'dmarc-syntax-error')?.args?.reason;
    expect(reason('v=DMARC1; p=none; ruf:mailto:a@example.jp')).toBe('colon-for-equals');
    expect(reason('v=DMARC1; p=quarantine; dmarc specific text')).toBe('no-equals');
    expect(reason('v=DMARC1; p=none; fo=')).toBe('empty-value');
    expect(reason('v=DMARC1; p=none; a-b=c')).toBe('bad-name');
    expect(reason('v=DMARC1 p=none')).toBe('version-not-terminated');
    expect(reason('hello')).toBe('no-version');
  });

  it('names a full-width character typed with a Japanese input method', () => {
    const f = findingFor('v=DMARC1; p=reject；rua=mailto:a@example.jp', 'dmarc-syntax-error')!;
    expect(f.args).toMatchObject({
      reason: 'bad-character',
      char: '；',
      codePoint: 'U+FF1B',
      fullwidth: true,
    });
    expect(describeFinding(f, 'ja').message).toContain('全角文字');
  });

  it('tolerates, but reports, line breaks and empty tags', () => {
    const r = lint('v=DMARC1;\np=none;;rua=mailto:d@example.jp');
    expect(r.accepted).toBe(true);
    expect(r.record!.tags.p.value).toBe('none');
    expect(
      r.findings.filter((f) => f.code === 'dmarc-nonstandard-syntax').map((f) => f.args!.reason),
    ).toEqual(['line-break', 'empty-tag']);
  });

  it('accepts a trailing semicolon and spaces around = and ;', () => {
    const r = lint('v=DMARC1 ; p = reject ; rua=mailto:d@example.jp ;');
    expect(r.findings).toEqual([]);
    expect(r.record!.tags.p.value).toBe('reject');
  });

  it('flags records that receivers discard', () => {
    expect(codes(lint(' v=DMARC1; p=none').findings)).toContain('dmarc-leading-whitespace');
    expect(codes(lint('"v=DMARC1; p=none"').findings)).toContain('dmarc-text-before-version');
    const lower = lint('v=dmarc1; p=none');
    expect(lower.accepted).toBe(false);
    expect(lower.record!.tags.p.value).toBe('none');
    expect(codes(lower.findings)).toContain('dmarc-version-case');
    expect(
      describeFinding(lower.findings.find((f) => f.code === 'dmarc-version-case')!, 'en').message,
    ).toContain('case-sensitive');
  });

  it('refuses records longer than MAX_DMARC_RECORD_BYTES', () => {
    const big = `v=DMARC1; p=none; rua=mailto:${'a'.repeat(MAX_DMARC_RECORD_BYTES)}@example.jp`;
    const r = lint(big);
    expect(r.accepted).toBe(false);
    expect(r.record).toBeUndefined();
    expect(r.findings).toEqual([expect.objectContaining({ code: 'dmarc-record-too-large' })]);
    const justFits = `v=DMARC1; p=none; x=${'a'.repeat(MAX_DMARC_RECORD_BYTES - 20)}`;
    expect(Buffer.byteLength(justFits)).toBeLessThanOrEqual(MAX_DMARC_RECORD_BYTES);
    expect(codes(lint(justFits).findings)).not.toContain('dmarc-record-too-large');
  });

  it('reads at most MAX_DMARC_TAGS tags', () => {
    const many = [
      'v=DMARC1',
      ...Array.from({ length: MAX_DMARC_TAGS + 5 }, (_, i) => `x${'a'.repeat(i % 20)}=1`),
    ].join(';');
    expect(codes(lint(many).findings)).toEqual(['dmarc-record-too-large']);
    const enough = ['v=DMARC1', ...Array.from({ length: MAX_DMARC_TAGS - 1 }, () => 'x=1')].join(';');
    expect(codes(lint(enough).findings)).not.toContain('dmarc-record-too-large');
  });
});

describe('lintDmarcRecord: tags', () => {
  it('recognises the removed tags and says what replaces pct=0', () => {
    const r = lint('v=DMARC1; p=quarantine; pct=0; rf=afrf; ri=86400');
    expect(r.record!.removed.map((t) => t.name)).toEqual(['pct', 'rf', 'ri']);
    const pct = r.findings.find((f) => f.code === 'dmarc-removed-tag' && f.args!.tag === 'pct')!;
    expect(describeFinding(pct, 'en').fix).toBe('Replace pct=0 with t=y.');
  });

  it('suggests the tag an unknown one probably meant', () => {
    expect(findingFor('v=DMARC1; p=none; ps=reject', 'dmarc-unknown-tag')!.args).toMatchObject({ tag: 'ps' });
    expect(
      String(findingFor('v=DMARC1; p=none; ps=reject', 'dmarc-unknown-tag')!.args!.suggestion),
    ).toContain('sp');
    expect(findingFor('v=DMARC1; p=none; zzzzzz=1', 'dmarc-unknown-tag')!.args!.suggestion).toBeUndefined();
  });

  it('wants p, and second', () => {
    expect(findingFor('v=DMARC1; rua=mailto:d@example.jp', 'dmarc-policy-missing')!.args).toEqual({
      effect: 'monitor',
    });
    expect(lint('v=DMARC1; rua=mailto:d@example.jp').record!.tags.p).toEqual({
      value: 'none',
      explicit: false,
    });
    expect(findingFor('v=DMARC1; pct=100; p=none', 'dmarc-policy-not-second')!.args).toEqual({
      second: 'pct',
    });
    expect(findingFor('v=DMARC1; p=none; pct=100', 'dmarc-policy-not-second')).toBeUndefined();
  });

  it('explains p=none plainly, against having no record', () => {
    const f = findingFor('v=DMARC1; p=none; rua=mailto:d@example.jp', 'dmarc-policy-none')!;
    const en = describeFinding(f, 'en').message;
    expect(en).toContain('reports');
    expect(en).toContain('no record at all');
    expect(describeFinding(f, 'ja').message).toContain('レコードがまったくない場合');
  });

  it('compares sp and np with p', () => {
    expect(findingFor('v=DMARC1; p=reject; sp=none', 'dmarc-subdomain-policy-weaker')!.args).toEqual({
      sp: 'none',
      p: 'reject',
    });
    expect(findingFor('v=DMARC1; p=reject; sp=quarantine', 'dmarc-subdomain-policy-weaker')).toBeDefined();
    expect(findingFor('v=DMARC1; p=quarantine; sp=reject', 'dmarc-subdomain-policy-weaker')).toBeUndefined();
    expect(findingFor('v=DMARC1; p=none; sp=none', 'dmarc-subdomain-policy-none')).toBeDefined();
    expect(findingFor('v=DMARC1; p=reject; np=quarantine', 'dmarc-nonexistent-policy-weaker')).toBeDefined();
    expect(
      findingFor('v=DMARC1; p=quarantine; np=reject', 'dmarc-nonexistent-policy-weaker'),
    ).toBeUndefined();
  });

  it('explains t=y, as info when it changes nothing', () => {
    const f = findingFor('v=DMARC1; p=reject; t=y', 'dmarc-testing-mode')!;
    expect(f.severity).toBe('warning');
    expect(f.args).toEqual({ p: 'reject', applied: 'quarantine' });
    expect(findingFor('v=DMARC1; p=none; t=y', 'dmarc-testing-mode')!.severity).toBe('info');
  });

  it('wants parked domains at reject everywhere', () => {
    const parked = (text: string) =>
      lint(text, { parked: true }).findings.some((f) => f.code === 'dmarc-parked-not-reject');
    expect(parked('v=DMARC1; p=quarantine')).toBe(true);
    expect(parked('v=DMARC1; p=reject; sp=none')).toBe(true);
    expect(parked('v=DMARC1; p=reject; t=y')).toBe(true);
    expect(parked('v=DMARC1; p=reject')).toBe(false);
  });

  it('questions psd=y on a registered domain, not on a public suffix', () => {
    expect(codes(lint('v=DMARC1; p=reject; psd=y', { domain: 'example.jp' }).findings)).toContain(
      'dmarc-psd-not-public-suffix',
    );
    expect(codes(lint('v=DMARC1; p=reject; psd=y', { domain: 'jp' }).findings)).not.toContain(
      'dmarc-psd-not-public-suffix',
    );
  });

  it('checks fo against ruf', () => {
    expect(
      findingFor('v=DMARC1; p=none; ruf=mailto:f@example.jp; fo=0:1', 'dmarc-fo-conflict'),
    ).toBeDefined();
    expect(findingFor('v=DMARC1; p=none; fo=1', 'dmarc-fo-without-ruf')).toBeDefined();
    expect(
      findingFor('v=DMARC1; p=none; ruf=mailto:f@example.jp; fo=1', 'dmarc-fo-without-ruf'),
    ).toBeUndefined();
  });
});

describe('report URIs', () => {
  it('parses mailto and other schemes', () => {
    expect(parseReportUri('mailto:dmarc@example.jp')).toEqual({
      text: 'mailto:dmarc@example.jp',
      scheme: 'mailto',
      uri: 'mailto:dmarc@example.jp',
      address: 'dmarc@example.jp',
      host: 'example.jp',
    });
    expect(parseReportUri('https://reports.example.jp/dmarc').host).toBe('reports.example.jp');
    expect(parseReportUri('mailto:d@例え.jp').host).toBe('xn--r8jz45g.jp');
    expect(parseReportUri('mailto:d%40x@example.jp').address).toBe('d@x@example.jp');
  });

  it('strips the obsolete !size suffix', () => {
    expect(parseReportUri('mailto:d@example.jp!10m')).toMatchObject({
      uri: 'mailto:d@example.jp',
      sizeLimit: '10m',
    });
  });

  it('says why a URI is unusable and repairs the obvious', () => {
    expect(parseReportUri('mailto: d@example.jp')).toMatchObject({
      problem: 'whitespace',
      repaired: 'mailto:d@example.jp',
    });
    expect(parseReportUri('d@example.jp')).toMatchObject({
      problem: 'no-scheme',
      repaired: 'mailto:d@example.jp',
    });
    expect(parseReportUri('mailto:nobody')).toMatchObject({ problem: 'bad-address' });
    expect(parseReportUri('mailto:d@localhost')).toMatchObject({ problem: 'bad-host' });
    expect(parseReportUri('mailto:d@example.jp!x')).toMatchObject({ problem: 'unencoded-bang' });
    expect(parseReportUri('')).toMatchObject({ problem: 'empty' });
    expect(parseReportUri('https://')).toMatchObject({ problem: 'bad-url' });
    expect(parseReportUri('mailto:d@example.jp ...')).toMatchObject({
      problem: 'whitespace',
      repaired: 'mailto:d@example.jp',
    });
    expect(parseReportUri('rua=mailto:d@example.jp')).toMatchObject({
      problem: 'no-scheme',
      repaired: 'mailto:d@example.jp',
    });
    expect(parseReportUri('mailto:d@example.jp.')).toMatchObject({
      problem: 'bad-host',
      repaired: 'mailto:d@example.jp',
    });
    expect(parseReportUri('mailto:d@example.jp.ruf=mailto:e@example.jp')).toMatchObject({
      problem: 'bad-address',
    });
    expect(parseReportUri('MAILTO:d@example.jp')).toMatchObject({ uri: 'mailto:d@example.jp' });
  });

  it('produces the URI findings', () => {
    const text =
      'v=DMARC1; p=none; rua=mailto:a@example.jp,mailto:a@example.jp,https://r.example.jp/x,mailto:b@example.jp!5m';
    const found = codes(lint(text).findings);
    expect(found).toEqual(
      expect.arrayContaining([
        'dmarc-duplicate-uri',
        'dmarc-uri-not-mailto',
        'dmarc-report-size-limit',
        'dmarc-too-many-uris',
      ]),
    );
    expect(findingFor(text, 'dmarc-too-many-uris')!.args).toEqual({
      tag: 'rua',
      count: 3,
      max: MAX_REPORT_URIS,
    });
    const twoOnly = 'v=DMARC1; p=none; rua=mailto:a@example.jp,mailto:b@example.jp';
    expect(codes(lint(twoOnly).findings)).not.toContain('dmarc-too-many-uris');
    expect(findingFor('v=DMARC1; p=none; rua=dmarc@example.jp', 'dmarc-invalid-uri')!.args).toMatchObject({
      problem: 'no-scheme',
      repaired: 'mailto:dmarc@example.jp',
    });
  });

  it('wants rua, notes ruf', () => {
    expect(findingFor('v=DMARC1; p=none', 'dmarc-no-rua')!.args).toEqual({ published: false });
    expect(findingFor('v=DMARC1; p=none; rua=nothing', 'dmarc-no-rua')!.args).toEqual({ published: true });
    expect(findingFor('v=DMARC1; p=none; ruf=mailto:f@example.jp', 'dmarc-ruf-privacy')).toBeDefined();
  });
});

describe('typo helpers', () => {
  it('corrects only when one candidate is clearly meant', () => {
    expect(nearestValue('non', ['none', 'quarantine', 'reject'])).toBe('none');
    expect(nearestValue('quarantaine', ['none', 'quarantine', 'reject'])).toBe('quarantine');
    expect(nearestValue('qaurantine', ['none', 'quarantine', 'reject'])).toBe('quarantine');
    expect(nearestValue('none\\\\', ['none', 'quarantine', 'reject'])).toBe('none');
    expect(nearestValue('strict', ['r', 's'])).toBe('s');
    expect(nearestValue('x', ['r', 's'])).toBeUndefined();
    expect(nearestValue('monitor', ['none', 'quarantine', 'reject'])).toBeUndefined();
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(nearestTags('aspf')).toContain('aspf');
    expect(nearestTags('rau')).toContain('rua');
  });
});

describe('suggestDmarcRecord', () => {
  it('writes the canonical form with mistakes corrected', () => {
    expect(
      suggestDmarcRecord(
        'v=DMARC1; sp=non; p=quarantine; pct=50; rua=mailto:a@example.jp!10m,mailto:a@example.jp; fo=1',
      ),
    ).toBe('v=DMARC1; p=quarantine; sp=none; rua=mailto:a@example.jp');
  });

  it('turns pct=0 into t=y and drops removed and unknown tags', () => {
    expect(suggestDmarcRecord('v=DMARC1; p=reject; pct=0; rf=afrf; ri=3600; foo=bar')).toBe(
      'v=DMARC1; p=reject; t=y',
    );
  });

  it('repairs discarded records', () => {
    expect(suggestDmarcRecord('\\"v=dmarc1; p=none; rua=mailto: d@example.jp\\"')).toBe(
      'v=DMARC1; p=none; rua=mailto:d@example.jp',
    );
    expect(suggestDmarcRecord('v=DMARC1; p=none; fo=1 aspf=S; ruf:mailto:f@example.jp')).toBe(
      'v=DMARC1; p=none; aspf=s; ruf=mailto:f@example.jp; fo=1',
    );
    expect(suggestDmarcRecord('v=DMARC1; p=reject；rua=mailto:d@example.jp')).toBe(
      'v=DMARC1; p=reject; rua=mailto:d@example.jp',
    );
  });

  it('adds p=none when p is missing, drops values it cannot correct', () => {
    expect(suggestDmarcRecord('v=DMARC1; rua=mailto:d@example.jp; adkim=maybe')).toBe(
      'v=DMARC1; p=none; rua=mailto:d@example.jp',
    );
  });

  it('merges duplicate records: first values win, every report address kept', () => {
    expect(
      suggestDmarcRecord([
        'v=DMARC1; p=quarantine; rua=mailto:a@example.jp',
        'v=DMARC1; p=none; rua=mailto:b@example.jp; ruf=mailto:f@example.jp',
      ]),
    ).toBe('v=DMARC1; p=quarantine; rua=mailto:a@example.jp,mailto:b@example.jp; ruf=mailto:f@example.jp');
  });

  it('keeps the report addresses of a repeated rua tag', () => {
    expect(
      suggestDmarcRecord(
        'v=DMARC1; p=none; rua=mailto:a@example.jp, rua=mailto:b@example.jp; rua=mailto:c@example.jp',
      ),
    ).toBe('v=DMARC1; p=none; rua=mailto:a@example.jp,mailto:b@example.jp,mailto:c@example.jp');
  });

  it('keeps one of fo=0 and fo=1', () => {
    expect(suggestDmarcRecord('v=DMARC1; p=none; ruf=mailto:f@example.jp; fo=1:d:0')).toBe(
      'v=DMARC1; p=none; ruf=mailto:f@example.jp; fo=1:d',
    );
  });

  it('writes reject everywhere for a parked domain', () => {
    expect(
      suggestDmarcRecord('v=DMARC1; p=none; sp=none; t=y; rua=mailto:d@example.jp', { parked: true }),
    ).toBe('v=DMARC1; p=reject; rua=mailto:d@example.jp');
  });

  it('gives nothing for a non-DMARC text', () => {
    expect(suggestDmarcRecord('v=spf1 -all')).toBeUndefined();
  });

  it('produces records the linter accepts without errors', () => {
    for (const text of [
      'v=dmarc1;p=rejet;sp=quarentine;rua=dmarc@example.jp',
      '"v=DMARC1; p=none; ruf:mailto:x@example.jp"',
    ]) {
      const value = suggestDmarcRecord(text)!;
      const r = lint(value);
      expect(r.accepted).toBe(true);
      expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    }
  });
});

describe('buildDmarcRecord', () => {
  it('writes the record and the name to publish it at', () => {
    const built = buildDmarcRecord({
      domain: 'Example.JP.',
      policy: 'quarantine',
      rua: ['mailto:dmarc@example.jp'],
    });
    expect(built).toMatchObject({
      name: '_dmarc.example.jp',
      type: 'TXT',
      value: 'v=DMARC1; p=quarantine; rua=mailto:dmarc@example.jp',
      valid: true,
    });
    expect(built.findings).toEqual([]);
  });

  it('writes every option in canonical order', () => {
    const built = buildDmarcRecord({
      domain: 'example.jp',
      policy: 'Reject',
      subdomainPolicy: 'quarantine',
      nonexistentPolicy: 'reject',
      rua: ['mailto:a@example.jp'],
      ruf: ['mailto:f@example.jp'],
      adkim: 's',
      aspf: 's',
      fo: ['1', 'd'],
      testing: true,
      psd: 'n',
    });
    expect(built.value).toBe(
      'v=DMARC1; p=reject; sp=quarantine; np=reject; psd=n; t=y; adkim=s; aspf=s; rua=mailto:a@example.jp; ruf=mailto:f@example.jp; fo=1:d',
    );
    expect(built.valid).toBe(true);
    expect(codes(built.findings)).toEqual(
      expect.arrayContaining(['dmarc-testing-mode', 'dmarc-subdomain-policy-weaker']),
    );
  });

  it('lints the result: advice for p=none without rua, errors for bad options', () => {
    const advice = buildDmarcRecord({ domain: 'example.jp', policy: 'none' });
    expect(advice.valid).toBe(true);
    expect(codes(advice.findings)).toEqual(expect.arrayContaining(['dmarc-policy-none', 'dmarc-no-rua']));
    const bad = buildDmarcRecord({ domain: 'example.jp', policy: 'rejet', rua: ['dmarc@example.jp'] });
    expect(bad.valid).toBe(false);
    expect(codes(bad.findings)).toEqual(expect.arrayContaining(['dmarc-invalid-value', 'dmarc-invalid-uri']));
  });

  it('refuses options that would smuggle in tags', () => {
    const built = buildDmarcRecord({ policy: 'none; p=reject' });
    expect(built.valid).toBe(false);
    expect(built.findings[0]).toMatchObject({
      code: 'dmarc-syntax-error',
      args: { reason: 'separator-in-option', tag: 'p' },
    });
    expect(built.value).not.toContain(';p=reject');
    expect(buildDmarcRecord({ policy: 'none', rua: ['mailto:a@x.jp,mailto:b@y.jp'] }).valid).toBe(false);
  });

  it('refuses a name that is not a domain', () => {
    expect(() => buildDmarcRecord({ domain: 'not a domain', policy: 'none' })).toThrow(RangeError);
    expect(() => buildDmarcRecord({ domain: '', policy: 'none' })).toThrow(RangeError);
  });

  it('names the record relative to the zone when no domain is given', () => {
    expect(buildDmarcRecord({ policy: 'reject' })).toMatchObject({
      name: '_dmarc',
      value: 'v=DMARC1; p=reject',
    });
  });

  it('formats fields', () => {
    expect(formatDmarcRecord({ p: 'none', fo: ['1'] })).toBe('v=DMARC1; p=none');
  });
});

describe('tree walk names (RFC 9989 s4.10)', () => {
  it('asks every parent of a short name', () => {
    expect(treeWalkDomains('a.mail.example.com')).toEqual([
      'a.mail.example.com',
      'mail.example.com',
      'example.com',
      'com',
    ]);
  });

  it('jumps to seven labels and never asks more than eight names', () => {
    const walk = treeWalkDomains('a.b.c.d.e.f.g.h.i.j.mail.example.com');
    expect(walk).toEqual([
      'a.b.c.d.e.f.g.h.i.j.mail.example.com',
      'g.h.i.j.mail.example.com',
      'h.i.j.mail.example.com',
      'i.j.mail.example.com',
      'j.mail.example.com',
      'mail.example.com',
      'example.com',
      'com',
    ]);
    expect(walk).toHaveLength(MAX_TREE_WALK_QUERIES);
    expect(treeWalkDomains('a.b.c.d.e.f.g.h')).toHaveLength(8);
    expect(treeWalkDomains('a.b.c.d.e.f.g.h.i')).toHaveLength(8);
    expect(treeWalkDomains('a.b.c.d.e.f.g.h.i')[1]).toBe('c.d.e.f.g.h.i');
  });

  it('selects the organisational domain (s4.10.2)', () => {
    expect(selectOrgDomain('a.mail.example.com', [])).toBe('a.mail.example.com');
    expect(
      selectOrgDomain('a.mail.example.com', [
        { domain: 'mail.example.com', psd: 'u' },
        { domain: 'example.com', psd: 'u' },
      ]),
    ).toBe('example.com');
    expect(selectOrgDomain('a.mail.example.com', [{ domain: 'mail.example.com', psd: 'n' }])).toBe(
      'mail.example.com',
    );
    expect(selectOrgDomain('a.mail.example.com', [{ domain: 'com', psd: 'y' }])).toBe('example.com');
    expect(
      selectOrgDomain('giant.bank.example', [
        { domain: 'giant.bank.example', psd: 'u' },
        { domain: 'bank.example', psd: 'y' },
      ]),
    ).toBe('giant.bank.example');
    expect(selectOrgDomain('bank.example', [{ domain: 'bank.example', psd: 'y' }])).toBe('bank.example');
  });
});
