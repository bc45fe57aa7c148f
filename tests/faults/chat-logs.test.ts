import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlm } from '../../src/kernel/llm.js';
import { createLogger } from '../../src/kernel/logger.js';
import type { LogLevel } from '../../src/kernel/config.js';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { LocalChat } from '../../src/bot/adapters/local.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import { memoryStore, memoryStream, prompts, STACK_TRACE, tempDir, testConfig } from '../helpers.js';
import { startFakeModel, type FakeModel } from './fake-model.js';

const data = tempDir('opsbot-faults-logs-');
let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel({ kind: 'json', status: 500, body: { error: { message: 'boom' } } });
});
afterAll(async () => {
  await model.close();
  data.cleanup();
});

/** A failing model behind /ask, and a skill that throws, through the process logger at `level`: what the user got and what the log says. */
async function run(level: LogLevel): Promise<{ replies: string[]; log: string }> {
  const { stream, lines } = memoryStream();
  const logger = createLogger({ level, pretty: false, destination: stream });
  const config = testConfig({ OPSBOT_DATA_DIR: data.dir, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'm', OPSBOT_LLM_TIMEOUT_MS: '1000' });
  const kb = new KnowledgeBase({ config, logger, prompts, llm: createLlm(config.llm)! });
  await kb.build();
  const router = new Router({ store: memoryStore(), prompts, logger, roles: new RoleDirectory({ admins: [], agents: [] }) })
    .register({ name: 'ask', commands: [{ name: 'ask', description: 'cmd/ask' }], roles: ['fan'], handle: async (ctx, input) => void (await ctx.reply((await kb.ask(input.args)).answer)) })
    .register({
      name: 'broken',
      commands: [{ name: 'broken', description: 'cmd/ask' }],
      roles: ['fan'],
      handle: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'id')");
      },
    })
    .start();
  const chat = new LocalChat(router, { role: 'fan' });
  const replies = [...(await chat.say('/ask 直播预告应该提前多久发？')), ...(await chat.say('/broken'))].map((o) => (o.content.kind === 'text' ? o.content.text : ''));
  return { replies, log: JSON.stringify(lines()) };
}

describe('errors in the chat paths, as people see them', () => {
  it('the fan reads Chinese; the log has what failed but no stack trace unless LOG_LEVEL=debug', async () => {
    const info = await run('info');
    expect(info.replies).toHaveLength(2);
    expect(info.replies[1]).toBe(prompts.render('bot/skill-failed'));
    for (const r of info.replies) expect(r).toMatch(/[\u4e00-\u9fff]/);
    for (const r of info.replies) expect(r).not.toMatch(/Cannot read|TypeError|OPSBOT_ERR|status code/);
    // The log as a terminal would show it: its escaped line breaks as breaks.
    const text = info.log.replace(/\\n/g, '\n');
    expect(text).toContain('Cannot read properties of undefined');
    expect(text).not.toMatch(STACK_TRACE);
    // At debug, the frames are there for whoever debugs.
    const debug = await run('debug');
    expect(debug.log.replace(/\\n/g, '\n')).toMatch(STACK_TRACE);
  });
});
