import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasWordCharacters, normalizeForMatch } from '../../knowledge/normalize.js';

const LEXICON = join(dirname(fileURLToPath(import.meta.url)), 'lexicon');

/** What a customer's message looks like once normalized for classification. */
export interface NormalizedMessage {
  /** Simplified, half-width, lower case; emoji, links and typos replaced; spaces collapsed. */
  readonly text: string;
  readonly hadEmoji: boolean;
  readonly hadLink: boolean;
}

const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|[\u{E0020}-\u{E007F}]|\u200d|\ufe0f|\u20e3/gu;
const LINK = /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|tv|me|top|cc)(?:\/\S*)?/gi;

let typos: readonly (readonly [string, string])[] | undefined;

/** The typo pairs from lexicon/typos.txt, longest first so 啥时候 wins over 啥. */
export function typoPairs(): readonly (readonly [string, string])[] {
  typos ??= readFileSync(join(LEXICON, 'typos.txt'), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/) as [string, string])
    .filter((p) => p.length === 2)
    .sort((a, b) => b[0].length - a[0].length);
  return typos;
}

/** Normalizes a customer's message for classification (never for display). */
export function normalizeMessage(raw: string): NormalizedMessage {
  const hadLink = LINK.test(raw);
  LINK.lastIndex = 0;
  let text = normalizeForMatch(raw.replace(LINK, ' '));
  const hadEmoji = EMOJI.test(text);
  EMOJI.lastIndex = 0;
  text = text.replace(EMOJI, ' ');
  for (const [from, to] of typoPairs()) if (text.includes(from)) text = text.split(from).join(to);
  text = text.replace(/\s+/g, ' ').trim();
  return { text, hadEmoji, hadLink };
}

/** True when the message has any letter or digit (not only emoji, punctuation or a link). */
export function hasWords(normalized: NormalizedMessage): boolean {
  return hasWordCharacters(normalized.text);
}
