import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver, SqlValue } from './driver.js';

/** better-sqlite3 is synchronous; statements are prepared once and reused. */
export function openSqlite(file: string): SqlDriver & { version(): number } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const prepared = new Map<string, Database.Statement>();
  const statement = (sql: string) => {
    let found = prepared.get(sql);
    if (!found) {
      found = db.prepare(sql);
      prepared.set(sql, found);
    }
    return found;
  };
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const runAll = db.transaction((statements: Array<{ sql: string; params: SqlValue[] }>) =>
    statements.map(({ sql, params }) => statement(sql).run(...params).changes),
  );
  return {
    all: async <Row>(sql: string, params: SqlValue[] = []) => statement(sql).all(...params) as Row[],
    get: async <Row>(sql: string, params: SqlValue[] = []) => statement(sql).get(...params) as Row | undefined,
    run: async (sql, params = []) => statement(sql).run(...params).changes,
    atomically: async (statements) => runAll.immediate(statements),
    migrate: async (migrations) => {
      db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      db.transaction(() => {
        const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
          version: number | null;
        };
        migrations.forEach((sql, index) => {
          const version = index + 1;
          if (version <= (row.version ?? 0)) return;
          db.exec(sql);
          db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
        });
      }).immediate();
    },
    close: async () => {
      db.close();
    },
    /** Changes whenever another connection (another process) commits. */
    version: () => dataVersion.get() as number,
  };
}
