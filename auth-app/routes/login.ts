import type { Routes } from '../../common/routes.js';
import type { operations } from '../../generated/auth.js';
import { Problem } from '../../common/problem.js';
import type { PasswordLogin } from '../password-login.js';
import { signInClient } from '../client-address.js';
import type { AuthConfig } from '../config.js';
import { sessionInfo } from './views.js';

export function addLoginRoutes(
  routes: Routes<operations>,
  login: PasswordLogin,
  config: Pick<AuthConfig, 'session' | 'trustProxy'>,
): void {
  routes.operation('login', async (ctx, { body }) => {
    const client = signInClient(ctx.req, config.trustProxy);
    const result = await login.attempt(body.username, body.password, client, ctx.state.log);
    if (result.outcome === 'throttled') {
      throw new Problem('tooManyAttempts', {
        detail: `Too many failed attempts; try again in ${result.retryAfterSeconds} s`,
        headers: { 'Retry-After': String(result.retryAfterSeconds) },
      });
    }
    if (result.outcome === 'invalid') throw new Problem('invalidCredentials');
    const session = sessionInfo(result.session, config.session);
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store' },
      body: { token: result.token, tokenType: 'Bearer', expiresAt: session.expiresAt, session },
    };
  });
}
