import { styleText } from 'node:util';
import type { Lang } from '../i18n/lang.ts';

/** Bad flags or a bad input file: exit code 2 (DESIGN: exit codes). */
export class UsageError extends Error {}

/**
 * A failure of the world's making (a server not there, a login refused), its message already in
 * the user's words: one line, exit code 1, no stack.
 */
export class RuntimeError extends Error {}

export interface CliContext {
  lang: Lang;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** The words the command line was given, as run() had them (a command's usage errors may depend on them). */
  argv?: readonly string[];
}

/**
 * Exactly one JSON document on stdout (DESIGN: --json contract). The characters a terminal acts
 * on that JSON.stringify leaves raw (DEL, C1 controls, bidi overrides: they can stand only in
 * strings) are written as \\u escapes, the same JSON: the document reaches a terminal unchanged
 * by terminalText.
 */
export function printJson(ctx: CliContext, value: unknown): void {
  const json = JSON.stringify(value, null, 2).replace(
    TERMINAL_ACTING_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  ctx.stdout.write(`${json}\n`);
}

/**
 * `text` on one line: a line break or tab in it (a file named with one, a server's reason) as a
 * space, so that it cannot pass for a line of Sumi's own in a list.
 */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]/g, ' ');
}

/** DEL, C1 controls and the bidi embeddings, overrides and isolates. */
const TERMINAL_ACTING_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Every character a terminal acts on: C0 controls but tab and newline, DEL, C1, bidi controls. */
const TERMINAL_ACTING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * On a terminal, Sumi's own sequences, kept: a colour or weight as painter writes them (bold, dim,
 * the colours; never conceal or blink), erase to the end of the line, and a carriage return
 * starting a write (progress lines drawn again).
 */
const OWN_ON_TERMINAL = /\x1b\[(?:[0-4]|2[1-9]|3[0-9]|9[0-7])m|\x1b\[K|^\r/y;

/**
 * Text for a terminal. What Sumi prints holds untrusted text (report fields, mail headers and
 * file names, DNS records, a server's words), and a control character in it would act on the
 * reader's terminal: ESC starting an OSC that sets the clipboard or the title, a CSI that clears
 * the screen or moves the cursor, a carriage return or a bidi override that redraws a table row.
 * Each is written as U+FFFD. Where the output is a terminal (`terminal`), Sumi's own sequences
 * (OWN_ON_TERMINAL) stay; elsewhere Sumi writes none.
 */
export function terminalText(text: string, terminal = false): string {
  return text.replace(TERMINAL_ACTING, (found, at: number) => {
    if (terminal && (found === '\x1b' || found === '\r')) {
      OWN_ON_TERMINAL.lastIndex = at;
      if (OWN_ON_TERMINAL.test(text)) return found;
    }
    return '\uFFFD';
  });
}

/**
 * `stream` with every string written through terminalText: the one place between the commands
 * and the terminal, so no printer can forget it. Bytes (Buffers: `sumi quarantine raw`) pass as
 * they are; everything else is the stream's own.
 */
export function guardedStream<S extends NodeJS.WritableStream & { isTTY?: boolean }>(stream: S): S {
  const terminal = Boolean(stream.isTTY);
  return new Proxy(stream, {
    get(target, key) {
      if (key === 'write') {
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...args: unknown[]) => boolean)(
            typeof chunk === 'string' ? terminalText(chunk, terminal) : chunk,
            ...rest,
          );
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

type Style = Parameters<typeof styleText>[0];

/** Colour only for a terminal, and never when NO_COLOR is set. */
export function painter(ctx: CliContext, stream: 'stdout' | 'stderr' = 'stdout') {
  const enabled = Boolean(ctx[stream].isTTY) && !ctx.env.NO_COLOR && ctx.env.TERM !== 'dumb';
  return (style: Style, text: string) => (enabled ? styleText(style, text) : text);
}

/** Quotes a CSV field when it needs it (RFC 4180). */
export function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

/** A count as a person reads it, digits grouped: 2,547,889 (the same in Japanese). */
export const count = (n: number) => n.toLocaleString('en');
