// A claiming process for bench/coupon.ts: opens the store, says "ready", waits for "go" on stdin, then
// takes for its share of the fans with `inflight` takes at once and prints how many it got.
import { openStore } from '../src/bot/store/index.js';

const [dataDir, redisUrl, namespace, pool, from, count, inflight] = process.argv.slice(2);
const store = await openStore({ dataDir: dataDir!, ...(redisUrl ? { redisUrl } : {}), namespace: namespace! });
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
process.stdin.destroy();
let next = Number(from);
const end = Number(from) + Number(count);
let taken = 0;
await Promise.all(
  Array.from({ length: Number(inflight) }, async () => {
    while (next < end) {
      const i = next++;
      if ((await store.pools.take(pool!, `wechat:fan-${i}`, Date.now())).status === 'taken') taken++;
    }
  }),
);
await store.close();
process.stdout.write(`taken ${taken}\n`);
