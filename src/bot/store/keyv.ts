import type Keyv from 'keyv';
import type { StoreSite } from './failure.js';
import { guarded } from './guard.js';
import type { Store } from './index.js';

/** The plain-value half of a store, the same on both backends: keyv, every failure coded. */
export function keyvMethods(keyv: Keyv, site: StoreSite, namespace: string): Pick<Store, 'get' | 'set' | 'delete' | 'list'> {
  return {
    get: (key) => guarded(site, () => keyv.get(key)),
    set: async (key, value, ttlMs) => {
      await guarded(site, () => keyv.set(key, value, ttlMs));
    },
    delete: (key) => guarded(site, () => keyv.delete(key)),
    list: (prefix) => guarded(site, () => listVia(keyv, namespace, prefix)),
  };
}

/** Walks keyv's iterator (SQLite rows or a Redis SCAN), keeping the keys under `prefix` that have not expired. */
async function listVia<T>(keyv: Keyv, namespace: string, prefix: string): Promise<[string, T][]> {
  const out: [string, T][] = [];
  if (!keyv.iterator) return out;
  for await (const [rawKey, value] of keyv.iterator(namespace)) {
    const key = String(rawKey).startsWith(`${namespace}:`) ? String(rawKey).slice(namespace.length + 1) : String(rawKey);
    if (key.startsWith(prefix) && value !== undefined) out.push([key, value as T]);
  }
  return out.sort(([a], [b]) => a.localeCompare(b));
}
