export type SqlValue = string | number | null;

export interface Statement {
  sql: string;
  params: SqlValue[];
}

/** The little a store needs from a database; SQL uses `?` placeholders on every driver. */
export interface SqlDriver {
  all<Row>(sql: string, params?: SqlValue[]): Promise<Row[]>;
  get<Row>(sql: string, params?: SqlValue[]): Promise<Row | undefined>;
  run(sql: string, params?: SqlValue[]): Promise<number>;
  /** Runs the statements in one transaction; resolves with the rows each changed. */
  atomically(statements: Statement[]): Promise<number[]>;
  /**
   * What a transaction that recorded a change (when `recorded` holds) runs last, around the statement that numbers
   * it: `turn` makes such transactions take turns from there to their commit, so they are numbered in the order
   * they commit (PostgreSQL: an advisory lock; SQLite's write lock already does), and `announce` wakes every
   * `watch` of every process at commit (PostgreSQL: NOTIFY; SQLite's data_version needs no word).
   */
  changeTurn(recorded: Statement): { turn: Statement[]; announce: Statement[] };
  /**
   * Calls `committed` when another connection may have committed a change: at once where the database says so
   * (PostgreSQL's LISTEN, with a read every second besides), or as often as `pollMs` (SQLite's data_version).
   */
  watch(committed: () => void, pollMs: number): () => void;
  migrate(migrations: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The session store is unreachable', { cause });
    this.name = 'StoreUnavailableError';
  }
}

/** Any database failure surfaces as StoreUnavailableError, so callers answer 503 and never leak driver details. */
export function guarded(driver: SqlDriver): SqlDriver {
  const wrap =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        throw new StoreUnavailableError(error);
      }
    };
  return {
    all: wrap(driver.all.bind(driver)) as SqlDriver['all'],
    get: wrap(driver.get.bind(driver)) as SqlDriver['get'],
    run: wrap(driver.run.bind(driver)),
    atomically: wrap(driver.atomically.bind(driver)),
    changeTurn: driver.changeTurn.bind(driver),
    watch: driver.watch.bind(driver),
    migrate: driver.migrate.bind(driver),
    close: driver.close.bind(driver),
  };
}
