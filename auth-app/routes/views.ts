import type { components } from '../../generated/auth.js';
import { idleExpiry, type SessionPolicy } from '../sessions.js';
import type { SessionRecord, SessionWithUser } from '../store/store.js';

type SessionInfo = components['schemas']['SessionInfo'];

const iso = (ms: number): string => new Date(ms).toISOString();

const infoViews = new WeakMap<SessionPolicy, WeakMap<Readonly<SessionWithUser>, SessionInfo>>();

/** The same view of a cached session for every validation until it changes (a touch makes a new session object). */
export function sessionInfo(session: Readonly<SessionWithUser>, policy: SessionPolicy): SessionInfo {
  let views = infoViews.get(policy);
  if (!views) infoViews.set(policy, (views = new WeakMap()));
  let view = views.get(session);
  if (!view) {
    view = Object.freeze({
      active: true,
      sessionId: session.id,
      userId: session.userId,
      username: session.username,
      permissions: session.permissions,
      issuedAt: iso(session.createdAt),
      expiresAt: iso(session.expiresAt),
      idleExpiresAt: iso(idleExpiry(session, policy)),
    });
    views.set(session, view);
  }
  return view;
}

type SessionSummary = components['schemas']['SessionSummary'];

/** A session as its user and the admin CLI see it: when, from where, until when. */
export function sessionDetails(session: SessionRecord, policy: SessionPolicy): Omit<SessionSummary, 'current'> {
  return {
    sessionId: session.id,
    createdAt: iso(session.createdAt),
    lastSeenAt: iso(session.lastSeenAt),
    expiresAt: iso(session.expiresAt),
    idleExpiresAt: iso(idleExpiry(session, policy)),
    clientAddress: session.clientAddress,
    userAgent: session.userAgent,
  };
}

export const sessionSummary = (session: SessionRecord, policy: SessionPolicy, currentId: string): SessionSummary => ({
  ...sessionDetails(session, policy),
  current: session.id === currentId,
});
