import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  AGGREGATE_MAX_COUNT,
  AGGREGATE_MAX_RECORDS,
  type AggregateRecord,
  parseAggregateReport,
  parseAggregateReportToObject,
  ReportError,
  type ReportWarning,
  XML_MAX_DEPTH,
  XML_MAX_EXTENSION_NODES,
  XML_MAX_FIELD_LENGTH,
  XML_MAX_TOKEN_LENGTH,
} from '../../src/reports/index.ts';
import { aggregateXml } from './fixtures/build.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

async function rejection(
  input: Parameters<typeof parseAggregateReport>[0],
  options = {},
): Promise<ReportError> {
  try {
    await parseAggregateReport(input, options);
  } catch (err) {
    if (err instanceof ReportError) return err;
    throw err;
  }
  throw new Error('expected a ReportError');
}

const warning = (report: { warnings: ReportWarning[] }, code: string, field?: string) =>
  report.warnings.find((w) => w.code === code && (field === undefined || w.field === field));

describe('aggregate reports: RFC 7489', () => {
  it('reads every field', async () => {
    const report = await parseAggregateReportToObject(fixture('rfc7489.xml'));
    expect(report.version).toBe('1.0');
    expect(report.namespace).toBeNull();
    expect(report.reporter).toEqual({
      orgName: 'Example Receiver',
      email: 'dmarc-reports@receiver.example',
      extraContactInfo: 'https://receiver.example/dmarc',
    });
    expect(report.metadata).toEqual({
      reportId: 'rpt-7489-001',
      reportIdRaw: 'rpt-7489-001',
      window: {
        begin: 1700000000,
        end: 1700086399,
        beginIso: '2023-11-14T22:13:20Z',
        endIso: '2023-11-15T22:13:19Z',
      },
      generator: null,
      errors: [],
    });
    expect(report.policyPublished).toEqual({
      domain: 'sender.example',
      adkim: 'r',
      aspf: 's',
      p: 'quarantine',
      sp: 'reject',
      np: null,
      pct: 50,
      fo: '1',
      testing: null,
      discoveryMethod: null,
      psd: null,
    });
    expect(report.recordCount).toBe(2);
    expect(report.messageCount).toBe(15);
    expect(report.records[0]).toEqual({
      sourceIp: '192.0.2.10',
      count: 12,
      policyEvaluated: { disposition: 'none', dkim: 'pass', spf: 'pass', reasons: [] },
      headerFrom: 'sender.example',
      envelopeFrom: 'bounce.sender.example',
      envelopeTo: 'receiver.example',
      authResults: {
        dkim: [{ domain: 'sender.example', selector: 's2023', result: 'pass', humanResult: null }],
        spf: [{ domain: 'bounce.sender.example', scope: 'mfrom', result: 'pass', humanResult: null }],
      },
      extensions: [],
    } satisfies AggregateRecord);
    expect(report.records[1]?.policyEvaluated.reasons).toEqual([
      { type: 'local_policy', comment: 'held for review' },
    ]);
    expect(report.records[1]?.authResults.spf[0]).toEqual({
      domain: 'spoof.example',
      scope: null,
      result: 'softfail',
      humanResult: null,
    });
    expect(report.warnings).toEqual([]);
  });
});

