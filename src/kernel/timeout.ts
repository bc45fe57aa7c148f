/**
 * `promise`, or `onTimeout` once `ms` have passed, whichever is first. The timer holds the process open
 * while it waits (a shutdown that awaits this always finishes) and is cleared as soon as it is settled.
 */
export async function within<T, U>(promise: Promise<T>, ms: number, onTimeout: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<U>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
