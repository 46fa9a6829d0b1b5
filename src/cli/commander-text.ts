/**
 * Commander's own words in the user's language: the help's headings, the choices and defaults
 * it appends to an option, and its usage errors (unknown option, missing argument...). Without
 * this a Japanese help read "Usage:", "Options:" and "(default: ...)" around Japanese text, and
 * a mistyped option answered in English.
 */
import type { Argument, Command, Option } from 'commander';
import { cliText } from '../i18n/cli.ts';
import type { Lang } from '../i18n/lang.ts';
import { translator } from '../i18n/translate.ts';

type CliKey = keyof typeof cliText;

const TITLES: Readonly<Record<string, CliKey>> = {
  'Usage:': 'help.usage',
  'Options:': 'help.options',
  'Global Options:': 'help.globalOptions',
  'Arguments:': 'help.arguments',
  'Commands:': 'help.commands',
};

/** Commander's usage errors as it words them, and the key that says the same in the user's language. */
const ERRORS: readonly (readonly [RegExp, CliKey, readonly string[]])[] = [
  [
    /^error: unknown option '(.*?)'(?:\n\(Did you mean (.*)\?\))?$/s,
    'commander.unknownOption',
    ['flag', 'suggestion'],
  ],
  [
    /^error: unknown command '(.*?)'(?:\n\(Did you mean (.*)\?\))?$/s,
    'commander.unknownCommand',
    ['name', 'suggestion'],
  ],
  [/^error: missing required argument '(.*)'$/s, 'commander.missingArgument', ['name']],
  [/^error: option '(.*)' argument missing$/s, 'commander.optionMissingArgument', ['flags']],
  [/^error: required option '(.*)' not specified$/s, 'commander.missingMandatoryOption', ['flags']],
  [
    /^error: option '(.*?)' argument '(.*?)' is invalid\. Allowed choices are (.*)\.$/s,
    'commander.invalidChoice',
    ['flags', 'value', 'choices'],
  ],
  [
    /^error: option '(.*?)' argument '(.*?)' is invalid\. (.*)$/s,
    'commander.invalidArgument',
    ['flags', 'value', 'reason'],
  ],
  [
    /^error: command-argument value '(.*?)' is invalid for argument '(.*?)'\. Allowed choices are (.*)\.$/s,
    'commander.invalidArgumentChoice',
    ['value', 'name', 'choices'],
  ],
  [
    /^error: command-argument value '(.*?)' is invalid for argument '(.*?)'\. (.*)$/s,
    'commander.invalidCommandArgument',
    ['value', 'name', 'reason'],
  ],
  [
    /^error: too many arguments((?: for '.*?')?)\. Expected (\d+) (arguments?) but got (\d+)\.$/s,
    'commander.excessArguments',
    ['forCommand', 'expected', 'arguments', 'got'],
  ],
];

/** Applies to `program` and every command added to it afterwards (Commander copies the settings). */
export function commanderInLanguage(program: Command, lang: Lang): void {
  const t = translator(cliText, lang);
  const extra = (choices: readonly string[] | undefined, shownDefault: string | undefined): string => {
    const said: string[] = [];
    if (choices) said.push(t('help.choices', { choices: choices.map((c) => JSON.stringify(c)).join(', ') }));
    if (shownDefault !== undefined) said.push(t('help.default', { value: shownDefault }));
    return said.length === 0 ? '' : t('help.extra', { extra: said.join(t('help.extraSeparator')) });
  };
  const described = (description: string, more: string) =>
    more === '' ? description : description === '' ? more.trim() : `${description}${more}`;
  program.configureHelp({
    styleTitle: (title: string) => (TITLES[title] ? t(TITLES[title]) : title),
    optionDescription: (option: Option) => {
      // As Commander: a boolean's default is for the programmer, unless it is true/false.
      const showDefault =
        option.defaultValue !== undefined &&
        (option.required ||
          option.optional ||
          (option.isBoolean() && typeof option.defaultValue === 'boolean'));
      const shown = showDefault
        ? (option.defaultValueDescription ?? JSON.stringify(option.defaultValue))
        : undefined;
      return described(option.description, extra(option.argChoices, shown));
    },
    argumentDescription: (argument: Argument) => {
      const shown =
        argument.defaultValue === undefined
          ? undefined
          : (argument.defaultValueDescription ?? JSON.stringify(argument.defaultValue));
      return described(argument.description, extra(argument.argChoices, shown));
    },
  });
  program.configureOutput({ outputError: (text, write) => write(commanderError(text, t)) });
}

/** A Commander error message in the user's language; a message it does not know is left as it is. */
function commanderError(text: string, t: ReturnType<typeof translator<typeof cliText>>): string {
  const message = text.replace(/\n$/, '');
  for (const [pattern, key, names] of ERRORS) {
    const found = pattern.exec(message);
    if (!found) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = found[i + 1] ?? '';
    });
    let said = t(key, params);
    if (params.suggestion) said += `\n${t('commander.suggestion', { suggestion: params.suggestion })}`;
    return `${said}\n`;
  }
  return text;
}
