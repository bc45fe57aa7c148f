/**
 * The 50,000-chunk synthetic corpus: each engine built once and queried (build time, query p50/p99, heap Δ
 * and RSS), then opsbot's real retrieval path over the same chunks. Engines run one after another and each
 * index is released before the next is built.
 */
import { Bm25 } from '../../src/knowledge/bm25.js';
import { matchTextOf, PIPELINE_VERSION } from '../../src/knowledge/indexer.js';
import { PlaybookRetriever } from '../../src/knowledge/retriever.js';
import { charBigrams, type Segmenter } from '../../src/knowledge/segment.js';
import type { Chunk, KnowledgeIndexData } from '../../src/knowledge/types.js';
import { silentLogger } from '../../tests/helpers.js';
import type { SyntheticCorpus } from './corpus.js';
import type { Engine, OpsbotEngine } from './engines.js';
import { latency, log, measured, type Latency, type Memory } from './util.js';

export interface SyntheticRow {
  readonly engine: Engine;
  readonly build: number;
  /** jieba segmentation inside the build, where the adapter times it apart. */
  readonly segment?: number;
  readonly memory: Memory;
  readonly lat: Latency;
}

export interface FullPathRow {
  readonly build: number;
  readonly segment: number;
  /** Splitting the chunks into character bigrams. */
  readonly bigramSplit: number;
  /** `Bm25.build` of the word and the bigram postings together. */
  readonly postings: number;
  readonly memory: Memory;
  readonly lat: Latency;
  readonly commonestBigrams: { t: string; df: number }[];
}

export interface SyntheticResult {
  readonly rows: SyntheticRow[];
  readonly full: FullPathRow;
  /** The question words with the longest postings lists in opsbot's word index. */
  readonly commonestWords: { t: string; df: number }[];
  readonly skipped: { engine: Engine; reason: string }[];
}

const top = (terms: readonly string[], df: (t: string) => number) =>
  [...new Set(terms)]
    .map((t) => ({ t, df: df(t) }))
    .sort((a, b) => b.df - a.df)
    .slice(0, 3);

export async function runSynthetic(
  corpus: SyntheticCorpus,
  engines: readonly Engine[],
  opsbot: OpsbotEngine,
  segmenter: Segmenter,
  questions: readonly string[],
  k: number,
): Promise<SyntheticResult> {
  const rows: SyntheticRow[] = [];
  const skipped: { engine: Engine; reason: string }[] = [];
  let commonestWords: { t: string; df: number }[] = [];
  for (const engine of engines) {
    if (engine.synthetic !== true) {
      skipped.push({ engine, reason: engine.synthetic });
      continue;
    }
    const queries = corpus.queries.slice(0, engine.syntheticQueries ?? corpus.queries.length);
    log(`synthetic: ${engine.name}: index (1 run), search × ${queries.length}`);
    const built = await measured(() => engine.build(corpus.texts));
    // Engines whose queries take hundreds of ms here warm up on two questions only.
    const lat = await latency(queries, (q) => engine.search(q, k), engine.syntheticQueries ? 2 : Infinity);
    if (engine === opsbot) commonestWords = top(questions.flatMap((q) => segmenter.terms(q)), (t) => opsbot.docFrequency(t));
    rows.push({ engine, build: built.ms, ...(built.value.segmentMs === undefined ? {} : { segment: built.value.segmentMs }), memory: built.memory, lat });
    engine.release();
  }
  log(`synthetic: opsbot full retrieval path: both indexes (1 run), PlaybookRetriever.search × ${corpus.queries.length}`);
  const full = await fullPath(corpus, segmenter, questions, k);
  return { rows, full, commonestWords, skipped };
}

/** A `KnowledgeIndexData` for the synthetic corpus: placeholder provenance, the real chunks and both BM25 indexes. */
function syntheticIndexData(chunks: Chunk[], words: Bm25, bigrams: Bm25): KnowledgeIndexData {
  return {
    version: PIPELINE_VERSION,
    fingerprint: 'synthetic',
    builtAt: new Date().toISOString(),
    playbookDir: '(synthetic)',
    documents: [],
    skipped: [],
    chunks,
    bm25: words.toJSON(),
    bm25Bigrams: bigrams.toJSON(),
  };
}

/**
 * opsbot's real path: what `buildIndex` does after cleaning and splitting (word BM25 over jieba terms,
 * bigram BM25 over `charBigrams`), then `PlaybookRetriever.search` (both rankings fused by reciprocal rank,
 * `diversify`, and `coverage`, which re-segments the returned passages).
 */
async function fullPath(corpus: SyntheticCorpus, segmenter: Segmenter, questions: readonly string[], k: number): Promise<FullPathRow> {
  const stages = { segment: 0, bigramSplit: 0, postings: 0 };
  let commonestBigrams: { t: string; df: number }[] = [];
  const built = await measured(() => {
    let started = performance.now();
    const terms = corpus.chunks.map((c) => segmenter.terms(matchTextOf(c)));
    stages.segment = performance.now() - started;
    started = performance.now();
    const bigrams = corpus.chunks.map((c) => charBigrams(matchTextOf(c)));
    stages.bigramSplit = performance.now() - started;
    started = performance.now();
    const words = Bm25.build(terms);
    const pairs = Bm25.build(bigrams);
    stages.postings = performance.now() - started;
    commonestBigrams = top(questions.flatMap((q) => charBigrams(q)), (t) => pairs.docFrequency(t));
    // Only the retriever stays alive: the heap Δ is both indexes as searched.
    return new PlaybookRetriever(syntheticIndexData(corpus.chunks, words, pairs), segmenter, silentLogger);
  });
  const retriever = built.value;
  const lat = await latency(corpus.queries, (q) => retriever.search(q, { k }));
  return { build: stages.segment + stages.bigramSplit + stages.postings, ...stages, memory: built.memory, lat, commonestBigrams };
}
