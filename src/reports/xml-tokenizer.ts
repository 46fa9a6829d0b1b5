/**
 * A streaming XML tokenizer for reports: elements, attributes, text and CDATA as events, written
 * to in chunks of any size. It checks what makes a document well-formed for a report's purposes
 * (tags nest and match, one root, attributes quoted and unique, no text outside the root, only
 * the five predefined entities and character references) and never reads a DTD: a DOCTYPE is
 * handed to the caller, which refuses it.
 *
 * Why not saxes: saxes looks at every character through a state machine; here markup is found
 * with indexOf and only names are walked. Measured on the ingest bench's 10,000 reports (72 MB of
 * XML, one core): saxes' events alone 530 ms, this tokenizer's 280 ms; the whole aggregate parse
 * (parseAggregateReport) 1,160 ms with saxes, 750 ms with this. test/reports/xml-tokenizer.test.ts
 * checks that both give the same events on every corpus file and refuse the same ones.
 */
import { format } from '../i18n/catalog.ts';
import { type XmlFault, xmlFaultText } from '../i18n/reports.ts';
import { ReportError } from './errors.ts';

export type XmlAttributes = Readonly<Record<string, string>>;

export interface XmlHandlers {
  /** An element starts. Attribute values have entities decoded and whitespace normalised; null: none. */
  openTag(name: string, attributes: XmlAttributes | null): void;
  /** An element ends (right after openTag for `<x/>`). */
  closeTag(name: string): void;
  /**
   * Character data inside the root, entities decoded: `source` from `start` to `end`, so that a
   * handler that has no use for a run (whitespace between elements) never copies it. One run may
   * arrive in several pieces.
   */
  text(source: string, start: number, end: number): void;
  /** A DOCTYPE, with its first characters: the caller refuses it (nothing of a DTD is read). */
  doctype(start: string): void;
}

const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const QUOT = 0x22;
const APOS = 0x27;
const AMP = 0x26;
const CR = 0x0d;
const SEMICOLON = 0x3b;

/** ASCII characters allowed in XML names (letters, digits, `_ : . -`); all of 0x80 and above are let through. */
const NAME_CHAR = new Uint8Array(128);
/** ASCII characters a name may start with. */
const NAME_START = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x3a;
  NAME_START[c] = letter ? 1 : 0;
  NAME_CHAR[c] = letter || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d ? 1 : 0;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
const isNameStart = (c: number) => (c < 128 ? NAME_START[c] === 1 : true);
const isNameChar = (c: number) => (c < 128 ? NAME_CHAR[c] === 1 : true);

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Element names met lately, by a hash of their length and ends: a report names the same few
 * dozen elements over and over, and a name found here is compared in place rather than copied
 * (a new string per tag, hashed again by every Map it is looked up in).
 */
const NAMES: (string | undefined)[] = new Array(1024).fill(undefined);

const nameSlot = (text: string, from: number, to: number) =>
  ((to - from) * 97 + text.charCodeAt(from) * 31 + text.charCodeAt(to - 1)) & 1023;

/** The element name met before that `text[from, to)` is, if any (its characters were checked then). */
function knownName(text: string, from: number, to: number): string | undefined {
  const known = NAMES[nameSlot(text, from, to)];
  return known !== undefined && known.length === to - from && text.startsWith(known, from)
    ? known
    : undefined;
}

/** The element name `text[from, to)`, the same string as the last time it was met when possible. */
function elementName(text: string, from: number, to: number): string {
  const known = knownName(text, from, to);
  if (known !== undefined) return known;
  const name = text.slice(from, to);
  NAMES[nameSlot(text, from, to)] = name;
  return name;
}

/** Markup starting with `<!` that is recognised, for telling a cut one from a wrong one. */
const BANG_MARKUP = ['<!--', '<![CDATA[', '<!DOCTYPE'];

/** Returned by the token readers when the token continues past the text at hand. */
const MORE = -1;

