import { describe, expect, it } from 'vitest';
import { LocalChat } from '../../src/bot/adapters/local.js';
import type { Outbound } from '../../src/bot/context.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import { memoryStore, prompts, silentLogger } from '../helpers.js';

describe('the local playground', () => {
  it('returns the answers to a line, and hands what arrives between lines (a push) over at once', async () => {
    const router = new Router({ store: memoryStore(), prompts, logger: silentLogger, roles: new RoleDirectory({ admins: [], agents: [] }) })
      .register({ name: 'echo', roles: ['fan'], fallback: true, handle: async (ctx, input) => void (await ctx.reply(`echo:${input.args}`)) })
      .start();
    const pushed: Outbound[] = [];
    const chat = new LocalChat(router, { role: 'fan', onPush: ({ content }) => void pushed.push(content) });
    const replies = await chat.say('你好');
    expect(replies.map((r) => r.content)).toEqual([{ kind: 'text', text: 'echo:你好' }]);
    await chat.send('private:fan', { kind: 'text', text: '客服回复了你' });
    expect(pushed).toEqual([{ kind: 'text', text: '客服回复了你' }]);
    expect(await chat.say('再见')).toHaveLength(1);
  });
});
