import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Outbound } from '../../../src/bot/context.js';
import { SendQueue } from '../../../src/bot/send-queue.js';
import { localDayTime } from '../../../src/kernel/clock.js';
import { PACKAGE_ROOT, silentLogger, tempDir, testBot, until } from '../../helpers.js';

const data = tempDir('opsbot-live-kill-');
afterAll(() => data.cleanup());

describe('a bot killed in the middle of a live\'s push', () => {
  it('loses nothing and sends nothing twice: what went stays sent, what may have gone is uncertain and reported, what never left goes once', async () => {
    writeFileSync(
      join(data.dir, 'shop.json'),
      JSON.stringify({ people: { admins: ['telegram:1001'] }, groups: [{ platform: 'wechat', id: 'r1@chatroom', name: '粉丝1群', tags: ['fans'] }, { platform: 'wechat', id: 'r2@chatroom', name: '粉丝2群', tags: ['fans'] }] }),
    );
    const { day, time } = localDayTime(new Date(Date.now() + 30 * 60_000), 'Asia/Shanghai');
    const child = spawn(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'tests/skills/live/live-worker.ts'), data.dir, `${day} ${time}`], { cwd: PACKAGE_ROOT });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => String(d).includes('hung') && resolve());
      child.on('exit', () => reject(new Error('the bot exited before it hung')));
    });
    child.kill('SIGKILL');
    const logFile = join(data.dir, 'sent.log');
    const byDeadBot = () =>
      existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').map((l) => l.split('\t') as [string, string]) : [];

    // The bot comes back (same data dir): it settles what the dead one left.
    const sent: { chat: string; content: Outbound }[] = [];
    const { app, bot } = await testBot(
      { OPSBOT_DATA_DIR: data.dir, OPSBOT_SHOP_FILE: join(data.dir, 'shop.json'), OPSBOT_QUIET_HOURS: 'off', OPSBOT_ADMINS: 'telegram:1001' },
      { tuning: { staleMs: 1_000, reportBatchMs: 50 } },
    );
    try {
      const rooms = { send: async (chat: string, content: Outbound) => (sent.push({ chat, content }), { status: 'sent' as const }) };
      const queue = new SendQueue({ transport: rooms, store: await app.service('store'), logger: silentLogger, platform: 'wechat', account: 'wx', tz: 'Asia/Shanghai', gap: [0, 0], chatSwitchGap: [0, 0], quietHours: { start: '00:00', end: '00:00' }, now: app.now });
      await bot.attach('wechat', queue, 'wx');
      const operators: string[] = [];
      await bot.attach('telegram', { send: async (_chat, content) => (operators.push(content.kind === 'text' ? content.text : ''), { status: 'sent' }) }, 'tg');
      const deliveries = await app.service('deliveries');
      // Four entries: the preannounce and its poster, to each group; each ends sent or uncertain.
      const log = await until(async () => {
        const list = await deliveries.list({ source: 'live:' });
        return list.length === 4 ? list : undefined;
      }, 30_000);
      const what = (kind: string) => (kind === 'image' ? '[poster]' : '📢 直播预告｜断电测试场');
      const copies = (chat: string, label: string) =>
        byDeadBot().filter(([c, t]) => c === chat && t === label).length + sent.filter((s) => s.chat === chat && what(s.content.kind) === label).length;
      // Never twice: once where it went, not at all where it may have gone.
      for (const chat of ['r1@chatroom', 'r2@chatroom']) {
        for (const label of ['📢 直播预告｜断电测试场', '[poster]']) expect(copies(chat, label)).toBeLessThanOrEqual(1);
      }
      // What never left goes once: both posters, and 粉丝1群's text that the dead bot had sent stays sent.
      expect(copies('r1@chatroom', '📢 直播预告｜断电测试场')).toBe(1);
      expect(copies('r1@chatroom', '[poster]')).toBe(1);
      expect(copies('r2@chatroom', '[poster]')).toBe(1);
      const statuses = (chat: string) => log.filter((d) => d.chat === chat).map((d) => d.status).sort();
      const sentCount = (chat: string) => copies(chat, '📢 直播预告｜断电测试场') + copies(chat, '[poster]');
      for (const chat of ['r1@chatroom', 'r2@chatroom']) expect(statuses(chat).filter((st) => st === 'sent')).toHaveLength(sentCount(chat));
      // The text to 粉丝2群 was mid-send when the bot died: uncertain, never sent again, and reported.
      expect(byDeadBot().some(([c]) => c === 'r2@chatroom')).toBe(false);
      expect(sent.some((s) => s.chat === 'r2@chatroom' && s.content.kind === 'text')).toBe(false);
      expect(statuses('r2@chatroom')).toContain('uncertain');
      const report = await until(() => operators.find((t) => t.includes('不确定是否已发出')));
      expect(report).toContain('r2@chatroom');
    } finally {
      await bot.close();
    }
  }, 90_000);
});
