import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, Outbound, SendResult, Transport } from '../../src/bot/context.js';
import { ErrorCode, UserFacingError } from '../../src/kernel/errors.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { parseCommand, Router } from '../../src/bot/router.js';
import type { Skill } from '../../src/bot/skill.js';
import { openStore, type Store } from '../../src/bot/store/index.js';
import { captureLogger, prompts, tempDir } from '../helpers.js';

class Outbox implements Transport {
  sent: { chatId: string; content: Outbound; replyTo?: string }[] = [];
  async send(chatId: string, content: Outbound, options?: { replyTo?: IncomingMessage }): Promise<SendResult> {
    this.sent.push({ chatId, content, ...(options?.replyTo ? { replyTo: options.replyTo.messageId } : {}) });
    return { status: 'sent' };
  }
  texts(): string[] {
    return this.sent.map((s) => (s.content.kind === 'image' ? '[image]' : s.content.text));
  }
}

let seq = 0;
function msg(over: Partial<IncomingMessage> & { text: string }): IncomingMessage {
  return {
    platform: 'telegram',
    messageId: `m${++seq}`,
    time: new Date(),
    chat: { id: 'c1', type: 'private' },
    sender: { id: '42', name: '小王' },
    mentioned: false,
    self: false,
    ...over,
  };
}
const inGroup = { chat: { id: 'g1', type: 'group' as const, title: '粉丝1群' } };

const echo: Skill = {
  name: 'echo',
  commands: [{ name: 'echo', description: 'cmd/ask' }],
  roles: ['admin', 'agent', 'fan'],
  fallback: true,
  async handle(ctx, input) {
    await ctx.reply(`echo:${input.args}`);
  },
};
const coupon: Skill = {
  name: 'coupon',
  keywords: [/^领券$/],
  roles: ['fan', 'admin'],
  async handle(ctx) {
    await ctx.reply('券来了');
  },
};
const adminOnly: Skill = {
  name: 'kpi',
  commands: [{ name: 'kpi', description: 'cmd/ask' }],
  roles: ['admin'],
  async handle(ctx) {
    await ctx.reply('转化率 3.45%');
  },
};
const broken: Skill = {
  name: 'broken',
  commands: [{ name: 'boom', description: 'cmd/ask' }, { name: 'polite', description: 'cmd/ask' }],
  roles: ['fan'],
  async handle(_ctx, input) {
    if (input.command === 'polite') throw new UserFacingError(ErrorCode.KB_QUESTION_EMPTY, 'qa/empty-question');
    throw new Error('database exploded at /srv/app.js:12:3');
  },
};

let dir: { dir: string; cleanup: () => void };
let store: Store;
let outbox: Outbox;
let logs: ReturnType<typeof captureLogger>;
let router: Router;

beforeEach(async () => {
  dir = tempDir();
  store = await openStore({ dataDir: dir.dir });
  outbox = new Outbox();
  logs = captureLogger();
  router = new Router({
    store,
    prompts,
    logger: logs.logger,
    roles: new RoleDirectory({ admins: ['telegram:1'], agents: ['telegram:2'] }),
    rateLimit: { max: 5, windowMs: 60_000 },
  })
    .register(echo)
    .register(coupon)
    .register(adminOnly)
    .register(broken)
    .start();
});
afterEach(async () => {
  await store.close();
  dir.cleanup();
});

