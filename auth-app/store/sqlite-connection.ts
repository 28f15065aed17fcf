import { createRequire } from 'node:module';
import type { SqlValue } from './driver.js';

/** What the store asks of a SQLite connection; better-sqlite3 and node:sqlite both offer it. */
export interface SqliteConnection {
  prepare(sql: string): {
    run(...parameters: SqlValue[]): { changes: number | bigint };
    get(...parameters: SqlValue[]): unknown;
    all(...parameters: SqlValue[]): unknown[];
  };
  exec(sql: string): void;
  close(): void;
}

const require = createRequire(import.meta.url);

/**
 * better-sqlite3 12 wraps its objects in a way Node 24 asserts against when they are collected (a SIGABRT), and
 * 13, which does not, crashes on Node 20. So Node 20 and 22 use better-sqlite3 12, and Node 24 on its own
 * SQLite, which is no longer experimental there.
 */
export function connectSqlite(file: string, options: { readonly?: boolean } = {}): SqliteConnection {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) {
    const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
    return new DatabaseSync(file, { readOnly: options.readonly ?? false });
  }
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(file, { readonly: options.readonly ?? false });
  return {
    prepare: (sql) => db.prepare<SqlValue[]>(sql),
    exec: (sql) => void db.exec(sql),
    close: () => void db.close(),
  };
}
