import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { describe, expect, it } from 'vitest';
import {
  MAX_SVG_BYTES,
  MAX_SVG_DEPTH,
  MAX_SVG_ELEMENTS,
  MAX_SVG_FINDINGS,
  parseViewBox,
  validateBimiSvg,
} from '../../src/records/bimi/svg.ts';
import { SVG_TINY_PS } from '../../src/records/bimi/svg-profile.ts';

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus/suites/bimi/mail-bimi');
const hasCorpus = existsSync(corpus);

/** A valid SVG Tiny PS logo (written for these tests). */
function svg(
  body = '<rect width="100" height="100" fill="#036"/>',
  root = '',
  title = '<title>Example K.K.</title>',
) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.2" baseProfile="tiny-ps" viewBox="0 0 100 100"${root}>${title}${body}</svg>`;
}

const check = (text: string | Buffer) =>
  validateBimiSvg(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), 'https://example.com/logo.svg');
const codes = (text: string | Buffer) => check(text).findings.map((f) => f.code);
const rules = (text: string | Buffer) =>
  check(text)
    .findings.filter((f) => f.code === 'bimi-svg-invalid')
    .map((f) => f.args?.rule);

describe('validateBimiSvg', () => {
  it('passes a valid SVG Tiny PS logo and describes it', () => {
    const result = check(svg());
    expect(result.findings).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.info).toMatchObject({
      version: '1.2',
      baseProfile: 'tiny-ps',
      title: 'Example K.K.',
      viewBox: '0 0 100 100',
      compressed: false,
    });
    expect(result.info?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts the profile elements: gradients, use with a local reference, text, desc, metadata', () => {
    const body = `<desc>Logo</desc><metadata>made by hand</metadata>
<defs><linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#000"/></linearGradient>
<path id="p" d="M0 0L10 10"/></defs>
<g transform="translate(1 1)" fill="url(#g)"><use xlink:href="#p"/><circle cx="5" cy="5" r="4"/><text x="1" y="9">E</text></g>`;
    expect(check(svg(body)).findings).toEqual([]);
  });

  it('inflates SVGZ and validates the document inside', () => {
    const result = check(gzipSync(svg()));
    expect(result.findings).toEqual([]);
    expect(result.info?.compressed).toBe(true);
    expect(result.document?.toString('utf8')).toBe(svg());
    expect(codes(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]))).toEqual(['bimi-svg-not-svg']);
  });

  it('bimi-svg-not-svg: not XML, not <svg>, wrong namespace, not UTF-8, empty', () => {
    const reason = (text: string | Buffer) => check(text).findings.map((f) => [f.code, f.args?.reason]);
    expect(reason('<svg xmlns="http://www.w3.org/2000/svg"><title>x</title>')).toEqual([
      ['bimi-svg-not-svg', 'not-xml'],
    ]);
    expect(reason('<html xmlns="http://www.w3.org/1999/xhtml"/>')).toEqual([['bimi-svg-not-svg', 'root']]);
    expect(
      reason('<svg version="1.2" baseProfile="tiny-ps" viewBox="0 0 1 1"><title>x</title></svg>'),
    ).toEqual([['bimi-svg-not-svg', 'namespace']]);
    expect(reason(Buffer.from([0x3c, 0x73, 0xff, 0xfe]))).toEqual([['bimi-svg-not-svg', 'encoding']]);
    expect(reason('PNG\u0000')).toEqual([['bimi-svg-not-svg', 'not-xml']]);
    expect(check('<svg').info).toBeUndefined();
    expect(codes(svg())).not.toContain('bimi-svg-not-svg');
  });

  it('bimi-svg-version', () => {
    const f = check(svg().replace('version="1.2"', 'version="1.1"')).findings;
    expect(f).toMatchObject([{ code: 'bimi-svg-version', args: { version: '1.1' } }]);
    expect(codes(svg().replace(' version="1.2"', ''))).toEqual(['bimi-svg-version']);
  });

  it('bimi-svg-base-profile: missing or not tiny-ps', () => {
    expect(check(svg().replace('tiny-ps', 'tiny')).findings).toMatchObject([
      { code: 'bimi-svg-base-profile', args: { baseProfile: 'tiny' } },
    ]);
    expect(check(svg().replace(' baseProfile="tiny-ps"', '')).findings).toMatchObject([
      { code: 'bimi-svg-base-profile', args: { baseProfile: '(none)' } },
    ]);
  });

  it('bimi-svg-title-missing: no <title> directly under the root', () => {
    expect(codes(svg(undefined, '', ''))).toEqual(['bimi-svg-title-missing']);
    expect(codes(svg('<g><title>x</title></g>', '', ''))).toContain('bimi-svg-title-missing');
  });

  it('bimi-svg-title-placeholder', () => {
    for (const title of ['bimi-svg-tiny-12-ps', 'Untitled-1', 'Layer 1', 'svg', '  ', 'Logo']) {
      expect(codes(svg(undefined, '', `<title>${title}</title>`)), title).toEqual([
        'bimi-svg-title-placeholder',
      ]);
    }
    expect(codes(svg(undefined, '', '<title>Fastmail</title>'))).toEqual([]);
    expect(check(svg(undefined, '', '<title>Acme  <![CDATA[Corp]]></title>')).info?.title).toBe('Acme Corp');
  });

  it('bimi-svg-root-position: x or y on the root', () => {
    expect(check(svg(undefined, ' x="0" y="5"')).findings.map((f) => [f.code, f.args?.attribute])).toEqual([
      ['bimi-svg-root-position', 'x'],
      ['bimi-svg-root-position', 'y'],
    ]);
    expect(codes(svg('<rect x="1" y="1" width="5" height="5"/>'))).toEqual([]);
  });

  it('bimi-svg-viewbox-missing and bimi-svg-viewbox-not-square', () => {
    expect(codes(svg().replace(' viewBox="0 0 100 100"', ''))).toEqual(['bimi-svg-viewbox-missing']);
    expect(codes(svg().replace('0 0 100 100', '0 0 100'))).toEqual(['bimi-svg-viewbox-missing']);
    expect(codes(svg().replace('0 0 100 100', '0 0 0 0'))).toEqual(['bimi-svg-viewbox-missing']);
    const wide = check(svg().replace('0 0 100 100', '0,0,200,100')).findings;
    expect(wide).toMatchObject([
      { code: 'bimi-svg-viewbox-not-square', severity: 'warning', args: { width: 200, height: 100 } },
    ]);
    expect(parseViewBox(' 0  0 64 64 ')).toEqual({ width: 64, height: 64 });
  });

  it(`bimi-svg-too-large past MAX_SVG_BYTES (${MAX_SVG_BYTES}), also after inflating`, () => {
    const pad = (n: number) => {
      const base = svg('<desc></desc>');
      return base.replace('<desc></desc>', `<desc>${'x'.repeat(n - Buffer.byteLength(base))}</desc>`);
    };
    expect(Buffer.byteLength(pad(MAX_SVG_BYTES))).toBe(MAX_SVG_BYTES);
    expect(codes(pad(MAX_SVG_BYTES))).toEqual([]);
    expect(check(pad(MAX_SVG_BYTES + 1)).findings).toMatchObject([
      { code: 'bimi-svg-too-large', args: { bytes: MAX_SVG_BYTES + 1, limit: MAX_SVG_BYTES } },
    ]);
    // A small SVGZ that inflates past the limit is stopped at the limit (a zip bomb costs nothing).
    expect(codes(gzipSync(pad(MAX_SVG_BYTES * 64)))).toEqual(['bimi-svg-too-large']);
  });

  it('bimi-svg-invalid: script, animation, raster images, foreignObject, links', () => {
    expect(rules(svg('<script>alert(1)</script>'))).toEqual(['script']);
    for (const el of ['animate', 'set', 'animateMotion', 'animateColor', 'animateTransform']) {
      expect(rules(svg(`<rect width="1" height="1"><${el} attributeName="x"/></rect>`)), el).toEqual([
        'animation',
      ]);
    }
    expect(rules(svg('<image xlink:href="data:image/png;base64,AAAA" width="1" height="1"/>'))).toEqual([
      'raster-image',
      'external-reference',
    ]);
    expect(
      rules(svg('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>')),
    ).toEqual(['foreign-object']);
    expect(rules(svg('<a xlink:href="#top"><rect width="1" height="1"/></a>'))).toEqual(['link']);
  });

  it('bimi-svg-invalid: event attributes and external references', () => {
    expect(rules(svg('<rect width="1" height="1" onclick="x()"/>'))).toEqual(['event-attribute']);
    expect(rules(svg('', ' onload="x()"'))).toEqual(['event-attribute']);
    expect(rules(svg('<use xlink:href="https://evil.example/a.svg#x"/>'))).toEqual(['external-reference']);
    expect(rules(svg('<use href="other.svg#x"/>'))).toEqual(['external-reference']);
    expect(rules(svg('<rect width="1" height="1" fill="url(https://evil.example/p.svg#g)"/>'))).toEqual([
      'external-reference',
    ]);
    expect(rules(svg('<use xlink:href="#p"/><rect width="1" height="1" fill="url(#g)"/>'))).toEqual([]);
  });

  it('bimi-svg-invalid: DOCTYPE and entities are reported, never expanded', () => {
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 1 1"><title>&b;</title></svg>`;
    const result = check(bomb);
    expect(result.findings.map((f) => [f.code, f.args?.rule ?? f.args?.reason])).toEqual([
      ['bimi-svg-invalid', 'entity'],
      ['bimi-svg-not-svg', 'not-xml'],
    ]);
    const doctype = svg().replace(
      '<svg ',
      '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg ',
    );
    expect(rules(doctype)).toEqual(['doctype']);
  });

  it('bimi-svg-invalid: processing instructions (stylesheets)', () => {
    const styled = svg().replace('<svg ', '<?xml-stylesheet href="https://evil.example/s.css"?>\n<svg ');
    expect(check(styled).findings).toMatchObject([
      { code: 'bimi-svg-invalid', args: { rule: 'processing-instruction', value: 'xml-stylesheet' } },
    ]);
  });

  it('bimi-svg-invalid: elements and attributes outside the SVG Tiny PS schema', () => {
    expect(check(svg('<style>rect{fill:red}</style>')).findings).toMatchObject([
      { code: 'bimi-svg-invalid', args: { rule: 'element-not-allowed', element: 'style' } },
    ]);
    expect(rules(svg('<clipPath id="c"><rect width="1" height="1"/></clipPath>'))).toEqual([
      'element-not-allowed',
    ]);
    expect(check(svg('<rect width="1" height="1" style="fill:red" opacity="0.5"/>')).findings).toMatchObject([
      { args: { rule: 'attribute-not-allowed', element: 'rect', attribute: 'style' } },
      { args: { rule: 'attribute-not-allowed', element: 'rect', attribute: 'opacity' } },
    ]);
    expect(rules(svg('<g><title>t</title></g>'))).toEqual(['misplaced-element']);
    const editor = svg(
      '<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"><x/></sodipodi:namedview>',
    );
    expect(check(editor).findings).toMatchObject([
      { code: 'bimi-svg-invalid', args: { rule: 'element-not-allowed', element: 'sodipodi:namedview' } },
    ]);
    const inkscape = svg(
      '<g xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" inkscape:label="L"/>',
    );
    expect(rules(inkscape)).toEqual(['attribute-not-allowed']);
    expect(
      rules(svg('<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>')),
    ).toEqual(['element-not-allowed']);
  });

  it(`caps nesting at MAX_SVG_DEPTH (${MAX_SVG_DEPTH}) and elements at MAX_SVG_ELEMENTS (${MAX_SVG_ELEMENTS})`, () => {
    const nest = (n: number) => svg(`${'<g>'.repeat(n)}${'</g>'.repeat(n)}`);
    expect(rules(nest(MAX_SVG_DEPTH - 1))).toEqual([]);
    expect(rules(nest(MAX_SVG_DEPTH))).toEqual(['too-deep']);
    const many = (n: number) => svg('<g/>'.repeat(n));
    expect(rules(many(MAX_SVG_ELEMENTS - 2))).toEqual([]);
    expect(rules(many(MAX_SVG_ELEMENTS))).toEqual(['too-many-elements']);
  });

  it(`lists at most MAX_SVG_FINDINGS (${MAX_SVG_FINDINGS}) violations, then counts the rest`, () => {
    const body = Array.from({ length: 40 }, (_, i) => `<rect width="1" height="1" data-x${i}="1"/>`).join('');
    const found = check(svg(body)).findings;
    expect(found).toHaveLength(MAX_SVG_FINDINGS + 1);
    expect(found[MAX_SVG_FINDINGS]).toMatchObject({
      args: { rule: 'more', value: String(40 - MAX_SVG_FINDINGS) },
    });
    // The same violation twice is reported once.
    expect(rules(svg('<style/><style/>'))).toEqual(['element-not-allowed']);
  });

  it('keeps the URL on findings', () => {
    expect(check(svg('<script/>')).findings[0]?.where).toBe('https://example.com/logo.svg');
  });
});

