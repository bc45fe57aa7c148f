import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import { storeFailure, type StoreSite } from './failure.js';

/** What a store that was closed (the app shutting down) answers: nothing about its place to fix. */
export function closedStore(): UserFacingError {
  return new UserFacingError(ErrorCode.STORE_UNAVAILABLE, 'errors/store-unavailable', {}, { cause: new Error('the store is closed') });
}

/**
 * Runs a backend call, turning any failure into STORE_UNAVAILABLE, saying which store, where and why.
 * `transaction`: the call takes the site's gate exclusively itself (a SQLite transaction), so it does not
 * count as a shared statement.
 */
export async function guarded<T>(site: StoreSite, fn: () => Promise<T>, transaction = false): Promise<T> {
  if (site.closed) throw closedStore();
  try {
    return await (site.gate && !transaction ? site.gate.shared(fn) : fn());
  } catch (err) {
    if (err instanceof UserFacingError) throw err;
    if (site.closed) throw closedStore();
    throw storeFailure(site, err);
  }
}

/** `fn` once; later calls get the first call's promise. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
