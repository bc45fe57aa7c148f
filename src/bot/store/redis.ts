import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';
import { guarded, once } from './guard.js';
import type { Store } from './index.js';
import { keyvMethods } from './keyv.js';
import { redisDeliveries } from './redis-deliveries.js';
import { redisPools } from './redis-pools.js';

// INCRBY, then an expiry only when this call created the counter: one script, so no other client sees it half done.
const INCREMENT_SCRIPT = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v == tonumber(ARGV[1]) and tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

/** Redis: keyv for plain values, one command or script per atomic operation, sorted sets for the delivery log. */
export async function openRedis(url: string, namespace: string): Promise<Store> {
  // Unreachable at start: refuse to open. Lost later: reconnect for as long as it takes, with backoff,
  // while every call fails at once (no offline queue) so a reply never hangs on the store.
  let opened = false;
  const adapter = new KeyvRedis(
    {
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5_000,
        reconnectStrategy: (retries: number) => (!opened && retries > 3 ? new Error('redis unreachable') : Math.min(100 * 2 ** retries, 5_000)),
      },
    },
    { throwOnConnectError: true, throwOnErrors: true },
  );
  const keyv = new Keyv({ store: adapter, namespace, throwOnErrors: true });
  keyv.on('error', () => {});
  const client = await guarded('redis', async () => adapter.getClient());
  opened = true;
  const k = (key: string) => `${namespace}:atomic:${key}`;
  return {
    kind: 'redis',
    ...keyvMethods(keyv, 'redis', namespace),
    setIfAbsent: (key, ttlMs) =>
      guarded('redis', async () => (await client.set(k(key), '1', ttlMs && ttlMs > 0 ? { NX: true, PX: ttlMs } : { NX: true })) === 'OK'),
    release: (key) => guarded('redis', async () => (await client.del(k(key))) === 1),
    increment: (key, by = 1, ttlMs) =>
      guarded('redis', async () =>
        Number(await client.eval(INCREMENT_SCRIPT, { keys: [k(key)], arguments: [String(by), String(ttlMs ?? 0)] })),
      ),
    pools: redisPools(client, namespace),
    close: once(() => guarded('redis', () => keyv.disconnect())),
    tables: { kind: 'redis', url, namespace, deliveries: redisDeliveries(client, namespace) },
  };
}
