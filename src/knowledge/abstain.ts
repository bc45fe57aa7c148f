import type { Segmenter } from './segment.js';
import type { RetrievedPassage } from './types.js';

export interface AbstainContext {
  readonly question: string;
  readonly segmenter: Segmenter;
}

/** True when the question names a shop word of the lexicon (domain words and synonyms): 品牌故事, 直播间, GMV. */
export function namesShopWord(question: string, segmenter: Segmenter): boolean {
  const folded = segmenter.fold(question);
  return segmenter.lexicon.words.some((w) => folded.includes(w));
}

/** True when the question is small talk (`lexicon/chitchat.txt`: greetings, weather, jokes, films) naming no shop word. */
export function isSmallTalk(question: string, segmenter: Segmenter): boolean {
  const folded = segmenter.fold(question);
  return segmenter.lexicon.chitchat.some((re) => re.test(folded)) && !namesShopWord(question, segmenter);
}

/**
 * True when the knowledge base should say it has nothing: no passage supports an answer, or the question is
 * small talk that shares a word with some passage (故事 with 品牌故事, 星期 with "两个星期"). A rule that also
 * abstained when the question's words unknown to the playbook outweighed the shared ones was tried and
 * dropped: it turned away answerable questions phrased in words of their own.
 */
export function abstains(ctx: AbstainContext, supporting: readonly RetrievedPassage[]): boolean {
  return supporting.length === 0 || isSmallTalk(ctx.question, ctx.segmenter);
}
