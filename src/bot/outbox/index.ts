import type { Logger } from '../../kernel/logger.js';
import type { Platform } from '../context.js';
import type { Reporter } from '../reports.js';
import type { Store } from '../store/index.js';
import type { Outbox } from './types.js';

export interface OpenOutboxOptions {
  readonly store: Store;
  readonly logger: Logger;
  readonly now: () => number;
  /** This process's name in claims and heartbeats (the scheduler's too). */
  readonly owner: string;
  readonly reporter?: Reporter;
  readonly resolveAccount?: (platform: Platform, chat: string) => Promise<string | undefined>;
  /** SQLite: how often owners look for entries pushed elsewhere, and how old a heartbeat means dead. */
  readonly pollMs?: number;
  readonly staleMs?: number;
  /** Redis: a sender's lock on an entry, and how often lapsed locks are looked for. */
  readonly lockMs?: number;
  readonly stalledCheckMs?: number;
}

/** The outbox for the store's backend: a table in the SQLite file, or a BullMQ queue per account on Redis. */
export async function openOutbox(options: OpenOutboxOptions): Promise<Outbox> {
  const { store } = options;
  const logger = options.logger.child({ service: 'outbox' });
  if (store.tables.kind === 'sqlite') {
    const { SqliteOutbox } = await import('./sqlite.js');
    return new SqliteOutbox({ ...options, logger, tables: store.tables });
  }
  const { BullOutbox } = await import('./bullmq.js');
  return new BullOutbox({ ...options, logger, url: store.tables.url, namespace: store.tables.namespace });
}
