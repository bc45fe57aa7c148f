// Run as a separate process by kill.test.ts: a bot whose WeChat account, behind the real paced queue, sends
// to 粉丝1群 and then hangs in the middle of the send to 粉丝2群 (after its attempt marker is taken).
// Prints "hung" there; the parent kills it.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { App } from '../../../src/app/app.js';
import { startBot } from '../../../src/app/bot.js';
import type { Outbound } from '../../../src/bot/context.js';
import { SendQueue } from '../../../src/bot/send-queue.js';
import { loadConfig } from '../../../src/kernel/config.js';

const [dataDir, start] = process.argv.slice(2) as [string, string];
const config = loadConfig({ env: { OPSBOT_DATA_DIR: dataDir, OPSBOT_SHOP_FILE: join(dataDir, 'shop.json'), OPSBOT_QUIET_HOURS: 'off' }, envFile: false });
const logger = pino({ level: 'silent' });
const app = new App({ config, logger, llm: null, tuning: { pollMs: 30, staleMs: 1_000 } });
const bot = await startBot(app, { platforms: [], http: false });
const rooms = {
  async send(chat: string, content: Outbound) {
    if (chat === 'r2@chatroom') {
      process.stdout.write('hung\n');
      return new Promise<never>(() => {});
    }
    appendFileSync(join(dataDir, 'sent.log'), `${chat}\t${content.kind === 'image' ? '[poster]' : content.text.split('\n')[0]}\n`);
    return { status: 'sent' as const };
  },
};
const queue = new SendQueue({
  transport: rooms,
  store: await app.service('store'),
  logger,
  platform: 'wechat',
  account: 'wx',
  tz: 'Asia/Shanghai',
  gap: [0, 0],
  chatSwitchGap: [0, 0],
  quietHours: { start: '00:00', end: '00:00' },
  now: app.now,
});
await bot.attach('wechat', queue, 'wx');
await (await app.service('lives')).schedule({ title: '断电测试场', start });
