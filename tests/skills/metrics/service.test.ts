import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../../../src/kernel/clock.js';
import { ErrorCode } from '../../../src/kernel/errors.js';
import { createLlm } from '../../../src/kernel/llm.js';
import { KnowledgeBase } from '../../../src/knowledge/knowledge-base.js';
import { MetricsDb } from '../../../src/skills/metrics/db.js';
import { MetricsService } from '../../../src/skills/metrics/service.js';
import { captureLogger, chatReply, prompts, silentLogger, startFakeOpenAi, tempDir, testConfig, type FakeOpenAi, type FakeOpenAiOptions } from '../../helpers.js';
import { fixtureDb } from './fixture.js';

const TODAY = '2026-11-25';
const data = tempDir('opsbot-metrics-service-');
let knowledge: KnowledgeBase;
let server: FakeOpenAi | undefined;

beforeAll(async () => {
  const config = testConfig({ OPSBOT_DATA_DIR: data.dir });
  knowledge = new KnowledgeBase({ config, logger: silentLogger, prompts });
  await knowledge.build();
});
afterAll(() => data.cleanup());
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function service(extra: Partial<ConstructorParameters<typeof MetricsService>[0]> = {}): MetricsService {
  return new MetricsService({ dataDir: data.dir, tz: 'Asia/Shanghai', clock: createClock(new Date('2026-11-25T04:00:00Z')), prompts, logger: silentLogger, knowledge, db: fixtureDb(), ...extra });
}

async function withModel(chat: FakeOpenAiOptions['chat'], logger = silentLogger): Promise<MetricsService> {
  server = await startFakeOpenAi({ ...(chat ? { chat } : {}) });
  const config = testConfig({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'test-model', OPSBOT_LLM_TIMEOUT_MS: '1000' });
  return service({ llm: createLlm(config.llm)!, logger });
}

describe('KPI answers', () => {
  it('takes "today" from the clock in the shop\'s time zone, so no period means yesterday', async () => {
    const { answer } = await service().ask('转化率');
    expect(answer).toMatchObject({ metric: 'cvr', from: '2026-11-24', to: '2026-11-24', unit: 'ratio', mode: 'offline' });
    expect(answer.value).toBeCloseTo(10 / 110, 10);
  });

  it('words the answer for a person: percentages with two decimals, yuan with separators, the period named', async () => {
    const s = service();
    expect((await s.ask('昨天转化率', { today: TODAY })).answer.text).toBe('📊 昨天（11月24日）支付转化率：9.09%');
    expect((await s.ask('11月23日到11月24日的销售额', { today: TODAY })).answer.text).toBe('📊 11月23日至11月24日销售额：¥2,049.00');
    expect((await s.ask('昨天曝光量', { today: TODAY })).answer.text).toBe('📊 昨天（11月24日）曝光量：2,500');
  });

  it('says a period has no data, with what the data covers, and gives null rather than 0', async () => {
    const { answer } = await service().ask('10月销售额', { today: TODAY });
    expect(answer).toMatchObject({ from: '2026-10-01', to: '2026-10-31', value: null });
    expect(answer.text).toContain('没有销售额的数据');
    expect(answer.text).toContain('2026-11-17 至 2026-11-24');
  });

  it('lists a breakdown and offers a chart of it', async () => {
    const { answer, chart } = await service().ask('11月23日到11月24日各渠道销售额', { today: TODAY });
    expect(answer.breakdown).toEqual([
      { key: '抖音直播', value: 1899 },
      { key: '淘宝', value: 150 },
    ]);
    expect(answer.text).toContain('1. 抖音直播：¥1,899.00\n2. 淘宝：¥150.00');
    expect(chart).toMatchObject({ kind: 'bar', labels: ['抖音直播', '淘宝'], unit: 'yuan' });
    const trend = await service().ask('近3天每天的销售额', { today: TODAY });
    expect(trend.chart).toMatchObject({ kind: 'line', labels: ['2026-11-22', '2026-11-23', '2026-11-24'] });
    expect(trend.chart!.series[0]!.values).toEqual([200, 550, 1499]);
  });

  it('names the highest entry for 哪个…最高', async () => {
    const { answer, chart } = await service().ask('11月23日到24日哪个商品转化率最高', { today: TODAY });
    expect(answer.breakdown).toEqual([{ key: '羽绒服', value: 0.1 }]);
    expect(answer.text).toBe('🏆 11月23日至11月24日支付转化率最高的商品：羽绒服，10.00%');
    expect(chart).toBeUndefined();
  });

  it('adds one line of playbook advice with its source when a ratio fell by 10% or more', async () => {
    // ctr 11-23: 0.02 after 0.05 on 11-22 (−60%).
    const { answer } = await service().ask('11月23日点击率', { today: TODAY });
    expect(answer.advice).toMatchObject({ doc: '电商精细化运营思路' });
    expect(answer.advice!.text).toMatch(/图片|投放人群/);
    expect(answer.text).toContain('下降了 60.00%');
    expect(answer.text).toContain('《电商精细化运营思路》');
    // A rise, or a sum, gets none.
    expect((await service().ask('昨天点击率', { today: TODAY })).answer.advice).toBeUndefined();
    expect((await service().ask('11月23日销售额', { today: TODAY })).answer.advice).toBeUndefined();
  });

  it('counts a rising refund rate as the bad news, and a falling one as none', async () => {
    // 11-24: 90/1499 = 6.00%, after 11-23's 50/550 = 9.09%: better, no advice.
    expect((await service().ask('11月24日退款率', { today: TODAY })).answer.advice).toBeUndefined();
    const db = new MetricsDb(':memory:');
    const w = db.beginImport(['revenue', 'refund_amount']);
    w.write({ date: '2026-11-23', channel: '', product: '', values: { revenue: 100000, refund_amount: 5000 } });
    w.write({ date: '2026-11-24', channel: '', product: '', values: { revenue: 100000, refund_amount: 8000 } });
    w.commit('refunds');
    const { answer } = await service({ db }).ask('昨天退款率', { today: TODAY });
    expect(answer.value).toBeCloseTo(0.08, 12);
    expect(answer.text).toContain('上升了 60.00%');
    expect(answer.advice).toBeDefined();
  });

  it('lists what can be asked when the question names no metric', async () => {
    const { answer } = await service().ask('今天天气怎么样', { today: TODAY });
    expect(answer).toMatchObject({ metric: null, value: null });
    expect(answer.text).toBe(prompts.render('metrics/help'));
  });

  it('refuses an empty or overlong question with a coded error', async () => {
    await expect(service().ask('  ')).rejects.toMatchObject({ code: ErrorCode.METRICS_QUESTION_EMPTY });
    await expect(service().ask('销售额'.repeat(200))).rejects.toMatchObject({ code: ErrorCode.METRICS_QUESTION_TOO_LONG });
  });
});

