/**
 * The peer libraries the engines are compared with. MiniSearch and wink-bm25-text-search are opsbot dev
 * dependencies; Orama and LangChain's BM25Retriever live in bench/peers (their own package.json and
 * lockfile: @langchain/community declares peers that conflict with opsbot's dotenv, openai and zod), loaded
 * from there with a `require` rooted in that folder. None of the three ships typings that reach this
 * project, so the parts of their APIs used here are typed by hand below.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

// ---- wink-bm25-text-search (opsbot dev dependency, no typings) -------------------------------------

export type WinkPrepTask = (input: string) => string[];
export interface WinkBm25 {
  defineConfig(config: { fldWeights: Record<string, number>; bm25Params?: { k1?: number; b?: number; k?: number } }): boolean;
  definePrepTasks(tasks: WinkPrepTask[], field?: string): number;
  addDoc(doc: Record<string, string>, id: string | number): number;
  consolidate(fp?: number): boolean;
  search(text: string, limit?: number): [string, number][];
}

export const winkBm25 = createRequire(import.meta.url)('wink-bm25-text-search') as () => WinkBm25;

// ---- Orama (@orama/orama, bench/peers) ---------------------------------------------------------------

/** Orama's tokenizer component: what `create({ components: { tokenizer } })` accepts. */
export interface OramaTokenizer {
  language: string;
  normalizationCache: Map<string, string>;
  tokenize(raw: string, language?: string, prop?: string, withCache?: boolean): string[];
}
/** An Orama database: opaque here, only passed back to Orama's functions. */
export type OramaDb = { readonly __orama: unique symbol };
export interface OramaHit {
  readonly id: string;
  readonly score: number;
}
export interface Orama {
  create(config: {
    schema: Record<string, 'string'>;
    components?: { tokenizer?: OramaTokenizer | { language?: string } };
  }): OramaDb;
  insertMultiple(db: OramaDb, docs: { id: string; text: string }[], batchSize?: number): string[] | Promise<string[]>;
  search(db: OramaDb, params: { term: string; properties?: string[]; limit?: number }): { hits: OramaHit[] } | Promise<{ hits: OramaHit[] }>;
}

// ---- LangChain BM25Retriever (@langchain/community/retrievers/bm25, bench/peers) -------------------

/** The part of LangChain's `DocumentInterface` the retriever reads and returns. */
export interface LcDocument<M extends Record<string, unknown> = Record<string, unknown>> {
  pageContent: string;
  metadata: M;
}
export interface Bm25Retriever {
  /** How many documents `invoke` returns (a public field, set at construction). */
  k: number;
  invoke(query: string): Promise<LcDocument[]>;
}
export interface Bm25RetrieverClass {
  fromDocuments(documents: LcDocument[], options: { k: number }): Bm25Retriever;
}

// ---- Loading ---------------------------------------------------------------------------------------

const PEERS = new URL('../peers/', import.meta.url);
export const PEERS_INSTALL = 'npm ci --prefix bench/peers';

export interface Peers {
  readonly orama: Orama;
  readonly BM25Retriever: Bm25RetrieverClass;
  readonly versions: Readonly<Record<string, string>>;
}

/** Loads Orama and LangChain from bench/peers, or explains how to install them. */
export function loadPeers(): Peers {
  if (!existsSync(new URL('node_modules/', PEERS))) {
    throw new Error(`bench:kb compares opsbot with peer libraries installed in bench/peers, which is missing its node_modules: run \`${PEERS_INSTALL}\` first.`);
  }
  const req = createRequire(new URL('package.json', PEERS));
  try {
    const version = (name: string) => (req(`${name}/package.json`) as { version: string }).version;
    return {
      orama: req('@orama/orama') as Orama,
      BM25Retriever: (req('@langchain/community/retrievers/bm25') as { BM25Retriever: Bm25RetrieverClass }).BM25Retriever,
      versions: { '@orama/orama': version('@orama/orama'), '@langchain/community': version('@langchain/community') },
    };
  } catch (err) {
    throw new Error(`bench:kb could not load the peer libraries from bench/peers (${(err as Error).message}): run \`${PEERS_INSTALL}\`.`, { cause: err });
  }
}
