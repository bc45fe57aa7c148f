import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramAdapter } from '../../src/bot/adapters/telegram.js';
import { Reason } from '../../src/bot/deliveries/reasons.js';
import { GroupRegistry } from '../../src/bot/groups.js';
import { createMembershipHandler } from '../../src/bot/membership.js';
import { openOutbox } from '../../src/bot/outbox/index.js';
import type { Outbox, OutboxEntry } from '../../src/bot/outbox/types.js';
import { Reporter } from '../../src/bot/reports.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import { openStore, type Store } from '../../src/bot/store/index.js';
import { captureLogger, prompts, tempDir, until } from '../helpers.js';
import { FakeBotApi, kicked, migrated, serverError, tooManyRequests } from './telegram-api.js';

const TOKEN = '7012345678:AAHk3xQ9zLmNoPqRsTuVwXyZ0123456789';
const REMINDER = '直播提醒：今晚 8 点开播，福袋准时发';
// One fault per group, as Telegram answers them (each chat's first sendMessage, or every one).
const SHORT_WAIT = -101; // 429 retry_after 3 s, once
const LONG_WAIT = -102; // 429 retry_after 7,200 s, every time
const FLAKY = -103; // 502 once
const KICKED = -104; // 403: the bot was removed
const UPGRADED = -105; // 400: migrated to a supergroup
const SUPERGROUP = -1001105;
const FINE = -106;
const SHORT_WAIT_LATE = -107; // 429 retry_after 3 s, once, for a push due within 1 s

const data = tempDir('opsbot-tg-push-');
const logs = captureLogger();
const reports: string[] = [];
let api: FakeBotApi;
let store: Store;
let outbox: Outbox;
let groups: GroupRegistry;
let adapter: TelegramAdapter;
const firstTried = new Set<number>();

beforeAll(async () => {
  api = new FakeBotApi(TOKEN);
  api.force = (method, payload) => {
    if (method !== 'sendMessage') return undefined;
    const chat = Number(payload.chat_id);
    const first = !firstTried.has(chat);
    firstTried.add(chat);
    if ((chat === SHORT_WAIT || chat === SHORT_WAIT_LATE) && first) return tooManyRequests(3);
    if (chat === LONG_WAIT) return tooManyRequests(7_200);
    if (chat === FLAKY && first) return serverError(502);
    if (chat === KICKED) return kicked;
    if (chat === UPGRADED) return migrated(SUPERGROUP);
    return undefined;
  };
  await api.start();
  store = await openStore({ dataDir: data.dir });
  const reporter = new Reporter({ prompts, logger: logs.logger, batchMs: 50, send: async (text) => void reports.push(text) });
  outbox = await openOutbox({ store, logger: logs.logger, now: Date.now, owner: 'fault-push', pollMs: 20, reporter });
  groups = new GroupRegistry(store);
  const router = new Router({ store, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: [], agents: [] }) }).start();
  adapter = new TelegramAdapter({
    token: TOKEN,
    apiRoot: api.apiRoot,
    router,
    store,
    logger: logs.logger,
    prompts,
    tz: 'Asia/Shanghai',
    pacing: { gap: [0, 0], chatSwitchGap: [0, 0], quietHours: { start: '00:00', end: '00:00' } },
    onMembership: createMembershipHandler({ groups, outbox, prompts, logger: logs.logger }),
  });
  await adapter.start({ webhook: true });
  for (const id of [SHORT_WAIT, LONG_WAIT, FLAKY, KICKED, UPGRADED, FINE]) await groups.joined('telegram', String(id), `粉丝群${-id}`, 'joined', adapter.account);
  await outbox.serve('telegram', adapter.account, adapter);
});
afterAll(async () => {
  await outbox.close();
  await adapter.stop();
  await api.stop();
  await store.close();
  data.cleanup();
});

/** Pushes the live's reminder to every fan group through the outbox, as the live skill does, and waits for each outcome. */
async function remind(live: string): Promise<Map<string, { status: string; reason?: string }>> {
  const entries: OutboxEntry[] = [];
  for (const g of await groups.fanGroups('telegram')) {
    const { entry } = await outbox.push({ platform: 'telegram', chat: g.id, content: { kind: 'text', text: REMINDER }, source: `live:${live}:reminder`, dedupeKey: `live:${live}:reminder:${g.id}` });
    entries.push(entry);
  }
  const out = new Map<string, { status: string; reason?: string }>();
  for (const e of entries) {
    const r = await outbox.result(e, 30_000);
    out.set(e.chat, { status: r?.status ?? 'none', ...(r?.reason ? { reason: r.reason } : {}) });
  }
  return out;
}

const callsTo = (chat: number) => api.calls.filter((c) => c.method === 'sendMessage' && Number(c.payload.chat_id) === chat);

