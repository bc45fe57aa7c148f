import type { Segmenter } from './segment.js';
import type { RetrievedPassage } from './types.js';

export interface AbstainContext {
  readonly question: string;
  readonly segmenter: Segmenter;
}

/** True when the question names a shop word of the lexicon (shop words, domain words, synonyms): 客服, 直播间, GMV. */
export function namesShopWord(question: string, segmenter: Segmenter): boolean {
  const folded = segmenter.fold(question);
  // A Latin word counts whole only: the "ip" of "javascript" is no IP.
  const latin = new Set(folded.match(/[a-z0-9]+/g) ?? []);
  return segmenter.lexicon.shopWords.some((w) => (/^[a-z0-9]+$/.test(w) ? latin.has(w) : folded.includes(w)));
}

/** Evidence a question naming no shop word needs: words (two characters or more) the passage shares, and coverage. */
const PLAIN_MIN_WORDS = 2;
const PLAIN_MIN_COVERAGE = 0.5;

/** True when the question is small talk (`lexicon/chitchat.txt`: greetings, weather, jokes, films) naming no shop word. */
export function isSmallTalk(question: string, segmenter: Segmenter): boolean {
  const folded = segmenter.fold(question);
  return segmenter.lexicon.chitchat.some((re) => re.test(folded)) && !namesShopWord(question, segmenter);
}

/**
 * True when the knowledge base should say it has nothing: no passage supports an answer, the question is
 * small talk that shares a word with some passage (故事 with 品牌故事, 星期 with "两个星期"), or it names no
 * shop word and the best passage shares fewer than two of its words or half its weight. A rule that also
 * abstained when the question's words unknown to the playbook outweighed the shared ones was tried and
 * dropped: it turned away answerable questions phrased in words of their own.
 */
export function abstains(ctx: AbstainContext, supporting: readonly RetrievedPassage[]): boolean {
  const best = supporting[0];
  if (!best || isSmallTalk(ctx.question, ctx.segmenter)) return true;
  if (namesShopWord(ctx.question, ctx.segmenter)) return false;
  return best.matchedWords < PLAIN_MIN_WORDS || best.coverage < PLAIN_MIN_COVERAGE;
}
