import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { bearerChallenge, bearerToken } from '../common/bearer.js';
import { cookieValue } from '../common/session-cookie.js';
import { Problem } from '../common/problem.js';
import type { RequestInput, ValidatedState } from '../common/validate-request.js';
import { AuthUnavailableError, type ValidatedSession } from './auth-client.js';
import type { Verdicts } from './verdicts.js';

export interface SessionState {
  session: ValidatedSession;
  /** The permission the route asked auth-app for; none when any live session will do (discovery). */
  permission: string | undefined;
  /**
   * Asks auth-app again whether the token is live and holds `permission`, the route's by default: a followed log
   * asks as it goes, a namespace list for each namespace it might show.
   */
  holds: (permission?: string) => Promise<boolean>;
  /** Whether a change was applied since the session was checked: what it started may need asking about again. */
  changedSinceCheck: () => boolean;
}

export interface SessionCheck {
  verdicts: Verdicts;
  realm: string;
  /** The session cookie's name: a browser sends the token in it rather than as a Bearer header. */
  cookieName: string;
}

export interface RequireSessionOptions {
  /** The permission the route needs, from the request as the spec validated it; without, a live session will do. */
  permission?: (input: RequestInput) => string;
}

type Credentials = ReturnType<typeof bearerToken>;

/** The Bearer header when one is sent, else the session cookie. */
function credentialsOf(ctx: { req: IncomingMessage }, cookieName: string): Credentials {
  const bearer = bearerToken(ctx.req);
  if (!('problem' in bearer) || bearer.problem === 'malformed') return bearer;
  const cookie = cookieValue(ctx.req, cookieName);
  return cookie === undefined ? bearer : { token: cookie };
}

/**
 * Runs before a route: asks auth-app whether the session token (a Bearer header, or the session cookie) is a live
 * session holding the route's permission (or takes its verdict kept while the change feed is live, see Verdicts),
 * and puts that session on ctx.state. Fails closed: when auth-app cannot answer, the route never runs.
 */
export function requireSession(
  check: SessionCheck,
  options: RequireSessionOptions,
): Middleware<ValidatedState & SessionState> {
  return async function requireSession(ctx, next) {
    const credentials = credentialsOf(ctx, check.cookieName);
    if ('problem' in credentials) {
      const malformed = credentials.problem === 'malformed';
      throw new Problem(malformed ? 'invalidToken' : 'unauthenticated', {
        detail: 'Send the session token as Authorization: Bearer <token>',
        headers: { 'WWW-Authenticate': bearerChallenge(check.realm, malformed ? 'invalid_token' : undefined) },
      });
    }
    const { token } = credentials;
    const permission = options.permission?.(ctx.state.input);
    let checked;
    try {
      checked = await check.verdicts.check(token, permission);
    } catch (error) {
      if (!(error instanceof AuthUnavailableError)) throw error;
      ctx.state.log.warn({ reason: error.message }, 'session check failed closed');
      throw new Problem('unavailable', {
        detail: 'The session service cannot be reached; try again shortly',
        headers: { 'Retry-After': '5' },
      });
    }
    const { verdict, generation } = checked;
    if (verdict.kind === 'unauthenticated') {
      throw new Problem('invalidToken', {
        detail: 'The token is malformed, unknown, expired or revoked',
        headers: { 'WWW-Authenticate': bearerChallenge(check.realm, 'invalid_token') },
      });
    }
    if (verdict.kind === 'forbidden') {
      throw new Problem('insufficientScope', {
        detail: `The session does not hold ${permission}`,
        headers: {
          'WWW-Authenticate': `${bearerChallenge(check.realm, 'insufficient_scope')}, scope="${permission}"`,
        },
      });
    }
    ctx.state.session = verdict.session;
    ctx.state.permission = permission;
    ctx.state.holds = async (asked = permission) =>
      (await check.verdicts.check(token, asked)).verdict.kind === 'allowed';
    ctx.state.changedSinceCheck = () => check.verdicts.generation !== generation;
    await next();
  };
}
