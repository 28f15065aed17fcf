import { createSqlStore } from './sql-store.js';
import { openPostgres, type PostgresOptions } from './postgres.js';
import { withSessionCache } from './session-cache.js';
import { openSqlite } from './sqlite.js';
import type { Store } from './store.js';

/**
 * `postgres://…` or `postgresql://…` selects PostgreSQL; `sqlite:<path>` or a bare path selects SQLite, whose
 * sessions are also kept in memory while no other process changes the file. PostgreSQL replicas each validate
 * against the shared database, so a revocation on one applies on all at once.
 */
export function openStore(databaseUrl: string, postgres: PostgresOptions): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return createSqlStore(openPostgres(databaseUrl, postgres));
  const sqlite = openSqlite(databaseUrl.replace(/^sqlite:/, ''));
  return createSqlStore(sqlite).then((store) => withSessionCache(store, sqlite.version));
}
