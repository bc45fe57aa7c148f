import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prompts, runOpsbot, STACK_TRACE, tempDir } from '../helpers.js';

let work: { dir: string; cleanup: () => void };
// "Now" is fixed for planning: 2026-12-01 10:00 in Shanghai.
const env = () => ({ OPSBOT_DATA_DIR: join(work.dir, 'data'), OPSBOT_NOW: '2026-12-01T10:00:00+08:00', LOG_LEVEL: 'warn' });
const opsbot = (args: string[]) => runOpsbot(args, work.dir, env());
const json = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

beforeAll(() => {
  work = tempDir('opsbot-cli-live-');
  writeFileSync(
    join(work.dir, 'shop.json'),
    JSON.stringify({ groups: [{ platform: 'wechat', id: 'r1@chatroom', name: '粉丝1群', tags: ['fans'] }, { platform: 'wechat', id: 'r2@chatroom', name: '粉丝2群', tags: ['fans'] }] }),
  );
});
afterAll(() => work.cleanup());

describe('opsbot live', () => {
  it('schedules a live: --json in the contract shape, times with the shop\'s offset, a poster PNG; list, reschedule and cancel it', async () => {
    const run = await opsbot(['live', 'schedule', '--title', '双12宠粉专场', '--start', '2026-12-12 20:00', '--offers', '满199减30;前100名送福袋', '--products', '羽绒服,雪地靴', '--groups', '粉丝1群', '--json']);
    expect(run.code).toBe(0);
    const out = json(run.stdout);
    expect(Object.keys(out).slice(0, 3)).toEqual(['id', 'messages', 'poster']);
    const messages = out.messages as { kind: string; at: string; text: string }[];
    expect(messages.map((m) => [m.kind, m.at])).toEqual([
      ['preannounce', '2026-12-12T19:00:00+08:00'],
      ['reminder', '2026-12-12T19:50:00+08:00'],
      ['onair', '2026-12-12T20:00:00+08:00'],
      ['recap', '2026-12-12T22:30:00+08:00'],
    ]);
    expect(messages[0]!.text).toContain('前100名送福袋');
    const poster = PNG.sync.read(readFileSync(String(out.poster)));
    expect(poster.width).toBeGreaterThanOrEqual(1080);
    const id = String(out.id);

    const jobs = (await opsbot(['jobs', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; state: string });
    expect(jobs.filter((j) => j.id.startsWith(`live:${id}:r1:`)).map((j) => j.state)).toEqual(Array(4).fill('pending'));

    const moved = await opsbot(['live', 'reschedule', id, '--start', '2026-12-13 20:00', '--json']);
    expect(moved.code).toBe(0);
    expect((json(moved.stdout).messages as { at: string }[])[0]!.at).toBe('2026-12-13T19:00:00+08:00');
    const list = await opsbot(['live', 'list', '--json']);
    expect(json(list.stdout)).toMatchObject({ id, title: '双12宠粉专场', start: '2026-12-13T20:00:00+08:00', status: 'scheduled', groups: ['粉丝1群'] });

    const cancelled = await opsbot(['live', 'cancel', id]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain('已取消直播「双12宠粉专场」');
    const after = (await opsbot(['jobs', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; state: string });
    expect(new Set(after.filter((j) => j.id.startsWith(`live:${id}:`)).map((j) => j.state))).toEqual(new Set(['cancelled']));
  }, 120_000);

  it('plans and renders with --dry-run without saving anything', async () => {
    const run = await opsbot(['live', 'schedule', '--title', '周五上新', '--start', '2026-12-04 20:00', '--reminders', '1d,60m,10m', '--dry-run', '--json']);
    expect(run.code).toBe(0);
    const out = json(run.stdout);
    expect(out.id).toBeNull();
    expect((out.messages as { kind: string }[]).map((m) => m.kind)).toEqual(['preannounce', 'reminder', 'reminder', 'onair', 'recap']);
    expect(existsSync(String(out.poster))).toBe(true);
    const list = await opsbot(['live', 'list', '--json']);
    expect(list.stdout.includes('周五上新')).toBe(false);
  });

  it('refuses a live written wrong, naming every problem, with exit 1 and no stack; and says which quiet-hours messages will not go', async () => {
    const bad = await opsbot(['live', 'schedule', '--title', ' ', '--start', '2026-11-30 20:00', '--reminders', '60m,60m', '--groups', '粉丝9群']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('标题不能为空');
    expect(bad.stderr).toContain('已经过去了');
    expect(bad.stderr).toContain('重复了');
    expect(bad.stderr).toContain('粉丝9群');
    expect(bad.stderr).not.toMatch(STACK_TRACE);
    const late = await opsbot(['live', 'schedule', '--title', '深夜场', '--start', '2026-12-05 23:30', '--dry-run']);
    expect(late.code).toBe(0);
    expect(late.stderr).toContain('免打扰时段（23:00-08:00）');
    expect(late.stdout).toContain(prompts.render('cli/live-dry-run', { title: '深夜场', id: '' }));
    const gone = await opsbot(['live', 'cancel', 'nope']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('没有编号为 nope 的直播');
  }, 90_000);

  it('lets `opsbot reply`, and a fan in `opsbot chat --group`, quote the real time of the next live', async () => {
    await opsbot(['live', 'schedule', '--title', '周三福利夜', '--start', '2026-12-02 20:00', '--offers', '满99减10']);
    const run = await opsbot(['reply', '今晚几点直播', '--json']);
    expect(run.code).toBe(0);
    const texts = (json(run.stdout).suggestions as { text: string }[]).map((s) => s.text).join('\n');
    expect(texts).toContain('明天 20:00');
    expect(texts).toContain('周三福利夜');
    // The playground's group stands for a fan group: a fan's question about the live is answered
    // without an @-mention, chit-chat is not.
    const [asked, chatter] = await Promise.all([
      runOpsbot(['chat', '--group', '粉丝1群'], work.dir, env(), '今晚几点直播？\n'),
      runOpsbot(['chat', '--group', '粉丝1群'], work.dir, env(), '今天好冷啊\n'),
    ]);
    expect([asked.code, chatter.code]).toEqual([0, 0]);
    expect(asked.stdout).toContain('周三福利夜');
    expect(asked.stdout).toContain('明天 20:00');
    expect(chatter.stdout).toBe('');
  }, 90_000);
});