describe('parseCommand', () => {
  it.each([
    ['/ask 直播几点开始', { name: 'ask', args: '直播几点开始' }],
    ['/ask@shop_bot 直播几点开始', { name: 'ask', args: '直播几点开始' }],
    ['/KPI', { name: 'kpi', args: '' }],
    ['/reply 第一行\n第二行', { name: 'reply', args: '第一行\n第二行' }],
    ['直播几点开始', undefined],
    ['/ 空格', undefined],
    ['/123', undefined],
  ])('%j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });
});

describe('Router', () => {
  it('answers a private message through the fallback skill, replying to it', async () => {
    await router.handle(msg({ text: '你好' }), outbox);
    expect(outbox.sent).toEqual([{ chatId: 'c1', content: { kind: 'text', text: 'echo:你好' }, replyTo: `m${seq}` }]);
  });

  it('has one effect for a message delivered twice', async () => {
    const m = msg({ text: '你好' });
    await router.handle(m, outbox);
    await router.handle(m, outbox);
    await router.handle({ ...m }, outbox);
    expect(outbox.texts()).toEqual(['echo:你好']);
  });

  it('writes nothing to the store for what it will not act on: the group talking among itself, its own and other bots\' messages', async () => {
    const taken: string[] = [];
    const setIfAbsent = store.setIfAbsent.bind(store);
    const increment = store.increment.bind(store);
    const counted: Store = {
      ...store,
      setIfAbsent: (key, ttl) => (taken.push(key), setIfAbsent(key, ttl)),
      increment: (key, by, ttl) => (taken.push(key), increment(key, by, ttl)),
    };
    const r = new Router({ store: counted, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: [], agents: [] }) }).register(echo).register(coupon).start();
    await r.handle(msg({ ...inGroup, text: '今天的直播好好看啊' }), outbox);
    await r.handle(msg({ ...inGroup, text: 'echo:你好', self: true }), outbox);
    await r.handle(msg({ ...inGroup, text: '/echo hi', sender: { id: '99', name: 'OtherBot', isBot: true } }), outbox);
    expect(taken).toEqual([]);
    // What it acts on is still checked for a second delivery, once.
    const mention = msg({ ...inGroup, text: '在吗', mentioned: true });
    await r.handle(mention, outbox);
    await r.handle(mention, outbox);
    expect(outbox.texts()).toEqual(['echo:在吗']);
    expect(taken.filter((k) => k.startsWith('dedupe:'))).toEqual([`dedupe:telegram:g1:${mention.messageId}`, `dedupe:telegram:g1:${mention.messageId}`]);
  });

  it('never answers its own messages or other bots (no loops)', async () => {
    await router.handle(msg({ text: 'echo:你好', self: true }), outbox);
    await router.handle(msg({ text: '/echo hi', sender: { id: '99', name: 'OtherBot', isBot: true } }), outbox);
    expect(outbox.sent).toEqual([]);
  });

  it('in a group, speaks only when spoken to: a command, an @-mention, or a keyword it claims', async () => {
    await router.handle(msg({ ...inGroup, text: '今天的直播好好看啊' }), outbox);
    await router.handle(msg({ ...inGroup, text: '/unknown 命令' }), outbox);
    expect(outbox.sent).toEqual([]);
    await router.handle(msg({ ...inGroup, text: '直播几点', mentioned: true }), outbox);
    await router.handle(msg({ ...inGroup, text: '/echo 在吗' }), outbox);
    await router.handle(msg({ ...inGroup, text: '领券' }), outbox);
    expect(outbox.texts()).toEqual(['echo:直播几点', 'echo:在吗', '券来了']);
  });

  it('refuses an operator command from anyone else, politely, and logs who asked', async () => {
    await router.handle(msg({ text: '/kpi 昨天转化率' }), outbox);
    await router.handle(msg({ text: '/kpi 昨天转化率', sender: { id: '2', name: '客服小李' } }), outbox);
    await router.handle(msg({ text: '/kpi 昨天转化率', sender: { id: '1', name: '运营老张' } }), outbox);
    expect(outbox.texts()).toEqual([prompts.render('bot/not-allowed'), prompts.render('bot/not-allowed'), '转化率 3.45%']);
    const refusals = logs.lines().filter((l) => l.msg === 'refused: role not allowed');
    expect(refusals.map((l) => [l.userId, l.role, l.skill])).toEqual([
      ['42', 'fan', 'kpi'],
      ['2', 'agent', 'kpi'],
    ]);
  });

  it('answers a flood with one notice, then silence for the window', async () => {
    for (let i = 0; i < 9; i++) await router.handle(msg({ text: `第${i}条` }), outbox);
    expect(outbox.texts()).toEqual([
      ...[0, 1, 2, 3, 4].map((i) => `echo:第${i}条`),
      prompts.render('bot/slow-down', { minutes: 1 }),
    ]);
    await router.handle(msg({ text: '别人的消息', sender: { id: '7', name: '小赵' } }), outbox);
    expect(outbox.texts().at(-1)).toBe('echo:别人的消息');
  });

  it('counts a repeated keyword claim towards a flood', async () => {
    for (let i = 0; i < 8; i++) await router.handle(msg({ ...inGroup, text: '领券' }), outbox);
    expect(outbox.texts()).toEqual([...Array(5).fill('券来了'), prompts.render('bot/slow-down', { minutes: 1 })]);
  });

  it('does not let one fan past their own allowance use up the group\'s: the next fan is answered', async () => {
    for (let i = 0; i < 30; i++) await router.handle(msg({ ...inGroup, text: `/echo 刷${i}` }), outbox);
    expect(outbox.texts()).toHaveLength(6); // five answers and the one notice
    await router.handle(msg({ ...inGroup, text: '/echo 我也问一下', sender: { id: '7', name: '小赵' } }), outbox);
    expect(outbox.texts().at(-1)).toBe('echo:我也问一下');
  });

  it('does not count group chit-chat towards a flood', async () => {
    for (let i = 0; i < 20; i++) await router.handle(msg({ ...inGroup, text: `哈哈${i}` }), outbox);
    await router.handle(msg({ ...inGroup, text: '/echo 还在吗' }), outbox);
    expect(outbox.texts()).toEqual(['echo:还在吗']);
  });

  it('turns a failing skill into a short apology, never a stack trace, and logs it', async () => {
    await router.handle(msg({ text: '/boom' }), outbox);
    await router.handle(msg({ text: '/polite' }), outbox);
    expect(outbox.texts()).toEqual([prompts.render('bot/skill-failed'), prompts.render('qa/empty-question')]);
    expect(outbox.texts().join('')).not.toMatch(/exploded|app\.js/);
    const failure = logs.lines().find((l) => l.msg === 'skill failed')!;
    expect(failure).toMatchObject({ skill: 'broken', platform: 'telegram', chatId: 'c1' });
  });

  it('lists the commands a role may use, and says when a command does not exist', async () => {
    await router.handle(msg({ text: '/help' }), outbox);
    await router.handle(msg({ text: '/nope' }), outbox);
    const [help, unknown] = outbox.texts();
    expect(help).toContain('/echo');
    expect(help).not.toContain('/kpi');
    expect(unknown).toBe(prompts.render('bot/unknown-command', { name: 'nope' }));
  });

  it('passes huge, empty and emoji-only private messages to the skill to answer', async () => {
    await router.handle(msg({ text: '长'.repeat(20_000) }), outbox);
    await router.handle(msg({ text: '' }), outbox);
    await router.handle(msg({ text: '😀🎉' }), outbox);
    expect(outbox.texts().map((t) => t.length)).toEqual([20_005, 5, 9]);
  });

  it('fails closed when the store is down: a clear reply, and nothing handled twice', async () => {
    await store.close();
    await router.handle(msg({ text: '你好' }), outbox);
    await router.handle(msg({ ...inGroup, text: '聊天' }), outbox);
    expect(outbox.texts()).toEqual([prompts.render('errors/store-unavailable')]);
  });

  it('checks skills when they are registered, and refuses changes after start', () => {
    const fresh = new Router({ store, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: [], agents: [] }) });
    expect(() => fresh.register({ ...echo, name: 'Echo Skill' })).toThrow(/kebab-case/);
    expect(() => fresh.register({ ...echo, commands: [{ name: 'Ask-Me', description: 'x' }] })).toThrow(/must match/);
    expect(() => fresh.register({ ...echo, roles: ['boss' as never] })).toThrow(/admin, agent, fan/);
    fresh.register(echo);
    expect(() => fresh.register({ ...echo, name: 'echo-two' })).toThrow(/already belongs to skill "echo"/);
    fresh.start();
    expect(() => fresh.register(coupon)).toThrow(/before the router starts/);
    expect(() => fresh.use(async (_c, next) => next())).toThrow(/before the router starts/);
  });

  it('lets a group policy keep a skill out of a group, silently', async () => {
    const r = new Router({
      store,
      prompts,
      logger: logs.logger,
      roles: new RoleDirectory({ admins: [], agents: [] }),
      allows: async (ctx, skill) => !(ctx.chat.id === 'g1' && skill === 'coupon'),
    })
      .register(coupon)
      .register(echo)
      .start();
    await r.handle(msg({ ...inGroup, text: '领券' }), outbox);
    await r.handle(msg({ ...inGroup, chat: { id: 'g2', type: 'group' }, text: '领券' }), outbox);
    expect(outbox.sent.map((s) => [s.chatId, s.content.kind === 'text' ? s.content.text : ''])).toEqual([['g2', '券来了']]);
  });

  it('runs added middleware in order before dispatch', async () => {
    const seen: string[] = [];
    const r = new Router({ store, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: [], agents: [] }) })
      .use(async (ctx, next) => {
        seen.push(`a:${ctx.role}`);
        await next();
      })
      .use(async (_ctx, next) => {
        seen.push('b');
        await next();
      })
      .register(echo)
      .start();
    await r.handle(msg({ text: 'hi' }), outbox);
    expect(seen).toEqual(['a:fan', 'b']);
    expect(outbox.texts()).toEqual(['echo:hi']);
  });
});

