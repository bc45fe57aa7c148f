import type { Logger } from '../kernel/logger.js';
import type { LlmService } from '../kernel/llm.js';
import type { Prompts } from '../kernel/prompts.js';
import { charCount } from '../kernel/text.js';
import { splitSentences } from './normalize.js';
import type { Segmenter } from './segment.js';
import { answerKind, asksHow, scoreSentences } from './sentences.js';
import { abstains } from './abstain.js';
import type { Answer, RetrievedPassage } from './types.js';

/**
 * A passage supports an answer when it holds at least this share (IDF-weighted) of the question's terms.
 * Below it the playbook is only brushing past the question's words, and we say it has nothing.
 */
export const MIN_COVERAGE = 0.25;
/** Sentences and characters an extractive answer quotes at most. */
const MAX_SENTENCES = 3;
const MAX_ANSWER_CHARS = 220;
/** An answer shorter than this takes the next sentence even when it repeats none of the question's words. */
const MIN_CONTEXT_CHARS = 80;
/** Passages an answer draws on at most. */
const MAX_SUPPORTING = 2;
/** The second passage opens the answer when its best sentence scores more than this many times the first's. */
const SWITCH_MARGIN = 2;
/** Scores within this share of each other are a tie. */
const NEAR_TIE = 0.03;

export interface AnswerContext {
  readonly question: string;
  readonly passages: readonly RetrievedPassage[];
  readonly terms: ReadonlyMap<string, number>;
  readonly segmenter: Segmenter;
  readonly prompts: Prompts;
  /** Set for a definition question: the term asked about, in its matching form. */
  readonly definedTerm?: string;
}

/**
 * The passages that support an answer, best first; empty when the playbook does not cover the question.
 * A lone shared character ("老", "a") is no evidence: at least one shared word is required.
 */
export function supportingPassages(passages: readonly RetrievedPassage[]): RetrievedPassage[] {
  return passages.filter((p) => p.coverage >= MIN_COVERAGE && p.matchedWords >= 1).slice(0, MAX_SUPPORTING);
}

function citation(prompts: Prompts, passages: readonly RetrievedPassage[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const p of passages) {
    const c = prompts.render('kb/citation', { doc: p.chunk.doc, section: p.chunk.section });
    if (!seen.has(c)) parts.push(c);
    seen.add(c);
  }
  return parts.join(prompts.render('kb/citation-separator'));
}

/**
 * The offline answer: from the best passage, the sentence that best answers (see `scoreSentences`: the
 * question's words it carries, or those of the sentence announcing it; near ties go to the earlier sentence)
 * and the sentences that continue it; then the best sentence of the next supporting passage if it is as strong.
 * The next passage opens the answer instead when its best sentence scores over twice the first's.
 */
