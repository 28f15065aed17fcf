import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SqlDriver, SqlValue } from './driver.js';
import { connectSqlite, type SqliteConnection } from './sqlite-connection.js';

type Prepared = ReturnType<SqliteConnection['prepare']>;

/** Runs `work` in one write transaction, taken at once (IMMEDIATE) so it never has to upgrade a read lock. */
function immediately<T>(db: SqliteConnection, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** SQLite is synchronous here; statements are prepared once and reused. */
export function openSqlite(file: string): SqlDriver & { version(): number } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = connectSqlite(file);
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000',
  );
  const prepared = new Map<string, Prepared>();
  const statement = (sql: string) => {
    let found = prepared.get(sql);
    if (!found) {
      found = db.prepare(sql);
      prepared.set(sql, found);
    }
    return found;
  };
  const dataVersion = db.prepare('PRAGMA data_version');
  const version = () => (dataVersion.get() as { data_version: number }).data_version;
  return {
    all: async <Row>(sql: string, params: SqlValue[] = []) => statement(sql).all(...params) as Row[],
    get: async <Row>(sql: string, params: SqlValue[] = []) => statement(sql).get(...params) as Row | undefined,
    run: async (sql, params = []) => Number(statement(sql).run(...params).changes),
    atomically: async (statements) =>
      immediately(db, () => statements.map(({ sql, params }) => Number(statement(sql).run(...params).changes))),
    /** One connection writes at a time, and data_version tells every other of a commit. */
    changeTurn: () => ({ turn: [], announce: [] }),
    watch: (committed, pollMs) => {
      let seen = version();
      const poll = setInterval(() => {
        const current = version();
        if (current === seen) return;
        seen = current;
        committed();
      }, pollMs);
      poll.unref();
      return () => clearInterval(poll);
    },
    migrate: async (migrations) => {
      db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      immediately(db, () => {
        const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
          version: number | null;
        };
        migrations.forEach((sql, index) => {
          const version = index + 1;
          if (version <= (row.version ?? 0)) return;
          db.exec(sql);
          db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
        });
      });
    },
    close: async () => {
      db.close();
    },
    /** Changes whenever another connection (another process) commits. */
    version,
  };
}
