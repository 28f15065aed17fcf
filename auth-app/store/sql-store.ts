import { heldPermissions } from '../permissions.js';
import { changeLog } from './changes.js';
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

const hasSessions = (userId: string): Statement => ({
  sql: 'EXISTS (SELECT 1 FROM sessions WHERE user_id = ?)',
  params: [userId],
});

/** The user's sessions past the newest `maxPerUser`: those a login ends. */
const pastLimit = (userId: string, maxPerUser: number) => ({
  sql: `user_id = ? AND id NOT IN (SELECT id FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id LIMIT ?)`,
  params: [userId, userId, maxPerUser],
});

const userColumnDiffers = (
  userId: string,
  column: 'permissions' | 'provider_permissions' | 'disabled',
  value: string | number,
) => ({
  sql: `EXISTS (SELECT 1 FROM users WHERE id = ? AND ${column} <> ?)`,
  params: [userId, value],
});

export const usernameKey = (username: string): string => username.normalize('NFKC').toLowerCase();

/** The one Store implementation; SQLite and PostgreSQL differ only in their driver. */
export async function createSqlStore(driver: SqlDriver): Promise<Store> {
  await driver.migrate(migrations);
  const db = guarded(driver);
  const changes = changeLog(db);
  const { record } = changes;
  return {
    ping: async () => {
      await db.get('SELECT 1 AS ok');
    },
    close: () => {
      changes.stopWatching();
      return db.close();
    },

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
      /** A rehash at login changes no verdict; a new password ends the sessions. */
      if (!endSessions) await db.run(update.sql, update.params);
      else await record({ kind: 'password-changed', userId, at: Date.now() }, { after: [update, endAllOf(userId)] });
    },
    setPermissions: async (userId, permissions) => {
      const value = JSON.stringify(permissions);
      await record(
        { kind: 'permissions-changed', userId, at: Date.now() },
        {
          when: userColumnDiffers(userId, 'permissions', value),
          after: [{ sql: 'UPDATE users SET permissions = ? WHERE id = ?', params: [value, userId] }],
        },
      );
    },
    setProviderPermissions: async (userId, permissions) => {
      const value = JSON.stringify(permissions);
      await record(
        { kind: 'provider-permissions-changed', userId, at: Date.now() },
        {
          when: userColumnDiffers(userId, 'provider_permissions', value),
          after: [{ sql: 'UPDATE users SET provider_permissions = ? WHERE id = ?', params: [value, userId] }],
        },
      );
    },
    setDisabled: async (userId, disabled) => {
      const update = { sql: 'UPDATE users SET disabled = ? WHERE id = ?', params: [disabled ? 1 : 0, userId] };
      await record(
        { kind: disabled ? 'user-disabled' : 'user-enabled', userId, at: Date.now() },
        {
          when: userColumnDiffers(userId, 'disabled', disabled ? 1 : 0),
          after: disabled ? [update, endAllOf(userId)] : [update],
        },
      );
    },

    createSession: async (session, maxPerUser) => {
      const ended = pastLimit(session.userId, maxPerUser);
      const [, , evicted = 0] = await record(
        { kind: 'sessions-evicted', userId: session.userId, at: Date.now() },
        {
          before: [
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
          ],
          when: { sql: `EXISTS (SELECT 1 FROM sessions WHERE ${ended.sql})`, params: ended.params },
          after: [{ sql: `DELETE FROM sessions WHERE ${ended.sql}`, params: ended.params }],
        },
      );
      return evicted;
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
      const which = userId
        ? { sql: 'id = ? AND user_id = ?', params: [sessionId, userId] }
        : { sql: 'id = ?', params: [sessionId] };
      const [deleted = 0] = await record(
        { kind: 'session-ended', sessionId, at: Date.now() },
        {
          when: { sql: `EXISTS (SELECT 1 FROM sessions WHERE ${which.sql})`, params: which.params },
          after: [{ sql: `DELETE FROM sessions WHERE ${which.sql}`, params: which.params }],
        },
      );
      return deleted > 0;
    },
    deleteUserSessions: async (userId) => {
      const [deleted = 0] = await record(
        { kind: 'sessions-ended', userId, at: Date.now() },
        { when: hasSessions(userId), after: [endAllOf(userId)] },
      );
      return deleted;
    },
    /** Verdicts are never kept past a session's expiry; the change says so by auth-app's clock too. */
    purgeSessions: async (now, lastSeenBefore) => {
      const expired = { sql: 'expires_at <= ? OR last_seen_at <= ?', params: [now, lastSeenBefore] };
      const [purged = 0] = await record(
        { kind: 'sessions-expired', at: now },
        {
          when: { sql: `EXISTS (SELECT 1 FROM sessions WHERE ${expired.sql})`, params: expired.params },
          after: [{ sql: `DELETE FROM sessions WHERE ${expired.sql}`, params: expired.params }],
        },
      );
      return purged;
    },

    changesAfter: changes.changesAfter,
    changeSpan: changes.changeSpan,
    purgeChanges: changes.purgeChanges,
    watchChanges: changes.watchChanges,

    ...loginFailureMethods(db),
  };
}
