import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, hasCode } from '../../src/kernel/errors.js';
import { createLlm } from '../../src/kernel/llm.js';
import { indexPathOf } from '../../src/knowledge/indexer.js';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { PlaybookRetriever } from '../../src/knowledge/retriever.js';
import { Segmenter } from '../../src/knowledge/segment.js';
import type { KnowledgeIndexData } from '../../src/knowledge/types.js';
import {
  captureLogger,
  chatReply,
  embeddingsReply,
  prompts,
  silentLogger,
  startFakeOpenAi,
  tempDir,
  testConfig,
  type FakeOpenAi,
  type FakeOpenAiOptions,
} from '../helpers.js';

let data: { dir: string; cleanup: () => void };
let server: FakeOpenAi | undefined;

beforeEach(() => {
  data = tempDir();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  data.cleanup();
});

async function setup(options: FakeOpenAiOptions, env: Record<string, string>) {
  server = await startFakeOpenAi(options);
  const config = testConfig({ OPSBOT_DATA_DIR: data.dir, OPENAI_BASE_URL: server.url, ...env });
  const { logger, lines } = captureLogger();
  const llm = createLlm(config.llm)!;
  return { kb: new KnowledgeBase({ config, logger, prompts, llm }), lines, server, llm };
}

const QUESTION = '直播预告应该提前多久发？';
const warnings = (lines: () => Record<string, unknown>[]) => lines().filter((l) => l.level === 40).map((l) => String(l.msg));

