import type { Prompts } from '../kernel/prompts.js';

// commander's own messages, by pattern, to the prompt that says the same in Chinese.
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/unknown option '([^']+)'/, 'cli/error-unknown-option'],
  [/unknown command '([^']+)'/, 'cli/error-unknown-command'],
  [/option '([^']+)' argument missing/, 'cli/error-option-missing-value'],
  [/missing required argument '([^']+)'/, 'cli/error-missing-argument'],
  [/too many arguments/, 'cli/error-too-many-arguments'],
];

/** Translates an error line printed by commander; unknown lines pass through unchanged. */
export function translateCommanderError(message: string, prompts: Prompts): string {
  for (const [re, key] of PATTERNS) {
    const m = re.exec(message);
    if (!m) continue;
    const suggestion = /\(Did you mean (.+?)\?\)/.exec(message);
    const text = prompts.render(key, { name: m[1] ?? '' });
    return (suggestion ? `${text}${prompts.render('cli/error-did-you-mean', { name: suggestion[1]! })}` : text) + '\n';
  }
  return message;
}
