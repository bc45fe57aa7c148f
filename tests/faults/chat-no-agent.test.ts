import { afterAll, describe, expect, it } from 'vitest';
import { LocalChat } from '../../src/bot/adapters/local.js';
import type { Outbound, SendResult, Transport } from '../../src/bot/context.js';
import { prompts, tempDir, testBot } from '../helpers.js';

const data = tempDir('opsbot-faults-no-agent-');
afterAll(() => data.cleanup());

const text = (out: { content: Outbound }[]) => out.map((o) => (o.content.kind === 'image' ? '[image]' : o.content.text));

describe('a fan writing again about a complaint', () => {
  it('is not promised a person when no agent is configured (the default), and no second escalation is opened', async () => {
    const { app, bot } = await testBot({ OPSBOT_DATA_DIR: `${data.dir}/alone`, OPSBOT_SHOP_FILE: `${data.dir}/none.json` });
    try {
      const store = await app.service('store');
      const fan = new LocalChat(bot.router, { role: 'fan', group: '售后群' });
      expect(text(await fan.say('@助手 收到的杯子是碎的'))).toEqual([prompts.render('cs/fan-no-agent', { hours: '09:00-22:00' })]);
      const before = (await store.list('esc:')).length;
      const second = text(await fan.say('@助手 怎么还没人理我，我要投诉'));
      // Something true: nobody is here to answer in this chat; when and where a person can be reached.
      expect(second).toEqual([prompts.render('cs/fan-still-no-agent', { hours: '09:00-22:00' })]);
      expect(second.join('')).not.toContain('会尽快在这里回复您');
      expect((await store.list('esc:')).length).toBe(before);
    } finally {
      await bot.close();
    }
  });

  it('keeps the promise when an agent was told: "still waiting", and the agents get the follow-up', async () => {
    const inbox: string[] = [];
    const telegram: Transport = {
      async send(_chatId, content): Promise<SendResult> {
        inbox.push(content.kind === 'image' ? '' : content.text);
        return { status: 'sent', messageId: String(inbox.length) };
      },
    };
    const { bot } = await testBot({ OPSBOT_DATA_DIR: `${data.dir}/staffed`, OPSBOT_SHOP_FILE: `${data.dir}/none.json`, OPSBOT_AGENTS: 'telegram:3003' });
    try {
      await bot.attach('telegram', telegram, 'test-bot');
      const fan = new LocalChat(bot.router, { role: 'fan', group: '售后群' });
      expect(text(await fan.say('@助手 收到的杯子是碎的'))).toEqual([prompts.render('cs/fan-escalated')]);
      expect(text(await fan.say('@助手 怎么还没人理我，我要投诉'))).toEqual([prompts.render('cs/fan-still-waiting')]);
    } finally {
      await bot.close();
    }
  });
});
