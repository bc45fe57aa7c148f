import type { Config } from '../bot/config.js';
import { ErrorCode, UserFacingError } from '../bot/errors.js';
import type { LlmService } from '../bot/llm.js';
import type { Logger } from '../bot/logger.js';
import type { Prompts } from '../bot/prompts.js';
import { answerQuestion } from './answer.js';
import { readPlaybook, type PlaybookContents, type SkippedFile } from './ingest.js';
import { buildIndex, fingerprintOf, indexPathOf, loadIndex, saveIndex, type BuildProgress } from './indexer.js';
import { hasWordCharacters } from './normalize.js';
import { PlaybookRetriever } from './retriever.js';
import { Segmenter } from './segment.js';
import type { Answer, KnowledgeIndexData } from './types.js';

/** Longest question accepted: a question, not a pasted article. */
export const MAX_QUESTION_CHARS = 500;
export const DEFAULT_K = 3;

export interface KnowledgeBaseOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly prompts: Prompts;
  readonly llm?: LlmService;
  readonly segmenter?: Segmenter;
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
  readonly playbookDir?: string;
  readonly force?: boolean;
  readonly onProgress?: (p: BuildProgress) => void;
}

/** The playbook knowledge base: builds and refreshes the index, and answers questions from it. */
export class KnowledgeBase {
  private readonly segmenter: Segmenter;
  private readonly indexPath: string;
  private current?: { data: KnowledgeIndexData; retriever: PlaybookRetriever };

  constructor(private readonly options: KnowledgeBaseOptions) {
    this.segmenter = options.segmenter ?? new Segmenter();
    this.indexPath = indexPathOf(options.config.dataDir);
  }

  /** Builds the index, or keeps the saved one when the playbook has not changed (unless `force`). */
  async build(options: BuildOptions = {}): Promise<BuildSummary> {
    const started = performance.now();
    const playbookDir = options.playbookDir ?? this.options.config.playbookDir;
    const contents = await readPlaybook(playbookDir);
    this.warnSkipped(contents.skipped);
    const fingerprint = this.fingerprint(contents);
    let data = options.force ? undefined : await loadIndex(this.indexPath, this.options.logger);
    const rebuilt = !data || data.fingerprint !== fingerprint;
    if (rebuilt) {
      data = await buildIndex({
        contents,
        playbookDir,
        segmenter: this.segmenter,
        labels: { intro: this.options.prompts.render('kb/section-intro'), body: this.options.prompts.render('kb/section-body') },
        logger: this.options.logger,
        ...(this.options.llm ? { llm: this.options.llm } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      await saveIndex(this.indexPath, data);
    }
    this.use(data!);
    return {
      documents: data!.documents.length,
      chunks: data!.chunks.length,
      skipped: contents.skipped,
      rebuilt,
      ms: Math.round(performance.now() - started),
      index: this.indexPath,
      embedding: data!.embedding?.status ?? 'off',
    };
  }

  /** Answers a question from the playbook; builds or refreshes the index first when needed. */
  async ask(question: string, options: { k?: number } = {}): Promise<Answer> {
    const q = validateQuestion(question);
    if (!this.current) await this.build();
    const k = Math.max(1, Math.min(options.k ?? DEFAULT_K, 20));
    const { passages, terms } = await this.current!.retriever.search(q, { k });
    return answerQuestion(
      { question: q, passages, terms, segmenter: this.segmenter, prompts: this.options.prompts },
      this.options.llm,
      this.options.logger,
    );
  }

  private fingerprint(contents: PlaybookContents): string {
    return fingerprintOf(contents, this.segmenter.lexicon.fingerprint, this.options.llm?.embeddingModel);
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

/** Trims a question and rejects what cannot be searched: empty, too long, or no words at all. */
export function validateQuestion(question: string): string {
  const q = question.trim();
  if (!q) throw new UserFacingError(ErrorCode.KB_QUESTION_EMPTY, 'errors/kb-question-empty');
  if (q.length > MAX_QUESTION_CHARS) {
    throw new UserFacingError(ErrorCode.KB_QUESTION_TOO_LONG, 'errors/kb-question-too-long', {
      length: q.length,
      max: MAX_QUESTION_CHARS,
    });
  }
  if (!hasWordCharacters(q)) throw new UserFacingError(ErrorCode.KB_QUESTION_NO_TEXT, 'errors/kb-question-no-text');
  return q;
}
