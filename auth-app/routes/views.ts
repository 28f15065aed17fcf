import type { components } from '../../generated/auth.js';
import { idleExpiry, type SessionPolicy } from '../sessions.js';
import type { SessionRecord, SessionWithUser } from '../store/store.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export function sessionInfo(
  session: Readonly<SessionWithUser>,
  policy: SessionPolicy,
): components['schemas']['SessionInfo'] {
  return {
    active: true,
    sessionId: session.id,
    username: session.username,
    permissions: session.permissions,
    issuedAt: iso(session.createdAt),
    expiresAt: iso(session.expiresAt),
    idleExpiresAt: iso(idleExpiry(session, policy)),
  };
}

export function sessionSummary(
  session: SessionRecord,
  policy: SessionPolicy,
  currentId: string,
): components['schemas']['SessionSummary'] {
  return {
    sessionId: session.id,
    createdAt: iso(session.createdAt),
    lastSeenAt: iso(session.lastSeenAt),
    expiresAt: iso(session.expiresAt),
    idleExpiresAt: iso(idleExpiry(session, policy)),
    clientAddress: session.clientAddress,
    userAgent: session.userAgent,
    current: session.id === currentId,
  };
}
