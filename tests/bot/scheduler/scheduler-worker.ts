// Run as a separate process by scheduler.test.ts: a scheduler sharing one store with its siblings.
//   race <dataDir> <redisUrl|""> <namespace> <jobs>: runs jobs of kind "count" until <jobs> have run in all.
//   hang <dataDir> <redisUrl|""> <namespace>: claims the "hang" job, says "claimed" and never finishes.
//   hang-rerun <dataDir> <redisUrl|""> <namespace>: the same, with "hang" a rerunnable kind.
import { pino } from 'pino';
import { Prompts } from '../../../src/kernel/prompts.js';
import { openScheduler } from '../../../src/bot/scheduler/index.js';
import { openStore } from '../../../src/bot/store/index.js';

const [mode, dataDir, redisUrl, namespace, jobs] = process.argv.slice(2) as [string, string, string, string, string];
const store = await openStore({ dataDir, ...(redisUrl ? { redisUrl } : {}), namespace });
const scheduler = await openScheduler({
  store,
  prompts: Prompts.load(),
  logger: pino({ level: 'silent' }),
  tz: 'Asia/Shanghai',
  now: Date.now,
  pollMs: 50,
  lockMs: 1_500,
  stalledCheckMs: 500,
  ...(redisUrl ? {} : { beatMs: 200, staleMs: 1_000 }),
});
if (mode === 'race') {
  scheduler.handle('count', async (job) => {
    await store.increment(`ran:${job.id}`, 1);
    await store.increment('ran-total', 1);
  });
  await scheduler.start();
  const deadline = Date.now() + 30_000;
  while ((await store.increment('ran-total', 0)) < Number(jobs) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await scheduler.close();
  await store.close();
  process.exit(0);
} else {
  const hang = async () => {
    process.stdout.write('claimed\n');
    await new Promise(() => {});
  };
  scheduler.handle('hang', hang, { rerunnable: mode === 'hang-rerun' });
  // The scheduler's timers do not hold a process open: this one waits to be killed.
  setInterval(() => {}, 60_000);
  await scheduler.start();
}
