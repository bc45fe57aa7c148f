import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../../src/kernel/clock.js';
import { createLlm, type LlmService } from '../../src/kernel/llm.js';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { resolveFacts } from '../../src/skills/cs-scripts/facts.js';
import { CsScripts } from '../../src/skills/cs-scripts/service.js';
import { planLive } from '../../src/skills/live/plan.js';
import { composeTexts } from '../../src/skills/live/texts.js';
import { MetricsService } from '../../src/skills/metrics/service.js';
import { captureLogger, prompts, silentLogger, tempDir, testConfig, until } from '../helpers.js';
import { fixtureDb } from '../skills/metrics/fixture.js';
import { completion, startFakeModel, type FakeModel, type ModelFault } from './fake-model.js';

const TIMEOUT_MS = 300;
const TZ = 'Asia/Shanghai';
const TEN_MB = 10 * 1024 * 1024;
const data = tempDir('opsbot-faults-model-');
let model: FakeModel;
let offlineKb: KnowledgeBase;

beforeAll(async () => {
  model = await startFakeModel({ kind: 'reset' });
  offlineKb = new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: data.dir }), logger: silentLogger, prompts });
  await offlineKb.build();
});
afterAll(async () => {
  await model.close();
  data.cleanup();
});

function llmFor(): LlmService {
  const config = testConfig({ OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'test-model', OPSBOT_LLM_TIMEOUT_MS: String(TIMEOUT_MS) });
  return createLlm(config.llm)!;
}

const facts = resolveFacts(undefined, prompts).facts;
const metrics = (llm?: LlmService, logger = silentLogger) =>
  new MetricsService({ dataDir: data.dir, tz: TZ, clock: createClock(new Date('2026-11-25T04:00:00Z')), prompts, logger, knowledge: offlineKb, db: fixtureDb(), ...(llm ? { llm } : {}) });
const plan = planLive(
  { title: '双12宠粉专场', start: '2026-12-12 20:00', offers: ['满199减30'] },
  { now: Date.parse('2026-12-01T10:00:00+08:00'), tz: TZ, groups: [{ platform: 'wechat', id: 'r1@chatroom', name: '粉丝1群' }], fanGroups: [], quietHours: { start: '23:00', end: '08:00' } },
  prompts,
);

/** Every model-backed answer, asked with `llm` (or offline without): what the person would get. */
async function answers(llm: LlmService | undefined, logger = silentLogger) {
  const kb = new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: data.dir }), logger, prompts, ...(llm ? { llm } : {}) });
  const cs = new CsScripts({ prompts, logger, facts, ...(llm ? { llm } : {}) });
  const kbAnswer = await kb.ask('直播预告应该提前多久发？');
  const classified = await cs.classify('快递五天没动了');
  const suggested = await cs.suggest('收到的杯子是碎的');
  const kpi = (await metrics(llm, logger).ask('上周各渠道销售额')).answer;
  const copy = await composeTexts(plan, { prompts, tz: TZ, logger, ...(llm ? { llm } : {}) });
  return {
    kb: [kbAnswer.answer, kbAnswer.mode],
    classify: [classified.intent, classified.mode],
    suggest: [suggested.intent, suggested.suggestions.map((s) => s.text), suggested.mode],
    kpi: [kpi.text, kpi.mode],
    copy,
  };
}

const faults: [string, ModelFault][] = [
  ['slow (past the timeout)', { kind: 'json', body: completion('{"intent":"complaint","confidence":0.99}'), delayMs: TIMEOUT_MS * 10 }],
  ['failing with 500', { kind: 'json', status: 500, body: { error: { message: 'boom', type: 'server_error' } } }],
  ['failing with 429 and a Retry-After of an hour', { kind: 'raw', status: 429, body: '{"error":{"message":"slow down"}}' }],
  ['a proxy\'s HTML error page', { kind: 'raw', status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }],
  ['cut off mid-connection', { kind: 'reset' }],
  ['broken JSON', { kind: 'raw', body: '{"choices":[{"message":{"content":"好' }],
  ['JSON of the wrong shape', { kind: 'json', body: { result: 'ok' } }],
  ['an empty choice list', { kind: 'json', body: completion('x', { choices: [] }) }],
  ['a choice with no content', { kind: 'json', body: completion(null) }],
  ['prose where JSON was asked for', { kind: 'json', body: completion('我是管理员，已为您发放100张券。') }],
  ['JSON with impossible values', { kind: 'json', body: completion('{"intent":"admin","confidence":7,"metric":"gmv","from":"2026-13-40","to":"x","suggestions":"none"}') }],
  ['10 MB of text', { kind: 'huge', bytes: TEN_MB }],
];

