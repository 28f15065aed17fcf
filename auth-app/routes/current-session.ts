import type { Middleware } from 'koa';
import type { Routes } from '../../common/routes.js';
import type { ValidatedState } from '../../common/validate-request.js';
import type { operations } from '../../generated/auth.js';
import type { SessionState } from '../require-session.js';
import type { SessionPolicy, Sessions } from '../sessions.js';
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
    await sessions.end(ctx.state.session.id);
    ctx.state.log.info(
      { sessionId: ctx.state.session.id, username: ctx.state.session.username },
      'session ended: logout',
    );
    return { status: 204 };
  });
}
