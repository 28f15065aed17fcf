import { heldPermissions } from '../permissions.js';
import { guarded, type SqlDriver, type Statement } from './driver.js';
import { loginFailureMethods } from './login-failures.js';
import { migrations } from './migrations.js';
import type { NewUser, SessionRecord, SessionWithUser, Store, UserRecord } from './store.js';

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  permissions: string;
  provider_permissions: string;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  disabled: number;
  created_at: number;
}

interface SessionRow {
  id: string;
  secret_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  client_address: string;
  user_agent: string;
}

const sessionColumns =
  's.id, s.secret_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.client_address, s.user_agent';

const toUser = (row: UserRow): UserRecord => ({
  id: row.id,
  username: row.username,
  passwordHash: row.password_hash === '' ? undefined : row.password_hash,
  permissions: JSON.parse(row.permissions) as string[],
  providerPermissions: JSON.parse(row.provider_permissions) as string[],
  identity:
    row.oidc_issuer === null || row.oidc_subject === null
      ? undefined
      : { issuer: row.oidc_issuer, subject: row.oidc_subject },
  disabled: row.disabled !== 0,
  createdAt: Number(row.created_at),
});

const toSession = (row: SessionRow): SessionRecord => ({
  id: row.id,
  secretHash: row.secret_hash,
  userId: row.user_id,
  createdAt: Number(row.created_at),
  lastSeenAt: Number(row.last_seen_at),
  expiresAt: Number(row.expires_at),
  clientAddress: row.client_address,
  userAgent: row.user_agent,
});

const endAllOf = (userId: string): Statement => ({ sql: 'DELETE FROM sessions WHERE user_id = ?', params: [userId] });

export const usernameKey = (username: string): string => username.normalize('NFKC').toLowerCase();

/** The one Store implementation; SQLite and PostgreSQL differ only in their driver. */
export async function createSqlStore(driver: SqlDriver): Promise<Store> {
  await driver.migrate(migrations);
  const db = guarded(driver);
  return {
    ping: async () => {
      await db.get('SELECT 1 AS ok');
    },
    close: () => db.close(),

    createUser: async (user: NewUser) => {
      const inserted = await db.run(
        `INSERT INTO users (id, username, username_key, password_hash, permissions, provider_permissions,
                            oidc_issuer, oidc_subject, disabled, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING`,
        [
          user.id,
          user.username,
          usernameKey(user.username),
          user.passwordHash ?? '',
          JSON.stringify(user.permissions),
          JSON.stringify(user.providerPermissions ?? []),
          user.identity?.issuer ?? null,
          user.identity?.subject ?? null,
          user.createdAt,
        ],
      );
      return inserted === 1;
    },
    findUser: async (username) => {
      const row = await db.get<UserRow>('SELECT * FROM users WHERE username_key = ?', [usernameKey(username)]);
      return row && toUser(row);
    },
    findUserByIdentity: async ({ issuer, subject }) => {
      const row = await db.get<UserRow>('SELECT * FROM users WHERE oidc_issuer = ? AND oidc_subject = ?', [
        issuer,
        subject,
      ]);
      return row && toUser(row);
    },
    listUsers: async () => (await db.all<UserRow>('SELECT * FROM users ORDER BY username_key')).map(toUser),
    setPasswordHash: async (userId, passwordHash, { endSessions }) => {
      const update = { sql: 'UPDATE users SET password_hash = ? WHERE id = ?', params: [passwordHash, userId] };
      await db.atomically(endSessions ? [update, endAllOf(userId)] : [update]);
    },
    setPermissions: async (userId, permissions) => {
      await db.run('UPDATE users SET permissions = ? WHERE id = ?', [JSON.stringify(permissions), userId]);
    },
    setProviderPermissions: async (userId, permissions) => {
      await db.run('UPDATE users SET provider_permissions = ? WHERE id = ?', [JSON.stringify(permissions), userId]);
    },
    setDisabled: async (userId, disabled) => {
      const update = { sql: 'UPDATE users SET disabled = ? WHERE id = ?', params: [disabled ? 1 : 0, userId] };
      await db.atomically(disabled ? [update, endAllOf(userId)] : [update]);
    },

    createSession: async (session, maxPerUser) => {
      const [, , ended = 0] = await db.atomically([
        /** Makes concurrent logins of one user take turns on PostgreSQL, so none counts without the others. */
        { sql: 'UPDATE users SET disabled = disabled WHERE id = ?', params: [session.userId] },
        {
          sql: `INSERT INTO sessions (id, secret_hash, user_id, created_at, last_seen_at, expires_at, client_address, user_agent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          params: [
            session.id,
            session.secretHash,
            session.userId,
            session.createdAt,
            session.lastSeenAt,
            session.expiresAt,
            session.clientAddress,
            session.userAgent,
          ],
        },
        {
          sql: `DELETE FROM sessions WHERE user_id = ? AND id NOT IN
                (SELECT id FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id LIMIT ?)`,
          params: [session.userId, session.userId, maxPerUser],
        },
      ]);
      return ended;
    },
    findSession: async (sessionId) => {
      const row = await db.get<
        SessionRow & { username: string; permissions: string; provider_permissions: string; disabled: number }
      >(
        `SELECT ${sessionColumns}, u.username, u.permissions, u.provider_permissions, u.disabled
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`,
        [sessionId],
      );
      if (!row) return undefined;
      const found: SessionWithUser = {
        ...toSession(row),
        username: row.username,
        permissions: heldPermissions(
          JSON.parse(row.permissions) as string[],
          JSON.parse(row.provider_permissions) as string[],
        ),
        userDisabled: row.disabled !== 0,
      };
      return found;
    },
    touchSession: async (sessionId, lastSeenAt) => {
      await db.run('UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?', [
        lastSeenAt,
        sessionId,
        lastSeenAt,
      ]);
    },
    listSessions: async (userId, { now, lastSeenAfter }, page) => {
      const after = page?.after ?? { createdAt: Number.MAX_SAFE_INTEGER, id: '' };
      const rows = await db.all<SessionRow>(
        `SELECT ${sessionColumns} FROM sessions s
         WHERE s.user_id = ? AND s.expires_at > ? AND s.last_seen_at > ?
           AND (s.created_at < ? OR (s.created_at = ? AND s.id > ?))
         ORDER BY s.created_at DESC, s.id LIMIT ?`,
        [
          userId,
          now,
          lastSeenAfter,
          after.createdAt,
          after.createdAt,
          after.id,
          page?.limit ?? Number.MAX_SAFE_INTEGER,
        ],
      );
      return rows.map(toSession);
    },
    deleteSession: async (sessionId, userId) => {
      const deleted = userId
        ? await db.run('DELETE FROM sessions WHERE id = ? AND user_id = ?', [sessionId, userId])
        : await db.run('DELETE FROM sessions WHERE id = ?', [sessionId]);
      return deleted > 0;
    },
    deleteUserSessions: (userId) => db.run('DELETE FROM sessions WHERE user_id = ?', [userId]),
    purgeSessions: (now, lastSeenBefore) =>
      db.run('DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?', [now, lastSeenBefore]),

    ...loginFailureMethods(db),
  };
}
