import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteScheduler } from '../../src/bot/scheduler/sqlite.js';
import { openStore, type Store } from '../../src/bot/store/index.js';
import { prompts, runOpsbot, silentLogger, STACK_TRACE, tempDir } from '../helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let work: { dir: string; cleanup: () => void };
const data = () => join(work.dir, 'data');
const opsbot = (args: string[], env: Record<string, string> = {}) => runOpsbot(args, work.dir, { OPSBOT_DATA_DIR: data(), ...env });
const lines = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const MIN = 60_000;

beforeAll(() => {
  work = tempDir('opsbot-cli-jobs-');
  writeFileSync(join(work.dir, 'shop.json'), JSON.stringify({ groups: [{ platform: 'wechat', id: 'r1@chatroom', name: '粉丝1群', tags: ['fans'] }] }));
});
afterAll(() => work.cleanup());

describe('opsbot jobs', () => {
  it('says there are none on a fresh machine, and prints nothing with --json', async () => {
    const text = await opsbot(['jobs']);
    expect(text.code).toBe(0);
    expect(text.stdout.trim()).toBe(prompts.render('cli/jobs-none'));
    const json = await opsbot(['jobs', '--json']);
    expect(json).toMatchObject({ code: 0, stdout: '' });
  });

  it('lists pending and recent jobs, one JSON line each in the contract\'s shape, with the reason of a skipped one', async () => {
    const store: Store = await openStore({ dataDir: data() });
    const scheduler = new SqliteScheduler({ store, prompts, logger: silentLogger, tz: 'Asia/Shanghai', now: Date.now });
    scheduler.handle('live-reminder', async () => {});
    const now = Date.now();
    await scheduler.schedule({ id: 'live:1:reminder:10m', kind: 'live-reminder', at: new Date(now + 60 * MIN) });
    await scheduler.schedule({ id: 'live:0:reminder:10m', kind: 'live-reminder', at: new Date(now - 30 * MIN), deadline: new Date(now + 60 * MIN) });
    await scheduler.schedule({ id: 'live:2:onair', kind: 'live-reminder', at: new Date(now - MIN) });
    await scheduler.tick();
    await store.close();
    const run = await opsbot(['jobs', '--json']);
    expect(run.code).toBe(0);
    const jobs = lines(run.stdout);
    expect(jobs.map((j) => Object.keys(j))).toEqual([
      ['id', 'kind', 'at', 'deadline', 'state', 'reason'],
      ['id', 'kind', 'at', 'deadline', 'state'],
      ['id', 'kind', 'at', 'deadline', 'state'],
    ]);
    expect(jobs.map((j) => [j.id, j.state])).toEqual([
      ['live:0:reminder:10m', 'skipped'],
      ['live:2:onair', 'done'],
      ['live:1:reminder:10m', 'pending'],
    ]);
    expect(jobs[0]!.reason).toContain('晚了 30 分钟');
    expect(jobs[2]).toMatchObject({ kind: 'live-reminder', at: new Date(now + 60 * MIN).toISOString(), deadline: new Date(now + 70 * MIN).toISOString() });
    const text = await opsbot(['jobs']);
    expect(text.stdout).toContain('已跳过');
    expect(text.stdout).toContain('待执行');
    expect(text.stdout).toContain('live:1:reminder:10m');
    expect(text.stdout).toContain('共 3 个');
  });
});

describe('opsbot deliveries', () => {
  it('lists the delivery log newest first, filtered by time, chat and source, one JSON line each in the contract\'s shape', async () => {
    const store = await openStore({ dataDir: data() });
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * MIN).toISOString();
    const log = store.tables.deliveries;
    await log.record({ id: 'd1', at: at(180), platform: 'wechat', chat: 'r1@chatroom', source: 'welcome', status: 'sent' });
    await log.record({ id: 'd2', at: at(30), platform: 'wechat', chat: 'r1@chatroom', source: 'live:7:reminder:10m', status: 'expired', reason: 'past its deadline' });
    await log.record({ id: 'd3', at: at(20), platform: 'telegram', chat: '3003', source: 'escalation:abc', status: 'sent', messageId: '99' });
    await log.record({ id: 'd4', at: at(10), platform: 'wechat', chat: 'r1@chatroom', source: 'live:7:onair', status: 'uncertain', reason: 'its process stopped during the send; not sent again' });
    await store.close();
    const ids = async (...args: string[]) => lines((await opsbot(['deliveries', '--json', ...args])).stdout).map((d) => d.id);
    // Read-only runs: side by side.
    const [all, lastHour, lives, agent, newest] = await Promise.all([ids(), ids('--since', '1h'), ids('--source', 'live:'), ids('--chat', '3003'), ids('--limit', '1')]);
    expect(all).toEqual(['d4', 'd3', 'd2', 'd1']);
    expect(lastHour).toEqual(['d4', 'd3', 'd2']);
    expect(lives).toEqual(['d4', 'd2']);
    expect(agent).toEqual(['d3']);
    expect(newest).toEqual(['d4']);
    const [first] = lines((await opsbot(['deliveries', '--json', '--limit', '1'])).stdout);
    expect(Object.keys(first!)).toEqual(['id', 'at', 'platform', 'chat', 'source', 'status', 'reason']);
    expect(first).toMatchObject({ platform: 'wechat', chat: 'r1@chatroom', source: 'live:7:onair', status: 'uncertain' });
    // For people: statuses in words, groups by name, skipped and uncertain sends easy to spot.
    const text = await opsbot(['deliveries', '--since', '1h']);
    expect(text.stdout).toContain('不确定是否发出');
    expect(text.stdout).toContain('过期未发');
    expect(text.stdout).toContain('粉丝1群（r1@chatroom）');
  });

  it('refuses a time or a count it cannot read, with usage exit code 2 and no stack', async () => {
    for (const args of [['--since', 'yesterday'], ['--limit', '0']]) {
      const run = await opsbot(['deliveries', ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).not.toMatch(STACK_TRACE);
    }
  });

  it('reads the shared log on Redis when REDIS_URL is set', async () => {
    const namespace = `cli-${process.pid}-${Date.now()}`;
    const store = await openStore({ dataDir: data(), redisUrl: REDIS_URL, namespace });
    await store.tables.deliveries.record({ id: 'r1', at: new Date().toISOString(), platform: 'wechat', chat: 'r9@chatroom', source: 'coupon:5:announce', status: 'sent' });
    await store.close();
    const run = await opsbot(['deliveries', '--json'], { REDIS_URL, OPSBOT_REDIS_NAMESPACE: namespace });
    expect(lines(run.stdout).map((d) => d.id)).toEqual(['r1']);
  });
});

describe('OPSBOT_PLATFORMS', () => {
  it('refuses a platform that is not configured, naming what is missing, and an unknown name', async () => {
    const run = await opsbot(['jobs'], { OPSBOT_PLATFORMS: 'wechat,telegram' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('TELEGRAM_BOT_TOKEN');
    expect(run.stderr).toContain('WECHATY_PUPPET');
    const bad = await opsbot(['jobs'], { OPSBOT_PLATFORMS: 'qq' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('OPSBOT_PLATFORMS');
  });
});
