import type { Outbox, OutboxOptions } from './types.js';

/** The outbox for the store's backend: a table in the SQLite file, or a BullMQ queue per account on Redis. */
export async function openOutbox(options: OutboxOptions): Promise<Outbox> {
  const logger = options.logger.child({ service: 'outbox' });
  if (options.store.tables.kind === 'sqlite') {
    const { SqliteOutbox } = await import('./sqlite.js');
    return new SqliteOutbox({ ...options, logger });
  }
  // BullMQ is loaded only where Redis is used.
  const { BullOutbox } = await import('./bullmq.js');
  return new BullOutbox({ ...options, logger });
}
