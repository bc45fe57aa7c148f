import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prompts, runOpsbot, STACK_TRACE, tempDir } from '../helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let work: { dir: string; cleanup: () => void };
const env = (extra: Record<string, string> = {}) => ({ OPSBOT_DATA_DIR: join(work.dir, 'data'), OPSBOT_NOW: '2026-12-01T10:00:00+08:00', LOG_LEVEL: 'warn', ...extra });
const opsbot = (args: string[], extra: Record<string, string> = {}) => runOpsbot(args, work.dir, env(extra));
const lines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(() => {
  work = tempDir('opsbot-cli-coupon-');
  writeFileSync(
    join(work.dir, 'shop.json'),
    JSON.stringify({ groups: [{ platform: 'wechat', id: 'r1@chatroom', name: '粉丝1群', tags: ['fans'] }, { platform: 'wechat', id: 'r2@chatroom', name: '粉丝2群', tags: ['fans'] }] }),
  );
});
afterAll(() => work.cleanup());

describe('opsbot coupon', () => {
  it('creates a drop (--json in the contract shape), issues to a list of winners, shows its status, lists and exports it', async () => {
    const created = await opsbot(['coupon', 'create', '--name', '双12宠粉券', '--stock', '3', '--keyword', '领券', '--starts', '2026-12-01 09:00', '--ends', '2026-12-12T22:00:00+08:00', '--json']);
    expect(created.stderr).not.toMatch(STACK_TRACE);
    expect(created.code).toBe(0);
    const drop = lines(created.stdout)[0]!;
    expect(drop).toMatchObject({ name: '双12宠粉券', stock: 3, keyword: '领券', perUser: 1, starts: '2026-12-01T09:00:00+08:00', ends: '2026-12-12T22:00:00+08:00', claimed: 0, remaining: 3 });
    expect(drop.id).toMatch(/^[0-9a-f]{8}$/);
    const id = String(drop.id);
    writeFileSync(join(work.dir, 'winners.txt'), 'wechat:wxid_a\nwechat:wxid_b\n\nwechat:wxid_a\ntelegram:42\nwechat:wxid_c\n');
    const issued = await opsbot(['coupon', 'issue', id, '--users-file', 'winners.txt', '--json']);
    expect(issued.code).toBe(0);
    const results = lines(issued.stdout);
    expect(results.map((r) => [r.user, r.ok, r.reason])).toEqual([
      ['wechat:wxid_a', true, undefined],
      ['wechat:wxid_b', true, undefined],
      ['wechat:wxid_a', false, 'already_claimed'],
      ['telegram:42', true, undefined],
      ['wechat:wxid_c', false, 'sold_out'],
    ]);
    expect(results[2]!.code).toBe(results[0]!.code);
    expect(new Set(results.filter((r) => r.ok).map((r) => r.code)).size).toBe(3);
    const status = await opsbot(['coupon', 'status', id, '--json']);
    expect(lines(status.stdout)[0]).toEqual({ id, stock: 3, claimed: 3, remaining: 0 });
    const human = await opsbot(['coupon', 'status', id]);
    expect(human.stdout).toContain('已领 3 / 3，剩 0');
    const list = await opsbot(['coupon', 'list', '--json']);
    expect(lines(list.stdout).map((d) => d.id)).toContain(id);
    const exported = await opsbot(['coupon', 'export', id]);
    expect(exported.stdout.startsWith('\uFEFF')).toBe(true);
    const rows = exported.stdout.slice(1).trim().split('\r\n');
    expect(rows[0]).toBe(prompts.render('coupon/csv-header'));
    expect(rows).toHaveLength(4);
    expect(rows[1]).toContain('wechat:wxid_a');
    expect(rows[1]).toContain(String(results[0]!.code));
  }, 120_000);

  it('imports the shop\'s codes from a GBK file: the stock is their number; a file with blank lines or duplicates is refused with line numbers', async () => {
    writeFileSync(join(work.dir, 'codes.txt'), iconv.encode('SHOP-0001\r\nSHOP-0002\r\nSHOP-0003\r\n', 'gbk'));
    const ok = await opsbot(['coupon', 'create', '--name', '店铺券', '--keyword', '抢券', '--codes', 'codes.txt', '--json']);
    expect(ok.code).toBe(0);
    expect(lines(ok.stdout)[0]).toMatchObject({ stock: 3, codes: 'imported' });
    writeFileSync(join(work.dir, 'bad.txt'), 'A1\n\nA2\nA1\n');
    const bad = await opsbot(['coupon', 'create', '--name', '店铺券2', '--keyword', '福袋', '--codes', 'bad.txt']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).not.toMatch(STACK_TRACE);
    expect(bad.stderr).toContain('第 2 行是空行');
    expect(bad.stderr).toContain('第 4 行的券码 A1 和第 1 行重复');
    const wrong = await opsbot(['coupon', 'create', '--name', '', '--stock', 'abc', '--keyword', '领券', '--groups', '粉丝9群']);
    expect(wrong.code).toBe(1);
    for (const part of ['缺少名称', '库存 ? 不行', '没有叫“粉丝9群”的群']) expect(wrong.stderr).toContain(part);
    const missing = await opsbot(['coupon', 'status', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(prompts.render('coupon/not-found', { id: 'nope' }));
    writeFileSync(join(work.dir, 'users.txt'), 'wxid_a\nwechat:wxid_b\n');
    const users = await opsbot(['coupon', 'issue', String(lines(ok.stdout)[0]!.id), '--users-file', 'users.txt']);
    expect(users.code).toBe(1);
    expect(users.stderr).toContain('第 1 行看不懂');
  }, 120_000);

  it.each(['sqlite', 'redis'] as const)('never oversells with four processes issuing from one drop at once (%s)', async (backend) => {
    const extra: Record<string, string> = backend === 'redis' ? { REDIS_URL, OPSBOT_REDIS_NAMESPACE: `coupon-cli-${process.pid}-${Date.now()}` } : { OPSBOT_DATA_DIR: join(work.dir, 'race') };
    // Started an hour before OPSBOT_NOW: each process's clock starts at OPSBOT_NOW when it starts, so a drop
    // starting "now" in a slow create process would not have started yet in an issuing one.
    const created = await opsbot(['coupon', 'create', '--name', '秒杀券', '--stock', '50', '--keyword', '秒杀', '--starts', '2026-12-01 09:00', '--json'], extra);
    const id = String(lines(created.stdout)[0]!.id);
    // Each process has 30 winners, 20 of them on every list: 80 people for 50 codes.
    for (let p = 0; p < 4; p++) {
      const users = [...Array.from({ length: 20 }, (_, i) => `wechat:shared-${i}`), ...Array.from({ length: 10 }, (_, i) => `wechat:p${p}-${i}`)];
      writeFileSync(join(work.dir, `race-${backend}-${p}.txt`), (p % 2 ? users.reverse() : users).join('\n'));
    }
    const runs = await Promise.all([0, 1, 2, 3].map((p) => opsbot(['coupon', 'issue', id, '--users-file', `race-${backend}-${p}.txt`, '--json'], extra)));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const issued = runs.flatMap((r) => lines(r.stdout)).filter((r) => r.ok);
    const claims = (await opsbot(['coupon', 'export', id], extra)).stdout.slice(1).trim().split('\r\n').slice(1);
    expect(issued).toHaveLength(50);
    expect(claims).toHaveLength(50);
    expect(new Set(issued.map((r) => r.code)).size).toBe(50);
    expect(new Set(issued.map((r) => r.user)).size).toBe(50);
    expect(lines((await opsbot(['coupon', 'status', id, '--json'], extra)).stdout)[0]).toMatchObject({ claimed: 50, remaining: 0 });
  }, 120_000);
});

