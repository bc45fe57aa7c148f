// Run as a separate process by outbox.test.ts: the owner of account "wx-a", whose sends never finish.
//   <dataDir> <redisUrl|""> <namespace> <mode>: mode "attempt" reaches the platform call and hangs there;
//   mode "queue" takes the entry but hangs before the platform call. Prints "taken" once it has one.
import { pino } from 'pino';
import type { SendOptions } from '../../../src/bot/context.js';
import { openOutbox } from '../../../src/bot/outbox/index.js';
import { openStore } from '../../../src/bot/store/index.js';

const [dataDir, redisUrl, namespace, mode] = process.argv.slice(2) as [string, string, string, string];
const store = await openStore({ dataDir, ...(redisUrl ? { redisUrl } : {}), namespace });
const outbox = await openOutbox({ store, logger: pino({ level: 'silent' }), now: Date.now, owner: `child-${process.pid}`, pollMs: 50, staleMs: 1_000, lockMs: 1_500, stalledCheckMs: 500 });
await outbox.serve('wechat', 'wx-a', {
  async send(_chat, _content, options?: SendOptions) {
    if (mode === 'attempt') await options?.attempt?.();
    process.stdout.write('taken\n');
    return new Promise(() => {});
  },
});
