import type { Routes } from '../../common/routes.js';
import type { operations } from '../../generated/auth.js';
import { operation } from '../../common/operation.js';
import { Problem } from '../../common/problem.js';
import type { ValidatedState } from '../../common/validate-request.js';
import type { Middleware } from 'koa';
import type { SessionState } from '../authenticate.js';
import type { SessionPolicy, Sessions } from '../sessions.js';
import { sessionSummary } from './views.js';

export function addSessionListRoutes(
  router: Routes,
  requireSession: Middleware<ValidatedState & SessionState>,
  sessions: Sessions,
  policy: SessionPolicy,
): void {
  router.get(
    '/auth/sessions',
    requireSession,
    operation<operations['listSessions'], SessionState>(async (ctx) => {
      const { session } = ctx.state;
      const live = await sessions.list(session.userId);
      return { status: 200, body: { sessions: live.map((each) => sessionSummary(each, policy, session.id)) } };
    }),
  );
  router.delete(
    '/auth/sessions',
    requireSession,
    operation<operations['endAllSessions'], SessionState>(async (ctx) => {
      const { session } = ctx.state;
      const ended = await sessions.endAll(session.userId);
      ctx.state.log.info({ username: session.username, ended }, 'sessions ended: sign out everywhere');
      return { status: 200, body: { ended } };
    }),
  );
  router.delete(
    '/auth/sessions/:sessionId',
    requireSession,
    operation<operations['endSession'], SessionState>(async (ctx, { path }) => {
      const { session } = ctx.state;
      if (!(await sessions.end(path.sessionId, session.userId))) {
        throw new Problem('sessionNotFound', { detail: 'You have no session with that id' });
      }
      ctx.state.log.info({ sessionId: path.sessionId, username: session.username }, 'session ended: by its user');
      return { status: 204 };
    }),
  );
}
