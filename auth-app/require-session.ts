import type { Middleware, ParameterizedContext } from 'koa';
import { bearerChallenge, bearerToken } from '../common/bearer.js';
import { Problem } from '../common/problem.js';
import type { ValidatedState } from '../common/validate-request.js';
import type { BrowserCookies } from './browser-cookies.js';
import type { BrowserSite } from './browser-site.js';
import { csrfHeader, refuseCrossSite } from './cross-site.js';
import { grants } from './permissions.js';
import type { Sessions } from './sessions.js';
import type { SessionWithUser } from './store/store.js';

export interface SessionState {
  session: Readonly<SessionWithUser>;
}

export interface RequireSessionOptions {
  realm: string;
  /** Takes the session cookie too, when no Bearer header is sent; one changing state must then be same-site. */
  browser?: { cookies: BrowserCookies; site: BrowserSite };
}

type Credentials = { token: string; fromCookie: boolean } | { problem: 'missing' | 'malformed' };

function credentialsOf(ctx: ParameterizedContext, browser: RequireSessionOptions['browser']): Credentials {
  const bearer = bearerToken(ctx.req);
  if ('token' in bearer) return { token: bearer.token, fromCookie: false };
  if (bearer.problem === 'malformed' || !browser) return bearer;
  const cookie = browser.cookies.sessionToken(ctx.req);
  if ('token' in cookie) return { token: cookie.token, fromCookie: true };
  return { problem: cookie.problem === 'duplicate' ? 'malformed' : 'missing' };
}

const changesState = (method: string): boolean => method !== 'GET' && method !== 'HEAD';

/**
 * Reads the Bearer token (or the session cookie, where `browser` says so) and puts the live session on ctx.state,
 * or answers 401 as RFC 6750 section 3 says. A request the cookie authenticates that would change something is
 * refused (403) unless it comes from a trusted origin and carries the cookie's CSRF token as X-CSRF-Token.
 */
export function requireSession(
  sessions: Sessions,
  { realm, browser }: RequireSessionOptions,
): Middleware<ValidatedState & SessionState> {
  return async function requireSession(ctx, next) {
    const credentials = credentialsOf(ctx, browser);
    if ('problem' in credentials && credentials.problem === 'missing') {
      const signIn = browser ? `, or sign in at ${browser.site.publicUrl}/login` : '';
      throw new Problem('unauthenticated', {
        detail: `Send the session token as Authorization: Bearer <token>${signIn}`,
        headers: { 'WWW-Authenticate': bearerChallenge(realm) },
      });
    }
    if ('token' in credentials && credentials.fromCookie && browser && changesState(ctx.method)) {
      refuseCrossSite(ctx, browser.site, { cookie: credentials.token, sent: ctx.get(csrfHeader) || undefined });
    }
    const session = 'token' in credentials ? await sessions.authenticate(credentials.token) : undefined;
    if (!session) {
      throw new Problem('invalidToken', {
        detail: 'The token is malformed, unknown, expired or revoked',
        headers: { 'WWW-Authenticate': bearerChallenge(realm, 'invalid_token') },
      });
    }
    ctx.state.session = session;
    await next();
  };
}

/** 403 unless the session holds `permission` (when one is asked for). */
export function requirePermission(session: SessionWithUser, permission: string | undefined, realm: string): void {
  if (permission === undefined || grants(session.permissions, permission)) return;
  throw new Problem('insufficientScope', {
    detail: `The session does not hold ${permission}`,
    headers: { 'WWW-Authenticate': `${bearerChallenge(realm, 'insufficient_scope')}, scope="${permission}"` },
  });
}