describe('aggregate reports: RFC 9990', () => {
  it('reads the namespace, np, psd, testing, discovery_method, generator, error and extensions', async () => {
    const report = await parseAggregateReportToObject(fixture('rfc9990.xml'));
    expect(report.namespace).toBe('urn:ietf:params:xml:ns:dmarc-2.0');
    expect(report.metadata.generator).toBe('Bis Reporter 2.1');
    expect(report.metadata.errors).toEqual(['DNS lookup of sender.example timed out once']);
    expect(report.policyPublished).toMatchObject({
      p: 'reject',
      sp: 'quarantine',
      np: 'reject',
      psd: 'n',
      testing: true,
      discoveryMethod: 'treewalk',
    });
    expect(report.extensions).toEqual([
      {
        name: 'extension',
        attributes: {},
        text: null,
        children: [
          {
            name: 'vendor:receiver',
            attributes: { 'xmlns:vendor': 'urn:example:vendor' },
            text: 'mx1.bis.example',
            children: [],
          },
        ],
      },
    ]);
    const [record] = report.records;
    expect(record?.sourceIp).toBe('2001:db8::25');
    expect(record?.policyEvaluated.disposition).toBe('pass');
    expect(record?.policyEvaluated.reasons).toEqual([{ type: 'policy_test_mode', comment: null }]);
    expect(record?.extensions[0]?.children[0]).toMatchObject({
      name: 'extension',
      attributes: { name: 'arc', definition: 'https://vendor.example/arc' },
    });
    // Extension content (vendor prefixes) is not reported as unknown or prefixed elements.
    expect(report.warnings.map((w) => w.code)).toEqual(['ip-normalised']);
  });
});