describe.skipIf(!hasCorpus)('BIMI SVG corpus (skipped: ../shared/corpus absent)', () => {
  it("passes Mail::BIMI's valid logo (FM-good.svg)", () => {
    const result = validateBimiSvg(readFileSync(path.join(corpus, 'FM-good.svg')));
    expect(result.findings).toEqual([]);
    expect(result.info?.title).toBe('FM-Icon-RGB');
  });

  it('the profile tables equal the element and attribute sets of SVG_1.2_PS.rng and SVG_1.2_BIMI.rng', () => {
    for (const file of ['SVG_1.2_PS.rng', 'SVG_1.2_BIMI.rng']) {
      const derived = deriveFromRelaxNg(readFileSync(path.join(corpus, file), 'utf8'));
      expect(Object.keys(derived).sort(), file).toEqual(Object.keys(SVG_TINY_PS).sort());
      for (const [element, sets] of Object.entries(derived)) {
        expect(
          [...(SVG_TINY_PS[element]?.attributes ?? [])].sort(),
          `${file} <${element}> attributes`,
        ).toEqual([...sets.attributes].sort());
        expect([...(SVG_TINY_PS[element]?.children ?? [])].sort(), `${file} <${element}> children`).toEqual(
          [...sets.children].sort(),
        );
      }
    }
  });
});

