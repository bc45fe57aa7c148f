import { z } from 'zod';
import { HHMM } from '../../bot/shop-file.js';
import type { Prompts } from '../../kernel/prompts.js';

/** The cs-scripts plugin's slice of shop.json (`facts`): the shop's own facts the scripts quote, each with a default. */
export const FactsSchema = z
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

/** The facts as the shop file gives them (each may be missing). */
export type FactsConfig = z.infer<typeof FactsSchema>;

/** The shop's facts a script may state, every one filled (the shop file's or a default). */
export interface ShopFacts {
  readonly shop: string;
  readonly cutoff: string;
  readonly within: number;
  readonly courier: string;
  readonly returnDays: number;
  readonly hours: string;
}

/** The facts with every default filled, and which ones the shop has not set. */
export interface ResolvedFacts {
  readonly facts: ShopFacts;
  readonly defaulted: readonly string[];
}

/**
 * The facts from the shop file (`facts` in shop.json), each missing one filled with a cautious default:
 * same-day dispatch before 16:00, 48 hours at the latest (the platforms' own rule), 7-day returns (the
 * law's), 09:00-22:00, and neutral words for the shop and courier so no script names a company the shop
 * does not use. `defaulted` lists what the shop has not set, so the CLI can say so.
 */
export function resolveFacts(given: FactsConfig = {}, prompts: Prompts): ResolvedFacts {
  const defaulted = (['shopName', 'dispatchCutoff', 'dispatchWithinHours', 'courier', 'returnDays', 'contactHours'] as const).filter(
    (k) => given[k] === undefined,
  );
  return {
    facts: {
      shop: given.shopName ?? prompts.render('cs/default-shop-name'),
      cutoff: given.dispatchCutoff ?? '16:00',
      within: given.dispatchWithinHours ?? 48,
      courier: given.courier ?? prompts.render('cs/default-courier'),
      returnDays: given.returnDays ?? 7,
      hours: given.contactHours ?? '09:00-22:00',
    },
    defaulted,
  };
}
