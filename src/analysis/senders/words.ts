import { analysisText } from '../../i18n/analysis.ts';
import type { Lang } from '../../i18n/lang.ts';
import { translate } from '../../i18n/translate.ts';
import { type KnownSender, knownSenders } from './catalogue.ts';
import type { FailReason } from './fail-reason.ts';

/** A known sender's display name in `lang`. */
export function senderName(sender: KnownSender, lang: Lang): string {
  return (lang === 'ja' ? sender.name.ja : undefined) ?? sender.name.en;
}

/** The reason in words, and the fix where one exists (none for `aligned-pass`). */
export function describeFailReason(
  reason: FailReason,
  lang: Lang,
  catalogue: readonly KnownSender[] = knownSenders,
): { reason: string; fix?: string } {
  const known = catalogue.find((s) => s.id === reason.args.sender);
  const params = {
    ...reason.args,
    sender: known ? senderName(known, lang) : translate(analysisText, 'sender.unknown', lang),
  };
  const text = translate(analysisText, `reason.${reason.code}`, lang, params);
  if (reason.code === 'aligned-pass') return { reason: text };
  return { reason: text, fix: translate(analysisText, `fix.${reason.code}`, lang, params) };
}
