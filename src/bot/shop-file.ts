import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config.js';

const PERSON = z.string().regex(/^(telegram|wechat|local):\S+$/, { message: 'shop/invalid-person' });

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'shop/invalid-time' });

/** The shop's own facts that customer-service scripts quote; each has a default (see cs-scripts/facts.ts). */
const FactsSchema = z
  .object({
    shopName: z.string().trim().min(1).max(40).optional(),
    /** Paid before this local time: dispatched the same day. */
    dispatchCutoff: HHMM.optional(),
    /** Dispatched at the latest this many hours after payment. */
    dispatchWithinHours: z.number({ message: 'shop/invalid-number' }).int({ message: 'shop/invalid-number' }).min(1).max(720).optional(),
    courier: z.string().trim().min(1).max(40).optional(),
    /** Days in which a return needs no reason (七天无理由). */
    returnDays: z.number({ message: 'shop/invalid-number' }).int({ message: 'shop/invalid-number' }).min(1, { message: 'shop/invalid-number' }).max(365).optional(),
    /** When people answer, e.g. "09:00-22:00". */
    contactHours: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, { message: 'shop/invalid-hours' }).optional(),
  })
  .strict()
  .default({});

const ShopFileSchema = z.object({
  facts: FactsSchema,
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
