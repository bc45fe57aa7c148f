import type { Platform } from '../context.js';
import type { Store } from '../store/index.js';

/** Beats are counted in windows of this length. */
const WINDOW_MS = 5_000;

/**
 * Which platforms some process serves right now: each serving process adds one to the counter of the
 * current 5-second window (one atomic increment, kept 20 s), so "is anyone serving Telegram?" is three
 * counter reads, never a scan of the store. A process that stops is forgotten within 15 s.
 */
export class Presence {
  constructor(private readonly store: Store) {}

  private key(platform: Platform, window: number): string {
    return `presence:${platform}:${window}`;
  }

  /** Says, until stopped, that this process serves `platform`. */
  async serve(platform: Platform): Promise<() => Promise<void>> {
    const beat = () => this.store.increment(this.key(platform, Math.floor(Date.now() / WINDOW_MS)), 1, 4 * WINDOW_MS);
    await beat();
    const timer = setInterval(() => void beat().catch(() => {}), WINDOW_MS);
    timer.unref();
    return async () => clearInterval(timer);
  }

  /** True when some process has served the platform within the last two windows. */
  async online(platform: Platform): Promise<boolean> {
    const now = Math.floor(Date.now() / WINDOW_MS);
    for (const window of [now, now - 1, now - 2]) {
      if ((await this.store.increment(this.key(platform, window), 0, 4 * WINDOW_MS)) > 0) return true;
    }
    return false;
  }
}
