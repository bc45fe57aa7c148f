import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../kernel/config.js';

const PERSON = z.string().regex(/^(telegram|wechat|local):\S+$/, { message: 'shop/invalid-person' });

/** `HH:MM`, for a plugin's slice too. */
export const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'shop/invalid-time' });

/** The runtime's own part of shop.json: the shop's people and groups. Each plugin adds its slice beside it. */
export const SHOP_CORE = {
  people: z
    .object({ admins: z.array(PERSON).default([]), agents: z.array(PERSON).default([]) })
    .default({ admins: [], agents: [] }),
  groups: z
    .array(
      z.object({
        platform: z.enum(['wechat', 'telegram'], { message: 'shop/invalid-platform' }),
        id: z.string({ message: 'shop/missing-id' }).min(1, { message: 'shop/missing-id' }),
        name: z.string({ message: 'shop/missing-name' }).min(1, { message: 'shop/missing-name' }),
        tags: z.array(z.string()).default([]),
        /** Skills allowed to act in this group; all when absent. */
        skills: z.array(z.string()).optional(),
        /** The bot account (WeChat login id) that serves the group, when the shop runs several. */
        account: z.string().min(1).optional(),
      }),
    )
    .default([]),
};

/** The shop's people and groups. */
export type ShopFile = z.infer<z.ZodObject<typeof SHOP_CORE>>;

/** The raw JSON of the shop file; undefined when there is none. A file that is not JSON is one ConfigError. */
export function readShopJson(path: string): unknown {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ConfigError([{ variable: path, key: 'shop/not-json', params: { name: path, reason: (err as Error).message } }]);
  }
}

/** Every problem zod found in the shop file, as the lines of one ConfigError. */
export function shopProblems(path: string, issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.map((issue) => ({
    variable: `${path} → /${issue.path.join('/')}`,
    key: issue.message.startsWith('shop/') ? issue.message : 'shop/invalid',
    params: { name: path, where: issue.path.join('.') },
  }));
}
