/** Who vouches for a user who signs in through an OpenID Connect provider: its issuer and the user's subject there. */
export interface ProviderIdentity {
  issuer: string;
  subject: string;
}

export interface UserRecord {
  id: string;
  username: string;
  /** Undefined for a user of the identity provider, who has no local password. */
  passwordHash: string | undefined;
  /** Granted with the admin CLI. */
  permissions: string[];
  /** Mapped from the identity provider's groups at the user's last sign-in there. */
  providerPermissions: string[];
  identity: ProviderIdentity | undefined;
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
  /** The user's, granted and from its provider's groups alike. */
  permissions: string[];
  userDisabled: boolean;
}

/** Where a session stands in the newest-first order of a user's sessions. */
export type SessionPosition = Pick<SessionRecord, 'createdAt' | 'id'>;

export interface NewUser {
  id: string;
  username: string;
  passwordHash?: string;
  permissions: string[];
  providerPermissions?: string[];
  identity?: ProviderIdentity;
  createdAt: number;
}

export interface LoginFailure {
  clientAddress: string;
  failedAt: number;
}

/** What a login attempt must stay under to be tried. */
export interface LoginLimits {
  /** Failures of the username from this address after `since`. */
  maxFailures: number;
  since: number;
  /** Failures of the username from all addresses after `accountSince`, each address counting at most `addressShare`. */
  accountMaxFailures: number;
  accountSince: number;
  addressShare: number;
  /** The user holds a session from this address: the account limit does not apply to it. */
  knownAddress: boolean;
}

/** What a change did; the session or user it names says whose verdicts it may alter. */
export type ChangeKind =
  | 'session-ended'
  | 'sessions-ended'
  | 'sessions-evicted'
  | 'sessions-expired'
  | 'password-changed'
  | 'user-disabled'
  | 'user-enabled'
  | 'permissions-changed'
  | 'provider-permissions-changed';

/**
 * A committed write that could change a verdict, numbered densely in commit order. It names a session, or a user
 * (all its sessions), or neither (`sessions-expired`: every session that expired by `at`).
 */
export interface Change {
  seq: number;
  kind: ChangeKind;
  sessionId?: string;
  userId?: string;
  at: number;
}

/** Persistence for auth-app; every time is milliseconds since the epoch, chosen by the caller. */
export interface Store {
  ping(): Promise<void>;
  close(): Promise<void>;

  /** False when the username (in any case) or the provider identity is taken. */
  createUser(user: NewUser): Promise<boolean>;
  findUser(username: string): Promise<UserRecord | undefined>;
  findUserByIdentity(identity: ProviderIdentity): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** With endSessions, the user's sessions end in the same transaction. */
  setPasswordHash(userId: string, passwordHash: string, options: { endSessions: boolean }): Promise<void>;
  setPermissions(userId: string, permissions: string[]): Promise<void>;
  setProviderPermissions(userId: string, permissions: string[]): Promise<void>;
  /** Disabling a user ends all its sessions in the same transaction. */
  setDisabled(userId: string, disabled: boolean): Promise<void>;

  /** Ends the user's oldest sessions beyond `maxPerUser` in the same transaction; resolves with how many. */
  createSession(session: SessionRecord, maxPerUser: number): Promise<number>;
  findSession(sessionId: string): Promise<SessionWithUser | undefined>;
  touchSession(sessionId: string, lastSeenAt: number): Promise<void>;
  /** Newest first; a page starts after the session at `after` in that order. */
  listSessions(
    userId: string,
    liveAfter: { now: number; lastSeenAfter: number },
    page?: { limit: number; after?: SessionPosition },
  ): Promise<SessionRecord[]>;
  deleteSession(sessionId: string, userId?: string): Promise<boolean>;
  deleteUserSessions(userId: string): Promise<number>;
  purgeSessions(now: number, lastSeenBefore: number): Promise<number>;

  /**
   * Every write above that could change a verdict records a Change in its own transaction, whichever process makes
   * it: logout and every other end of a session, a disabled (or enabled) user, a password change that ends its
   * sessions, a grant or revocation, a change of provider permissions, sessions evicted past the limit and sessions
   * purged. A write that changes nothing records nothing. The changes after `seq`, oldest first, at most `limit`.
   */
  changesAfter(seq: number, limit: number): Promise<Change[]>;
  /** The oldest and newest change held: a reader at any seq from first - 1 to last misses none. None: 1 and 0. */
  changeSpan(): Promise<{ first: number; last: number }>;
  /** Forgets the changes recorded up to `before`, except the newest, whose seq the next one counts on. */
  purgeChanges(before: number): Promise<number>;
  /**
   * Runs `changed` after every change this store commits (the write resolves once it has) and soon after any other
   * process commits one, as the database tells (see SqlDriver.watch). Returns how to stop.
   */
  watchChanges(changed: () => Promise<void>, pollMs: number): () => void;

  /**
   * Records a login attempt as a failure before its password is checked, in one transaction with the check of the
   * limits, so attempts made at the same moment cannot all pass a check that none of them has yet been counted in.
   * False when a limit refuses it (nothing is recorded then). A successful login clears the failures it leaves.
   */
  reserveLoginAttempt(usernameKey: string, clientAddress: string, at: number, limits: LoginLimits): Promise<boolean>;
  loginFailures(usernameKey: string, clientAddress: string, since: number): Promise<number[]>;
  /** The failures for a username from any address since `since`, oldest first. */
  accountLoginFailures(usernameKey: string, since: number): Promise<LoginFailure[]>;
  /** The addresses the user's sessions (until purged) started from: the places it logs in from. */
  sessionAddresses(usernameKey: string): Promise<string[]>;
  clearLoginFailures(usernameKey: string, clientAddress: string): Promise<void>;
  /** Clears the failures for a username from every address, so no limit holds it back; resolves with how many. */
  clearAccountLoginFailures(usernameKey: string): Promise<number>;
  purgeLoginFailures(before: number): Promise<number>;
}
