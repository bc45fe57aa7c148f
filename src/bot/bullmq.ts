import { Redis } from 'ioredis';
import type { Logger } from '../kernel/logger.js';

/**
 * A connection for BullMQ: a producer's fails a call after a few reconnect attempts rather than hang
 * while Redis is away; a worker's waits for Redis as long as it takes (BullMQ requires it). Connection
 * trouble is logged, never left to crash the process as an unhandled 'error' event.
 */
export function redisConnection(url: string, logger: Logger, role: 'producer' | 'worker'): Redis {
  const connection = new Redis(url, { maxRetriesPerRequest: role === 'producer' ? 3 : null });
  connection.on('error', (err: Error) => logger.warn({ err: err.message, role }, 'redis connection error'));
  return connection;
}
