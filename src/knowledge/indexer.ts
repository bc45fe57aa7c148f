import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../kernel/logger.js';
import type { LlmService } from '../kernel/llm.js';
import { ErrorCode, UserFacingError } from '../kernel/errors.js';
import { Bm25 } from './bm25.js';
import { cleanDocument } from './clean.js';
import type { PlaybookContents } from './ingest.js';
import type { FoldOptions, Segmenter } from './segment.js';
import type { Chunk, EmbeddingInfo, KnowledgeIndexData } from './types.js';

/** Bump when cleaning, splitting or the index format changes, so saved indexes are rebuilt. */
export const PIPELINE_VERSION = 11;

export type BuildStage = 'split' | 'index' | 'embed';
export interface BuildProgress {
  readonly stage: BuildStage;
  readonly done: number;
  readonly total: number;
}

export interface BuildIndexOptions {
  readonly contents: PlaybookContents;
  readonly playbookDir: string;
  readonly segmenter: Segmenter;
  /** Section labels for text outside any heading. */
  readonly labels: { readonly intro: string; readonly body: string };
  readonly llm?: LlmService;
  readonly logger: Logger;
  readonly onProgress?: (p: BuildProgress) => void;
  /** Texts per embedding request. */
  readonly embedBatch?: number;
  /** When the index is built (the process clock). */
  readonly now?: Date;
}

/** Identifies what an index was built from: the files' bytes, the lexicon, the section labels, the pipeline and the embedding model. */
export function fingerprintOf(
  contents: PlaybookContents,
  lexiconFingerprint: string,
  labels: BuildIndexOptions['labels'],
  embeddingModel?: string,
): string {
  const h = createHash('sha256').update(
    `v${PIPELINE_VERSION}\0${lexiconFingerprint}\0${labels.intro}\0${labels.body}\0${embeddingModel ?? ''}\0`,
  );
  for (const doc of contents.documents) h.update(doc.id).update('\0').update(doc.bytes).update('\0');
  return h.digest('hex');
}

/** The text a passage is matched by: its document title and headings count as part of it. */
export function matchTextOf(chunk: Pick<Chunk, 'doc' | 'section' | 'text'>): string {
  return `${chunk.doc}\n${chunk.section}\n${chunk.text}`;
}

/** How a passage's text is folded: with the rewriting lexicon's real words when its document is rewritten. */
export function foldOptionsOf(chunk: Pick<Chunk, 'rewritten'>): FoldOptions {
  return { rewritten: chunk.rewritten === true };
}

/** Cleans, splits, segments and indexes the playbook; embeds passages when an embedding model is configured. */
export async function buildIndex(options: BuildIndexOptions): Promise<KnowledgeIndexData> {
  // LangChain's splitter is loaded only when an index is built, not for every question.
  const { splitDocument } = await import('./split.js');
  const { contents, segmenter, logger, onProgress } = options;
  const chunks: Chunk[] = [];
  const documents: KnowledgeIndexData['documents'] = [];
  let done = 0;
  for (const doc of contents.documents) {
    // The public text and the staff-only text are split apart; their passages are marked so retrieval can
    // keep staff-only ones from fans and groups.
    const parts = [{ text: doc.text, staff: false }, ...(doc.staffText ? [{ text: doc.staffText, staff: true }] : [])];
    let n = 0;
    // A rewriting tool's work shows in its telltale words (优短缺, 民众号); only then are its real-word
    // swaps (生产者 for 消费者) read back, for all the document's passages, public and staff-only.
    const rewritten = segmenter.isRewritten(parts.map((p) => p.text).join('\n'));
    if (rewritten) logger.debug({ doc: doc.id }, 'document looks machine-rewritten; its passages are read with the rewriting lexicon');
    for (const part of parts) {
      if (!part.text.trim()) continue;
      const cleaned = cleanDocument(part.text, segmenter.lexicon.boilerplate, doc.title, doc.markdown);
      logger.debug({ doc: doc.id, removed: cleaned.removed.length, staff: part.staff }, 'cleaned document');
      const drafts = await splitDocument(cleaned.paragraphs, { introLabel: options.labels.intro, bodyLabel: options.labels.body });
      for (const d of drafts) {
        chunks.push({
          id: `${doc.id}#${n++}`,
          docId: doc.id,
          doc: doc.title,
          ...d,
          ...(part.staff ? { audience: 'staff' as const } : {}),
          ...(rewritten ? { rewritten: true as const } : {}),
        });
      }
    }
    documents.push({ id: doc.id, title: doc.title, encoding: doc.encoding, chunks: n });
    onProgress?.({ stage: 'split', done: ++done, total: contents.documents.length });
  }

  const terms: string[][] = [];
  const step = Math.max(1, Math.floor(chunks.length / 50));
  chunks.forEach((c, i) => {
    terms.push(segmenter.terms(matchTextOf(c), 'search', foldOptionsOf(c)));
    if ((i + 1) % step === 0 || i === chunks.length - 1) onProgress?.({ stage: 'index', done: i + 1, total: chunks.length });
  });
  const bm25 = Bm25.build(terms);
  const bm25Bigrams = Bm25.build(chunks.map((c) => segmenter.bigrams(matchTextOf(c), foldOptionsOf(c))));

  const embedding = options.llm?.embeddingModel ? await embedChunks(chunks, options) : undefined;
  return {
    version: PIPELINE_VERSION,
    fingerprint: fingerprintOf(contents, segmenter.lexicon.fingerprint, options.labels, options.llm?.embeddingModel),
    builtAt: (options.now ?? new Date()).toISOString(),
    playbookDir: options.playbookDir,
    documents,
    skipped: contents.skipped,
    chunks,
    bm25: bm25.toJSON(),
    bm25Bigrams: bm25Bigrams.toJSON(),
    ...(embedding ? { embedding } : {}),
  };
}

