import type { Bm25Data } from './bm25.js';
import type { SkippedFile } from './ingest.js';
import type { TextEncodingName } from './decode.js';

/** A passage of the playbook, the unit of retrieval and citation. */
export interface Chunk {
  /** `<document id>#<n>`. */
  readonly id: string;
  readonly docId: string;
  /** Document title, as cited. */
  readonly doc: string;
  /** Section path, as cited ("直播前期的预热 > 第2步"). */
  readonly section: string;
  /** The passage as written in the playbook (original script and punctuation). */
  readonly text: string;
  /** First line of the passage in its file. */
  readonly line: number;
  /** Set on staff-only passages (see audience.ts): never given to fans or groups. */
  readonly audience?: 'staff';
  /**
   * Set on the passages of a document a rewriting tool made (`Segmenter.isRewritten`): they are matched with
   * the tool's real words read back too (`fold(text, { rewritten: true })`), at indexing and answering alike.
   */
  readonly rewritten?: true;
}

export interface EmbeddingInfo {
  readonly model: string;
  readonly status: 'ok' | 'failed';
  /** Base64 of each chunk's Float32 vector, in chunk order (when `ok`). */
  readonly vectors?: string[];
}

/** What `kb build` saves under the data dir, and `ask` loads. */
export interface KnowledgeIndexData {
  readonly version: number;
  /** Hash of the playbook's files, the lexicon and the pipeline version: a change means rebuild. */
  readonly fingerprint: string;
  readonly builtAt: string;
  readonly playbookDir: string;
  readonly documents: { readonly id: string; readonly title: string; readonly encoding: TextEncodingName; readonly chunks: number }[];
  readonly skipped: SkippedFile[];
  readonly chunks: Chunk[];
  /** BM25 over jieba words. */
  readonly bm25: Bm25Data;
  /** BM25 over character bigrams, fused with the word ranking. */
  readonly bm25Bigrams: Bm25Data;
  readonly embedding?: EmbeddingInfo;
}

/** A passage found for a question. */
export interface RetrievedPassage {
  readonly chunk: Chunk;
  /** BM25 score, or the reciprocal-rank-fusion score when dense retrieval is on. */
  readonly score: number;
  /** Share (0..1, IDF-weighted) of the question's terms that this passage contains. */
  readonly coverage: number;
  /** How many of the question's words (two characters or more) this passage contains. */
  readonly matchedWords: number;
}

/** One source of an answer, as the `ask --json` contract shows it. */
export interface AnswerSource {
  readonly doc: string;
  readonly section: string;
  readonly text: string;
  readonly score: number;
}

/** The `ask --json` contract. */
export interface Answer {
  readonly question: string;
  readonly found: boolean;
  readonly answer: string;
  readonly sources: AnswerSource[];
  readonly mode: 'extractive' | 'llm';
}
