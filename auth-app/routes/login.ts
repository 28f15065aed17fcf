import Router from '@koa/router';
import type { operations } from '../../generated/auth.js';
import { operation } from '../../common/operation.js';
import { Problem } from '../../common/problem.js';
import type { Login } from '../login.js';
import type { SessionPolicy } from '../sessions.js';
import { sessionInfo } from './views.js';

export function loginRoutes(login: Login, policy: SessionPolicy): Router {
  const router = new Router();
  router.post(
    '/auth/login',
    operation<operations['login']>(async (ctx, { body }) => {
      const client = { clientAddress: ctx.ip, userAgent: ctx.get('user-agent') };
      const result = await login.attempt(body.username, body.password, client, ctx.state.log);
      if (result.outcome === 'throttled') {
        throw new Problem('tooManyAttempts', {
          detail: `Too many failed attempts; try again in ${result.retryAfterSeconds} s`,
          headers: { 'Retry-After': String(result.retryAfterSeconds) },
        });
      }
      if (result.outcome === 'invalid') throw new Problem('invalidCredentials');
      const session = sessionInfo(result.session, policy);
      return {
        status: 200,
        headers: { 'Cache-Control': 'no-store' },
        body: { token: result.token, tokenType: 'Bearer', expiresAt: session.expiresAt, session },
      };
    }),
  );
  return router;
}