describe('a reminder push to several Telegram groups while Telegram answers with faults', () => {
  it('waits a short retry_after, skips a long one, backs off a 5xx, retires a removed group, follows a migration', async () => {
    const results = await remind('L1');
    const statuses = Object.fromEntries([...results].map(([chat, r]) => [chat, r.status]));
    expect(statuses).toEqual({ [SHORT_WAIT]: 'sent', [LONG_WAIT]: 'failed', [FLAKY]: 'sent', [KICKED]: 'failed', [UPGRADED]: 'sent', [FINE]: 'sent' });

    // 429 retry_after 3 s: asked again only after the wait.
    const [refused, again] = callsTo(SHORT_WAIT).map((c) => c.at);
    expect(again! - refused!).toBeGreaterThanOrEqual(2_900);
    // 429 retry_after 7,200 s: not waited for; failed with the reason, one call only.
    expect(callsTo(LONG_WAIT)).toHaveLength(1);
    expect(results.get(String(LONG_WAIT))?.reason).toMatch(new RegExp(`^${Reason.RATE_LIMITED}`));
    // 5xx: backed off and sent on the second try.
    expect(callsTo(FLAKY).map((c) => c.status)).toEqual([502, 200]);
    // 403: the group is marked left, so later pushes skip it.
    expect((await groups.get('telegram', String(KICKED)))?.status).toBe('left');
    expect(results.get(String(KICKED))?.reason).toMatch(new RegExp(`^${Reason.BOT_REMOVED}`));
    // 400 migrate_to_chat_id: sent to the supergroup, which takes over the group's record.
    expect(api.sent(SUPERGROUP)).toEqual([REMINDER]);
    expect(await groups.get('telegram', String(SUPERGROUP))).toMatchObject({ status: 'active', name: '粉丝群105' });
    expect(await groups.get('telegram', String(UPGRADED))).toMatchObject({ status: 'left', movedTo: String(SUPERGROUP) });

    // Each group got the reminder once at most.
    for (const chat of [SHORT_WAIT, FLAKY, FINE, SUPERGROUP]) expect(api.sent(chat)).toEqual([REMINDER]);
    for (const chat of [LONG_WAIT, KICKED, UPGRADED]) expect(api.sent(chat)).toEqual([]);

    // The delivery log has each outcome with its reason; the operators are told of what did not go out.
    const log = await store.tables.deliveries.list({ source: 'live:L1:reminder' });
    expect(log.map((d) => [d.chat, d.status]).sort()).toEqual(
      [[String(SHORT_WAIT), 'sent'], [String(LONG_WAIT), 'failed'], [String(FLAKY), 'sent'], [String(KICKED), 'failed'], [String(UPGRADED), 'sent'], [String(FINE), 'sent']].sort(),
    );
    // The reporter batches: under load the two failures can come in two digests; wait for both.
    const told = await until(() => {
      const all = reports.join('\n');
      return all.includes(String(LONG_WAIT)) && all.includes(String(KICKED)) ? all : undefined;
    });
    expect(told).toContain(prompts.render('report/kind-send-failed'));
    expect(told).toContain(String(LONG_WAIT));
    expect(told).toContain(String(KICKED));
    expect(told).toContain(prompts.render('delivery/reason-rate-limited'));
    expect(told).toContain(prompts.render('delivery/reason-bot-removed'));
    expect(told).not.toContain(String(FINE));
  });

  it('the next push: the long wait is still honoured without asking Telegram, the removed group is left out, the old id goes to the supergroup', async () => {
    const before = api.count('sendMessage');
    // A push addressed to the old id (a shop file not yet updated) is sent to the supergroup.
    const { entry } = await outbox.push({ platform: 'telegram', chat: String(UPGRADED), content: { kind: 'text', text: '补充：8 点整开播' }, source: 'live:L2:poster', dedupeKey: 'live:L2:poster:old-id' });
    const results = await remind('L2');
    expect((await outbox.result(entry, 30_000))?.status).toBe('sent');
    expect([...results.keys()].sort()).toEqual([String(SHORT_WAIT), String(LONG_WAIT), String(FLAKY), String(SUPERGROUP), String(FINE)].sort());
    expect(results.get(String(LONG_WAIT))).toMatchObject({ status: 'failed', reason: expect.stringMatching(new RegExp(`^${Reason.RATE_LIMITED}`)) });
    expect(callsTo(LONG_WAIT)).toHaveLength(1);
    expect(api.sent(SUPERGROUP)).toEqual([REMINDER, '补充：8 点整开播', REMINDER]);
    expect(callsTo(UPGRADED)).toHaveLength(1);
    // Five sends went to Telegram: the three groups that take them, and the supergroup twice.
    expect(api.count('sendMessage') - before).toBe(5);
  });

  it('a short wait that would end past the push\'s deadline is not waited: the push is stale, skipped and reported', async () => {
    reports.length = 0;
    const { entry } = await outbox.push({
      platform: 'telegram',
      chat: String(SHORT_WAIT_LATE),
      content: { kind: 'text', text: '5 分钟后开播' },
      source: 'live:L3:reminder',
      dedupeKey: 'live:L3:reminder:late',
      deadline: new Date(Date.now() + 1_000),
    });
    const result = await outbox.result(entry, 30_000);
    expect(result).toMatchObject({ status: 'expired', reason: expect.stringMatching(new RegExp(`^${Reason.PAST_DEADLINE}`)) });
    expect(callsTo(SHORT_WAIT_LATE)).toHaveLength(1);
    expect(api.sent(SHORT_WAIT_LATE)).toEqual([]);
    expect((await store.tables.deliveries.get(entry.id))?.status).toBe('expired');
    await new Promise<void>((resolve) => {
      const check = () => (reports.length > 0 ? resolve() : setTimeout(check, 20));
      check();
    });
    expect(reports.join('\n')).toContain(prompts.render('report/kind-send-expired'));
    expect(reports.join('\n')).toContain(String(SHORT_WAIT_LATE));
  });
});
