import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outbound, SendOptions, SendResult, Transport } from '../../../src/bot/context.js';
import { openOutbox } from '../../../src/bot/outbox/index.js';
import type { Outbox, PushInput } from '../../../src/bot/outbox/types.js';
import { Reporter } from '../../../src/bot/reports.js';
import { SendQueue } from '../../../src/bot/send-queue.js';
import { openStore, type Store } from '../../../src/bot/store/index.js';
import { PACKAGE_ROOT, prompts, silentLogger, tempDir, until } from '../../helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER = join(PACKAGE_ROOT, 'tests/bot/outbox/outbox-worker.ts');

/** A platform account: what reached the platform, through a real paced queue (without the waits). */
class Account {
  sent: { chat: string; text: string }[] = [];
  quietUntil = 0;
  readonly transport: Transport;
  constructor(store: Store, name: string, now?: () => number) {
    const platform: Transport = {
      send: async (chat: string, content: Outbound): Promise<SendResult> => {
        this.sent.push({ chat, text: content.kind === 'image' ? '[image]' : content.text });
        return { status: 'sent', messageId: String(this.sent.length) };
      },
    };
    const queue = new SendQueue({
      transport: platform,
      store,
      logger: silentLogger,
      platform: 'wechat',
      account: name,
      tz: 'Asia/Shanghai',
      gap: [0, 0],
      chatSwitchGap: [0, 0],
      quietHours: { start: '00:00', end: '00:00' },
      ...(now ? { now } : {}),
    });
    this.transport = { send: (chat: string, content: Outbound, options?: SendOptions) => queue.send(chat, content, options), quietUntil: () => this.quietUntil };
  }
  texts(): string[] {
    return this.sent.map((s) => s.text);
  }
}

let dir: { dir: string; cleanup: () => void };
const closing: { close(): Promise<void> }[] = [];
beforeEach(() => {
  dir = tempDir('opsbot-outbox-');
});
afterEach(async () => {
  for (const c of closing.splice(0).reverse()) await c.close().catch(() => {});
  dir.cleanup();
});

