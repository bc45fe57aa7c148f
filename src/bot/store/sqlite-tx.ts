import sqlite3 from 'sqlite3';
import type { StoreSite } from './failure.js';
import { guarded } from './guard.js';
import type { WriteGate } from './write-gate.js';

/**
 * A connection of its own for transactions: statements of other callers on the shared connection would
 * otherwise fall inside a BEGIN … COMMIT. Same library as keyv's (node-sqlite3), so the file's locks hold.
 * In this process, transactions queue behind one another; across processes, BEGIN IMMEDIATE takes the
 * file's write lock first (waiting up to the busy timeout), so the checks and the take see one state.
 */
export class TxConnection {
  private tail: Promise<unknown> = Promise.resolve();
  private db?: Promise<sqlite3.Database>;

  constructor(
    private readonly file: string,
    private readonly gate: WriteGate,
  ) {}

  private open(): Promise<sqlite3.Database> {
    return (this.db ??= new Promise((resolve, reject) => {
      const db = new sqlite3.Database(this.file, (err) => (err ? reject(err) : resolve(db)));
      db.configure('busyTimeout', 10_000);
    }));
  }

  /**
   * Runs `fn` inside BEGIN IMMEDIATE … COMMIT (ROLLBACK on any failure), after the transactions before it,
   * alone against the shared connection's statements of this process (see WriteGate).
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const run = this.tail.then(() => this.gate.exclusive(() => this.inTransaction(fn)));
    this.tail = run.catch(() => {});
    return run;
  }

  private async inTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const db = await this.open();
    const tx: Tx = {
      all: (sql, ...params) => new Promise((res, rej) => db.all(sql, params, (err, rows) => (err ? rej(err) : res(rows as Record<string, unknown>[])))),
      run: (sql, ...params) =>
        new Promise((res, rej) =>
          db.run(sql, params, function (this: sqlite3.RunResult, err) {
            if (err) rej(err);
            else res(this.changes);
          }),
        ),
    };
    await tx.run('BEGIN IMMEDIATE');
    try {
      const out = await fn(tx);
      await tx.run('COMMIT');
      return out;
    } catch (err) {
      await tx.run('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.tail;
    const db = await this.db?.catch(() => undefined);
    if (db) await new Promise<void>((res) => db.close(() => res()));
  }
}

export interface Tx {
  all(sql: string, ...params: unknown[]): Promise<Record<string, unknown>[]>;
  /** The number of rows changed. */
  run(sql: string, ...params: unknown[]): Promise<number>;
}

/** Runs `fn` in one transaction on the store's transaction connection; a failure is STORE_UNAVAILABLE. */
export type Transaction = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/** The transaction runner of one store site. */
export function transactionsOf(site: StoreSite, conn: TxConnection): Transaction {
  return (fn) => guarded(site, () => conn.transaction(fn), true);
}
