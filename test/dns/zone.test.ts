import { describe, expect, it } from 'vitest';
import { Zone, ZoneFileError } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';

const zoneFile = `
$ORIGIN example.jp.
$TTL 600
@        IN TXT "v=spf1 include:_spf.example.net" " -all"   ; two strings
@        MX 10 mx1
         MX 20 mx2.example.net.
mx1      A 192.0.2.1
         AAAA 2001:db8::1
_dmarc   TXT "v=DMARC1; p=none"
alias    CNAME target
target   TXT "at the target"
loop1    CNAME loop2
loop2    CNAME loop1
*.wild   TXT "wildcard"
a.b.deep A 192.0.2.9
bad      TXT "caf\\233 \\"quoted\\""
dkim._domainkey TXT ( "v=DKIM1; k=rsa; "
                      "p=MIGf" )
broken   SERVFAIL TXT
broken   A 192.0.2.2
slow     TIMEOUT
nullmx   MX 0 .
old      SPF "v=spf1 -all"
`;

describe('Zone.parse', () => {
  const zone = Zone.parse(zoneFile);
  const resolver = new ZoneResolver(zone);

  it('reads multi-string TXT records and keeps the string boundaries', async () => {
    const r = await resolver.lookup('example.jp', 'TXT');
    expect(r.status).toBe('ok');
    expect(r.records[0]).toEqual({
      text: 'v=spf1 include:_spf.example.net -all',
      strings: ['v=spf1 include:_spf.example.net', ' -all'],
      lengths: [31, 5],
    });
  });

  it('continues records over parentheses and omitted owners', async () => {
    expect((await resolver.lookup('dkim._domainkey.example.jp', 'TXT')).records[0]?.text).toBe(
      'v=DKIM1; k=rsa; p=MIGf',
    );
    expect((await resolver.lookup('example.jp', 'MX')).records).toEqual([
      { preference: 10, exchange: 'mx1.example.jp' },
      { preference: 20, exchange: 'mx2.example.net' },
    ]);
    expect((await resolver.lookup('mx1.example.jp', 'AAAA')).records).toEqual(['2001:db8::1']);
  });

  it('tells NXDOMAIN from NODATA, including empty non-terminals', async () => {
    expect((await resolver.lookup('nope.example.jp', 'TXT')).status).toBe('nxdomain');
    expect((await resolver.lookup('mx1.example.jp', 'TXT')).status).toBe('nodata');
    expect((await resolver.lookup('b.deep.example.jp', 'A')).status).toBe('nodata');
  });

  it('follows CNAMEs and reports the chain; a loop is a server failure', async () => {
    const r = await resolver.lookup('alias.example.jp', 'TXT');
    expect(r).toMatchObject({ status: 'ok', cnames: ['target.example.jp'] });
    expect((await resolver.lookup('loop1.example.jp', 'TXT')).status).toBe('servfail');
  });

  it('synthesises wildcard answers', async () => {
    expect((await resolver.lookup('x.wild.example.jp', 'TXT')).records[0]?.text).toBe('wildcard');
  });

  it('decodes escapes; invalid UTF-8 is flagged and kept as Latin-1', async () => {
    const r = await resolver.lookup('bad.example.jp', 'TXT');
    expect(r.records[0]).toMatchObject({ text: 'café "quoted"', invalidUtf8: true });
  });

  it('misbehaves per name and type', async () => {
    expect((await resolver.lookup('broken.example.jp', 'TXT')).status).toBe('servfail');
    expect((await resolver.lookup('broken.example.jp', 'A')).status).toBe('ok');
    expect((await resolver.lookup('slow.example.jp', 'A')).status).toBe('timeout');
  });

  it('serves null MX and type-99 SPF records', async () => {
    expect((await resolver.lookup('nullmx.example.jp', 'MX')).records).toEqual([
      { preference: 0, exchange: '' },
    ]);
    expect((await resolver.lookup('old.example.jp', 'SPF')).records[0]?.text).toBe('v=spf1 -all');
  });

  it('rejects bad zone files with the line number', () => {
    expect(() => Zone.parse('x A 999.1.1.1')).toThrow(ZoneFileError);
    expect(() => Zone.parse('\n\nx BOGUS 1')).toThrow(/line 3: unsupported record type BOGUS/);
    expect(() => Zone.parse(`x TXT "${'a'.repeat(256)}"`)).toThrow(/255 bytes/);
    expect(() => Zone.parse('x TXT "open')).toThrow(/unterminated/);
    expect(() => Zone.parse('  A 192.0.2.1')).toThrow(/without an owner/);
  });
});

describe('ZoneResolver over programmatic zones', () => {
  it('returns names in canonical form whatever case the zone was written in', async () => {
    const zone = new Zone().add('Alias.Example.', 'CNAME', 'Target.EXAMPLE.').add('target.example', 'MX', {
      preference: 1,
      exchange: 'MX.Example.',
    });
    const r = await new ZoneResolver(zone).lookup('alias.example', 'MX');
    expect(r).toMatchObject({
      cnames: ['target.example'],
      records: [{ preference: 1, exchange: 'mx.example' }],
    });
  });
});
