/**
 * Retrieval and answer quality on an eval set, judged as bench/kb-quality.ts judges it: a passage hits when
 * it is from the expected document and quotes one of the expected phrases (`expect`, or the answering
 * `sentence`), both compared after `normalizeForMatch`; the first sentence holds the answer when it
 * contains one of the `sentence` phrases (`expect` where a set has none). Only aggregates leave this file.
 */
import type { KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { normalizeForMatch, splitSentences } from '../../src/knowledge/normalize.js';
import type { PlaybookRetriever } from '../../src/knowledge/retriever.js';
import type { Chunk } from '../../src/knowledge/types.js';
import type { EvalItem, EvalSet } from './corpus.js';

/** Ranking depth for MRR (and how many results every engine is asked for). */
export const MRR_DEPTH = 10;

export interface Quality {
  readonly n: number;
  readonly hit1: number;
  readonly hit3: number;
  /** Mean reciprocal rank of the first hit within the ranking's first `depth` (0 when none). */
  readonly mrr: number;
  readonly depth: number;
  /** Share of answerable questions whose first sentence (see the caller) holds the answer. */
  readonly firstSentence: number;
}

type Passage = Pick<Chunk, 'doc' | 'text'>;

const holds = (text: string, phrases: readonly string[]) => {
  const t = normalizeForMatch(text);
  return phrases.some((p) => t.includes(normalizeForMatch(p)));
};

function isHit(p: Passage, item: EvalItem): boolean {
  return normalizeForMatch(p.doc) === normalizeForMatch(item.doc) && holds(p.text, [...item.expect, ...(item.sentence ?? [])]);
}

/** One question judged: the rank (1-based) of the first hit in `ranked`, and whether `first` holds the answer. */
function judge(item: EvalItem, ranked: readonly Passage[], first: string | undefined): { rank: number; sentence: boolean } {
  const at = ranked.findIndex((p) => isHit(p, item));
  return { rank: at + 1, sentence: first !== undefined && holds(first, item.sentence ?? item.expect) };
}

async function aggregate(
  set: EvalSet,
  depth: number,
  answer: (item: EvalItem) => Promise<{ ranked: readonly Passage[]; first: string | undefined }>,
): Promise<Quality> {
  let hit1 = 0;
  let hit3 = 0;
  let rr = 0;
  let sentence = 0;
  for (const item of set.answerable) {
    const { ranked, first } = await answer(item);
    const j = judge(item, ranked.slice(0, depth), first);
    if (j.rank === 1) hit1++;
    if (j.rank >= 1 && j.rank <= 3) hit3++;
    if (j.rank >= 1) rr += 1 / j.rank;
    if (j.sentence) sentence++;
  }
  const n = set.answerable.length;
  return { n, hit1: hit1 / n, hit3: hit3 / n, mrr: rr / n, depth, firstSentence: sentence / n };
}

const firstSentenceOf = (text: string | undefined) => (text === undefined ? undefined : (splitSentences(text)[0] ?? ''));

/** An engine alone: its top `MRR_DEPTH` chunks; "first sentence" is the first sentence of its top chunk. */
export function engineQuality(set: EvalSet, chunks: readonly Chunk[], search: (q: string, k: number) => number[] | Promise<number[]>): Promise<Quality> {
  return aggregate(set, MRR_DEPTH, async (item) => {
    const ranked = (await search(item.q, MRR_DEPTH)).map((i) => chunks[i]!);
    return { ranked, first: firstSentenceOf(ranked[0]?.text) };
  });
}

/** `PlaybookRetriever.search` asked for `MRR_DEPTH` passages; first sentence of its top passage, as for the engines. */
export function retrieverQuality(set: EvalSet, retriever: PlaybookRetriever): Promise<Quality> {
  return aggregate(set, MRR_DEPTH, async (item) => {
    const ranked = (await retriever.search(item.q, { k: MRR_DEPTH })).passages.map((p) => p.chunk);
    return { ranked, first: firstSentenceOf(ranked[0]?.text) };
  });
}

/**
 * `KnowledgeBase.ask` as a user calls it (default k): hits among its sources when it answers (an abstention
 * is a miss), ranks over those sources, and the first sentence of its answer.
 */
export function askQuality(set: EvalSet, kb: KnowledgeBase, depth: number): Promise<Quality> {
  return aggregate(set, depth, async (item) => {
    const a = await kb.ask(item.q);
    return a.found ? { ranked: a.sources, first: firstSentenceOf(a.answer) } : { ranked: [], first: undefined };
  });
}
