import type { Middleware } from 'koa';
import type { Logger } from '../../common/logger.js';
import type { Routes } from '../../common/routes.js';
import type { ValidatedState } from '../../common/validate-request.js';
import type { operations } from '../../generated/auth.js';
import type { SessionState } from '../require-session.js';
import type { SessionPolicy, Sessions } from '../sessions.js';
import type { SessionWithUser } from '../store/store.js';
import { sessionInfo } from './views.js';

/** The caller's own session: who am I, and sign out. */
export function addCurrentSessionRoutes(
  routes: Routes<operations>,
  requireSession: Middleware<ValidatedState & SessionState>,
  sessions: Sessions,
  policy: SessionPolicy,
): void {
  routes.operation('getCurrentSession', requireSession, (ctx) => ({
    status: 200,
    body: sessionInfo(ctx.state.session, policy),
  }));
  routes.operation('logout', requireSession, async (ctx) => {
    await endSession(sessions, ctx.state.session, ctx.state.log);
    return { status: 204 };
  });
}

/** Signing out: the session ends, recorded in the log. */
export async function endSession(sessions: Sessions, session: Readonly<SessionWithUser>, log: Logger): Promise<void> {
  await sessions.end(session.id);
  log.info({ sessionId: session.id, username: session.username }, 'session ended: logout');
}
