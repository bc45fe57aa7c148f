/**
 * The engines compared, one adapter each behind one small interface. Every adapter is given texts and
 * returns indices into them; all but the two "own tokenizer" rows are fed the same tokenizer,
 * `Segmenter.terms` (jieba search mode, stopwords out, synonyms folded), so those rows compare engines.
 */
import MiniSearch from 'minisearch';
import { Bm25 } from '../../src/knowledge/bm25.js';
import type { Segmenter } from '../../src/knowledge/segment.js';
import { winkBm25, type LcDocument, type OramaDb, type OramaTokenizer, type Peers, type WinkBm25 } from './peers.js';

export interface Engine {
  readonly name: string;
  /** How the engine is fed, for the tables. */
  readonly feed: string;
  /** Measured on the 50,000 synthetic chunks too (false: playbook only, with the reason). */
  readonly synthetic: true | string;
  /** At most this many timed synthetic queries (engines whose query takes hundreds of ms at 50,000 chunks). */
  readonly syntheticQueries?: number;
  /** Indexes `texts`; returns the time of the jieba segmentation inside it when the adapter can tell it apart. */
  build(texts: readonly string[]): Promise<{ segmentMs?: number }>;
  /** Indices of the `k` best texts for the question, best first (the question is segmented inside). */
  search(q: string, k: number): number[] | Promise<number[]>;
  release(): void;
  /** No index: the build only keeps the documents and every query scores them all. */
  readonly indexless?: boolean;
}

export const JIEBA = '`Segmenter.terms` (jieba)';

/** opsbot's word index alone; `docFrequency` tells how long the commonest postings lists are. */
export interface OpsbotEngine extends Engine {
  docFrequency(term: string): number;
}

export function opsbotEngine(segmenter: Segmenter): OpsbotEngine {
  let index: Bm25 | undefined;
  return {
    name: 'opsbot Bm25',
    feed: JIEBA,
    synthetic: true,
    async build(texts) {
      const started = performance.now();
      const terms = texts.map((t) => segmenter.terms(t));
      const segmentMs = performance.now() - started;
      index = Bm25.build(terms);
      return { segmentMs };
    },
    search: (q, k) => index!.search(segmenter.terms(q), k).map((h) => h.index),
    docFrequency: (term) => index!.docFrequency(term),
    release: () => (index = undefined),
  };
}

export function miniSearchEngine(segmenter: Segmenter): Engine {
  let index: MiniSearch<{ id: number; text: string }> | undefined;
  return {
    name: 'MiniSearch',
    feed: JIEBA,
    synthetic: true,
    async build(texts) {
      index = new MiniSearch<{ id: number; text: string }>({
        fields: ['text'],
        tokenize: (text) => segmenter.terms(text),
        processTerm: (term) => term,
      });
      index.addAll(texts.map((text, id) => ({ id, text })));
      return {};
    },
    // MiniSearch has no result limit: it scores and sorts every match, and we keep the first k.
    search: (q, k) => index!.search(q).slice(0, k).map((r) => Number(r.id)),
    release: () => (index = undefined),
  };
}

export function winkEngine(segmenter: Segmenter): Engine {
  let index: WinkBm25 | undefined;
  return {
    name: 'wink-bm25-text-search',
    feed: JIEBA,
    synthetic: true,
    async build(texts) {
      const engine = winkBm25();
      engine.defineConfig({ fldWeights: { text: 1 }, bm25Params: { k1: 1.2, b: 0.75, k: 1 } });
      engine.definePrepTasks([(text) => segmenter.terms(text)]);
      texts.forEach((text, id) => engine.addDoc({ text }, id));
      // Search is refused until the index is consolidated (IDF and BM25 weights precomputed); wink needs ≥ 3 documents.
      engine.consolidate();
      index = engine;
      return {};
    },
    search: (q, k) => index!.search(q, k).map(([id]) => Number(id)),
    release: () => (index = undefined),
  };
}

