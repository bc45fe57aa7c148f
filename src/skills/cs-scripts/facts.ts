import type { Prompts } from '../../bot/prompts.js';
import type { ShopFile } from '../../bot/shop-file.js';

/** The shop's facts a script may state, every one filled (the shop file's or a default). */
export interface ShopFacts {
  readonly shop: string;
  readonly cutoff: string;
  readonly within: number;
  readonly courier: string;
  readonly returnDays: number;
  readonly hours: string;
}

/**
 * The facts from the shop file (`facts` in shop.json), each missing one filled with a cautious default:
 * same-day dispatch before 16:00, 48 hours at the latest (the platforms' own rule), 7-day returns (the
 * law's), 09:00-22:00, and neutral words for the shop and courier so no script names a company the shop
 * does not use. `defaulted` lists what the shop has not set, so the CLI can say so.
 */
export function resolveFacts(shop: ShopFile | undefined, prompts: Prompts): { facts: ShopFacts; defaulted: string[] } {
  const given = shop?.facts ?? {};
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