async function embedChunks(chunks: readonly Chunk[], options: BuildIndexOptions): Promise<EmbeddingInfo> {
  const llm = options.llm!;
  const model = llm.embeddingModel!;
  const batch = options.embedBatch ?? 64;
  const vectors: string[] = [];
  try {
    for (let i = 0; i < chunks.length; i += batch) {
      const slice = chunks.slice(i, i + batch);
      const out = await llm.embed(slice.map(matchTextOf));
      for (const v of out) vectors.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
      options.onProgress?.({ stage: 'embed', done: Math.min(i + batch, chunks.length), total: chunks.length });
    }
    return { model, status: 'ok', vectors };
  } catch (err) {
    // The index still works on BM25 alone; the next `kb build` tries the embeddings again.
    options.logger.warn({ err, model }, 'embedding the playbook failed; dense retrieval is off for this index');
    return { model, status: 'failed' };
  }
}

/** Where the index lives under the data dir. */
export function indexPathOf(dataDir: string): string {
  return join(dataDir, 'kb', 'index.json');
}

/**
 * A saved index as found: none, an older pipeline's (rebuilt quietly), corrupt or unreadable (a folder
 * in its place, no permission: rebuilt with a warning, and saving it says what is wrong), or usable.
 */
export type SavedIndex =
  | { readonly status: 'none' | 'old' }
  | { readonly status: 'corrupt' | 'unreadable'; readonly err?: unknown }
  | { readonly status: 'ok'; readonly data: KnowledgeIndexData };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The BM25 data fits the chunks it was built over (a tampered or truncated one would fail mid-question). */
function isBm25(v: unknown, chunks: number): boolean {
  return isObject(v) && typeof v.k1 === 'number' && typeof v.b === 'number' && Array.isArray(v.lengths) && v.lengths.length === chunks && isObject(v.postings);
}

/** Whether parsed JSON has the shape of this pipeline's index; only its own derived data is trusted. */
function isIndex(v: Record<string, unknown>): v is Record<string, unknown> & KnowledgeIndexData {
  const chunks = v.chunks;
  return (
    typeof v.fingerprint === 'string' &&
    typeof v.playbookDir === 'string' &&
    Array.isArray(v.documents) &&
    Array.isArray(v.skipped) &&
    Array.isArray(chunks) &&
    chunks.every((c) => isObject(c) && typeof c.id === 'string' && typeof c.docId === 'string' && typeof c.text === 'string' && typeof c.section === 'string') &&
    isBm25(v.bm25, chunks.length) &&
    isBm25(v.bm25Bigrams, chunks.length)
  );
}

/** Reads the saved index and says what it is; never throws (an index is derived, so it can always be rebuilt). */
export async function readSavedIndex(path: string): Promise<SavedIndex> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? { status: 'none' } : { status: 'unreadable', err };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return { status: 'corrupt', err };
  }
  if (!isObject(parsed)) return { status: 'corrupt' };
  // An older pipeline's index is expected after an upgrade: not a fault.
  if (typeof parsed.version === 'number' && parsed.version !== PIPELINE_VERSION) return { status: 'old' };
  if (parsed.version !== PIPELINE_VERSION || !isIndex(parsed)) return { status: 'corrupt' };
  return { status: 'ok', data: parsed };
}

/** Loads a saved index; `undefined` when there is none or it cannot be used (it is then rebuilt). */
export async function loadIndex(path: string, logger: Logger): Promise<KnowledgeIndexData | undefined> {
  const saved = await readSavedIndex(path);
  if (saved.status === 'corrupt' || saved.status === 'unreadable') logger.warn({ err: saved.err, path }, 'the saved knowledge index is unreadable; rebuilding it');
  return saved.status === 'ok' ? saved.data : undefined;
}

/** Saves the index atomically (write aside, then rename), so a concurrent reader never sees half a file. */
export async function saveIndex(path: string, data: KnowledgeIndexData): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, JSON.stringify(data));
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new UserFacingError(ErrorCode.KB_INDEX_UNWRITABLE, 'errors/kb-index-unwritable', {
      path,
      reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message,
    }, { cause: err });
  }
}
