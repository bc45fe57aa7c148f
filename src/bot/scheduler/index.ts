import type { Logger } from '../../kernel/logger.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { Reporter } from '../reports.js';
import type { Store } from '../store/index.js';
import type { Scheduler } from './types.js';

export interface OpenSchedulerOptions {
  readonly store: Store;
  readonly prompts: Prompts;
  readonly logger: Logger;
  readonly tz: string;
  readonly now: () => number;
  readonly reporter?: Reporter;
  /** SQLite: how often due jobs are looked for; how often a process beats, and how old a beat means dead. */
  readonly pollMs?: number;
  readonly beatMs?: number;
  readonly staleMs?: number;
  /** Redis: a worker's lock on a job, and how often lapsed locks are looked for. */
  readonly lockMs?: number;
  readonly stalledCheckMs?: number;
}

/** The scheduler for the store's backend: SQLite polling with atomic claims, or BullMQ on the same Redis. */
export async function openScheduler(options: OpenSchedulerOptions): Promise<Scheduler> {
  const { store } = options;
  const logger = options.logger.child({ service: 'scheduler' });
  if (store.tables.kind === 'sqlite') {
    const { SqliteScheduler } = await import('./sqlite.js');
    return new SqliteScheduler({ ...options, logger, tables: store.tables });
  }
  // BullMQ is loaded only where Redis is used.
  const { BullScheduler } = await import('./bullmq.js');
  return new BullScheduler({ ...options, logger, url: store.tables.url, namespace: store.tables.namespace });
}
