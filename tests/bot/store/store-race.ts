// Run as a separate process by store.test.ts: races for the same keys as its siblings.
import { openStore } from '../../../src/bot/store/index.js';

const [dataDir, redisUrl, keys, namespace] = [process.argv[2]!, process.argv[3] || undefined, Number(process.argv[4]), process.argv[5]!];
const store = await openStore({ dataDir, ...(redisUrl ? { redisUrl } : {}), namespace });
let won = 0;
await Promise.all(
  Array.from({ length: keys }, async (_, i) => {
    if (await store.setIfAbsent(`sent:${i}`, 60_000)) won++;
    await store.increment('claims', 1, 60_000);
  }),
);
await store.close();
process.stdout.write(String(won));