/**
 * Orama, with `Segmenter.terms` as its tokenizer component (repeats kept, as for the other engines: Orama
 * takes term frequency from them), or with its own default tokenizer. Orama ships no Chinese tokenizer in
 * @orama/orama (its Mandarin one is the separate @orama/tokenizers package, not installed): the default
 * tokenizer splits on anything that is not a Latin letter or digit, so it keeps only the Latin words of a
 * Chinese text. Search uses Orama's defaults (BM25, prefix matching of terms, no typo tolerance). At 50,000
 * chunks a query takes hundreds of milliseconds, so it gets few timed queries there.
 */
export function oramaEngine(peers: Peers, segmenter: Segmenter | undefined, syntheticQueries: number): Engine {
  const { orama } = peers;
  let db: OramaDb | undefined;
  const tokenizer: OramaTokenizer | undefined = segmenter && {
    language: 'chinese',
    normalizationCache: new Map(),
    tokenize: (raw) => segmenter.terms(raw),
  };
  return {
    name: segmenter ? 'Orama' : 'Orama, own default tokenizer',
    feed: segmenter ? `${JIEBA} as its tokenizer component` : 'its default tokenizer (no Chinese segmentation)',
    synthetic: segmenter ? true : 'indexes only the Latin words of a Chinese text; playbook only',
    syntheticQueries,
    async build(texts) {
      db = orama.create({ schema: { text: 'string' }, ...(tokenizer ? { components: { tokenizer } } : {}) });
      await orama.insertMultiple(db, texts.map((text, id) => ({ id: String(id), text })));
      return {};
    },
    async search(q, k) {
      const result = await orama.search(db!, { term: q, properties: ['text'], limit: k });
      return result.hits.map((h) => Number(h.id));
    },
    release: () => (db = undefined),
  };
}

/**
 * LangChain's BM25Retriever. It has no index: `fromDocuments` keeps the documents, and every query splits
 * itself on whitespace and scores every document (substring counts), so at 50,000 chunks it gets few
 * timed queries. `segmenter` given: documents and question are jieba terms joined by spaces; absent: the
 * raw Chinese text, as a user who did not know would pass it.
 */
export function langChainEngine(peers: Peers, segmenter: Segmenter | undefined, syntheticQueries: number): Engine {
  let retriever: ReturnType<Peers['BM25Retriever']['fromDocuments']> | undefined;
  const prepare = (text: string) => (segmenter ? segmenter.terms(text).join(' ') : text);
  return {
    name: segmenter ? 'LangChain BM25Retriever, jieba-segmented' : 'LangChain BM25Retriever, raw text',
    feed: segmenter ? `${JIEBA} terms joined by spaces` : 'the unsegmented text (it splits on whitespace)',
    synthetic: true,
    syntheticQueries,
    indexless: true,
    async build(texts) {
      const started = performance.now();
      const docs: LcDocument<{ index: number }>[] = texts.map((text, index) => ({ pageContent: prepare(text), metadata: { index } }));
      const segmentMs = segmenter ? performance.now() - started : undefined;
      retriever = peers.BM25Retriever.fromDocuments(docs, { k: 10 });
      return segmentMs === undefined ? {} : { segmentMs };
    },
    async search(q, k) {
      retriever!.k = k;
      const docs = await retriever!.invoke(prepare(q));
      return docs.map((d) => (d.metadata as { index: number }).index);
    },
    release: () => (retriever = undefined),
  };
}

export function allEngines(segmenter: Segmenter, peers: Peers, slowQueries: number): { opsbot: OpsbotEngine; engines: Engine[] } {
  const opsbot = opsbotEngine(segmenter);
  return {
    opsbot,
    engines: [
      opsbot,
      miniSearchEngine(segmenter),
      winkEngine(segmenter),
      oramaEngine(peers, segmenter, slowQueries),
      oramaEngine(peers, undefined, slowQueries),
      langChainEngine(peers, segmenter, slowQueries),
      langChainEngine(peers, undefined, slowQueries),
    ],
  };
}
