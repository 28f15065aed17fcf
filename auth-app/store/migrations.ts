/** Versioned schema changes, applied in order at start; the same SQL runs on SQLite and PostgreSQL. */
export const migrations: readonly string[] = [
  `CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    permissions TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    client_address TEXT NOT NULL,
    user_agent TEXT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (user_id);
  CREATE INDEX sessions_expiry ON sessions (expires_at);
  CREATE TABLE login_failures (
    username_key TEXT NOT NULL,
    client_address TEXT NOT NULL,
    failed_at BIGINT NOT NULL
  );
  CREATE INDEX login_failures_key ON login_failures (username_key, client_address, failed_at);`,
  /** One row per username tried: updating it serialises the login attempts of that username across replicas. */
  `CREATE TABLE login_locks (
    username_key TEXT PRIMARY KEY,
    attempted_at BIGINT NOT NULL
  );`,
  /**
   * Users of an OpenID Connect provider: found by issuer and subject, with the permissions their groups map to kept
   * apart from the granted ones. Their password_hash is '' (no local password): SQLite cannot drop a NOT NULL.
   */
  `ALTER TABLE users ADD COLUMN oidc_issuer TEXT;
  ALTER TABLE users ADD COLUMN oidc_subject TEXT;
  ALTER TABLE users ADD COLUMN provider_permissions TEXT NOT NULL DEFAULT '[]';
  CREATE UNIQUE INDEX users_identity ON users (oidc_issuer, oidc_subject);`,
  /**
   * Every write that could change a verdict records a change here in its own transaction, numbered last (`seq`,
   * dense, in commit order) so that a reader at seq N has seen everything up to N: what auth-app's change feed
   * tells services. `id` names the row until it is numbered.
   */
  `CREATE TABLE changes (
    id TEXT PRIMARY KEY,
    seq BIGINT UNIQUE,
    kind TEXT NOT NULL,
    session_id TEXT,
    user_id TEXT,
    at BIGINT NOT NULL
  );
  CREATE INDEX changes_at ON changes (at);`,
];