export function extractiveAnswer(ctx: AnswerContext, supporting: readonly RetrievedPassage[]): string {
  const how = asksHow(ctx.question);
  const wants = answerKind(ctx.question);
  const passages = supporting.map((p) => {
    const sentences = splitSentences(p.chunk.text);
    const scores = scoreSentences(sentences, { ...ctx, asksHow: how, ...(wants ? { wants } : {}), rewritten: p.chunk.rewritten === true });
    return sentences.map((text, i) => ({ text, score: scores[i]! }));
  });
  const bestIn = (sentences: { text: string; score: number }[]) =>
    sentences.reduce(
      (best, s, i) => {
        // A near tie goes to the earlier sentence: an article states its point before it elaborates.
        const better = s.score - best.score > NEAR_TIE * s.score;
        return better ? { i, score: s.score } : best;
      },
      { i: 0, score: sentences[0]?.score ?? 0 },
    );

  // The next passage opens the answer when its best sentence clearly beats the top passage's best.
  const order = [0, 1];
  const lead0 = passages.length > 1 ? bestIn(passages[0]!).score : 0;
  if (lead0 > 0 && bestIn(passages[1]!).score > SWITCH_MARGIN * lead0) order.reverse();
  const lead = order[0]!;
  const first = passages[lead] ?? [];
  const top = bestIn(first);
  const quoted: string[] = [first[top.i]?.text ?? ''];
  let length = quoted[0]!.length;
  for (let i = top.i + 1; i < first.length && quoted.length < MAX_SENTENCES; i++) {
    const next = first[i]!;
    if ((next.score === 0 && length >= MIN_CONTEXT_CHARS) || length + next.text.length > MAX_ANSWER_CHARS) break;
    quoted.push(next.text);
    length += next.text.length;
  }
  const used = [supporting[lead]!];
  const other = order[1]!;
  const second = passages[other];
  if (second && second.length > 0) {
    const b = bestIn(second);
    if (b.score >= top.score && length + second[b.i]!.text.length <= MAX_ANSWER_CHARS) {
      quoted.push(second[b.i]!.text);
      used.push(supporting[other]!);
    }
  }
  // Sentences are quoted as written; a line without closing punctuation (a heading) is kept apart by a space.
  const body = quoted
    .map((t) => t.replace(/\n/g, ''))
    .reduce((acc, t) => (acc === '' || /[。！？!?；;…，,：:”"）)]$/.test(acc) ? acc + t : `${acc} ${t}`), '');
  return ctx.prompts.render('kb/answer-extractive', { body, citations: citation(ctx.prompts, used) });
}

/** A grounded answer written by the model from the retrieved passages only; `undefined` when it finds no answer there. */
export async function llmAnswer(ctx: AnswerContext, llm: LlmService): Promise<string | undefined> {
  const { prompts } = ctx;
  const passages = ctx.passages
    .map((p, i) =>
      prompts.render('kb/llm-passage', { n: i + 1, doc: p.chunk.doc, section: p.chunk.section, text: p.chunk.text }),
    )
    .join('\n\n');
  const reply = await llm.complete([
    { role: 'system', content: prompts.render('kb/llm-system') },
    { role: 'user', content: prompts.render('kb/llm-user', { passages, question: ctx.question }) },
  ]);
  if (reply.includes(prompts.render('kb/llm-no-answer-marker'))) return undefined;
  // The model is told to cite the passages it used, in a few sentences: a reply that cites none of them,
  // or runs on, is not grounded in them (an injected instruction obeyed, another task's JSON).
  // Chinese models write [1], ［1］, 【1】 or [1,2] / [1、2] alike.
  const cited = [...reply.matchAll(/[[［【]\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*[\]］】]/g)]
    .flatMap((m) => m[1]!.split(/\s*[,，、]\s*/).map(Number))
    .some((n) => n >= 1 && n <= ctx.passages.length);
  if (!cited) throw new Error('the model\'s answer cites none of the passages');
  if (charCount(reply) > MAX_LLM_ANSWER_CHARS) throw new Error(`the model's answer has ${charCount(reply)} characters, more than ${MAX_LLM_ANSWER_CHARS}`);
  return reply;
}

/** The system prompt asks for 200 字; well past that is a runaway reply, not an answer. */
const MAX_LLM_ANSWER_CHARS = 1_000;

/** Answers from retrieved passages: with the model when configured and it responds in time, extractively otherwise. */
export async function answerQuestion(ctx: AnswerContext, llm: LlmService | undefined, logger: Logger): Promise<Answer> {
  const supporting = supportingPassages(ctx.passages);
  const notFound = (mode: Answer['mode']): Answer => ({
    question: ctx.question,
    found: false,
    answer: ctx.prompts.render('kb/not-found'),
    sources: [],
    mode,
  });
  if (abstains(ctx, supporting)) return notFound('extractive');
  const sources = ctx.passages.map((p) => ({ doc: p.chunk.doc, section: p.chunk.section, text: p.chunk.text, score: round(p.score) }));

  if (llm?.chatModel) {
    try {
      const text = await llmAnswer(ctx, llm);
      if (text === undefined) return notFound('llm');
      return { question: ctx.question, found: true, answer: text, sources, mode: 'llm' };
    } catch (err) {
      logger.warn({ err }, 'the model did not answer; giving the extractive answer instead');
    }
  }
  return { question: ctx.question, found: true, answer: extractiveAnswer(ctx, supporting), sources, mode: 'extractive' };
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
