import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Clock } from '../kernel/clock.js';
import type { Config } from '../kernel/config.js';
import { ErrorCode, hasCode, type OpsbotError, UserFacingError } from '../kernel/errors.js';
import type { LlmService } from '../kernel/llm.js';
import type { Logger } from '../kernel/logger.js';
import type { Prompts } from '../kernel/prompts.js';
import { charCount } from '../kernel/text.js';
import { answerQuestion } from './answer.js';
import type { Audience } from './audience.js';
import { readPlaybook, type SkippedFile } from './ingest.js';
import { buildIndex, fingerprintOf, indexPathOf, readSavedIndex, saveIndex, type BuildProgress } from './indexer.js';
import { hasWordCharacters } from './normalize.js';
import { PlaybookRetriever } from './retriever.js';
import { Segmenter } from './segment.js';
import type { Answer, KnowledgeIndexData, RetrievedPassage } from './types.js';

/** Longest question accepted: a question, not a pasted article. */
export const MAX_QUESTION_CHARS = 500;
/** Sources per answer: the default, and the most a caller may ask for. */
export const DEFAULT_K = 3;
export const MAX_K = 20;

export interface KnowledgeBaseOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly prompts: Prompts;
  readonly llm?: LlmService;
  readonly segmenter?: Segmenter;
  readonly clock?: Clock;
}

export interface BuildSummary {
  readonly documents: number;
  readonly chunks: number;
  readonly skipped: SkippedFile[];
  /** False when the saved index already matched the playbook. */
  readonly rebuilt: boolean;
  readonly ms: number;
  readonly index: string;
  readonly embedding: 'off' | 'ok' | 'failed';
}

export interface BuildOptions {
  /** Build from this folder; it is remembered for later questions unless OPSBOT_PLAYBOOK_DIR is set. */
  readonly playbookDir?: string;
  readonly force?: boolean;
  /** Rebuild when the saved index's embeddings failed (an explicit `kb build` does; a question does not). */
  readonly retryFailedEmbeddings?: boolean;
  /** A question can be answered from an index that could not be saved; an explicit build must save it. */
  readonly saveRequired?: boolean;
  readonly onProgress?: (p: BuildProgress) => void;
}

export interface AskOptions {
  readonly k?: number;
  /** Who reads the answer: `public` (the default: fans, groups) never gets staff-only passages. */
  readonly audience?: Audience;
}

/** The playbook knowledge base: builds and refreshes the index, and answers questions from it. */
export class KnowledgeBase {
  private madeSegmenter?: Segmenter;
  private readonly indexPath: string;
  private current?: { data: KnowledgeIndexData; retriever: PlaybookRetriever };

  constructor(private readonly options: KnowledgeBaseOptions) {
    this.indexPath = indexPathOf(options.config.dataDir);
  }

  /** jieba with its dictionary, loaded on first use (a moment's work): `reply` and `kpi` never need it. */
  private get segmenter(): Segmenter {
    return (this.madeSegmenter ??= this.options.segmenter ?? new Segmenter());
  }