describe('fallbacks per role, forwards and button presses', () => {
  const staffDesk: Skill = {
    name: 'staff-desk',
    roles: ['admin', 'agent'],
    fallback: ['admin', 'agent'],
    forwards: true,
    actions: {
      prefix: 'desk',
      async handle(ctx) {
        if (ctx.data === 'desk:boom') throw new Error('exploded');
        await ctx.answer(`pressed ${ctx.data} as ${ctx.role}`);
      },
    },
    async handle(ctx, input) {
      await ctx.reply(`staff:${ctx.forwarded ? 'forwarded:' : ''}${input.args}`);
    },
  };
  const fanDesk: Skill = {
    name: 'fan-desk',
    roles: ['fan'],
    fallback: ['fan'],
    async handle(ctx, input) {
      await ctx.reply(`fan:${input.args}`);
    },
  };
  let routed: Router;
  beforeEach(() => {
    routed = new Router({ store, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: ['telegram:1'], agents: ['telegram:2'] }) })
      .register(staffDesk)
      .register(fanDesk)
      .start();
  });

  function action(data: string, senderId: string, id = `cb-${++seq}`) {
    const answers: (string | undefined)[] = [];
    return {
      answers,
      action: {
        platform: 'telegram' as const,
        id,
        chat: { id: senderId, type: 'private' as const },
        sender: { id: senderId, name: 'x' },
        data,
        messageId: '9',
        answer: async (text?: string) => void answers.push(text),
      },
    };
  }

  it('gives staff ten times a fan\'s flood allowance (an agent forwards customers\' messages in bursts)', async () => {
    const limited = new Router({ store, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: [], agents: ['telegram:2'] }), rateLimit: { max: 2, windowMs: 60_000 } })
      .register(staffDesk)
      .register(fanDesk)
      .start();
    for (let i = 0; i < 20; i++) await limited.handle(msg({ text: `转发${i}`, forwarded: true, sender: { id: '2', name: '客服' } }), outbox);
    expect(outbox.texts().filter((t) => t.startsWith('staff:'))).toHaveLength(20);
    for (let i = 0; i < 3; i++) await limited.handle(msg({ text: `问${i}`, sender: { id: '77', name: '粉丝' } }), outbox);
    expect(outbox.texts().filter((t) => t.startsWith('fan:'))).toHaveLength(2);
  });

  it('sends each role\'s unclaimed messages to its own fallback', async () => {
    await routed.handle(msg({ text: '你好', sender: { id: '2', name: '客服' } }), outbox);
    await routed.handle(msg({ text: '你好', sender: { id: '77', name: '粉丝' } }), outbox);
    expect(outbox.texts()).toEqual(['staff:你好', 'fan:你好']);
  });

  it('gives a forwarded message to the skill that takes forwards, for the roles it allows', async () => {
    await routed.handle(msg({ text: '什么时候发货', forwarded: true, sender: { id: '2', name: '客服' } }), outbox);
    await routed.handle(msg({ text: '什么时候发货', forwarded: true, sender: { id: '77', name: '粉丝' } }), outbox);
    expect(outbox.texts()).toEqual(['staff:forwarded:什么时候发货', 'fan:什么时候发货']);
  });

  it('refuses two fallbacks for one role, and two skills with one action prefix, naming the problem', () => {
    const r = new Router({ store, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: [], agents: [] }) }).register(staffDesk);
    expect(() => r.register({ ...fanDesk, name: 'other', roles: ['agent'], fallback: ['agent'] })).toThrow(/fallback for agent is already skill "staff-desk"/);
    expect(() => r.register({ ...fanDesk, name: 'third', actions: { prefix: 'desk', handle: async () => {} } })).toThrow(/action prefix "desk" already belongs/);
    expect(() => r.register({ ...fanDesk, name: 'fourth', fallback: ['admin'] })).toThrow(/fallback roles must be among/);
  });

  it('routes a press to the skill owning its prefix, once, and always answers it', async () => {
    const first = action('desk:s:1', '2', 'cb-same');
    await routed.handleAction(first.action, outbox);
    expect(first.answers).toEqual(['pressed desk:s:1 as agent']);
    const again = action('desk:s:1', '2', 'cb-same');
    await routed.handleAction(again.action, outbox);
    expect(again.answers).toEqual([undefined]); // answered (the spinner stops), nothing done
  });

  it('refuses a press from a role the skill does not allow, and survives a failing handler', async () => {
    const fan = action('desk:s:1', '77');
    await routed.handleAction(fan.action, outbox);
    expect(fan.answers).toEqual([prompts.render('bot/not-allowed')]);
    const boom = action('desk:boom', '1');
    await routed.handleAction(boom.action, outbox);
    expect(boom.answers).toEqual([prompts.render('bot/skill-failed')]);
    const unknown = action('nobody:x', '1');
    await routed.handleAction(unknown.action, outbox);
    expect(unknown.answers).toEqual([undefined]);
  });
});