describe('aggregate reports: real-world quirks', () => {
  it('normalises and records every quirk in quirks.xml', async () => {
    const report = await parseAggregateReportToObject(fixture('quirks.xml'));
    // <script> stays verbatim: escaping is the UI's job.
    expect(report.reporter.orgName).toBe('<script>alert(1)</script>');
    expect(report.version).toBeNull();
    expect(report.namespace).toBe('http//dmarc.org/dmarc-xml/0.1');
    expect(report.metadata.reportId).toBe('1435111091.916236@relay.example');
    expect(report.metadata.reportIdRaw).toBe('<1435111091.916236@relay.example>');
    expect(report.metadata.window).toEqual({
      begin: 1339171200,
      end: 1339257599,
      beginIso: '2012-06-08T16:00:00Z',
      endIso: '2012-06-09T15:59:59Z',
    });
    expect(report.policyPublished).toMatchObject({
      domain: 'quirky.example',
      p: 'reject',
      sp: null,
      pct: null,
    });

    const [first, second] = report.records;
    expect(first?.sourceIp).toBe('192.0.2.33');
    expect(first?.count).toBe(0);
    expect(first?.policyEvaluated).toEqual({
      disposition: 'none',
      dkim: 'fail',
      spf: 'fail',
      reasons: [
        { type: null, comment: 'empty type' },
        { type: 'forwarded', comment: null },
      ],
    });
    expect(first?.headerFrom).toBe('quirky.example');
    expect(first?.envelopeFrom).toBeNull();
    expect(first?.authResults.dkim).toEqual([
      { domain: 'quirky.example', selector: null, result: 'pass', humanResult: 'good signature' },
      { domain: 'esp.example', selector: 'k1', result: 'temperror', humanResult: null },
    ]);
    expect(first?.authResults.spf).toEqual([
      { domain: 'quirky.example', scope: null, result: 'fail', humanResult: null },
      { domain: 'helo.quirky.example', scope: 'helo', result: null, humanResult: null },
    ]);
    expect(second?.sourceIp).toBeNull();
    expect(second?.count).toBe(5);
    expect(second?.policyEvaluated.disposition).toBeNull();
    expect(report.messageCount).toBe(5);

    for (const [code, field] of [
      ['unknown-namespace', undefined],
      ['prefixed-elements', undefined],
      ['fractional-epoch', 'report_metadata/date_range/begin'],
      ['fractional-epoch', 'report_metadata/date_range/end'],
      ['report-id-brackets', 'report_metadata/report_id'],
      ['value-case', 'policy_published/p'],
      ['empty-value', 'policy_published/sp'],
      ['invalid-value', 'policy_published/pct'],
      ['unknown-element', 'policy_published/rf'],
      ['ip-normalised', 'record/row/source_ip'],
      ['value-case', 'record/row/policy_evaluated/disposition'],
      ['value-alias', 'record/row/policy_evaluated/spf'],
      ['empty-reason', undefined],
      ['element-alias', 'record/identities'],
      ['multiple-auth-results', undefined],
      ['value-alias', 'record/auth_results/spf/result'],
      ['invalid-value', 'record/auth_results/spf/result'],
      ['invalid-source-ip', 'record/row/source_ip'],
      ['invalid-value', 'record/row/policy_evaluated/disposition'],
    ] as const) {
      expect(warning(report, code, field), `${code} ${field ?? ''}`).toBeDefined();
    }
    expect(warning(report, 'invalid-source-ip')?.example).toBe('not-an-ip');
  });

  it('skips a UTF-8 BOM and decodes a windows-1252 declaration', async () => {
    const bom = await parseAggregateReportToObject(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(aggregateXml())]),
    );
    expect(warning(bom, 'bom')).toBeDefined();
    const latin = aggregateXml().replace(
      '<?xml version="1.0"?>',
      '<?xml version="1.0" encoding="windows-1252"?>',
    );
    const bytes = Buffer.from(latin.replace('Builder', 'Soci\u00e9t\u00e9 \u20ac'), 'latin1');
    bytes[bytes.indexOf(0xac)] = 0x80; // the euro sign is 0x80 in windows-1252
    const report = await parseAggregateReportToObject(bytes);
    expect(report.reporter.orgName).toBe('Soci\u00e9t\u00e9 \u20ac');
    expect(warning(report, 'declared-encoding')?.example).toBe('windows-1252');
  });

  it('reads UTF-16 with a BOM', async () => {
    const text = aggregateXml().replace('Builder', '\u65e5\u672c');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const report = await parseAggregateReportToObject(utf16);
    expect(report.reporter.orgName).toBe('\u65e5\u672c');
  });

  it('reads UTF-16 without a BOM when a line break comes before the declaration', async () => {
    const text = `\r\n${aggregateXml()}`;
    for (const bytes of [Buffer.from(text, 'utf16le'), Buffer.from(text, 'utf16le').swap16()]) {
      const report = await parseAggregateReportToObject(bytes);
      expect(report.reporter.orgName).toBe('Builder');
    }
  });

  it('reads bytes that are not UTF-8 in an undeclared report as windows-1252, with a warning', async () => {
    const bytes = Buffer.from(aggregateXml().replace('Builder', 'Soci\u00e9t\u00e9 \u00ff'), 'latin1');
    const report = await parseAggregateReportToObject(bytes);
    expect(report.reporter.orgName).toBe('Soci\u00e9t\u00e9 \u00ff');
    expect(warning(report, 'latin1-bytes')).toBeDefined();
    expect(warning(report, 'invalid-bytes-replaced')).toBeUndefined();
  });

  it('reads UTF-8 beside Latin-1 bytes, and characters split between chunks, as they were written', async () => {
    // A UTF-8 report with one Latin-1 name: each sequence read as what it is.
    const xml = aggregateXml().replace('Builder', '\u65e5\u672c M\u00fcller');
    const bytes = Buffer.from(xml);
    const latin = bytes.indexOf(Buffer.from('\u00fc'));
    const mixed = Buffer.concat([bytes.subarray(0, latin), Buffer.from([0xfc]), bytes.subarray(latin + 2)]);
    const report = await parseAggregateReportToObject(mixed);
    expect(report.reporter.orgName).toBe('\u65e5\u672c M\u00fcller');
    // Streamed a byte at a time: each character's bytes come in separate chunks.
    const oneByOne = async function* () {
      for (const byte of mixed) yield Buffer.from([byte]);
    };
    expect((await parseAggregateReportToObject(oneByOne())).reporter.orgName).toBe(
      '\u65e5\u672c M\u00fcller',
    );
    const utf8 = async function* () {
      for (const byte of bytes) yield Buffer.from([byte]);
    };
    const clean = await parseAggregateReportToObject(utf8());
    expect(clean.reporter.orgName).toBe('\u65e5\u672c M\u00fcller');
    expect(clean.warnings).toEqual([]);
  });

  it('reads reports without records, with the header and counts', async () => {
    const xml = aggregateXml().replace(/<record>.*<\/record>/, '');
    const headers: string[] = [];
    const report = await parseAggregateReport(xml, {
      onHeader: (h) => void headers.push(h.metadata.reportId),
    });
    expect(headers).toEqual(['built-1']);
    expect(report.recordCount).toBe(0);
    expect(warning(report, 'no-records')).toBeDefined();
  });

  it('reads elements in another order than the XSD, and date_range first', async () => {
    const xml =
      '<feedback><record><row><count>2</count><source_ip>192.0.2.5</source_ip></row></record>' +
      '<version>1.0</version></feedback>';
    // Records before the metadata cannot be attributed: the missing field is named.
    await expect(parseAggregateReport(xml)).rejects.toMatchObject({ code: 'aggregate-missing-field' });
    const reordered = aggregateXml().replace(
      /<report_metadata>(.*?)(<date_range>.*?<\/date_range>)/,
      '<report_metadata>$2$1',
    );
    const report = await parseAggregateReportToObject(reordered);
    expect(report.metadata.window.begin).toBe(1700000000);
  });

  it('converts millisecond and ISO 8601 windows, and flags reversed windows', async () => {
    const ms = await parseAggregateReportToObject(
      aggregateXml({ begin: '1700000000000', end: '1700086399000' }),
    );
    expect(ms.metadata.window.begin).toBe(1700000000);
    expect(warning(ms, 'epoch-milliseconds')).toBeDefined();
    const iso = await parseAggregateReportToObject(
      aggregateXml({ begin: '2023-11-14T22:13:20Z', end: '1700000000' }),
    );
    expect(iso.metadata.window.begin).toBe(1700000000);
    const reversed = await parseAggregateReportToObject(
      aggregateXml({ begin: '1700086399', end: '1700000000' }),
    );
    expect(warning(reversed, 'window-reversed')).toBeDefined();
  });

  it('canonicalises IPv6 and IPv4-mapped addresses', async () => {
    const report = await parseAggregateReportToObject(
      aggregateXml({
        records: [
          { ip: '2001:0DB8:0000:0000:0000:0000:0000:0001' },
          { ip: '::ffff:198.51.100.1' },
          { ip: '2001:db8::1' },
        ],
      }),
    );
    expect(report.records.map((r) => r.sourceIp)).toEqual(['2001:db8::1', '198.51.100.1', '2001:db8::1']);
  });

  it('accepts a whole count written as a decimal, with a warning', async () => {
    const report = await parseAggregateReportToObject(aggregateXml({ records: [{ count: '4.0' }] }));
    expect(report.records[0]?.count).toBe(4);
    expect(warning(report, 'value-alias', 'record/row/count')).toBeDefined();
  });
});

