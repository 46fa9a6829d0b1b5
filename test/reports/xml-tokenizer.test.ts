import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { ReportError } from '../../src/reports/errors.ts';
import { type XmlAttributes, XmlTokenizer } from '../../src/reports/xml-tokenizer.ts';

/** Events as one list: tags, and the text between two tags joined (chunking splits text runs). */
type Event = ['open', string, Record<string, string>] | ['close', string] | ['text', string];

function events(write: (tokenizer: XmlTokenizer) => void): Event[] {
  const out: Event[] = [];
  const tokenizer = new XmlTokenizer({
    openTag: (name: string, attributes: XmlAttributes | null) => out.push(['open', name, { ...attributes }]),
    closeTag: (name: string) => out.push(['close', name]),
    text: (source: string, start: number, end: number) => addText(out, source.slice(start, end)),
    doctype: (start: string) => {
      throw new Error(`doctype ${start}`);
    },
  });
  write(tokenizer);
  tokenizer.close();
  return out;
}

function addText(out: Event[], text: string): void {
  const last = out.at(-1);
  if (last?.[0] === 'text') last[1] += text;
  else out.push(['text', text]);
}

/** The same document through saxes, inside the root (saxes reports no text outside it). */
function saxesEvents(xml: string): Event[] {
  const out: Event[] = [];
  const parser = new SaxesParser();
  let depth = 0;
  parser.on('opentag', (tag) => {
    depth++;
    out.push(['open', tag.name, { ...(tag.attributes as Record<string, string>) }]);
  });
  parser.on('closetag', (tag) => {
    depth--;
    out.push(['close', tag.name]);
  });
  const onText = (text: string) => {
    if (depth > 0) addText(out, text);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('error', (error) => {
    throw error;
  });
  parser.write(xml).close();
  return out;
}

/** Splits a document at every given size: tokens, references and CRLFs are cut everywhere. */
function inChunks(xml: string, size: number): (tokenizer: XmlTokenizer) => void {
  return (tokenizer) => {
    for (let at = 0; at < xml.length; at += size) tokenizer.write(xml.slice(at, at + size));
  };
}

function failure(xml: string, chunk = xml.length || 1): ReportError {
  try {
    events(inChunks(xml, chunk));
  } catch (error) {
    if (error instanceof ReportError) return error;
    throw error;
  }
  throw new Error('no error');
}

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const corpus = fileURLToPath(new URL('../../../shared/corpus/reports/', import.meta.url));
if (!existsSync(corpus)) console.warn(`tokenizer corpus comparison skipped: ${corpus} is absent`);

function xmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.xml'))
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile());
}

/** Each document as saxes reads it, without its declaration and BOM (xml-input.ts removes those). */
function throughSaxes(
  files: string[],
): { file: string; xml: string; expected: Event[] | { line: number } }[] {
  return files.map((file) => {
    const xml = readFileSync(file, 'utf8').replace(/^\uFEFF?(<\?xml[^?]*\?>)?/, '');
    try {
      return { file, xml, expected: saxesEvents(xml) };
    } catch (error) {
      return { file, xml, expected: { line: Number(/^(\d+):/.exec((error as Error).message)?.[1]) } };
    }
  });
}

describe('XML tokenizer: the same events as saxes', () => {
  it('on the project fixtures, whole and cut into chunks of 1, 7 and 64 characters', () => {
    const documents = throughSaxes(xmlFiles(fixtures));
    expect(documents.length).toBeGreaterThanOrEqual(3);
    for (const { file, xml, expected } of documents) {
      for (const size of [xml.length, 1, 7, 64]) {
        expect(events(inChunks(xml, size)), `${file} in chunks of ${size}`).toEqual(expected);
      }
    }
  });

  it.skipIf(!existsSync(corpus))(
    'on every XML file of ../shared/corpus/reports; the ones saxes refuses, refused on the same line',
    () => {
      const documents = throughSaxes(xmlFiles(corpus));
      const refused = documents.filter((d) => !Array.isArray(d.expected));
      console.log(
        `tokenizer vs saxes: ${documents.length} corpus XML files, ${refused.length} refused by both`,
      );
      expect(documents.length).toBeGreaterThan(1000);
      for (const { file, xml, expected } of documents) {
        if (Array.isArray(expected)) expect(events(inChunks(xml, 4096)), file).toEqual(expected);
        else expect(failure(xml, 4096).args.line, file).toBe(expected.line);
      }
    },
    // Every corpus file through saxes and the tokenizer: 20.5 s on a slow, loaded 2-core machine.
    120_000,
  );

  it('on references, CDATA, comments, attributes and line ends', () => {
    const xml =
      '<feedback xmlns="urn:x" a=\'1 &amp; 2\' b="x\ty\r\nz">\r\n' +
      '<v>&lt;&#60;&#x3C;&gt;&quot;&apos;&amp;\u65e5\u672c</v><!-- a > b --><w><![CDATA[<&>]]>tail\r</w>' +
      '<e/><e x="&#x1F600;"/><?pi data?>\r</feedback>';
    for (const size of [xml.length, 1, 2, 3, 5])
      expect(events(inChunks(xml, size))).toEqual(saxesEvents(xml));
  });
});

