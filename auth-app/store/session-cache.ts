import type { SessionWithUser, Store } from './store.js';

const maxEntries = 10_000;

/**
 * Keeps validated sessions in memory while the database is unchanged. `version` must change whenever another
 * connection commits (SQLite's data_version), and every write through this store empties the cache, so a revocation,
 * a grant or a disabled user applies to the next validation, whichever process made it.
 */
export function withSessionCache(store: Store, version: () => number): Store {
  const sessions = new Map<string, Readonly<SessionWithUser>>();
  let seenVersion = version();
  /** Moves at the start and end of every write: a lookup that overlapped one does not cache what it read. */
  let generation = 0;
  const forgetAll = () => {
    generation += 1;
    sessions.clear();
  };
  /** Around a write: what it may change is forgotten before and after it, and overlapping lookups cache nothing. */
  const around =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>, forget: (...args: A) => void) =>
    async (...args: A): Promise<R> => {
      generation += 1;
      forget(...args);
      try {
        return await write(...args);
      } finally {
        generation += 1;
        forget(...args);
      }
    };
  const cleared = <A extends unknown[], R>(write: (...args: A) => Promise<R>) => around(write, () => sessions.clear());
  /** A write to one session forgets only it, so a touch does not empty the cache for every other session. */
  const forgetSession = (sessionId: string) => sessions.delete(sessionId);
  return {
    ...store,
    findSession: async (sessionId) => {
      const current = version();
      if (current !== seenVersion) {
        forgetAll();
        seenVersion = current;
      }
      const cached = sessions.get(sessionId);
      if (cached) return cached;
      const readDuring = generation;
      const found = await store.findSession(sessionId);
      if (!found || generation !== readDuring) return found;
      if (sessions.size >= maxEntries) sessions.delete(sessions.keys().next().value!);
      sessions.set(sessionId, Object.freeze(found));
      return found;
    },
    /** A login ends sessions only past its user's limit, and only then is the cache emptied. */
    createSession: async (session, maxPerUser) => {
      generation += 1;
      try {
        const ended = await store.createSession(session, maxPerUser);
        if (ended > 0) sessions.clear();
        return ended;
      } finally {
        generation += 1;
      }
    },
    setPasswordHash: cleared(store.setPasswordHash),
    setPermissions: cleared(store.setPermissions),
    setProviderPermissions: cleared(store.setProviderPermissions),
    setDisabled: cleared(store.setDisabled),
    touchSession: around(store.touchSession, forgetSession),
    deleteSession: around(store.deleteSession, forgetSession),
    deleteUserSessions: cleared(store.deleteUserSessions),
    purgeSessions: cleared(store.purgeSessions),
  };
}
