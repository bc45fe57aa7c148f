import { ErrorCode, UserFacingError } from '../../kernel/errors.js';

/** The one error a store outage becomes: fails closed, never reads as "not found". */
export function unavailable(kind: string, err: unknown): UserFacingError {
  return new UserFacingError(ErrorCode.STORE_UNAVAILABLE, 'errors/store-unavailable', {}, { cause: err, details: { kind } });
}

/** Runs a backend call, turning any failure into STORE_UNAVAILABLE. */
export async function guarded<T>(kind: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UserFacingError) throw err;
    throw unavailable(kind, err);
  }
}

/** `fn` once; later calls get the first call's promise. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