export class XmlTokenizer {
  readonly #handlers: XmlHandlers;
  /** Text received but not consumed: the start of a token cut by the chunk boundary. */
  #pending = '';
  /** Names of the open elements. */
  readonly #open: string[] = [];
  #rootSeen = false;
  /** Characters consumed before #pending. */
  #offset = 0;
  /**
   * The line and where it began, as of #uncounted's start. Lines are counted only for an error
   * message: the last text consumed is counted when the next one comes or an error needs it, so
   * a report read in one piece is never counted at all.
   */
  #line = 1;
  #lineStart = 0;
  #uncounted = { text: '', end: 0, offset: 0 };

  constructor(handlers: XmlHandlers) {
    this.#handlers = handlers;
  }

  /** Reads the next piece of the document. */
  write(chunk: string): void {
    // An empty piece (a decoder's end) changes nothing, and must not count the last one's lines.
    if (chunk === '') return;
    const text = this.#pending === '' ? chunk : this.#pending + chunk;
    const consumed = this.#run(text, false);
    this.#advance(text, consumed);
    this.#pending = consumed === text.length ? '' : text.slice(consumed);
  }

  /** Ends the document: anything cut off or left open is an error. */
  close(): void {
    const text = this.#pending;
    const consumed = this.#run(text, true);
    if (consumed < text.length) this.#fail(text, consumed, 'ends-inside-markup');
    // Nothing pending (a document written whole): its lines stay uncounted unless an error needs them.
    if (text !== '') this.#advance(text, consumed);
    this.#pending = '';
    const open = this.#open.at(-1);
    if (open !== undefined) this.#fail('', 0, 'ends-before-close', { name: open });
    if (!this.#rootSeen) this.#fail('', 0, 'no-root');
  }

  /**
   * Consumes whole tokens from `text`; returns where the first incomplete one starts. The common
   * tokens (a text run, a close tag of the open element) are read here, the rest by helpers.
   */
  #run(text: string, end: boolean): number {
    const n = text.length;
    const open = this.#open;
    const handlers = this.#handlers;
    // Where the next `&` and CR are, looked up once per chunk rather than per text run.
    let amp = text.indexOf('&');
    let cr = text.indexOf('\r');
    let i = 0;
    while (i < n) {
      const lt = text.indexOf('<', i);
      if (lt !== i) {
        const stop = lt < 0 ? (end ? n : this.#safeTextEnd(text, i)) : lt;
        if (stop > i) {
          if (open.length === 0) this.#outsideRoot(text, i, stop);
          else if ((amp < 0 || amp >= stop) && (cr < 0 || cr >= stop)) handlers.text(text, i, stop);
          else {
            this.#characters(text, i, stop);
            if (amp >= 0) amp = text.indexOf('&', stop);
            if (cr >= 0) cr = text.indexOf('\r', stop);
          }
        }
        if (lt < 0) return stop;
        i = lt;
      }
      if (i + 1 >= n) return i;
      const next = text.charCodeAt(i + 1);
      let after: number;
      if (next === SLASH) {
        // Nearly always the close tag of the open element: matched in place, no slice.
        const name = open[open.length - 1];
        const k = i + 2 + (name?.length ?? 0);
        if (name !== undefined && text.charCodeAt(k) === GT && text.startsWith(name, i + 2)) {
          open.pop();
          handlers.closeTag(name);
          after = k + 1;
        } else after = this.#closeTag(text, i);
      } else if (next === BANG) after = this.#bang(text, i);
      else if (next === QUESTION) after = this.#processingInstruction(text, i);
      else after = this.#openTag(text, i);
      if (after === MORE) return i;
      if (amp >= 0 && amp < after) amp = text.indexOf('&', after);
      if (cr >= 0 && cr < after) cr = text.indexOf('\r', after);
      i = after;
    }
    return n;
  }

  /** End of a text run cut by the chunk: a cut `&...;` or a CR (of a CRLF) waits for the next chunk. */
  #safeTextEnd(text: string, from: number): number {
    for (let i = text.length - 1; i >= from; i--) {
      const c = text.charCodeAt(i);
      if (c === SEMICOLON) break;
      if (c === AMP) return i;
    }
    return text.charCodeAt(text.length - 1) === CR ? text.length - 1 : text.length;
  }

