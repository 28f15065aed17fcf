import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionPosition, SessionRecord, SessionWithUser, Store, UserRecord } from './store/store.js';
import { heldPermissions } from './permissions.js';

export interface SessionPolicy {
  idleTimeoutMs: number;
  maxAgeMs: number;
  /** lastSeen is written at most this often per session, so validation is a read, not a write. */
  touchIntervalMs: number;
  /** A login past this many sessions of its user ends the oldest. */
  maxPerUser: number;
}

export type Clock = () => number;

export interface ClientInfo {
  clientAddress: string;
  userAgent: string;
}

/** A token is `<session id>.<secret>`: 16 + 32 CSPRNG bytes; only SHA-256(secret) is stored. */
const tokenPattern = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

const hashSecret = (secret: string): string => hash('sha256', secret, 'hex');

function secretMatches(secret: string, storedHash: string): boolean {
  const given = hash('sha256', secret, 'buffer');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

export const idleExpiry = (session: SessionRecord, policy: SessionPolicy): number =>
  Math.min(session.lastSeenAt + policy.idleTimeoutMs, session.expiresAt);

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly policy: SessionPolicy,
    private readonly now: Clock,
  ) {}

  /** A new session for the user, and how many of its oldest sessions that ended. */
  async start(
    user: UserRecord,
    client: ClientInfo,
  ): Promise<{ token: string; session: SessionWithUser; ended: number }> {
    const id = randomBytes(16).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const now = this.now();
    const record: SessionRecord = {
      id,
      secretHash: hashSecret(secret),
      userId: user.id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.policy.maxAgeMs,
      clientAddress: client.clientAddress,
      userAgent: client.userAgent.slice(0, 512),
    };
    const ended = await this.store.createSession(record, this.policy.maxPerUser);
    const session = {
      ...record,
      username: user.username,
      permissions: heldPermissions(user.permissions, user.providerPermissions),
      userDisabled: false,
    };
    return { token: `${id}.${secret}`, session, ended };
  }

  /** The live session a token names, or undefined when it is malformed, unknown, expired, idle or its user disabled. */
  async authenticate(token: string): Promise<Readonly<SessionWithUser> | undefined> {
    const parts = tokenPattern.exec(token);
    if (!parts) return undefined;
    const [, sessionId = '', secret = ''] = parts;
    const session = await this.store.findSession(sessionId);
    if (!session || !secretMatches(secret, session.secretHash)) return undefined;
    const now = this.now();
    if (session.userDisabled || now >= idleExpiry(session, this.policy)) return undefined;
    if (now - session.lastSeenAt < this.policy.touchIntervalMs) return session;
    await this.store.touchSession(session.id, now);
    return { ...session, lastSeenAt: now };
  }

  /** The user's live sessions, newest first: all of them, or a page of them. */
  list(userId: string, page?: { limit: number; after?: SessionPosition }): Promise<SessionRecord[]> {
    const now = this.now();
    return this.store.listSessions(userId, { now, lastSeenAfter: now - this.policy.idleTimeoutMs }, page);
  }

  end(sessionId: string, userId?: string): Promise<boolean> {
    return this.store.deleteSession(sessionId, userId);
  }

  endAll(userId: string): Promise<number> {
    return this.store.deleteUserSessions(userId);
  }

  purgeExpired(): Promise<number> {
    const now = this.now();
    return this.store.purgeSessions(now, now - this.policy.idleTimeoutMs);
  }
}
