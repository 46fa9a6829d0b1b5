import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { type Finding, finding } from '../finding.ts';
import {
  FORBIDDEN_ELEMENTS,
  SVG_NAMESPACE,
  SVG_TINY_PS,
  XLINK_NAMESPACE,
  XML_NAMESPACE,
} from './svg-profile.ts';

/**
 * SVG Tiny Portable/Secure validation for BIMI indicators. The logo is attacker-controlled:
 * the size is capped before parsing, gzip (SVGZ) is inflated with an output cap, DOCTYPEs
 * and entities are reported and never expanded (saxes knows only the five XML entities),
 * and depth, element and finding counts are capped.
 */

/** BIMI's size limit for the indicator (uncompressed). */
export const MAX_SVG_BYTES = 32 * 1024;
export const MAX_SVG_DEPTH = 64;
/** A 32 KB logo holds far fewer elements; past this the file is not a logo. */
export const MAX_SVG_ELEMENTS = 5000;
/** Profile violations reported per logo (the rest are counted in the last one). */
export const MAX_SVG_FINDINGS = 25;

/** Titles left by tools and templates rather than naming the brand. */
const PLACEHOLDER_TITLE =
  /^(bimi[\s_-]*)?(svg[\s_-]*)?(tiny[\s_-]*)?(1\.?2[\s_-]*)?(p[\s_-]*s)?$|^(untitled.*|title|no[\s_-]*title|svg|logo|image|document|drawing[\s_-]*\d*|layer[\s_-]*\d*|artboard[\s_-]*\d*|bimi[\s_-]*svg[\s_-]*tiny.*)$/i;

export interface SvgInfo {
  /** Bytes of the SVG document (after inflating SVGZ). */
  bytes: number;
  /** The file was gzip-compressed (SVGZ). */
  compressed: boolean;
  /** SHA-256 (hex) of the SVG document, as compared with a mark certificate's logo. */
  sha256: string;
  version?: string;
  baseProfile?: string;
  title?: string;
  viewBox?: string;
  width?: string;
  height?: string;
}

export interface SvgValidation {
  /** Absent when the bytes are not an SVG document at all (too large, not XML, wrong root). */
  info?: SvgInfo;
  findings: Finding[];
  valid: boolean;
  /** The document bytes that were validated (inflated when the file was SVGZ). */
  document?: Buffer;
}

class StopParsing extends Error {}