  /** Builds the index, or keeps the saved one when the playbook has not changed (unless `force`). */
  async build(options: BuildOptions = {}): Promise<BuildSummary> {
    const started = performance.now();
    const { config, logger, prompts } = this.options;
    const found = await readSavedIndex(this.indexPath);
    // Only the derived index is replaced (written aside, then renamed over); the playbook is only read.
    if (found.status === 'corrupt' || found.status === 'unreadable') {
      // The parser's or the system's message, not the error: a stack trace in a terminal warning helps no one.
      const reason = found.err instanceof Error ? found.err.message : 'invalid shape';
      logger.warn({ index: this.indexPath, reason }, prompts.render(`kb/index-${found.status}`, { path: this.indexPath }));
    }
    const saved = found.status === 'ok' ? found.data : undefined;
    const playbookDir = options.playbookDir
      ? resolve(options.playbookDir)
      : !config.playbookDirSet && saved?.playbookDir && existsSync(saved.playbookDir)
        ? saved.playbookDir
        : config.playbookDir;
    const contents = await readPlaybook(playbookDir);
    this.warnSkipped(contents.skipped);
    const labels = { intro: prompts.render('kb/section-intro'), body: prompts.render('kb/section-body') };
    const fingerprint = fingerprintOf(contents, this.segmenter.lexicon.fingerprint, labels, this.options.llm?.embeddingModel);
    const stale =
      options.force ||
      !saved ||
      saved.fingerprint !== fingerprint ||
      saved.playbookDir !== playbookDir ||
      (options.retryFailedEmbeddings === true && saved.embedding?.status === 'failed');
    let data = saved;
    if (stale) {
      data = await buildIndex({
        contents,
        playbookDir,
        segmenter: this.segmenter,
        labels,
        logger,
        ...(this.options.llm ? { llm: this.options.llm } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(this.options.clock ? { now: this.options.clock.now() } : {}),
      });
      try {
        await saveIndex(this.indexPath, data);
      } catch (raw) {
        if (!hasCode(raw, ErrorCode.KB_INDEX_UNWRITABLE)) throw raw;
        const err = this.unwritable(raw);
        if (options.saveRequired !== false) throw err;
        logger.warn({ index: this.indexPath, reason: err.params.reason }, prompts.render('kb/index-unsaved', err.params));
      }
    }
    this.use(data!);
    return {
      documents: data!.documents.length,
      chunks: data!.chunks.length,
      skipped: contents.skipped,
      rebuilt: Boolean(stale),
      ms: Math.round(performance.now() - started),
      index: this.indexPath,
      embedding: data!.embedding?.status ?? 'off',
    };
  }

  /** Answers a question from the playbook; builds or refreshes the index first when needed. */
  async ask(question: string, options: AskOptions = {}): Promise<Answer> {
    const q = validateQuestion(question);
    if (!this.current) await this.build({ saveRequired: false });
    const k = Math.max(1, Math.min(options.k ?? DEFAULT_K, MAX_K));
    const found = await this.current!.retriever.search(q, { k, audience: options.audience ?? 'public' });
    const { passages, terms, definedTerm } = found;
    return answerQuestion(
      {
        question: q,
        passages,
        terms,
        segmenter: this.segmenter,
        prompts: this.options.prompts,
        ...(definedTerm ? { definedTerm } : {}),
      },
      this.options.llm,
      this.options.logger,
    );
  }

  /** The playbook's passages best matching `query`, best first (no answer composed, no model called). */
  async passages(query: string, options: AskOptions = {}): Promise<RetrievedPassage[]> {
    if (!this.current) await this.build({ saveRequired: false });
    const k = Math.max(1, Math.min(options.k ?? DEFAULT_K, MAX_K));
    return (await this.current!.retriever.search(query, { k, audience: options.audience ?? 'public' })).passages;
  }

  /** The save failure in words a person can act on (the system's code stays in the cause, for debug logs). */
  private unwritable(err: OpsbotError): UserFacingError {
    const code = (err.cause as NodeJS.ErrnoException | undefined)?.code ?? '';
    const why = UNWRITABLE[code] ?? 'io';
    const reason = this.options.prompts.render(`kb/unwritable-${why}`);
    return new UserFacingError(ErrorCode.KB_INDEX_UNWRITABLE, 'errors/kb-index-unwritable', { path: this.indexPath, reason }, { cause: err.cause });
  }

  private use(data: KnowledgeIndexData): void {
    this.current = {
      data,
      retriever: new PlaybookRetriever(data, this.segmenter, this.options.logger, this.options.llm),
    };
  }

  private warnSkipped(skipped: readonly SkippedFile[]): void {
    for (const s of skipped) {
      this.options.logger.warn({ file: s.file, reason: s.reason }, this.options.prompts.render(`kb/skip-${s.reason}`, { file: s.file }));
    }
  }
}

const UNWRITABLE: Readonly<Record<string, string>> = {
  EISDIR: 'directory',
  ENOTDIR: 'path',
  ENOENT: 'path',
  EACCES: 'permission',
  EPERM: 'permission',
  EROFS: 'permission',
  ENOSPC: 'full',
  EDQUOT: 'full',
};

/** Trims a question and rejects what cannot be searched: empty, too long, or no words at all. */
export function validateQuestion(question: string): string {
  const q = question.trim();
  if (!q) throw new UserFacingError(ErrorCode.KB_QUESTION_EMPTY, 'errors/kb-question-empty');
  // Characters as a person counts them: an emoji is one.
  const length = charCount(q);
  if (length > MAX_QUESTION_CHARS) {
    throw new UserFacingError(ErrorCode.KB_QUESTION_TOO_LONG, 'errors/kb-question-too-long', {
      length,
      max: MAX_QUESTION_CHARS,
    });
  }
  if (!hasWordCharacters(q)) throw new UserFacingError(ErrorCode.KB_QUESTION_NO_TEXT, 'errors/kb-question-no-text');
  return q;
}