describe('KPI questions read by a model', () => {
  it('runs the model\'s typed query through the same executor', async () => {
    const s = await withModel(() =>
      chatReply('```json\n{"metric":"revenue","from":"2026-11-23","to":"2026-11-24","filters":{"channel":"抖音"},"breakdown":"product"}\n```'),
    );
    const { answer } = await s.ask('抖音这两天各商品卖了多少', { today: TODAY });
    expect(answer).toMatchObject({ mode: 'model', metric: 'revenue', from: '2026-11-23', to: '2026-11-24', filters: { channel: '抖音直播' } });
    expect(answer.breakdown).toEqual([
      { key: '保温杯', value: 1300 },
      { key: '羽绒服', value: 599 },
    ]);
    // The model saw the schema, today and the data's names.
    const sent = JSON.stringify(server!.requests[0]!.body);
    expect(sent).toContain('2026-11-25');
    expect(sent).toContain('抖音直播');
    expect(sent).toContain('uv_value');
  });

  it.each([
    ['a reply that is no JSON', () => chatReply('销售额是 2049 元')],
    ['an unknown metric', () => chatReply('{"metric":"profit","from":"2026-11-24","to":"2026-11-24"}')],
    ['an impossible period', () => chatReply('{"metric":"revenue","from":"2026-11-24","to":"2026-02-30"}')],
    ['a server error', () => ({ status: 500 })],
    ['a model slower than the timeout', () => ({ ...chatReply('{"metric":"revenue","from":"2026-11-24","to":"2026-11-24"}'), delayMs: 3000 })],
  ])('keeps the offline parse after %s', async (_what, reply) => {
    const log = captureLogger();
    const s = await withModel(reply, log.logger);
    const { answer } = await s.ask('昨天转化率', { today: TODAY });
    expect(answer).toMatchObject({ mode: 'offline', metric: 'cvr', from: '2026-11-24', to: '2026-11-24' });
    expect(log.lines().some((l) => String(l.msg).includes('offline parse stands'))).toBe(true);
  });

  it('falls back to the offline parse when the model says it is no KPI question but the parser found one', async () => {
    const s = await withModel(() => chatReply('{"metric":null}'));
    expect((await s.ask('昨天转化率', { today: TODAY })).answer).toMatchObject({ mode: 'offline', metric: 'cvr' });
  });
});
