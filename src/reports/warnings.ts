import { format } from '../i18n/catalog.ts';
import type { Lang } from '../i18n/lang.ts';
import { reportWarningText } from '../i18n/reports.ts';
import type { ReportWarning } from './types.ts';

export type WarningCode = keyof typeof reportWarningText;

/** Longest example value kept with a warning: examples are for people, not for storage. */
const EXAMPLE_MAX_LENGTH = 200;

/**
 * Collects what was normalised while reading one report. The same code and field are counted
 * rather than repeated, so a report with 500,000 odd values still yields a short list.
 */
export class Warnings {
  readonly #byKey = new Map<string, ReportWarning>();

  add(code: WarningCode, field?: string, example?: string): void {
    const key = `${code}\u0000${field ?? ''}`;
    const seen = this.#byKey.get(key);
    if (seen) {
      seen.count++;
      return;
    }
    const warning: ReportWarning = { code, count: 1 };
    if (field !== undefined) warning.field = field;
    if (example !== undefined) warning.example = example.slice(0, EXAMPLE_MAX_LENGTH);
    this.#byKey.set(key, warning);
  }

  /** Adds warnings collected elsewhere, counts included. */
  addAll(warnings: readonly ReportWarning[]): void {
    for (const warning of warnings) {
      const key = `${warning.code}\u0000${warning.field ?? ''}`;
      const seen = this.#byKey.get(key);
      if (seen) seen.count += warning.count;
      else this.#byKey.set(key, { ...warning });
    }
  }

  has(code: WarningCode): boolean {
    for (const warning of this.#byKey.values()) if (warning.code === code) return true;
    return false;
  }

  list(): ReportWarning[] {
    return [...this.#byKey.values()];
  }
}

/** One warning in words, in the given language. */
export function describeReportWarning(warning: ReportWarning, lang: Lang): string {
  const text = reportWarningText[warning.code as WarningCode]?.[lang] ?? warning.code;
  return format(text, { field: warning.field ?? '', example: warning.example ?? '' });
}
