import { z } from 'zod';
import type { AnyPlugin } from '../bot/plugin.js';
import { readShopJson, SHOP_CORE, shopProblems, type ShopFile } from '../bot/shop-file.js';
import { ConfigError } from '../kernel/config.js';

/** The shop file, validated whole: the runtime's people and groups, and each plugin's slice, frozen. */
export interface Shop {
  /** False when there is no shop file (everything at its default). */
  readonly found: boolean;
  readonly core: ShopFile;
  /** The plugin's validated slice (its schema's default when the file has none). */
  slice(plugin: string): unknown;
}

/** The key of a plugin's slice in shop.json. */
export function sliceKey(plugin: AnyPlugin): string {
  return plugin.config?.key ?? plugin.name;
}

/**
 * Reads the shop file and validates the runtime's part and every plugin's slice in one pass, so one
 * ConfigError lists every problem in the file at once. Keys no plugin claims are left alone (a plugin
 * that is not installed here).
 */
export function loadShop(path: string, plugins: readonly AnyPlugin[]): Shop {
  const json = readShopJson(path);
  const shape: Record<string, z.ZodType> = { ...SHOP_CORE };
  for (const p of plugins) if (p.config) shape[sliceKey(p)] = p.config.schema;
  const parsed = z.object(shape).safeParse(json ?? {});
  if (!parsed.success) throw new ConfigError(shopProblems(path, parsed.error.issues));
  const data = parsed.data as Record<string, unknown>;
  const freeze = <T>(v: T): T => deepFreeze(v);
  const core = freeze({ people: data.people, groups: data.groups } as ShopFile);
  const slices = new Map(plugins.filter((p) => p.config).map((p) => [p.name, freeze(data[sliceKey(p)])]));
  return { found: json !== undefined, core, slice: (name) => slices.get(name) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
