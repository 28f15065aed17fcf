import type { Routes } from '../../common/routes.js';
import type { operations } from '../../generated/auth.js';
import { operation } from '../../common/operation.js';
import { Problem } from '../../common/problem.js';
import type { ValidatedState } from '../../common/validate-request.js';
import type { Middleware } from 'koa';
import { bearerChallenge } from '../../common/bearer.js';
import type { SessionState } from '../authenticate.js';
import { grants } from '../permissions.js';
import type { SessionPolicy, Sessions } from '../sessions.js';
import { sessionInfo } from './views.js';

export function addSessionRoutes(
  router: Routes,
  requireSession: Middleware<ValidatedState & SessionState>,
  sessions: Sessions,
  policy: SessionPolicy,
  realm: string,
): void {
  router.post(
    '/auth/validate',
    requireSession,
    operation<operations['validateSession'], SessionState>((ctx, { body }) => {
      const { session } = ctx.state;
      const permission = body?.permission;
      if (permission !== undefined && !grants(session.permissions, permission)) {
        throw new Problem('insufficientScope', {
          detail: `The session does not hold ${permission}`,
          headers: { 'WWW-Authenticate': `${bearerChallenge(realm, 'insufficient_scope')}, scope="${permission}"` },
        });
      }
      return { status: 200, body: sessionInfo(session, policy) };
    }),
  );
  router.get(
    '/auth/session',
    requireSession,
    operation<operations['getCurrentSession'], SessionState>((ctx) => ({
      status: 200,
      body: sessionInfo(ctx.state.session, policy),
    })),
  );
  router.post(
    '/auth/logout',
    requireSession,
    operation<operations['logout'], SessionState>(async (ctx) => {
      await sessions.end(ctx.state.session.id);
      ctx.state.log.info(
        { sessionId: ctx.state.session.id, username: ctx.state.session.username },
        'session ended: logout',
      );
      return { status: 204 };
    }),
  );
}