/** Validates a BIMI indicator; `where` (the URL) is kept on findings. */
export function validateBimiSvg(input: Uint8Array, where?: string): SvgValidation {
  const findings: Finding[] = [];
  const at = where !== undefined ? { where } : {};
  const done = (info?: SvgInfo, document?: Buffer): SvgValidation => ({
    ...(info ? { info } : {}),
    ...(document ? { document } : {}),
    findings,
    valid: !findings.some((f) => f.severity === 'error'),
  });

  let bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const compressed = bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (compressed) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_SVG_BYTES + 1 });
    } catch (error) {
      if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        findings.push(
          finding('bimi-svg-too-large', { bytes: `>${MAX_SVG_BYTES}`, limit: MAX_SVG_BYTES }, at),
        );
      } else {
        findings.push(finding('bimi-svg-not-svg', { reason: 'gzip', detail: (error as Error).message }, at));
      }
      return done();
    }
  }
  if (bytes.length > MAX_SVG_BYTES) {
    findings.push(finding('bimi-svg-too-large', { bytes: bytes.length, limit: MAX_SVG_BYTES }, at));
    return done();
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    findings.push(finding('bimi-svg-not-svg', { reason: 'encoding' }, at));
    return done();
  }

  const info: SvgInfo = {
    bytes: bytes.length,
    compressed,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };

  // Profile violations, deduplicated by what they are about.
  const reported = new Set<string>();
  let suppressed = 0;
  const violation = (args: { rule: string; element?: string; attribute?: string; value?: string }) => {
    const key = `${args.rule}|${args.element ?? ''}|${args.attribute ?? ''}`;
    if (reported.has(key)) return;
    reported.add(key);
    if (reported.size > MAX_SVG_FINDINGS) {
      suppressed++;
      return;
    }
    const clean = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
    findings.push(finding('bimi-svg-invalid', clean, at));
  };

  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: { name: string; profile: boolean }[] = [];
  let elements = 0;
  let rootSeen = false;
  let rootProblem: { reason: string; detail?: string } | undefined;
  let titleDepth = -1;
  let title: string | undefined;
  let parseError: string | undefined;
  /** Depth below an element outside the profile, whose content is not checked again. */
  let foreignDepth = 0;

  parser.on('doctype', (doctype) => {
    violation({ rule: /<!ENTITY/i.test(doctype) ? 'entity' : 'doctype' });
  });
  parser.on('processinginstruction', (pi) => {
    violation({ rule: 'processing-instruction', value: pi.target });
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    elements++;
    if (elements > MAX_SVG_ELEMENTS) {
      violation({ rule: 'too-many-elements', value: String(MAX_SVG_ELEMENTS) });
      throw new StopParsing();
    }
    const parent = stack[stack.length - 1];
    if (stack.length + 1 > MAX_SVG_DEPTH) {
      violation({ rule: 'too-deep', value: String(MAX_SVG_DEPTH) });
      throw new StopParsing();
    }
    const name = tag.local;
    const qname = tag.name;
    if (!rootSeen) {
      rootSeen = true;
      if (name !== 'svg') rootProblem = { reason: 'root', detail: qname };
      else if (tag.uri !== SVG_NAMESPACE) rootProblem = { reason: 'namespace', detail: tag.uri || '(none)' };
      if (rootProblem) throw new StopParsing();
      info.version = attr(tag, 'version');
      info.baseProfile = attr(tag, 'baseProfile');
      info.viewBox = attr(tag, 'viewBox');
      info.width = attr(tag, 'width');
      info.height = attr(tag, 'height');
      for (const position of ['x', 'y']) {
        if (attr(tag, position) !== undefined) {
          findings.push(
            finding('bimi-svg-root-position', { attribute: position, value: attr(tag, position) }, at),
          );
        }
      }
    }
    if (foreignDepth > 0) {
      foreignDepth++;
      stack.push({ name, profile: false });
      checkSafety(tag, violation);
      return;
    }
    const inSvg = tag.uri === SVG_NAMESPACE;
    const forbidden = inSvg ? FORBIDDEN_ELEMENTS[name] : undefined;
    const profile = inSvg ? SVG_TINY_PS[name] : undefined;
    if (forbidden) violation({ rule: forbidden, element: qname });
    else if (!profile) violation({ rule: 'element-not-allowed', element: qname });
    else if (parent?.profile && !SVG_TINY_PS[parent.name]?.children.has(name)) {
      violation({ rule: 'misplaced-element', element: qname, value: parent.name });
    }
    if (!profile) foreignDepth = 1;
    stack.push({ name, profile: profile !== undefined });
    checkSafety(tag, violation);
    if (profile) checkAttributes(tag, name, violation);
    if (name === 'title' && inSvg && stack.length === 2 && title === undefined) {
      titleDepth = stack.length;
      title = '';
    }
  });
  parser.on('text', (t) => {
    if (titleDepth !== -1 && stack.length === titleDepth) title += t;
  });
  parser.on('cdata', (t) => {
    if (titleDepth !== -1 && stack.length === titleDepth) title += t;
  });
  parser.on('closetag', () => {
    if (stack.length === titleDepth) titleDepth = -1;
    stack.pop();
    if (foreignDepth > 0) foreignDepth--;
  });
  parser.on('error', (error) => {
    parseError ??= error.message;
    throw new StopParsing();
  });

  try {
    parser.write(text).close();
  } catch (error) {
    if (!(error instanceof StopParsing)) parseError ??= (error as Error).message;
  }

  if (rootProblem) {
    findings.length = 0;
    findings.push(
      finding('bimi-svg-not-svg', { reason: rootProblem.reason, detail: rootProblem.detail }, at),
    );
    return done();
  }
  if (parseError !== undefined && !reported.has('too-many-elements||') && !reported.has('too-deep||')) {
    findings.push(finding('bimi-svg-not-svg', { reason: 'not-xml', detail: parseError }, at));
    return done();
  }
  if (!rootSeen) {
    findings.push(finding('bimi-svg-not-svg', { reason: 'empty' }, at));
    return done();
  }
  if (suppressed > 0)
    findings.push(finding('bimi-svg-invalid', { rule: 'more', value: String(suppressed) }, at));

  if (info.version !== '1.2')
    findings.push(finding('bimi-svg-version', { version: info.version ?? '(none)' }, at));
  if (info.baseProfile !== 'tiny-ps') {
    findings.push(finding('bimi-svg-base-profile', { baseProfile: info.baseProfile ?? '(none)' }, at));
  }
  if (title === undefined) {
    findings.push(finding('bimi-svg-title-missing', {}, at));
  } else {
    info.title = title.trim().replace(/\s+/g, ' ');
    if (PLACEHOLDER_TITLE.test(info.title)) {
      findings.push(finding('bimi-svg-title-placeholder', { title: info.title }, at));
    }
  }
  const box = parseViewBox(info.viewBox);
  if (!box) {
    findings.push(finding('bimi-svg-viewbox-missing', { viewBox: info.viewBox ?? '(none)' }, at));
  } else if (box.width !== box.height) {
    findings.push(
      finding(
        'bimi-svg-viewbox-not-square',
        { viewBox: info.viewBox, width: box.width, height: box.height },
        at,
      ),
    );
  }
  return done(info, bytes);
}

