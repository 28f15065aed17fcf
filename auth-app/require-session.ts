import type { Middleware } from 'koa';
import { bearerChallenge, bearerToken } from '../common/bearer.js';
import { Problem } from '../common/problem.js';
import type { ValidatedState } from '../common/validate-request.js';
import type { Sessions } from './sessions.js';
import type { SessionWithUser } from './store/store.js';

export interface SessionState {
  session: Readonly<SessionWithUser>;
}

/** Reads the Bearer token and puts the live session on ctx.state, or answers 401 as RFC 6750 section 3 says. */
export function requireSession(sessions: Sessions, realm: string): Middleware<ValidatedState & SessionState> {
  return async function requireSession(ctx, next) {
    const credentials = bearerToken(ctx.req);
    if ('problem' in credentials && credentials.problem === 'missing') {
      throw new Problem('unauthenticated', {
        detail: 'Send the session token as Authorization: Bearer <token>',
        headers: { 'WWW-Authenticate': bearerChallenge(realm) },
      });
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
