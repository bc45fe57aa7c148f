/**
 * Pools: a fixed stock of distinct items (coupon codes) handed out to holders under rules, where every
 * take is one atomic operation of the backend (a BEGIN IMMEDIATE transaction on the SQLite file, a Lua
 * script on Redis). Never more items out than the stock, never more to one holder than the limit, never
 * the same item twice, across every process on the store. Plugins use these named operations; none
 * writes SQL or Lua.
 */
export interface Pools {
  /** Creates a pool with its items (distinct) and rules; false when a pool of that id exists already. */
  create(pool: string, items: readonly string[], rules: PoolRules): Promise<boolean>;
  /**
   * Gives `holder` an item, if the rules allow it at `at` (epoch ms on the app's clock): all checks and
   * the take in one atomic step. A holder at the limit gets back what they hold (`held`), whatever the time.
   */
  take(pool: string, holder: string, at: number, meta?: Readonly<Record<string, string>>): Promise<TakeResult>;
  /** What a holder holds, in the order taken. */
  held(pool: string, holder: string): Promise<string[]>;
  /** Items in the pool and items taken; undefined when there is no such pool. */
  stats(pool: string): Promise<PoolStats | undefined>;
  /** Every take, in the order taken. */
  claims(pool: string): Promise<PoolClaim[]>;
}

export interface PoolRules {
  /** Items per holder. */
  readonly limit: number;
  /** Epoch ms: takes before this are refused (`not_started`). */
  readonly startsAt?: number;
  /** Epoch ms: takes from this on are refused (`ended`). */
  readonly endsAt?: number;
}

export interface PoolStats {
  readonly total: number;
  readonly taken: number;
}

/** One take, as the ledger keeps it. */
export interface PoolClaim {
  /** 1, 2, 3… in the order taken. */
  readonly seq: number;
  readonly holder: string;
  readonly item: string;
  /** ISO instant (the app's clock). */
  readonly at: string;
  readonly meta: Readonly<Record<string, string>>;
}

export type TakeResult =
  | { readonly status: 'taken'; readonly item: string; readonly seq: number; readonly taken: number; readonly total: number }
  | { readonly status: 'held'; readonly items: readonly string[] }
  | { readonly status: 'empty' }
  | { readonly status: 'not_started'; readonly startsAt: number }
  | { readonly status: 'ended' }
  | { readonly status: 'missing' };
