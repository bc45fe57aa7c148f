import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config.js';

const PERSON = z.string().regex(/^(telegram|wechat|local):\S+$/, { message: 'shop/invalid-person' });

const ShopFileSchema = z.object({
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
      }),
    )
    .default([]),
});

/** Where the shop keeps its groups and people. */
export type ShopFile = z.infer<typeof ShopFileSchema>;

/** Reads and validates the shop file; undefined when it does not exist. Every problem is listed in one ConfigError. */
export function loadShopFile(path: string): ShopFile | undefined {
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ConfigError([{ variable: path, key: 'shop/not-json', params: { name: path, reason: (err as Error).message } }]);
  }
  const parsed = ShopFileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems: ConfigProblem[] = parsed.error.issues.map((issue) => ({
    variable: `${path} → /${issue.path.join('/')}`,
    key: issue.message.startsWith('shop/') ? issue.message : 'shop/invalid',
    params: { name: path, where: issue.path.join('.') },
  }));
  throw new ConfigError(problems);
}
