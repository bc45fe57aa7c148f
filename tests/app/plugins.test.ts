import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../src/app/app.js';
import { startBot } from '../../src/app/bot.js';
import { LocalChat } from '../../src/bot/adapters/local.js';
import { definePlugin, provider, type AnyPlugin } from '../../src/bot/plugin.js';
import { ConfigError } from '../../src/kernel/config.js';
import { ErrorCode, hasCode } from '../../src/kernel/errors.js';
import { shopPlugins } from '../../src/skills/index.js';
import { freePort, prompts, silentLogger, tempDir, testConfig } from '../helpers.js';

let dir: { dir: string; cleanup: () => void };
beforeEach(() => (dir = tempDir('opsbot-plugins-')));
afterEach(() => dir.cleanup());

function app(plugins: readonly AnyPlugin[], env: Record<string, string> = {}): App {
  const config = testConfig({ OPSBOT_DATA_DIR: dir.dir, OPSBOT_SHOP_FILE: join(dir.dir, 'shop.json'), ...env });
  return new App({ config, prompts, logger: silentLogger, llm: null, plugins, tuning: { pollMs: 50 } });
}

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('the plugin contract', () => {
  it('refuses, at start, a plugin that needs a service nobody provides, naming the plugin', () => {
    const needy = definePlugin({ name: 'needy', inject: ['coupons' as never] });
    const err = thrown(() => app([needy]));
    expect(hasCode(err, ErrorCode.PLUGIN_SERVICE_MISSING)).toBe(true);
    expect(prompts.render((err as { promptKey: string }).promptKey, (err as { params: Record<string, string> }).params)).toContain('「needy」');
  });

  it('refuses two plugins providing one service, naming both', () => {
    const one = definePlugin({ name: 'one', inject: [], provide: () => ({ metrics: provider([], () => ({}) as never) }) });
    const err = thrown(() => app([...shopPlugins, one]));
    expect(hasCode(err, ErrorCode.PLUGIN_SERVICE_DUPLICATE)).toBe(true);
    expect((err as { params: Record<string, string> }).params).toMatchObject({ plugin: 'one', other: 'metrics', service: 'metrics' });
  });

  it('refuses the same plugin twice', () => {
    expect(hasCode(thrown(() => app([...shopPlugins, shopPlugins[0]!])), ErrorCode.PLUGIN_DUPLICATE)).toBe(true);
  });

  it('validates every slice in one pass at start, listing every problem', async () => {
    const strict = definePlugin({ name: 'strict', inject: [], config: { schema: z.object({ every: z.number({ message: 'shop/invalid-number' }) }).default({ every: 1 }) } });
    writeFileSync(join(dir.dir, 'shop.json'), JSON.stringify({ facts: { returnDays: -1 }, strict: { every: 'often' }, people: { admins: ['nobody'] } }));
    const a = app([...shopPlugins, strict]);
    const err = await startBot(a, { http: false, platforms: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toHaveLength(3);
    await a.close();
  });

  it('applies plugins in order: their services, skill, middleware, job, route and close hooks, disposed at close in reverse order', async () => {
    const events: string[] = [];
    const plugin = (name: string): AnyPlugin =>
      definePlugin({
        name,
        inject: ['scheduler', 'prompts'],
        config: { schema: z.object({ greeting: z.string().default('你好') }).default({ greeting: '你好' }) },
        apply(ctx) {
          events.push(`apply ${name} ${ctx.config.greeting}`);
          ctx.skill({ name: `${name}-skill`, commands: [{ name: name.replace('-', '_'), description: 'cmd/ask' }], roles: ['fan'], handle: async (c) => void (await c.reply(`${name}:${ctx.config.greeting}`)) });
          ctx.middleware(async (_c, next) => {
            events.push(`mw ${name}`);
            await next();
          });
          ctx.job(`${name}-job`, async (job) => void events.push(`job ${name} ${JSON.stringify(job.payload)}`));
          ctx.route({
            method: 'GET',
            path: '/hello/:who',
            schema: { params: z.object({ who: z.string().min(2) }), response: z.object({ text: z.string() }) },
            handler: ({ params }) => ({ text: `${ctx.config.greeting}，${(params as { who: string }).who}` }),
          });
          ctx.onClose(() => void events.push(`close ${name}`));
        },
      });
    writeFileSync(join(dir.dir, 'shop.json'), JSON.stringify({ 'plug-a': { greeting: '欢迎' } }));
    const port = await freePort();
    const a = app([plugin('plug-a'), plugin('plug-b')], { OPSBOT_HTTP_PORT: String(port) });
    const bot = await startBot(a, { platforms: [] });
    expect(events).toEqual(['apply plug-a 欢迎', 'apply plug-b 你好']);
    const chat = new LocalChat(bot.router, { role: 'fan' });
    const replies = await chat.say('/plug_b');
    expect(replies.map((r) => (r.content.kind === 'text' ? r.content.text : ''))).toEqual(['plug-b:你好']);
    expect(events.slice(2)).toEqual(['mw plug-a', 'mw plug-b']);
    const hello = await fetch(`http://127.0.0.1:${port}/api/plug-a/hello/小王`);
    expect(await hello.json()).toEqual({ text: '欢迎，小王' });
    const bad = await fetch(`http://127.0.0.1:${port}/api/plug-b/hello/x`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'OPSBOT_ERR_HTTP_INVALID' } });
    const scheduler = await a.service('scheduler');
    await scheduler.schedule({ id: 'j1', kind: 'plug-b-job', at: new Date(), payload: { n: 1 } });
    for (let i = 0; i < 100 && !events.includes('job plug-b {"n":1}'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(events).toContain('job plug-b {"n":1}');
    await bot.close();
    expect(events.filter((e) => e.startsWith('close'))).toEqual(['close plug-b', 'close plug-a']);
    // Disposed: the routes are gone with the server.
    await expect(fetch(`http://127.0.0.1:${port}/api/plug-a/hello/小王`)).rejects.toThrow();
  });

  it('refuses a skill whose triggers clash, naming the plugin that registered it', async () => {
    const clash = definePlugin({ name: 'clash', inject: [], apply: (ctx) => ctx.skill({ name: 'other', commands: [{ name: 'ask', description: 'cmd/ask' }], roles: ['fan'], handle: async () => {} }) });
    const a = app([...shopPlugins, clash]);
    const err = await startBot(a, { http: false, platforms: [] }).catch((e: unknown) => e);
    expect(hasCode(err, ErrorCode.PLUGIN_INVALID)).toBe(true);
    expect((err as { params: Record<string, string> }).params.plugin).toBe('clash');
    await a.close();
  });

  it('builds nothing after it is closed (a late report never reopens the store)', async () => {
    const a = app(shopPlugins);
    await a.service('store');
    await a.close();
    await expect(a.service('outbox')).rejects.toThrow(/closed/);
  });

  it('builds only what a command needs: asking the playbook opens no store', async () => {
    const a = app(shopPlugins);
    await a.service('knowledge');
    await a.service('facts');
    await a.close();
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir.dir, 'opsbot.sqlite'))).toBe(false);
  });
});

describe('group claims', () => {
  it('hands a group message with no command or mention to the plugin that claims it, only while it says so; chit-chat still gets nothing', async () => {
    let open = false;
    const drops = definePlugin({
      name: 'drops',
      inject: [],
      apply(ctx) {
        ctx.skill({ name: 'drops', roles: ['fan'], claimsInGroup: (c) => open && c.text.trim() === '领券', handle: async (c) => void (await c.reply('券码 ABCD2345')) });
      },
    });
    const a = app([...shopPlugins, drops]);
    const bot = await startBot(a, { platforms: [], http: false });
    const group = new LocalChat(bot.router, { role: 'fan', group: '粉丝1群' });
    const texts = async (line: string) => (await group.say(line)).map((r) => (r.content.kind === 'text' ? r.content.text : ''));
    expect(await texts('领券')).toEqual([]);
    open = true;
    expect(await texts('领券')).toEqual(['券码 ABCD2345']);
    expect(await texts('今天的直播好好看')).toEqual([]);
    open = false;
    expect(await texts('领券')).toEqual([]);
    await bot.close();
  });
});
