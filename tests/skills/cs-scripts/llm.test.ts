import { afterEach, describe, expect, it } from 'vitest';
import { createLlm } from '../../../src/kernel/llm.js';
import { resolveFacts } from '../../../src/skills/cs-scripts/facts.js';
import { CsScripts } from '../../../src/skills/cs-scripts/service.js';
import { captureLogger, chatReply, prompts, silentLogger, startFakeOpenAi, testConfig, type FakeOpenAi, type FakeOpenAiOptions } from '../../helpers.js';

let server: FakeOpenAi | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const facts = resolveFacts({ shopName: '小鹿优选', courier: '圆通快递' }, prompts).facts;

async function withModel(chat: FakeOpenAiOptions['chat'], timeoutMs = 2_000, logger = silentLogger): Promise<CsScripts> {
  server = await startFakeOpenAi({ ...(chat ? { chat } : {}) });
  const config = testConfig({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'test-model', OPSBOT_LLM_TIMEOUT_MS: String(timeoutMs) });
  return new CsScripts({ prompts, logger, facts, llm: createLlm(config.llm)! });
}

/** Answers the classification call with `intent` and the writing call with `suggestions`. */
function model(intent: string, suggestions: unknown): FakeOpenAiOptions['chat'] {
  return (body) => {
    const system = body.messages[0]?.content ?? '';
    if (system.includes('判断意图')) return chatReply(`好的。\n\`\`\`json\n{"intent":"${intent}","confidence":0.92}\n\`\`\``);
    return chatReply(JSON.stringify(suggestions));
  };
}

describe('customer-service scripts with a model', () => {
  it('lets the model pick the label from the same labels and nearest examples, and write the replies from the scripts', async () => {
    const cs = await withModel(
      model('logistics', {
        suggestions: [
          { text: '亲，圆通那边我马上帮您催，有消息第一时间告诉您～', script: 'logistics/stuck-brief' },
          { text: '让您久等了，真抱歉！我这就联系快递核实。', script: 'logistics/stuck-warm' },
        ],
      }),
    );
    const r = await cs.suggest('我的包裹好几天不动了');
    expect(r).toMatchObject({ intent: 'logistics', mode: 'model' });
    expect(r.confidence).toBe(0.92);
    expect(r.suggestions.map((s) => s.source)).toEqual(['scripts/logistics/stuck-brief', 'scripts/logistics/stuck-warm']);
    expect(r.suggestions[0]!.basis).toBe('《電商運營的五個小竅門》「5. 客服服務」');
    const [classify, write] = server!.requests.map((q) => q.body as { messages: { content: string }[] });
    // Same labels, the nearest examples from the bank, and the message.
    expect(classify!.messages[0]!.content).toContain('special_request');
    expect(classify!.messages[1]!.content).toMatch(/→ logistics/);
    // The scripts filled with the shop's facts, and the facts themselves.
    expect(write!.messages[1]!.content).toContain('[logistics/stuck-brief]');
    expect(write!.messages[1]!.content).toContain('圆通快递');
  });

  it('names the source `model` when the model used no script it was given', async () => {
    const cs = await withModel(model('coupon', { suggestions: [{ text: '亲，领券下单最划算～', script: 'made-up' }, { text: '亲，直播间会发券哦～' }] }));
    const r = await cs.suggest('有券吗');
    expect(r.suggestions.map((s) => s.source)).toEqual(['model', 'model']);
  });

  it.each([
    ['an error', () => ({ status: 500 })],
    ['a label that is not one of ours', () => chatReply('{"intent":"angry","confidence":0.9}')],
    ['prose instead of JSON', () => chatReply('这是物流问题。')],
  ])('keeps the offline result when the model gives %s', async (_what, reply) => {
    const { logger, lines } = captureLogger();
    const cs = await withModel(reply, 2_000, logger);
    const r = await cs.suggest('什么时候发货呀');
    expect(r).toMatchObject({ intent: 'shipping', mode: 'offline' });
    expect(r.suggestions.length).toBeGreaterThanOrEqual(2);
    expect(r.suggestions.every((s) => s.source.startsWith('scripts/shipping/'))).toBe(true);
    expect(lines().some((l) => String(l.msg).includes('offline intent stands'))).toBe(true);
  });

  it('keeps the filled scripts when the model is too slow', async () => {
    const cs = await withModel(() => ({ ...chatReply('{}'), delayMs: 1_000 }), 200);
    const started = Date.now();
    const r = await cs.suggest('什么时候发货呀');
    expect(r).toMatchObject({ intent: 'shipping', mode: 'offline' });
    expect(Date.now() - started).toBeLessThan(900 * 2);
  });

  it.each([['补偿您20元'], ['3天内到账'], ['单号 YT88812345']])('drops a reply with an invented number (%s)', async (invented) => {
    const cs = await withModel(
      model('complaint', {
        suggestions: [
          { text: `亲，非常抱歉，${invented}。`, script: 'complaint/sorry-brief' },
          { text: '亲，真的很抱歉，请把照片发给我。', script: 'complaint/quality-warm' },
          { text: '实在对不起，这是我们没做好！', script: 'complaint/fix-remedy' },
        ],
      }),
    );
    const r = await cs.suggest('衣服起球了');
    expect(r.suggestions.map((s) => s.text)).toEqual(['亲，真的很抱歉，请把照片发给我。', '实在对不起，这是我们没做好！']);
  });

  it('drops a reply with an invented number, and falls back when fewer than two are left', async () => {
    const cs = await withModel(
      model('logistics', {
        suggestions: [
          { text: '亲，您的单号是 YT88812345，已经到站啦', script: 'logistics/where-warm' },
          { text: '亲，我马上帮您查。', script: 'logistics/stuck-brief' },
        ],
      }),
    );
    const r = await cs.suggest('快递到哪了');
    expect(r.mode).toBe('model'); // the label is the model's…
    expect(r.suggestions.every((s) => !s.text.includes('88812345'))).toBe(true); // …the replies are the scripts
    expect(r.suggestions.length).toBeGreaterThanOrEqual(2);
  });
});
