import { createSqlStore } from './sql-store.js';
import { openPostgres, type PostgresOptions } from './postgres.js';
import { openSqlite } from './sqlite.js';
import type { Store } from './store.js';

/** `postgres://…` or `postgresql://…` selects PostgreSQL; `sqlite:<path>` or a bare path selects SQLite. */
export function openStore(databaseUrl: string, postgres: PostgresOptions): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return createSqlStore(openPostgres(databaseUrl, postgres));
  return createSqlStore(openSqlite(databaseUrl.replace(/^sqlite:/, '')));
}
