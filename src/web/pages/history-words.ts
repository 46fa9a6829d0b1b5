import type { Lang } from '../../i18n/lang.ts';
import { planText } from '../../i18n/plan.ts';
import { translate, translator } from '../../i18n/translate.ts';
import { historyWebText } from '../../i18n/web-history.ts';

/** The words of the policy history and failure report sections. */
export function historyWords(lang: Lang) {
  return translator(historyWebText, lang);
}

/** The CLI's words for a code the server sends (`relation.look-alike`, `cannot.ruf-sample`), else the code. */
export function codeWord(lang: Lang, prefix: 'relation.' | 'why.' | 'cannot.', code: string): string {
  const key = prefix + code;
  return key in planText ? translate(planText, key as keyof typeof planText, lang) : code;
}

/** The domain page's in-page links to these sections. */
export function historySections(lang: Lang): [string, string][] {
  const t = historyWords(lang);
  return [
    ['history', t('history.title')],
    ['failures', t('ruf.title')],
  ];
}