function attr(tag: SaxesTagNS, local: string): string | undefined {
  for (const a of Object.values(tag.attributes)) {
    if (a.local === local && a.uri === '') return a.value;
  }
  return undefined;
}

type Violation = (args: { rule: string; element?: string; attribute?: string; value?: string }) => void;

/** Rules that hold for every element, inside the profile or not. */
function checkSafety(tag: SaxesTagNS, violation: Violation): void {
  for (const a of Object.values(tag.attributes)) {
    if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
    if (/^on/i.test(a.local)) violation({ rule: 'event-attribute', element: tag.name, attribute: a.name });
    if (
      a.local === 'href' &&
      (a.uri === XLINK_NAMESPACE || a.uri === '') &&
      !a.value.trim().startsWith('#')
    ) {
      violation({ rule: 'external-reference', element: tag.name, attribute: a.name, value: short(a.value) });
    }
    for (const m of a.value.matchAll(/url\(\s*['"]?([^'")\s]*)/gi)) {
      if (!(m[1] ?? '').startsWith('#')) {
        violation({
          rule: 'external-reference',
          element: tag.name,
          attribute: a.name,
          value: short(m[1] ?? ''),
        });
      }
    }
  }
}

function checkAttributes(tag: SaxesTagNS, element: string, violation: Violation): void {
  const allowed = SVG_TINY_PS[element]?.attributes;
  if (!allowed) return;
  for (const a of Object.values(tag.attributes)) {
    if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
    if (/^on/i.test(a.local)) continue;
    let name: string;
    if (a.uri === '') name = a.local;
    else if (a.uri === XML_NAMESPACE) name = `xml:${a.local}`;
    else if (a.uri === XLINK_NAMESPACE && a.local === 'href') name = 'href';
    else name = '';
    // x/y on the root have their own finding (bimi-svg-root-position).
    if (element === 'svg' && (name === 'x' || name === 'y')) continue;
    if (name === '' || !allowed.has(name)) {
      violation({ rule: 'attribute-not-allowed', element: tag.name, attribute: a.name });
    }
  }
}

function short(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

/** viewBox = min-x min-y width height (comma or space separated, width and height > 0). */
export function parseViewBox(value: string | undefined): { width: number; height: number } | undefined {
  if (value === undefined) return undefined;
  const parts = value.trim().split(/[\s,]+/);
  if (parts.length !== 4) return undefined;
  const numbers = parts.map(Number);
  if (numbers.some((n) => !Number.isFinite(n))) return undefined;
  const [, , width, height] = numbers as [number, number, number, number];
  if (width <= 0 || height <= 0) return undefined;
  return { width, height };
}
