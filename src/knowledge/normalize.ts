import * as OpenCC from 'opencc-js/t2cn';

let toSimplified: ((text: string) => string) | undefined;

/** Traditional → simplified Chinese (Taiwan and Hong Kong forms included). */
export function traditionalToSimplified(text: string): string {
  // The converter builds its tables on first use.
  const convert = (toSimplified ??= OpenCC.Converter({ from: 'tw', to: 'cn' }));
  return convert(text);
}

/**
 * The form used for matching, never for display: NFKC (full-width letters and punctuation folded),
 * simplified characters, lower case, and the "操" that web copies censor as "***" restored.
 */
export function normalizeForMatch(text: string): string {
  return traditionalToSimplified(text.normalize('NFKC'))
    .replace(/\s*\*{3}\s*作/g, '操作')
    .toLowerCase();
}

// Emoji and what builds them (skin tones, flags, tags, ZWJ, variation selector, keycap); not
// \p{Emoji_Component}, which also holds the digits, and "618" is a question.
const EMOJI_AND_SYMBOLS = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|[\u{E0020}-\u{E007F}]|\u200d|\ufe0f|\u20e3/gu;

/** True when `text` has at least one letter or digit once emoji, symbols and punctuation are removed. */
export function hasWordCharacters(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text.replace(EMOJI_AND_SYMBOLS, ''));
}

/** Sentence boundaries in Chinese and Western punctuation, and line breaks. */
export const SENTENCE_END = /(?<=[。！？!?；;…\n])/u;

/** Splits text into sentences, each keeping its closing punctuation. */
export function splitSentences(text: string): string[] {
  return text
    .split(SENTENCE_END)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
