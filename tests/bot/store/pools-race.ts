// Run as a separate process by pools.test.ts: fans of this process race for one pool with its siblings'.
// Prints one line per take as it happens ("taken <holder> <item>"), so a test can kill it mid-drop.
import { openStore } from '../../../src/bot/store/index.js';

const [dataDir, redisUrl, namespace, pool, name, fans, repeats] = [
  process.argv[2]!,
  process.argv[3] || undefined,
  process.argv[4]!,
  process.argv[5]!,
  process.argv[6]!,
  Number(process.argv[7]),
  Number(process.argv[8] ?? 1),
];
const store = await openStore({ dataDir, ...(redisUrl ? { redisUrl } : {}), namespace });
// Half the fans are shared with the sibling processes (the same person in two groups served by two accounts).
const holders = Array.from({ length: fans }, (_, i) => (i % 2 === 0 ? `wechat:shared-${i}` : `wechat:${name}-${i}`));
await Promise.all(
  holders.flatMap((holder) =>
    Array.from({ length: repeats }, async () => {
      const r = await store.pools.take(pool, holder, Date.now(), { group: `${name}@chatroom`, name: holder });
      if (r.status === 'taken') process.stdout.write(`taken ${holder} ${r.item}\n`);
    }),
  ),
);
await store.close();
process.stdout.write('done\n');