interface RngNode {
  tag: string;
  name?: string;
  children: RngNode[];
}

/** Element → allowed attributes and children, for the elements reachable from <svg>. */
function deriveFromRelaxNg(text: string): Record<string, { attributes: Set<string>; children: Set<string> }> {
  const parser = new SaxesParser({ xmlns: true });
  const root: RngNode = { tag: '#root', children: [] };
  const stack = [root];
  parser.on('opentag', (tag: SaxesTagNS) => {
    const node: RngNode = { tag: tag.local, children: [] };
    const n = tag.attributes.name;
    if (n && typeof n !== 'string') node.name = n.value;
    stack[stack.length - 1]?.children.push(node);
    stack.push(node);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(text).close();
  const grammar = root.children[0]!;
  const defines = new Map(grammar.children.filter((c) => c.tag === 'define').map((d) => [d.name ?? '', d]));
  const walk = (node: RngNode, seen: Set<string>, attributes: Set<string>, children: Set<string>) => {
    for (const c of node.children) {
      if (c.tag === 'element') children.add(c.name ?? '');
      else if (c.tag === 'attribute') attributes.add(c.name ?? '');
      else if (c.tag === 'text') children.add('#text');
      else if (c.tag === 'ref') {
        if (!seen.has(c.name ?? '')) {
          seen.add(c.name ?? '');
          const d = defines.get(c.name ?? '');
          if (d) walk(d, seen, attributes, children);
        }
      } else walk(c, seen, attributes, children);
    }
  };
  const elements = new Map<string, RngNode>();
  const collect = (node: RngNode) => {
    if (node.tag === 'element' && node.name) elements.set(node.name, node);
    node.children.forEach(collect);
  };
  collect(grammar);
  const out: Record<string, { attributes: Set<string>; children: Set<string> }> = {};
  const queue = ['svg'];
  while (queue.length > 0) {
    const element = queue.shift()!;
    if (out[element]) continue;
    const node = elements.get(element);
    if (!node) continue;
    const attributes = new Set<string>();
    const children = new Set<string>();
    walk(node, new Set(), attributes, children);
    out[element] = { attributes, children };
    for (const c of children) if (c !== '#text') queue.push(c);
  }
  return out;
}