describe('answers written by a model', () => {
  it('sends the retrieved passages and the question, and returns the model answer with the sources', async () => {
    const { kb, server } = await setup({ chat: () => chatReply('开播前一小时发布直播预告 [1]。') }, { OPENAI_MODEL: 'test-model' });
    const answer = await kb.ask(QUESTION);
    expect(answer).toMatchObject({ found: true, mode: 'llm', answer: '开播前一小时发布直播预告 [1]。' });
    expect(answer.sources.length).toBeGreaterThan(0);
    const request = server.requests.find((r) => r.path.endsWith('/chat/completions'))!;
    const messages = request.body.messages as { role: string; content: string }[];
    expect(request.body.model).toBe('test-model');
    expect(messages[0]).toEqual({ role: 'system', content: prompts.render('kb/llm-system') });
    expect(messages[1]!.content).toContain(QUESTION);
    expect(messages[1]!.content).toContain('前一小时,发布直播预告');
    expect(messages[1]!.content).toContain('[1] 《电商运营与直播带货流程》');
  });

  it.each(['【1】', '［1］', '[1、2]', '[1,2]'])('keeps a model answer citing its passage as %s (Chinese models write them so)', async (mark) => {
    const text = `开播前一小时发布直播预告${mark}。`;
    const { kb } = await setup({ chat: () => chatReply(text) }, { OPENAI_MODEL: 'test-model' });
    expect(await kb.ask(QUESTION)).toMatchObject({ found: true, mode: 'llm', answer: text });
  });

  it('gives the offline answer when the model cites a passage it was not given', async () => {
    const { kb } = await setup({ chat: () => chatReply('开播前一小时发布直播预告【99】。') }, { OPENAI_MODEL: 'test-model' });
    expect(await kb.ask(QUESTION)).toMatchObject({ found: true, mode: 'extractive' });
  });

  it('gives found: false when the model says the passages do not answer', async () => {
    const { kb } = await setup({ chat: () => chatReply(prompts.render('kb/llm-no-answer-marker')) }, { OPENAI_MODEL: 'm' });
    const answer = await kb.ask(QUESTION);
    expect(answer).toMatchObject({ found: false, mode: 'llm', sources: [], answer: prompts.render('kb/not-found') });
  });

  it('falls back to the extractive answer when the model is slower than the timeout', async () => {
    const { kb, lines } = await setup(
      { chat: () => ({ ...chatReply('太迟了'), delayMs: 5_000 }) },
      { OPENAI_MODEL: 'm', OPSBOT_LLM_TIMEOUT_MS: '300' },
    );
    const answer = await kb.ask(QUESTION);
    expect(answer).toMatchObject({ found: true, mode: 'extractive' });
    expect(answer.answer).toContain('前一小时');
    expect(warnings(lines)).toContain('the model did not answer; giving the extractive answer instead');
  });

  it('falls back to the extractive answer at once when the model errors with 500', async () => {
    const { kb, lines, server } = await setup({ chat: () => ({ status: 500 }) }, { OPENAI_MODEL: 'm' });
    const answer = await kb.ask(QUESTION);
    expect(answer).toMatchObject({ found: true, mode: 'extractive' });
    expect(server.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(1);
    expect(warnings(lines)).toContain('the model did not answer; giving the extractive answer instead');
  });

  it('does not wait out a Retry-After from an overloaded model', async () => {
    const { kb, server } = await setup(
      { chat: () => ({ status: 503, headers: { 'retry-after': '600' } }) },
      { OPENAI_MODEL: 'm', OPSBOT_LLM_TIMEOUT_MS: '1000' },
    );
    // Were the SDK allowed to retry, it would sleep for the 600 seconds asked and this test would time out.
    const answer = await kb.ask(QUESTION);
    expect(answer).toMatchObject({ found: true, mode: 'extractive' });
    expect(server.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(1);
  });

  it('does not ask the model about what the playbook does not cover', async () => {
    const { kb, server } = await setup({ chat: () => chatReply('明天晴') }, { OPENAI_MODEL: 'm' });
    const answer = await kb.ask('明天杭州会下雨吗？');
    expect(answer).toMatchObject({ found: false, mode: 'extractive', sources: [] });
    expect(server.requests).toHaveLength(0);
  });

  it('reports timeouts and failures with their own codes', async () => {
    const slow = await setup({ chat: () => ({ ...chatReply('x'), delayMs: 5_000 }) }, { OPENAI_MODEL: 'm', OPSBOT_LLM_TIMEOUT_MS: '200' });
    const timeout = await slow.llm.complete([{ role: 'user', content: 'hi' }]).catch((e: unknown) => e);
    expect(hasCode(timeout, ErrorCode.LLM_TIMEOUT)).toBe(true);
    await slow.server.close();
    const broken = await setup({ chat: () => ({ status: 400, json: { error: { message: 'bad model' } } }) }, { OPENAI_MODEL: 'm' });
    const failure = await broken.llm.complete([{ role: 'user', content: 'hi' }]).catch((e: unknown) => e);
    expect(hasCode(failure, ErrorCode.LLM_FAILED)).toBe(true);
    expect(broken.server.requests).toHaveLength(1); // a 400 is not retried
  });
});

describe('dense retrieval with an embedding model', () => {
  it('embeds every passage at build time and embeds the question at ask time', async () => {
    const { kb, server } = await setup({}, { OPENAI_EMBEDDING_MODEL: 'test-embedding' });
    const summary = await kb.build();
    expect(summary.embedding).toBe('ok');
    const index = JSON.parse(readFileSync(indexPathOf(data.dir), 'utf8')) as KnowledgeIndexData;
    expect(index.embedding).toMatchObject({ model: 'test-embedding', status: 'ok' });
    expect(index.embedding!.vectors).toHaveLength(summary.chunks);
    const before = server.requests.length;
    const answer = await kb.ask(QUESTION);
    expect(answer.found).toBe(true);
    expect(server.requests.slice(before).map((r) => r.body.input)).toEqual([[QUESTION]]);
    const retriever = new PlaybookRetriever(index, new Segmenter(), silentLogger, createLlm(testConfig({ OPENAI_BASE_URL: server.url, OPENAI_EMBEDDING_MODEL: 'test-embedding' }).llm));
    expect((await retriever.search(QUESTION, { k: 3 })).mode).toBe('hybrid');
  });

  it('rebuilds when the embedding model changes', async () => {
    const first = await setup({}, { OPENAI_EMBEDDING_MODEL: 'model-a' });
    await first.kb.build();
    await first.server.close();
    const second = await setup({}, { OPENAI_EMBEDDING_MODEL: 'model-b' });
    expect((await second.kb.build()).rebuilt).toBe(true);
  });

  it('retries failed embeddings on an explicit build, never on a question', async () => {
    let fail = true;
    const { kb, server } = await setup(
      { embeddings: ({ input }) => (fail ? { status: 500 } : embeddingsReply(input)) },
      { OPENAI_EMBEDDING_MODEL: 'test-embedding' },
    );
    expect((await kb.build()).embedding).toBe('failed');
    fail = false;
    expect((await kb.build()).rebuilt).toBe(false);
    const before = server.requests.length;
    await kb.ask(QUESTION);
    expect(server.requests.length - before).toBeLessThanOrEqual(1); // at most the question, no re-embedding
    expect(await kb.build({ retryFailedEmbeddings: true })).toMatchObject({ rebuilt: true, embedding: 'ok' });
  });

  it('keeps answering from BM25 when embeddings fail at build or at ask time', async () => {
    let fail = true;
    const { kb, lines } = await setup(
      { embeddings: ({ input }) => (fail ? { status: 500 } : embeddingsReply(input)) },
      { OPENAI_EMBEDDING_MODEL: 'test-embedding' },
    );
    expect((await kb.build()).embedding).toBe('failed');
    expect((await kb.ask(QUESTION)).found).toBe(true);
    fail = false;
    expect((await kb.build({ force: true })).embedding).toBe('ok');
    fail = true;
    const answer = await kb.ask(QUESTION);
    expect(answer).toMatchObject({ found: true, mode: 'extractive' });
    expect(warnings(lines)).toContain('embedding the question failed; answering from BM25 alone');
  });
});

describe('createLlm', () => {
  it('is undefined when no model is configured: the offline path', () => {
    expect(createLlm(testConfig().llm)).toBeUndefined();
  });

  it('works against the server named in OPENAI_BASE_URL without a key', async () => {
    const { llm } = await setup({ chat: () => chatReply('你好') }, { OPENAI_MODEL: 'local' });
    expect(await llm.complete([{ role: 'user', content: '你好' }])).toBe('你好');
    expect(server!.requests.map((r) => r.path)).toEqual(['/v1/chat/completions']);
  });
});
