import type { Routes } from '../../common/routes.js';
import type { operations } from '../../generated/auth.js';
import { operation } from '../../common/operation.js';
import { Problem } from '../../common/problem.js';
import type { Login } from '../login.js';
import type { SessionPolicy } from '../sessions.js';
import { sessionInfo } from './views.js';

export function addLoginRoutes(router: Routes, login: Login, policy: SessionPolicy): void {
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
}