describe('aggregate reports: streaming', () => {
  it('delivers records one by one, after the header, awaiting the callback', async () => {
    const xml = aggregateXml({
      records: [{ ip: '192.0.2.1' }, { ip: '192.0.2.2', count: 3 }],
      repeat: 5_000,
    });
    const events: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const report = await parseAggregateReport(Readable.from([Buffer.from(xml)]), {
      onHeader: (header) => {
        events.push(`header ${header.reporter.orgName}`);
      },
      onRecord: async (record, index) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        if (index < 2) events.push(`record ${record.sourceIp}`);
      },
    });
    expect(events).toEqual(['header Builder', 'record 192.0.2.1', 'record 192.0.2.2']);
    expect(maxInFlight).toBe(1);
    expect(report.recordCount).toBe(10_000);
    expect(report.messageCount).toBe(20_000);
  });

  it('reads string, Buffer and chunked stream inputs alike, whatever the chunk boundaries', async () => {
    const xml = readFileSync(new URL('./fixtures/rfc9990.xml', import.meta.url), 'utf8');
    const whole = await parseAggregateReportToObject(xml);
    const bytes = Buffer.from(xml);
    const pieces = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) =>
      bytes.subarray(i * 7, i * 7 + 7),
    );
    const chunked = await parseAggregateReportToObject(Readable.from(pieces));
    expect(chunked).toEqual(whole);
  });

  it('rejects a report whose records come after a failure, after delivering the earlier ones', async () => {
    const xml = aggregateXml({ records: [{}, { count: -1 }] });
    const seen: number[] = [];
    const err = await rejection(xml, { onRecord: (_r: AggregateRecord, i: number) => void seen.push(i) });
    expect(err.code).toBe('aggregate-invalid-count');
    expect(err.args).toMatchObject({ record: 2, value: '-1' });
  });
});