describe.each(['sqlite', 'redis'] as const)('the outbox (%s)', (backend) => {
  let store: Store;
  let summaries: string[];
  let reporter: Reporter;
  const namespace = () => `outbox-${process.pid}-${Math.random().toString(36).slice(2)}`;
  let ns: string;
  const url = backend === 'redis' ? REDIS_URL : '';

  beforeEach(async () => {
    ns = namespace();
    store = await openStore({ dataDir: dir.dir, ...(url ? { redisUrl: url } : {}), namespace: ns });
    closing.push(store);
    summaries = [];
    reporter = new Reporter({ prompts, logger: silentLogger, send: async (t) => void summaries.push(t), batchMs: 60_000 });
  });

  async function outbox(owner: string): Promise<Outbox> {
    const o = await openOutbox({ store, logger: silentLogger, now: Date.now, owner, reporter, pollMs: 50, staleMs: 1_000, lockMs: 1_500, stalledCheckMs: 500 });
    closing.push(o);
    return o;
  }
  const push = (over: Partial<PushInput> = {}): PushInput => ({
    platform: 'wechat',
    account: 'wx-a',
    chat: 'room-1@chatroom',
    content: { kind: 'text', text: '今晚八点直播，记得来！' },
    source: 'live:1:preannounce',
    dedupeKey: 'live:1:preannounce:room-1@chatroom',
    ...over,
  });

  it('makes a push idempotent by its dedupe key: pushed twice, from two processes, sent once', async () => {
    const a = await outbox('proc-a');
    const b = await outbox('proc-b');
    const first = await a.push(push());
    const second = await b.push(push({ content: { kind: 'text', text: '另一段文字' } }));
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.entry.id).toBe(first.entry.id);
    const account = new Account(store, 'wx-a');
    await a.serve('wechat', 'wx-a', account.transport);
    expect(await a.result(first.entry, 10_000)).toMatchObject({ status: 'sent', messageId: '1' });
    await new Promise((r) => setTimeout(r, 300));
    expect(account.texts()).toEqual(['今晚八点直播，记得来！']);
    expect(await store.tables.deliveries.get(first.entry.id)).toMatchObject({ platform: 'wechat', chat: 'room-1@chatroom', source: 'live:1:preannounce', status: 'sent' });
  });

  it('lets any process push, and only the account\'s owner send', async () => {
    const owner = await outbox('owner');
    const other = await outbox('other');
    const mine = new Account(store, 'wx-a');
    const theirs = new Account(store, 'wx-b');
    await owner.serve('wechat', 'wx-a', mine.transport);
    await other.serve('wechat', 'wx-b', theirs.transport);
    expect(await other.online('wechat')).toBe(true);
    expect(await other.online('telegram')).toBe(false);
    const { entry } = await other.push(push({ dedupeKey: 'k1' }));
    expect(await other.result(entry, 10_000)).toMatchObject({ status: 'sent' });
    expect(mine.texts()).toHaveLength(1);
    expect(theirs.texts()).toHaveLength(0);
  });

  it('expires a push whose deadline passed before its owner could send it, reports it, and never sends it late', async () => {
    const o = await outbox('owner');
    const { entry } = await o.push(push({ dedupeKey: 'late', deadline: new Date(Date.now() - 1_000) }));
    const account = new Account(store, 'wx-a');
    await o.serve('wechat', 'wx-a', account.transport);
    expect(await o.result(entry, 10_000)).toMatchObject({ status: 'expired' });
    expect(account.texts()).toEqual([]);
    expect(await store.tables.deliveries.get(entry.id)).toMatchObject({ status: 'expired', source: 'live:1:preannounce' });
    await reporter.flush();
    expect(summaries.join()).toContain('过期未发');
  });

  it('holds a push through quiet hours in the store, not in memory, while replies and urgent pushes go at once', async () => {
    const o = await outbox('owner');
    const account = new Account(store, 'wx-a');
    account.quietUntil = Date.now() + 1_500;
    await o.serve('wechat', 'wx-a', account.transport);
    const held = await o.push(push({ dedupeKey: 'held' }));
    const urgent = await o.push(push({ dedupeKey: 'urgent', urgent: true, content: { kind: 'text', text: '紧急' } }));
    expect(await o.result(urgent.entry, 5_000)).toMatchObject({ status: 'sent' });
    expect(account.texts()).toEqual(['紧急']);
    expect(await o.result(held.entry, 600)).toBeUndefined();
    expect(await o.result(held.entry, 10_000)).toMatchObject({ status: 'sent' });
    expect(account.texts()).toEqual(['紧急', '今晚八点直播，记得来！']);
  });

  it.each([
    ['reached the platform call', 'attempt', 'uncertain'],
    ['had not reached the platform call', 'queue', 'sent'],
  ])('settles the entry of an owner killed while it %s: %s', async (_what, mode, outcome) => {
    const o = await outbox('next-owner');
    const { entry } = await o.push(push({ dedupeKey: `killed-${mode}` }));
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, dir.dir, url, ns, mode], { cwd: PACKAGE_ROOT });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => String(d).includes('taken') && resolve());
      child.on('exit', () => reject(new Error('the owner exited before taking the entry')));
    });
    child.kill('SIGKILL');
    const account = new Account(store, 'wx-a');
    await o.serve('wechat', 'wx-a', account.transport);
    expect(await o.result(entry, 20_000)).toMatchObject({ status: outcome });
    expect(account.texts()).toEqual(outcome === 'sent' ? ['今晚八点直播，记得来！'] : []);
    expect(await store.tables.deliveries.get(entry.id)).toMatchObject({ status: outcome });
    if (outcome === 'uncertain') {
      await reporter.flush();
      expect(summaries.join()).toContain('不确定是否已发出');
    }
  }, 60_000);

  it('reads deadlines and quiet hours on the app\'s clock, even one fixed days away (OPSBOT_NOW)', async () => {
    const shifted = () => Date.now() - 10 * 24 * 3_600_000;
    const o = await openOutbox({ store, logger: silentLogger, now: shifted, owner: 'shifted', pollMs: 50, staleMs: 1_000, lockMs: 1_500, stalledCheckMs: 500 });
    closing.push(o);
    // The platform's paced queue reads the same clock, as the app wires it.
    const account = new Account(store, 'wx-a', shifted);
    // Quiet for 800 ms on the app's clock.
    account.quietUntil = shifted() + 800;
    await o.serve('wechat', 'wx-a', account.transport);
    const { entry } = await o.push(push({ dedupeKey: 'shifted', deadline: new Date(shifted() + 60_000) }));
    expect(await o.result(entry, 400)).toBeUndefined();
    expect(await o.result(entry, 10_000)).toMatchObject({ status: 'sent' });
    expect((await store.tables.deliveries.list({ source: 'live:' })).map((d) => d.id)).toEqual([entry.id]);
  });

  it('takes back a push still waiting (a cancelled live): dropped in the log, never sent', async () => {
    const o = await outbox('owner');
    const account = new Account(store, 'wx-a');
    account.quietUntil = Date.now() + 60_000;
    await o.serve('wechat', 'wx-a', account.transport);
    const input = push({ dedupeKey: 'live:9:r1:reminder:10m:wechat:room-1@chatroom' });
    const { entry } = await o.push(input);
    await new Promise((r) => setTimeout(r, 300)); // taken and deferred by its owner
    expect(await o.cancel(input)).toBe(true);
    expect(await o.cancel(input)).toBe(false);
    expect(await o.result(entry, 5_000)).toMatchObject({ status: 'dropped' });
    expect(await store.tables.deliveries.get(entry.id)).toMatchObject({ status: 'dropped', reason: 'cancelled before it was sent' });
    account.quietUntil = 0;
    await new Promise((r) => setTimeout(r, 300));
    expect(account.texts()).toEqual([]);
  });

  it('sends a push made to follow another only once that one has ended, even with two processes serving the chat', async () => {
    const [a, b] = [await outbox('proc-a'), await outbox('proc-b')];
    const order: string[] = [];
    const started: string[] = [];
    let letFirstGo: () => void = () => {};
    const firstHeld = new Promise<void>((r) => (letFirstGo = r));
    // Process a's platform call for the first message is slow; process b is idle and would take the second at once.
    const slow: Transport = {
      send: async (_chat, content) => {
        started.push(content.kind);
        if (content.kind === 'text' && content.text === '一') await firstHeld;
        order.push(content.kind === 'text' ? content.text : '[image]');
        return { status: 'sent' };
      },
    };
    await a.serve('wechat', 'wx-a', slow);
    const first = await a.push(push({ account: '*', dedupeKey: 'first', content: { kind: 'text', text: '一' } }));
    await until(() => started.length === 1);
    await b.serve('wechat', 'wx-b', slow);
    // No account named: it goes where the entry it follows went.
    const poster: PushInput = { platform: 'wechat', chat: 'room-1@chatroom', source: 'live:1:preannounce', dedupeKey: 'second', content: { kind: 'image', data: Buffer.from('png'), mime: 'image/png' } };
    const second = await b.push({ ...poster, after: first.entry });
    expect(second.entry.account).toBe('*');
    await new Promise((r) => setTimeout(r, 600));
    expect(started).toEqual(['text']);
    letFirstGo();
    expect(await b.result(second.entry, 10_000)).toMatchObject({ status: 'sent' });
    expect(order).toEqual(['一', '[image]']);
  });

  it('keeps a picture whole through the outbox', async () => {
    const o = await outbox('owner');
    const got: Outbound[] = [];
    await o.serve('wechat', 'wx-a', { send: async (_c, content) => (got.push(content), { status: 'sent' }) });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const { entry } = await o.push(push({ dedupeKey: 'poster', content: { kind: 'image', data: png, mime: 'image/png', caption: '海报' } }));
    await o.result(entry, 10_000);
    expect(got).toEqual([{ kind: 'image', data: png, mime: 'image/png', caption: '海报' }]);
  });
});
