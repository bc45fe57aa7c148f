import type { Platform } from '../context.js';
import type { Store } from '../store/index.js';

const TTL_MS = 15_000;
const EVERY_MS = 5_000;

/** Which processes serve which platform accounts right now: a value per process in the shared store, kept alive while it serves. */
export class Presence {
  constructor(
    private readonly store: Store,
    private readonly owner: string,
  ) {}

  /** Says, until stopped, that this process serves `account` of `platform`. */
  async serve(platform: Platform, account: string): Promise<() => Promise<void>> {
    const key = `presence:${platform}:${this.owner}:${account}`;
    const beat = () => this.store.set(key, { account, at: new Date().toISOString() }, TTL_MS);
    await beat();
    const timer = setInterval(() => void beat().catch(() => {}), EVERY_MS);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.store.delete(key).catch(() => {});
    };
  }

  /** True when some process serves the platform now. */
  async online(platform: Platform): Promise<boolean> {
    return (await this.store.list(`presence:${platform}:`)).length > 0;
  }
}
