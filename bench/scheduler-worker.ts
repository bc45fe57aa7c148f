// A scheduler process for bench/scheduler.ts: opens the shared store and a scheduler with the production
// timings, runs jobs of kind "bench" (each prints `ran <id> <due ms> <run ms>`), says "ready" once started,
// and closes on "stop" from stdin (then says "closed").
//   node --import tsx bench/scheduler-worker.ts <dataDir> <redisUrl|""> <namespace>
import { pino } from 'pino';
import { openScheduler } from '../src/bot/scheduler/index.js';
import { openStore } from '../src/bot/store/index.js';
import { Prompts } from '../src/kernel/prompts.js';

const [dataDir, redisUrl, namespace] = process.argv.slice(2) as [string, string, string];
const store = await openStore({ dataDir, ...(redisUrl ? { redisUrl } : {}), namespace });
const scheduler = await openScheduler({ store, prompts: Prompts.load(), logger: pino({ level: 'silent' }), tz: 'Asia/Shanghai', now: Date.now });
// Lines are gathered and written a few times a second: one write per job would cost more than the job.
let lines: string[] = [];
const flush = () => {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  lines = [];
};
const flushing = setInterval(flush, 100);
scheduler.handle('bench', async (job) => {
  lines.push(`ran ${job.id} ${Date.parse(job.at)} ${Date.now()}`);
});
await scheduler.start();
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.on('data', (d: Buffer) => String(d).includes('stop') && resolve()));
process.stdin.destroy();
await scheduler.close();
await store.close();
clearInterval(flushing);
flush();
process.stdout.write('closed\n');