describe('aggregate reports: invalid values', () => {
  it.each([
    ['-5', 'negative'],
    ['12abc', 'not a number'],
    ['99999999999999999999', 'larger than AGGREGATE_MAX_COUNT'],
    ['1e3', 'exponent'],
  ])('rejects the count %s (%s)', async (count) => {
    const err = await rejection(aggregateXml({ records: [{ count }] }));
    expect(err.code).toBe('aggregate-invalid-count');
    expect(err.args.limit).toBe(AGGREGATE_MAX_COUNT);
  });

  it('reads a missing count as 0 with a warning', async () => {
    const report = await parseAggregateReportToObject(aggregateXml().replace('<count>1</count>', ''));
    expect(report.records[0]?.count).toBe(0);
    expect(warning(report, 'missing-count')).toBeDefined();
  });

  it.each([
    ['yesterday', 'begin'],
    ['-1', 'begin'],
    ['99999999999999', 'begin'],
    ['', 'begin'],
  ])('rejects the window bound "%s"', async (begin) => {
    const err = await rejection(aggregateXml({ begin }));
    expect(err.code).toBe(begin === '' ? 'aggregate-missing-field' : 'aggregate-invalid-date');
  });

  it.each(['org_name', 'report_id'])('rejects a report without %s', async (field) => {
    const err = await rejection(aggregateXml().replace(new RegExp(`<${field}>[^<]*</${field}>`), ''));
    expect(err).toMatchObject({ code: 'aggregate-missing-field', args: { field } });
  });

  it('rejects a report without a policy domain', async () => {
    const err = await rejection(aggregateXml().replace('<domain>sender.example</domain>', ''));
    expect(err.args.field).toBe('policy_published/domain');
  });
});

