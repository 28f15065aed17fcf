import type { SqlDriver } from './driver.js';
import type { Store } from './store.js';

type LoginFailureMethods = Pick<
  Store,
  | 'reserveLoginAttempt'
  | 'loginFailures'
  | 'accountLoginFailures'
  | 'sessionAddresses'
  | 'clearLoginFailures'
  | 'clearAccountLoginFailures'
  | 'purgeLoginFailures'
>;

/**
 * Taken first in a reservation: on PostgreSQL the row lock makes a second replica's reservation for the same
 * username wait until this one commits, and its next statement then counts what this one recorded. SQLite's
 * write transaction already serialises them.
 */
const lockUsername = `INSERT INTO login_locks (username_key, attempted_at) VALUES (?, ?)
  ON CONFLICT (username_key) DO UPDATE SET attempted_at = excluded.attempted_at`;

const insertIfUnderLimits = `INSERT INTO login_failures (username_key, client_address, failed_at)
  SELECT ?, ?, ?
  WHERE (SELECT COUNT(*) FROM login_failures WHERE username_key = ? AND client_address = ? AND failed_at > ?) < ?
    AND (? = 1 OR (
      SELECT COALESCE(SUM(CASE WHEN failures > ? THEN ? ELSE failures END), 0)
      FROM (SELECT COUNT(*) AS failures FROM login_failures
            WHERE username_key = ? AND failed_at > ? GROUP BY client_address) AS per_address
    ) < ?)`;

/** Login regulation: failures per username and address, and the reservation that counts an attempt before it runs. */
export function loginFailureMethods(db: SqlDriver): LoginFailureMethods {
  return {
    reserveLoginAttempt: async (key, clientAddress, at, limits) => {
      const [, inserted] = await db.atomically([
        { sql: lockUsername, params: [key, at] },
        {
          sql: insertIfUnderLimits,
          params: [
            key,
            clientAddress,
            at,
            key,
            clientAddress,
            limits.since,
            limits.maxFailures,
            limits.knownAddress ? 1 : 0,
            limits.addressShare,
            limits.addressShare,
            key,
            limits.accountSince,
            limits.accountMaxFailures,
          ],
        },
      ]);
      return inserted === 1;
    },
    loginFailures: async (key, clientAddress, since) =>
      (
        await db.all<{ failed_at: number }>(
          `SELECT failed_at FROM login_failures
           WHERE username_key = ? AND client_address = ? AND failed_at > ? ORDER BY failed_at`,
          [key, clientAddress, since],
        )
      ).map((row) => Number(row.failed_at)),
    accountLoginFailures: async (key, since) =>
      (
        await db.all<{ client_address: string; failed_at: number }>(
          `SELECT client_address, failed_at FROM login_failures
           WHERE username_key = ? AND failed_at > ? ORDER BY failed_at`,
          [key, since],
        )
      ).map((row) => ({ clientAddress: row.client_address, failedAt: Number(row.failed_at) })),
    sessionAddresses: async (key) =>
      (
        await db.all<{ client_address: string }>(
          `SELECT DISTINCT s.client_address FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username_key = ?`,
          [key],
        )
      ).map((row) => row.client_address),
    clearLoginFailures: async (key, clientAddress) => {
      await db.run('DELETE FROM login_failures WHERE username_key = ? AND client_address = ?', [key, clientAddress]);
    },
    clearAccountLoginFailures: (key) => db.run('DELETE FROM login_failures WHERE username_key = ?', [key]),
    purgeLoginFailures: async (before) => {
      const [failures = 0] = await db.atomically([
        { sql: 'DELETE FROM login_failures WHERE failed_at <= ?', params: [before] },
        { sql: 'DELETE FROM login_locks WHERE attempted_at <= ?', params: [before] },
      ]);
      return failures;
    },
  };
}
