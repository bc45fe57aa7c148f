import type { Logger } from '../kernel/logger.js';
import type { LlmService } from '../kernel/llm.js';
import { ErrorCode, OpsbotError, UserFacingError } from '../kernel/errors.js';
import { Bm25 } from './bm25.js';
import { definedTerm, definitionStrength } from './definition.js';
import { foldOptionsOf, matchTextOf } from './indexer.js';
import { splitSentences } from './normalize.js';
import type { Segmenter } from './segment.js';
import type { Audience } from './audience.js';
import type { Chunk, KnowledgeIndexData, RetrievedPassage } from './types.js';

export interface SearchOptions {
  /** How many passages to return. */
  readonly k: number;
  /** Who asks: `public` (the default) never gets staff-only passages. */
  readonly audience?: Audience;
}

export interface SearchResult {
  readonly passages: RetrievedPassage[];
  /** The question's words (precise segmentation) with their IDF weights: what a passage must cover. */
  readonly terms: ReadonlyMap<string, number>;
  readonly mode: 'bm25' | 'hybrid';
  /** The term a definition question asks about ("什么是私域流量" → 私域流量), in its matching form. */
  readonly definedTerm?: string;
}

/**
 * The retriever contract: callers use `search()`, which times, logs and wraps errors in one place;
 * implementations provide `_search()` (the shape LangChain.js retrievers have).
 */
export abstract class Retriever {
  constructor(protected readonly logger: Logger) {}

  /** Finds the passages that best answer `query`. */
  async search(query: string, options: SearchOptions): Promise<SearchResult> {
    const started = performance.now();
    try {
      const result = await this._search(query, options);
      this.logger.debug(
        { ms: Math.round(performance.now() - started), hits: result.passages.length, mode: result.mode },
        'retrieval done',
      );
      return result;
    } catch (err) {
      if (err instanceof OpsbotError) throw err;
      this.logger.error({ err }, 'retrieval failed');
      throw new UserFacingError(ErrorCode.KB_RETRIEVAL_FAILED, 'errors/kb-retrieval-failed', {}, { cause: err });
    }
  }

  protected abstract _search(query: string, options: SearchOptions): Promise<SearchResult>;
}

/** Reciprocal rank fusion constant: 60 is the value from the original paper and most libraries. */
const RRF_K = 60;