  #outsideRoot(text: string, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      if (!isSpace(text.charCodeAt(i))) this.#fail(text, i, 'text-outside-root');
    }
  }

  /** A text run holding a reference or a CR. */
  #characters(text: string, from: number, to: number): void {
    let value = text.slice(from, to);
    if (value.includes('&')) value = this.#decode(value, text, from);
    if (value.includes('\r')) value = value.replace(/\r\n?/g, '\n');
    this.#handlers.text(value, 0, value.length);
  }

  #openTag(text: string, lt: number): number {
    // Nearly always `<name>` with a name met before: found whole, its characters not walked again
    // (the tokenizer's events for the bench's 10,000 reports: 12-13% less time, medians of 10).
    const gt = text.indexOf('>', lt + 2);
    if (gt > 0 && this.#open.length > 0) {
      const known = knownName(text, lt + 1, gt);
      if (known !== undefined) {
        this.#handlers.openTag(known, null);
        this.#open.push(known);
        return gt + 1;
      }
    }
    const n = text.length;
    let j = lt + 1;
    if (!isNameStart(text.charCodeAt(j))) this.#fail(text, j, 'tag-without-name');
    while (j < n && isNameChar(text.charCodeAt(j))) j++;
    if (j >= n) return MORE;
    const name = elementName(text, lt + 1, j);
    let attributes: Record<string, string> | undefined;
    let selfClosing = false;
    for (;;) {
      const spaced = j;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (j >= n) return MORE;
      const c = text.charCodeAt(j);
      if (c === GT) {
        j++;
        break;
      }
      if (c === SLASH) {
        if (j + 1 >= n) return MORE;
        if (text.charCodeAt(j + 1) !== GT) this.#fail(text, j, 'slash-without-gt', { name });
        selfClosing = true;
        j += 2;
        break;
      }
      if (j === spaced || !isNameStart(c)) this.#fail(text, j, 'unexpected-character', { name });
      const nameAt = j;
      while (j < n && isNameChar(text.charCodeAt(j))) j++;
      const attribute = text.slice(nameAt, j);
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (j >= n) return MORE;
      if (text.charCodeAt(j) !== EQUALS) this.#fail(text, j, 'attribute-without-value', { attribute });
      j++;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (j >= n) return MORE;
      const quote = text.charCodeAt(j);
      if (quote !== QUOT && quote !== APOS) this.#fail(text, j, 'attribute-not-quoted', { attribute });
      const closing = text.indexOf(quote === QUOT ? '"' : "'", j + 1);
      if (closing < 0) return MORE;
      let value = text.slice(j + 1, closing);
      const lessThan = value.indexOf('<');
      if (lessThan >= 0) this.#fail(text, j + 1 + lessThan, 'less-than-in-attribute', { attribute });
      if (value.includes('&')) value = this.#decode(value, text, j + 1);
      // Attribute-value normalisation (XML 1.0 3.3.3): line ends and tabs read as spaces.
      if (/[\t\n\r]/.test(value)) value = value.replace(/\r\n|[\t\n\r]/g, ' ');
      attributes ??= Object.create(null) as Record<string, string>;
      if (Object.hasOwn(attributes, attribute)) this.#fail(text, nameAt, 'attribute-repeated', { attribute });
      attributes[attribute] = value;
      j = closing + 1;
    }
    if (this.#open.length === 0) {
      if (this.#rootSeen) this.#fail(text, lt, 'second-root', { name });
      this.#rootSeen = true;
    }
    this.#handlers.openTag(name, attributes ?? null);
    if (selfClosing) this.#handlers.closeTag(name);
    else this.#open.push(name);
    return j;
  }

  /** A close tag that is not simply `</name>` of the open element: spaces before `>`, or wrong. */
  #closeTag(text: string, lt: number): number {
    const gt = text.indexOf('>', lt + 2);
    if (gt < 0) return MORE;
    const name = text.slice(lt + 2, gt).trimEnd();
    const open = this.#open.at(-1);
    if (open === undefined) this.#fail(text, lt, 'close-outside-root', { name });
    if (name !== open) this.#fail(text, lt, 'unexpected-close', { name, expected: open });
    this.#open.pop();
    this.#handlers.closeTag(open);
    return gt + 1;
  }

  #bang(text: string, lt: number): number {
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      return end < 0 ? MORE : end + 3;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      if (this.#open.length === 0) this.#fail(text, lt, 'cdata-outside-root');
      const end = text.indexOf(']]>', lt + 9);
      if (end < 0) return MORE;
      let value = text.slice(lt + 9, end);
      if (value.includes('\r')) value = value.replace(/\r\n?/g, '\n');
      this.#handlers.text(value, 0, value.length);
      return end + 3;
    }
    // In any case: `<!doctype` is no DOCTYPE to XML, but it is one to whoever wrote it.
    const head = text.slice(lt, lt + 9).toUpperCase();
    if (head === '<!DOCTYPE') {
      this.#handlers.doctype(text.slice(lt, lt + 70));
      this.#fail(text, lt, 'doctype');
    }
    if (head.length < 9 && BANG_MARKUP.some((markup) => markup.startsWith(head))) return MORE;
    this.#fail(text, lt, 'unknown-bang');
  }

  #processingInstruction(text: string, lt: number): number {
    const end = text.indexOf('?>', lt + 2);
    if (end < 0) return MORE;
    let j = lt + 2;
    while (j < end && isNameChar(text.charCodeAt(j))) j++;
    const target = text.slice(lt + 2, j);
    if (target === '') this.#fail(text, lt, 'pi-without-target');
    if (target.toLowerCase() === 'xml' && this.#offset + lt !== 0) {
      this.#fail(text, lt, 'late-declaration');
    }
    return end + 2;
  }

  /** Entity and character references of a value; anything else after `&` is an error. */
  #decode(value: string, text: string, at: number): string {
    let out = '';
    let from = 0;
    for (let amp = value.indexOf('&'); amp >= 0; amp = value.indexOf('&', from)) {
      const semicolon = value.indexOf(';', amp + 1);
      const name = semicolon < 0 ? '' : value.slice(amp + 1, semicolon);
      let replacement: string | undefined;
      if (name.startsWith('#')) {
        const code = /^#x[0-9a-f]{1,6}$/i.test(name)
          ? Number.parseInt(name.slice(2), 16)
          : /^#[0-9]{1,7}$/.test(name)
            ? Number(name.slice(1))
            : Number.NaN;
        if (isXmlChar(code)) replacement = String.fromCodePoint(code);
      } else if (Object.hasOwn(PREDEFINED, name)) replacement = PREDEFINED[name];
      if (replacement === undefined) {
        const shown = semicolon < 0 ? '&' : `&${name.slice(0, 40)};`;
        this.#fail(text, at + amp, 'bad-reference', { reference: shown });
      }
      out += value.slice(from, amp) + replacement;
      from = semicolon + 1;
    }
    return out + value.slice(from);
  }

  /** The `consumed` first characters of `text` are done with: their lines are counted later. */
  #advance(text: string, consumed: number): void {
    this.#countLines();
    this.#uncounted = { text, end: consumed, offset: this.#offset };
    this.#offset += consumed;
  }

  #countLines(): void {
    const { text, end, offset } = this.#uncounted;
    for (let nl = text.indexOf('\n'); nl >= 0 && nl < end; nl = text.indexOf('\n', nl + 1)) {
      this.#line++;
      this.#lineStart = offset + nl + 1;
    }
    this.#uncounted = { text: '', end: 0, offset: 0 };
  }

  /**
   * Throws the not-well-formed error, with the line and column of `text[at]`: the fault and its
   * values (the words in every language), and `detail` in English as the error's own message.
   */
  #fail(text: string, at: number, fault: XmlFault, values: Record<string, string> = {}): never {
    this.#countLines();
    let line = this.#line;
    let lineStart = this.#lineStart;
    for (let nl = text.indexOf('\n'); nl >= 0 && nl < at; nl = text.indexOf('\n', nl + 1)) {
      line++;
      lineStart = this.#offset + nl + 1;
    }
    throw new ReportError('xml-not-well-formed', {
      line,
      column: this.#offset + at - lineStart + 1,
      detail: format(xmlFaultText[fault].en, values),
      fault,
      ...values,
    });
  }
}

/** A code point XML 1.0 allows in a document (its Char production). */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}