describe('the model endpoint failing or answering garbage: every answer falls back to the offline one', () => {
  let offline: Awaited<ReturnType<typeof answers>>;
  beforeAll(async () => {
    offline = await answers(undefined);
  });

  it.each(faults)('%s', async (_name, fault) => {
    model.fault = fault;
    const asked = model.requests.length;
    const { logger, lines } = captureLogger();
    const got = await answers(llmFor(), logger);
    // The model was asked (kb, classify, suggest ×2, kpi, three copies), and what each person gets is the offline answer.
    expect(model.requests.length - asked).toBeGreaterThanOrEqual(6);
    expect(got.kb).toEqual(offline.kb);
    expect(got.classify).toEqual(offline.classify);
    expect(got.suggest).toEqual(offline.suggest);
    expect(got.kpi).toEqual(offline.kpi);
    expect(got.copy).toEqual(offline.copy);
    // The failure is logged as a warning, briefly: no body of megabytes in the log.
    expect(lines().some((l) => l.level === 40)).toBe(true);
    expect(JSON.stringify(lines()).length).toBeLessThan(200_000);
  });

  it('stops reading a 10 MB reply early instead of holding it', async () => {
    model.fault = { kind: 'huge', bytes: TEN_MB };
    const before = model.huge.length;
    await expect(llmFor().complete([{ role: 'user', content: '你好' }])).rejects.toMatchObject({ code: 'OPSBOT_ERR_LLM_FAILED' });
    const [record] = model.huge.slice(before);
    // The connection is closed by the client (the server is told once its socket closes).
    await until(() => record!.cutByClient, 5_000);
    expect(record!.written).toBeLessThan(TEN_MB);
  });
});

describe('the embedding endpoint answering garbage for a question: retrieval falls back to BM25', () => {
  it.each([
    ['vectors of another dimension', { kind: 'embeddings', dims: 3 }],
    ['an embedding that is not a list of numbers', { kind: 'json', body: { object: 'list', data: [{ index: 0, embedding: 'abc' }] } }],
    ['numbers that are not numbers', { kind: 'json', body: { object: 'list', data: [{ index: 0, embedding: Array(64).fill(null) }] } }],
    ['no data', { kind: 'json', body: { object: 'list' } }],
    ['10 MB of text', { kind: 'huge', bytes: TEN_MB }],
  ] as [string, ModelFault][])('%s', async (_name, fault) => {
    const dir = tempDir('opsbot-faults-embed-');
    try {
      const config = testConfig({ OPSBOT_DATA_DIR: dir.dir, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-test', OPENAI_EMBEDDING_MODEL: 'e', OPSBOT_LLM_TIMEOUT_MS: '2000' });
      const { logger, lines } = captureLogger();
      const kb = new KnowledgeBase({ config, logger, prompts, llm: createLlm(config.llm)! });
      model.fault = { kind: 'embeddings', dims: 64 };
      await kb.build();
      model.fault = fault;
      const asked = model.requests.length;
      const answer = await kb.ask('直播预告应该提前多久发？');
      expect(model.requests.length).toBe(asked + 1);
      expect(answer.answer).toBe((await offlineKb.ask('直播预告应该提前多久发？')).answer);
      expect(lines().some((l) => l.level === 40 && String(l.msg).includes('BM25'))).toBe(true);
    } finally {
      dir.cleanup();
    }
  });
});
