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
}

/** Exactly one JSON document on stdout (DESIGN: --json contract). */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
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
