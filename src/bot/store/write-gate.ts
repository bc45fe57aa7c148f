/**
 * The order of the SQLite file's two connections in one process. node-sqlite3 runs every statement on
 * libuv's thread pool (4 threads), and a statement waiting for the file's write lock holds its thread
 * for up to the busy timeout. While a transaction (a coupon claim) holds the lock, four statements of
 * the shared connection waiting for it would take every thread and leave none for the transaction's
 * own next statement: a deadlock that ended in SQLITE_BUSY after the timeout (seen with 5 fans claiming
 * while the drop's announcement went out). So a transaction waits for the shared statements in flight,
 * and new ones wait in JavaScript, not on a thread, until it has committed. Across processes the busy
 * timeout still arbitrates, as each process's threads are its own.
 */
export class WriteGate {
  private inFlight = 0;
  private exclusiveTurn?: Promise<void>;
  private drained?: () => void;

  /** A statement of the shared connection: runs beside others, never inside a transaction's turn. */
  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusiveTurn) await this.exclusiveTurn;
    this.inFlight++;
    try {
      return await fn();
    } finally {
      if (--this.inFlight === 0) this.drained?.();
    }
  }

  /** A transaction: waits for the statements in flight, then runs alone (new ones wait for it). */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusiveTurn) await this.exclusiveTurn;
    let release!: () => void;
    this.exclusiveTurn = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = undefined;
      return await fn();
    } finally {
      this.exclusiveTurn = undefined;
      release();
    }
  }
}
