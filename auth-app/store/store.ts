export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  permissions: string[];
  disabled: boolean;
  createdAt: number;
}

export interface SessionRecord {
  id: string;
  secretHash: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  clientAddress: string;
  userAgent: string;
}

/** A session joined with the user it belongs to: what one validation needs, in one lookup. */
export interface SessionWithUser extends SessionRecord {
  username: string;
  permissions: string[];
  userDisabled: boolean;
}

export interface NewUser {
  id: string;
  username: string;
  passwordHash: string;
  permissions: string[];
  createdAt: number;
}

/** Persistence for auth-app; every time is milliseconds since the epoch, chosen by the caller. */
export interface Store {
  ping(): Promise<void>;
  close(): Promise<void>;

  createUser(user: NewUser): Promise<boolean>;
  findUser(username: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** With endSessions, the user's sessions end in the same transaction. */
  setPasswordHash(userId: string, passwordHash: string, options: { endSessions: boolean }): Promise<void>;
  setPermissions(userId: string, permissions: string[]): Promise<void>;
  /** Disabling a user ends all its sessions in the same transaction. */
  setDisabled(userId: string, disabled: boolean): Promise<void>;

  createSession(session: SessionRecord): Promise<void>;
  findSession(sessionId: string): Promise<SessionWithUser | undefined>;
  touchSession(sessionId: string, lastSeenAt: number): Promise<void>;
  listSessions(userId: string, liveAfter: { now: number; lastSeenAfter: number }): Promise<SessionRecord[]>;
  deleteSession(sessionId: string, userId?: string): Promise<boolean>;
  deleteUserSessions(userId: string): Promise<number>;
  purgeSessions(now: number, lastSeenBefore: number): Promise<number>;

  recordLoginFailure(usernameKey: string, clientAddress: string, at: number): Promise<void>;
  loginFailures(usernameKey: string, clientAddress: string, since: number): Promise<number[]>;
  /** The times of the latest `limit` failures for a username from any address since `since`, newest first. */
  accountLoginFailures(usernameKey: string, since: number, limit: number): Promise<number[]>;
  /** Whether the user holds a session (until purged) started from this address: a place it logs in from. */
  holdsSessionFrom(usernameKey: string, clientAddress: string): Promise<boolean>;
  clearLoginFailures(usernameKey: string, clientAddress: string): Promise<void>;
  purgeLoginFailures(before: number): Promise<number>;
}