describe('XML tokenizer: random damage', () => {
  it('accepts and refuses what saxes does on 3,000 mutations of a report, cut at random, never throwing anything else', () => {
    const base = readFileSync(path.join(fixtures, 'quirks.xml'), 'utf8').replace(
      /^\uFEFF?(<\?xml[^?]*\?>)?/,
      '',
    );
    let seed = 20_261_129;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const pieces = [
      '<',
      '>',
      '/',
      '&',
      ';',
      '"',
      "'",
      '=',
      ' ',
      '\n',
      '\r',
      'a',
      '!',
      '?',
      '-',
      '[',
      ']',
      '#',
      ':',
      '\u00e9',
    ];
    let accepted = 0;
    for (let i = 0; i < 3_000; i++) {
      let xml = base;
      for (let edits = 1 + Math.floor(random() * 4); edits > 0; edits--) {
        const at = Math.floor(random() * xml.length);
        const piece = pieces[Math.floor(random() * pieces.length)];
        const choice = random();
        if (choice < 0.33) xml = xml.slice(0, at) + xml.slice(at + 1 + Math.floor(random() * 5));
        else xml = xml.slice(0, at) + piece + xml.slice(choice < 0.66 ? at : at + 1);
      }
      let bySaxes = true;
      try {
        saxesEvents(xml);
      } catch {
        bySaxes = false;
      }
      let byTokenizer = true;
      try {
        events(inChunks(xml, 1 + Math.floor(random() * 50)));
      } catch (error) {
        if (!(error instanceof ReportError)) throw error;
        byTokenizer = false;
      }
      expect(byTokenizer, xml).toBe(bySaxes);
      if (byTokenizer) accepted++;
    }
    expect(accepted).toBeGreaterThan(100);
  });
});

describe('XML tokenizer: documents that are not well-formed', () => {
  const cases: [string, string, RegExp][] = [
    ['mismatched close tag', '<a>\n<b>\n</a>', /unexpected close tag <\/a> where <\/b>/],
    ['unclosed element', '<a><b></b>', /ends before <\/a>/],
    ['cut inside a tag', '<a><b x="1', /ends inside markup/],
    ['no root', '  <!-- only a comment -->  ', /no root element/],
    ['two roots', '<a/><b/>', /second root element <b>/],
    ['text outside the root', '<a/>tail', /text outside the root/],
    ['undefined entity', '<a>&ext;</a>', /&ext; is not a predefined entity/],
    ['bare ampersand', '<a>fish & chips</a>', /& is not a predefined entity/],
    ['reference to a forbidden character', '<a>&#0;</a>', /&#0; is not/],
    ['unquoted attribute', '<a x=1/>', /not quoted/],
    ['attribute without value', '<a x/>', /has no value/],
    ['repeated attribute', '<a x="1" x="2"/>', /x repeated/],
    ['< in an attribute value', '<a x="<"/>', /"<" in the value/],
    ['attributes not separated', '<a x="1"y="2"/>', /unexpected character/],
    ['no name after <', '<a>< b</a>', /must start with a name/],
    ['unknown markup after <!', '<a><!ELEMENT a></a>', /unknown markup/],
    ['CDATA outside the root', '<![CDATA[x]]><a/>', /CDATA outside/],
    ['declaration after the start', '<a/><?xml version="1.0"?>', /XML declaration not at the start/],
    ['close tag outside the root', '</a>', /outside the root element/],
  ];
  for (const [what, xml, detail] of cases) {
    it(`${what}: ${JSON.stringify(xml)}`, () => {
      for (const chunk of [xml.length, 1, 3]) {
        const error = failure(xml, chunk);
        expect(error.code).toBe('xml-not-well-formed');
        expect(String(error.args.detail)).toMatch(detail);
      }
    });
  }

  it('gives the line and column of the error, however the document was cut', () => {
    const xml = '<a>\n  <b>\n    text\n  </c>\n</a>';
    for (const chunk of [xml.length, 1, 4, 9]) {
      expect(failure(xml, chunk).args).toMatchObject({ line: 4, column: 3 });
    }
  });

  it('hands a DOCTYPE to the caller and reads nothing of it, in any case and however cut', () => {
    const seen: string[] = [];
    const handlers = {
      openTag: () => seen.push('open'),
      closeTag: () => seen.push('close'),
      text: () => seen.push('text'),
      doctype: (start: string) => seen.push(start),
    };
    const tokenizer = new XmlTokenizer(handlers);
    expect(() => tokenizer.write('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')).toThrow(ReportError);
    expect(seen).toEqual(['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>']);
    // `<!doctype` is no DOCTYPE to XML, but it is one to whoever wrote it: refused as one.
    seen.length = 0;
    const lower = new XmlTokenizer(handlers);
    lower.write('<!doc');
    expect(() => lower.write('type a SYSTEM "http://evil.example/x.dtd"><a/>')).toThrow(ReportError);
    expect(seen).toEqual(['<!doctype a SYSTEM "http://evil.example/x.dtd"><a/>']);
  });
});
