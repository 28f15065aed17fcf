/**
 * The part of Node's built-in SQLite (Node 22.5+, unflagged and without a warning from 24) the store uses:
 * @types/node 20, which the project builds against while Node 20 is supported, does not describe it.
 */
declare module 'node:sqlite' {
  type SqlValue = string | number | bigint | null | Uint8Array;

  export class StatementSync {
    run(...parameters: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
    get(...parameters: SqlValue[]): unknown;
    all(...parameters: SqlValue[]): unknown[];
  }

  export class DatabaseSync {
    constructor(path: string, options?: { readOnly?: boolean; timeout?: number });
    exec(sql: string): void;
    prepare(sql: string): StatementSync;
    close(): void;
  }
}