describe('aggregate reports: hostile and malformed input', () => {
  it('refuses a DOCTYPE (billion laughs) without expanding anything', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><feedback><report_metadata><org_name>&lol3;</org_name></report_metadata></feedback>';
    const err = await rejection(laughs);
    expect(err.code).toBe('xml-doctype-forbidden');
    expect(err.args.source).toContain('<!DOCTYPE lolz');
  });

  it('refuses an external entity (XXE)', async () => {
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE feedback [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${aggregateXml()
      .replace(/^<\?xml[^>]*>/, '')
      .replace('Builder', '&xxe;')}`;
    expect((await rejection(xxe)).code).toBe('xml-doctype-forbidden');
  });

  it('refuses a DOCTYPE split across stream chunks', async () => {
    const xml = '<?xml version="1.0"?><!DOC' + 'TYPE feedback SYSTEM "http://evil.example/x.dtd"><feedback/>';
    const err = await rejection(Readable.from([Buffer.from(xml.slice(0, 25)), Buffer.from(xml.slice(25))]));
    expect(err.code).toBe('xml-doctype-forbidden');
  });

  it('does not resolve undeclared entities', async () => {
    const err = await rejection(aggregateXml().replace('Builder', '&ext;'));
    expect(err.code).toBe('xml-not-well-formed');
  });

  it('reports where XML is not well-formed', async () => {
    const err = await rejection('<feedback>\n<report_metadata>\n</feedback>');
    expect(err.code).toBe('xml-not-well-formed');
    expect(err.args.line).toBe(3);
    expect(String(err.args.detail)).toMatch(/close tag/);
  });

  it('rejects truncated XML', async () => {
    const xml = aggregateXml({ repeat: 3 });
    expect((await rejection(xml.slice(0, xml.length - 40))).code).toBe('xml-not-well-formed');
  });

  it('rejects what is not XML, and XML that is not a report', async () => {
    expect(await rejection('unused')).toMatchObject({ code: 'not-xml', args: { start: 'unused' } });
    expect(await rejection('')).toMatchObject({ code: 'empty-input' });
    expect(await rejection('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>')).toMatchObject({
      code: 'not-a-dmarc-report',
      args: { root: 'xs:schema' },
    });
  });

  it('rejects an unsupported encoding declaration', async () => {
    const xml = aggregateXml().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="x-klingon"?>');
    expect(await rejection(Buffer.from(xml))).toMatchObject({
      code: 'xml-encoding-unsupported',
      args: { encoding: 'x-klingon' },
    });
  });

  it(`caps nesting at XML_MAX_DEPTH (${XML_MAX_DEPTH})`, async () => {
    const deep = (n: number) => `<feedback>${'<extension>'.repeat(n)}${'</extension>'.repeat(n)}</feedback>`;
    await expect(parseAggregateReport(deep(XML_MAX_DEPTH))).rejects.toMatchObject({ code: 'xml-too-deep' });
    await expect(parseAggregateReport(deep(XML_MAX_DEPTH - 2))).rejects.toMatchObject({
      code: 'aggregate-missing-field',
    });
  });

  it(`caps one value at XML_MAX_FIELD_LENGTH (${XML_MAX_FIELD_LENGTH}) characters`, async () => {
    const at = aggregateXml().replace('Builder', 'x'.repeat(XML_MAX_FIELD_LENGTH));
    expect((await parseAggregateReportToObject(at)).reporter.orgName).toHaveLength(XML_MAX_FIELD_LENGTH);
    const over = aggregateXml().replace('Builder', 'x'.repeat(XML_MAX_FIELD_LENGTH + 1));
    expect(await rejection(over)).toMatchObject({
      code: 'xml-field-too-long',
      args: { field: 'report_metadata/org_name' },
    });
    const attribute = aggregateXml().replace(
      '<feedback>',
      `<feedback a="${'y'.repeat(XML_MAX_FIELD_LENGTH + 1)}">`,
    );
    expect((await rejection(attribute)).code).toBe('xml-field-too-long');
  });

  it(`caps runs without element boundaries at XML_MAX_TOKEN_LENGTH (${XML_MAX_TOKEN_LENGTH})`, async () => {
    const comment = aggregateXml().replace(
      '<report_metadata>',
      `<report_metadata><!--${'z'.repeat(2 * XML_MAX_TOKEN_LENGTH)}-->`,
    );
    expect((await rejection(comment)).code).toBe('xml-token-too-long');
  });

  it(`caps extension blocks at XML_MAX_EXTENSION_NODES (${XML_MAX_EXTENSION_NODES}) elements`, async () => {
    const many = (n: number) => aggregateXml({ extra: `<extension>${'<x/>'.repeat(n)}</extension>` });
    expect(
      (await parseAggregateReportToObject(many(XML_MAX_EXTENSION_NODES - 1))).extensions[0]?.children,
    ).toHaveLength(XML_MAX_EXTENSION_NODES - 1);
    expect((await rejection(many(XML_MAX_EXTENSION_NODES))).code).toBe('xml-too-many-extension-nodes');
  });

  it(`caps records at AGGREGATE_MAX_RECORDS (${AGGREGATE_MAX_RECORDS}), empty records included`, async () => {
    // 10^6 + 1 empty records: 9 MB of XML that gzip shrinks to a few KB (dmarc-srg PR #193).
    const bomb = aggregateXml().replace(
      /<record>.*<\/record>/,
      '<record/>'.repeat(AGGREGATE_MAX_RECORDS + 1),
    );
    const err = await rejection(bomb);
    expect(err).toMatchObject({ code: 'aggregate-too-many-records', args: { limit: AGGREGATE_MAX_RECORDS } });
    const small = await rejection(aggregateXml({ repeat: 4 }), { limits: { maxRecords: 3 } });
    expect(small.code).toBe('aggregate-too-many-records');
  });
});
