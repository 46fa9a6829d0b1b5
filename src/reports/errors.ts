import { format, type UiCatalog } from '../i18n/catalog.ts';
import type { Lang } from '../i18n/lang.ts';
import {
  gzipFaultText,
  jsonFaultText,
  mailFaultText,
  reportErrorText,
  sourceWords,
  tlsProblemText,
  xmlFaultText,
  zipFaultText,
} from '../i18n/reports.ts';

export type ReportErrorCode = keyof typeof reportErrorText;
export type ReportErrorArgs = Record<string, string | number>;

/**
 * Why an input could not be read as a report. `code` is stable (the store keeps it in the
 * quarantine, the CLI prints it); the words live in src/i18n/reports.ts.
 */
export class ReportError extends Error {
  readonly code: ReportErrorCode;
  readonly args: ReportErrorArgs;
  /** Where the input came from, e.g. `mail.eml > attachment 2 report.zip > entry a.xml`. */
  provenance: string | undefined;

  constructor(
    code: ReportErrorCode,
    args: ReportErrorArgs = {},
    options: { provenance?: string; cause?: unknown } = {},
  ) {
    super(format(reportErrorText[code].en, args), { cause: options.cause });
    this.name = 'ReportError';
    this.code = code;
    this.args = args;
    this.provenance = options.provenance;
  }
}

/** Sets the provenance of a ReportError that does not have one yet; other errors pass through. */
export function withProvenance(err: unknown, provenance: string): unknown {
  if (err instanceof ReportError && err.provenance === undefined) err.provenance = provenance;
  return err;
}

/** The error in words, in the given language, prefixed by its provenance when known. */
export function describeReportError(err: ReportError, lang: Lang): string {
  const text = format(reportErrorText[err.code][lang], wordsOf(err, lang));
  return err.provenance ? `${sourceWords(err.provenance, lang)}: ${text}` : text;
}

/**
 * The words some errors carry in their values, said in `lang` from the fault they name (the
 * English ones are kept, for the error's own message): what makes XML not well-formed (`detail`),
 * what is wrong with a TLS report's field (`problem`), what a library found wrong with gzip or
 * zip data, a mail or JSON (`detail`, its English message).
 */
const FAULT_WORDS: Partial<Record<ReportErrorCode, { slot: string; text: UiCatalog }>> = {
  'xml-not-well-formed': { slot: 'detail', text: xmlFaultText },
  'tls-invalid-report': { slot: 'problem', text: tlsProblemText },
  'gzip-corrupt': { slot: 'detail', text: gzipFaultText },
  'zip-corrupt': { slot: 'detail', text: zipFaultText },
  'mail-not-parseable': { slot: 'detail', text: mailFaultText },
  'tls-not-json': { slot: 'detail', text: jsonFaultText },
};

/**
 * The error's values for its words in `lang`. In English they are the error's own: its fault's
 * words, or a library's message, exactly as it was given.
 */
function wordsOf(err: ReportError, lang: Lang): ReportErrorArgs {
  const words = FAULT_WORDS[err.code];
  const { fault } = err.args;
  if (lang === 'en' || words === undefined || typeof fault !== 'string' || !Object.hasOwn(words.text, fault))
    return err.args;
  return { ...err.args, [words.slot]: format(words.text[fault]![lang], err.args) };
}

/**
 * A library's message as the fault of `catalog` whose English it is, with the values it carries
 * (`{name}` in the English matches any text), or undefined for a message not in the catalog: the
 * values to put beside the message, as `detail`, in a ReportError's args.
 */
export function faultOf(catalog: UiCatalog, message: string): ReportErrorArgs | undefined {
  for (const [fault, pattern] of patternsOf(catalog)) {
    const match = pattern.exec(message);
    if (match) return { fault, ...match.groups };
  }
  return undefined;
}

const PATTERNS = new WeakMap<UiCatalog, [string, RegExp][]>();

function patternsOf(catalog: UiCatalog): [string, RegExp][] {
  let patterns = PATTERNS.get(catalog);
  if (patterns === undefined) {
    patterns = Object.entries(catalog).map(([fault, words]) => {
      const source = words.en
        .split(/\{(\w+)\}/)
        .map((part, i) => (i % 2 === 1 ? `(?<${part}>.*?)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return [fault, new RegExp(`^${source}$`, 's')];
    });
    PATTERNS.set(catalog, patterns);
  }
  return patterns;
}

/** Shows the start of an unexpected input safely: printable ASCII only, bounded. */
export function previewBytes(bytes: Uint8Array, max = 24): string {
  let out = '';
  for (const byte of bytes.subarray(0, max)) {
    out +=
      byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > max ? `${out}…` : out;
}
