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
    migrate: driver.migrate.bind(driver),
    close: driver.close.bind(driver),
  };
}
