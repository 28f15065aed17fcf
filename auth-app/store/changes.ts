import { randomUUID } from 'node:crypto';
import type { SqlDriver, Statement } from './driver.js';
import type { Change, ChangeKind, Store } from './store.js';

interface ChangeRow {
  seq: number;
  kind: ChangeKind;
  session_id: string | null;
  user_id: string | null;
  at: number;
}

export interface ChangeToRecord {
  kind: ChangeKind;
  sessionId?: string;
  userId?: string;
  at: number;
}

/** What a write runs, and where in it the change is recorded: after `before`, if `when` holds then. */
export interface RecordedWrite {
  before?: Statement[];
  when?: Statement;
  after?: Statement[];
}

const toChange = (row: ChangeRow): Change => ({
  seq: Number(row.seq),
  kind: row.kind,
  ...(row.session_id === null ? {} : { sessionId: row.session_id }),
  ...(row.user_id === null ? {} : { userId: row.user_id }),
  at: Number(row.at),
});

/**
 * The change row goes in unnumbered where the write decides what it changed; it is numbered as the transaction's
 * last statement, after the driver's turn, so no transaction holding the turn waits for anything but its commit,
 * and numbers follow commit order with no gap (a transaction that fails takes its number with it).
 */
const insertChange = (id: string, change: ChangeToRecord, when: Statement | undefined): Statement => ({
  sql: `INSERT INTO changes (id, kind, session_id, user_id, at) SELECT ?, ?, ?, ?, ?${when ? ` WHERE ${when.sql}` : ''}`,
  params: [id, change.kind, change.sessionId ?? null, change.userId ?? null, change.at, ...(when?.params ?? [])],
});

const numberChange = (id: string): Statement => ({
  sql: 'UPDATE changes SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes) WHERE id = ?',
  params: [id],
});

type ChangeMethods = Pick<Store, 'changesAfter' | 'changeSpan' | 'purgeChanges' | 'watchChanges'>;

/** Writes that record what they change, and the reading of those changes. */
export function changeLog(db: SqlDriver): ChangeMethods & {
  /** Runs the write in one transaction with its change; resolves with the rows each of its statements changed. */
  record(change: ChangeToRecord, write: RecordedWrite): Promise<number[]>;
  stopWatching(): void;
} {
  const watchers = new Map<() => Promise<void>, () => void>();
  return {
    record: async (change, { before = [], when, after = [] }) => {
      const id = randomUUID();
      const recorded = { sql: 'EXISTS (SELECT 1 FROM changes WHERE id = ?)', params: [id] };
      const { turn, announce } = db.changeTurn(recorded);
      const changed = await db.atomically([
        ...before,
        insertChange(id, change, when),
        ...after,
        ...turn,
        numberChange(id),
        ...announce,
      ]);
      if (changed[before.length] === 1) {
        await Promise.all([...watchers.keys()].map((watcher) => watcher().catch(() => undefined)));
      }
      return [
        ...changed.slice(0, before.length),
        ...changed.slice(before.length + 1, before.length + 1 + after.length),
      ];
    },
    changesAfter: async (seq, limit) =>
      (
        await db.all<ChangeRow>(
          'SELECT seq, kind, session_id, user_id, at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?',
          [seq, limit],
        )
      ).map(toChange),
    changeSpan: async () => {
      const row = await db.get<{ first: number | null; last: number | null }>(
        'SELECT MIN(seq) AS first, MAX(seq) AS last FROM changes',
      );
      const last = Number(row?.last ?? 0);
      return { first: row?.first == null ? last + 1 : Number(row.first), last };
    },
    purgeChanges: (before) =>
      db.run('DELETE FROM changes WHERE at <= ? AND seq < (SELECT MAX(seq) FROM changes)', [before]),
    watchChanges: (changed, pollMs) => {
      const stop = db.watch(() => void changed().catch(() => undefined), pollMs);
      watchers.set(changed, stop);
      return () => {
        watchers.delete(changed);
        stop();
      };
    },
    stopWatching: () => {
      for (const stop of watchers.values()) stop();
      watchers.clear();
    },
  };
}
