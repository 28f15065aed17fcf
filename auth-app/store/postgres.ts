import { createHash } from 'node:crypto';
import pg from 'pg';
import type { SqlDriver, SqlValue } from './driver.js';

const bigintOid = 20;
const migrationLockKey = 7_242_001;
const changeLockKey = 7_242_002;
const changeChannel = 'auth_changes';
/** A lost LISTEN goes unnoticed until its connection is found broken: the table is read this often besides. */
const safetyPollMs = 1000;

const numericTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === bigintOid
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const placeholders = new Map<string, string>();

/** `?` becomes `$n` once per distinct statement. */
function numbered(sql: string): string {
  let converted = placeholders.get(sql);
  if (converted === undefined) {
    let index = 0;
    converted = sql.replace(/\?/g, () => `$${++index}`);
    placeholders.set(sql, converted);
  }
  return converted;
}

/** Named statements are prepared once per pooled connection by pg itself. */
const query = (sql: string, params: SqlValue[]) => ({
  name: `q${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`,
  text: numbered(sql),
  values: params,
});

export interface PostgresOptions {
  poolSize: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

/**
 * A connection of its own that LISTENs for the NOTIFY every change ends with, opened again when it breaks; every
 * second, and on each new connection, `committed` runs anyway, in case a notification was lost.
 */
function listen(connectionString: string, options: PostgresOptions, committed: () => void): () => void {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = () => {
    const listener = new pg.Client({ connectionString, connectionTimeoutMillis: options.connectTimeoutMs });
    client = listener;
    let gone = false;
    const broken = () => {
      if (gone) return;
      gone = true;
      listener.removeAllListeners();
      listener.on('error', () => undefined);
      void listener.end().catch(() => undefined);
      if (!stopped && client === listener) retry = setTimeout(connect, safetyPollMs).unref();
    };
    listener.on('error', broken);
    listener.on('end', broken);
    listener.on('notification', () => committed());
    listener
      .connect()
      .then(() => listener.query(`LISTEN ${changeChannel}`))
      .then(() => committed(), broken);
  };
  connect();
  const poll = setInterval(committed, safetyPollMs).unref();
  return () => {
    stopped = true;
    clearInterval(poll);
    clearTimeout(retry);
    client?.removeAllListeners();
    client?.on('error', () => undefined);
    void client?.end().catch(() => undefined);
  };
}

export function openPostgres(connectionString: string, options: PostgresOptions): SqlDriver {
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    query_timeout: options.queryTimeoutMs,
    types: numericTypes,
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool drops it and the next query opens a new one.
  });
  return {
    all: async <Row>(sql: string, params: SqlValue[] = []) => (await pool.query(query(sql, params))).rows as Row[],
    get: async <Row>(sql: string, params: SqlValue[] = []) =>
      (await pool.query(query(sql, params))).rows[0] as Row | undefined,
    run: async (sql, params = []) => (await pool.query(query(sql, params))).rowCount ?? 0,
    atomically: async (statements) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const changed: number[] = [];
        for (const { sql, params } of statements) changed.push((await client.query(query(sql, params))).rowCount ?? 0);
        await client.query('COMMIT');
        return changed;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    changeTurn: (recorded) => ({
      turn: [{ sql: `SELECT pg_advisory_xact_lock(${changeLockKey}) WHERE ${recorded.sql}`, params: recorded.params }],
      announce: [{ sql: `SELECT pg_notify('${changeChannel}', '') WHERE ${recorded.sql}`, params: recorded.params }],
    }),
    watch: (committed) => listen(connectionString, options, committed),
    migrate: async (migrations) => {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
        await client.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
        );
        const { rows } = await client.query<{ version: number | null }>(
          'SELECT MAX(version) AS version FROM schema_migrations',
        );
        const current = rows[0]?.version ?? 0;
        for (const [index, sql] of migrations.entries()) {
          if (index + 1 <= current) continue;
          await client.query('BEGIN');
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
            index + 1,
            Date.now(),
          ]);
          await client.query('COMMIT');
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]).catch(() => undefined);
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
