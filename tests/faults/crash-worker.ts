// Run as a separate process by crash-*.test.ts: the bot of a shop, on the data dir given, whose WeChat
// account (behind the real paced queue) "sends" by appending each message to <dataDir>/sent.log, as the
// platform would receive it, then printing "sent". The parent SIGKILLs it at some point of the work:
//   <dataDir> drop <fans>: that many fans type the drop's keyword in 粉丝1群, a few at a time;
//   <dataDir> push <start>: a live at <start> (absolute, "YYYY-MM-DD HH:mm") is scheduled, its preannounce
//   pushed to every fan group of the shop at once.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { App } from '../../src/app/app.js';
import { startBot } from '../../src/app/bot.js';
import type { Outbound, SendOptions } from '../../src/bot/context.js';
import { SendQueue } from '../../src/bot/send-queue.js';
import { loadConfig } from '../../src/kernel/config.js';

const [dataDir, mode, arg] = process.argv.slice(2) as [string, 'drop' | 'push', string];
const env: Record<string, string> = { OPSBOT_DATA_DIR: dataDir, OPSBOT_SHOP_FILE: join(dataDir, 'shop.json'), OPSBOT_QUIET_HOURS: 'off' };
if (process.env.REDIS_URL) Object.assign(env, { REDIS_URL: process.env.REDIS_URL, OPSBOT_REDIS_NAMESPACE: process.env.OPSBOT_REDIS_NAMESPACE ?? 'opsbot' });
const config = loadConfig({ env, envFile: false });
const logger = pino({ level: process.env.WORKER_LOG ?? 'silent' }, pino.destination(2));
const app = new App({ config, logger, llm: null, tuning: { pollMs: 30, staleMs: 1_000, lockMs: 1_500, stalledCheckMs: 500, rateLimit: { max: 1_000, windowMs: 60_000 } } });
// Where it is, on stderr: a parent that times out shows how far it got.
process.stderr.write('worker: starting\n');
const bot = await startBot(app, { platforms: [], http: false });
process.stderr.write('worker: started\n');
const rooms = {
  async send(chat: string, content: Outbound, options?: SendOptions) {
    // A platform's round trip: long enough that the parent's kill lands in the middle of the work.
    await new Promise((r) => setTimeout(r, 15));
    appendFileSync(join(dataDir, 'sent.log'), `${chat}\t${options?.replyTo ? `@${options.replyTo.sender.name} ` : ''}${content.kind === 'image' ? '[poster]' : content.text.replace(/\n/g, ' ')}\n`);
    process.stdout.write('sent\n');
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
process.stdout.write('ready\n');

if (mode === 'drop') {
  const fans = Number(arg);
  for (let i = 0; i < fans; i += 5) {
    await Promise.all(
      Array.from({ length: Math.min(5, fans - i) }, (_, j) =>
        bot.router.handle(
          {
            platform: 'wechat',
            messageId: `first-${i + j}`,
            time: new Date(),
            chat: { id: 'r1@chatroom', type: 'group', title: '粉丝1群' },
            sender: { id: `wxid_fan${i + j}`, name: `粉丝${i + j}` },
            text: '领券',
            mentioned: false,
            self: false,
          },
          queue,
        ),
      ),
    );
  }
  process.stdout.write('done\n');
} else {
  await (await app.service('lives')).schedule({ title: '断电测试场', start: arg });
  process.stdout.write('scheduled\n');
}
