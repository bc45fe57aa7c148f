import type { Scheduler, SchedulerOptions } from './types.js';

/** The scheduler for the store's backend: SQLite polling with atomic claims, or BullMQ on the same Redis. */
export async function openScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const logger = options.logger.child({ service: 'scheduler' });
  if (options.store.tables.kind === 'sqlite') {
    const { SqliteScheduler } = await import('./sqlite.js');
    return new SqliteScheduler({ ...options, logger });
  }
  // BullMQ is loaded only where Redis is used.
  const { BullScheduler } = await import('./bullmq.js');
  return new BullScheduler({ ...options, logger });
}