function decodeVector(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Neighbouring pieces of one section: the splitter's overlap makes them share text. */
function neighbours(chunks: readonly Chunk[], a: number, b: number): boolean {
  return Math.abs(a - b) === 1 && chunks[a]!.docId === chunks[b]!.docId && chunks[a]!.section === chunks[b]!.section;
}

/**
 * The top `k` of a ranking with no passage next to a better-ranked one of its section first: neighbouring
 * pieces of one section overlap and would otherwise fill the sources with the same text. The pieces they
 * hold back come after the others, in rank order. Pieces of a long section that are not neighbours stay
 * where they rank: a section can hold several answers (and an article with few headings has long sections).
 */
export function diversify<T extends { index: number }>(ranked: readonly T[], chunks: readonly Chunk[], k: number): T[] {
  const first: T[] = [];
  const rest: T[] = [];
  for (const hit of ranked) (first.some((f) => neighbours(chunks, f.index, hit.index)) ? rest : first).push(hit);
  return [...first, ...rest].slice(0, k);
}

/** BM25 over jieba terms, fused by reciprocal rank with dense retrieval when the index has embeddings. */
export class PlaybookRetriever extends Retriever {
  private readonly bm25: Bm25;
  private readonly bigrams: Bm25;
  private readonly chunks: readonly Chunk[];
  private readonly vectors?: Float32Array[];
  private readonly hasStaff: boolean;
  /** Each chunk's sentences in their matching form, made on the first definition question. */
  private foldedSentences?: string[][];
  /** Each chunk's distinct terms, made the first time the chunk is returned (segmenting a chunk is most of a search). */
  private readonly chunkTerms = new WeakMap<Chunk, ReadonlySet<string>>();

  constructor(
    index: KnowledgeIndexData,
    private readonly segmenter: Segmenter,
    logger: Logger,
    private readonly llm?: LlmService,
  ) {
    super(logger);
    this.bm25 = Bm25.fromJSON(index.bm25);
    this.bigrams = Bm25.fromJSON(index.bm25Bigrams);
    this.chunks = index.chunks;
    this.hasStaff = index.chunks.some((c) => c.audience === 'staff');
    const e = index.embedding;
    if (e?.status === 'ok' && e.vectors && llm?.embeddingModel === e.model) this.vectors = e.vectors.map(decodeVector);
  }

  /**
   * Weight of each distinct word of the question: its IDF, halved for a lone Chinese character, which
   * says less about the topic than a word does (老, 花, 拿).
   */
  weigh(terms: readonly string[]): Map<string, number> {
    return new Map([...new Set(terms)].map((t) => [t, this.bm25.idf(t) * (/^\p{Script=Han}$/u.test(t) ? 0.5 : 1)]));
  }

  /** IDF-weighted share of the question's terms present in `chunk`. */
  coverage(weights: ReadonlyMap<string, number>, chunk: Chunk): { coverage: number; matchedWords: number } {
    const total = [...weights.values()].reduce((a, w) => a + w, 0);
    if (total === 0) return { coverage: 0, matchedWords: 0 };
    let present = this.chunkTerms.get(chunk);
    if (!present) this.chunkTerms.set(chunk, (present = new Set(this.segmenter.terms(matchTextOf(chunk), 'search', foldOptionsOf(chunk)))));
    let hit = 0;
    let matchedWords = 0;
    for (const [t, w] of weights) {
      if (!present.has(t)) continue;
      hit += w;
      if ([...t].length >= 2) matchedWords++;
    }
    return { coverage: hit / total, matchedWords };
  }

  protected override async _search(query: string, { k, audience = 'public' }: SearchOptions): Promise<SearchResult> {
    const terms = this.segmenter.terms(query);
    const weights = this.weigh(this.segmenter.terms(query, 'precise'));
    const pool = Math.max(k * 4, 20);
    // Staff-only passages are filtered out of each ranking before it is cut to the pool, so they can
    // neither be returned nor crowd the public ones out.
    const filtering = audience === 'public' && this.hasStaff;
    const allowed = (h: { index: number }) => this.chunks[h.index]?.audience !== 'staff';
    const top = <T extends { index: number }>(search: (limit: number) => T[]): T[] =>
      filtering ? search(this.chunks.length).filter(allowed).slice(0, pool) : search(pool);
    const rankings: { index: number }[][] = [top((n) => this.bm25.search(terms, n)), top((n) => this.bigrams.search(this.segmenter.bigrams(query), n))];
    let mode: SearchResult['mode'] = 'bm25';
    if (this.vectors && this.llm) {
      try {
        const [q] = await this.llm.embed([query]);
        // Another model behind the same name (or a broken one): its vectors cannot be compared with the index's.
        const dims = this.vectors[0]?.length;
        if (q!.length !== dims) throw new Error(`the question's embedding has ${q!.length} dimensions, the index's ${dims}`);
        rankings.push(
          this.vectors
            .map((v, index) => ({ index, score: cosine(q!, v) }))
            .filter((h) => !filtering || allowed(h))
            .sort((a, b) => b.score - a.score)
            .slice(0, pool),
        );
        mode = 'hybrid';
      } catch (err) {
        this.logger.warn({ err }, 'embedding the question failed; answering from BM25 alone');
      }
    }
    const fused = new Map<number, number>();
    for (const ranking of rankings) {
      ranking.forEach((h, rank) => fused.set(h.index, (fused.get(h.index) ?? 0) + 1 / (RRF_K + rank + 1)));
    }
    let ranked = [...fused.entries()].map(([index, score]) => ({ index, score })).sort((a, b) => b.score - a.score || a.index - b.index);
    const defined = definedTerm(this.segmenter.fold(query));
    if (defined) ranked = this.definitionsFirst(ranked, defined, filtering ? allowed : () => true);
    const passages = diversify(ranked, this.chunks, k).map((h) => {
      const chunk = this.chunks[h.index]!;
      return { chunk, score: h.score, ...this.coverage(weights, chunk) };
    });
    return { passages, terms: weights, mode, ...(defined ? { definedTerm: defined } : {}) };
  }

  /**
   * For a definition question, the passages that define the term best (所谓X, X是指… over X是…) come first,
   * in their fused order: the passages that only use the term would otherwise outrank the one defining it.
   */
  private definitionsFirst(
    ranked: { index: number; score: number }[],
    term: string,
    allowed: (h: { index: number }) => boolean,
  ): { index: number; score: number }[] {
    this.foldedSentences ??= this.chunks.map((c) => splitSentences(c.text).map((t) => this.segmenter.fold(t, foldOptionsOf(c))));
    const strength = this.foldedSentences.map((sentences) => Math.max(0, ...sentences.map((t) => definitionStrength(t, term))));
    const best = Math.max(0, ...strength.filter((_, index) => allowed({ index })));
    if (best === 0) return ranked;
    const score = new Map(ranked.map((h) => [h.index, h.score]));
    const defining = strength
      .map((st, index) => ({ index, score: score.get(index) ?? 0, st }))
      .filter((h) => h.st === best && allowed(h))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .map(({ index, score: sc }) => ({ index, score: sc }));
    const promoted = new Set(defining.map((h) => h.index));
    return [...defining, ...ranked.filter((h) => !promoted.has(h.index))];
  }
}
