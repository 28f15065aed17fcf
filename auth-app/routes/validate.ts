import type { Routes } from '../../common/routes.js';
import type { components, operations } from '../../generated/auth.js';
import type { ValidatedState } from '../../common/validate-request.js';
import type { Middleware } from 'koa';
import { requirePermission, type SessionState } from '../require-session.js';
import { grants } from '../permissions.js';
import type { SessionPolicy, Sessions } from '../sessions.js';
import { sessionInfo } from './views.js';

type Verdict = components['schemas']['Verdict'];

/** What services ask: is this token a live session, and may it do X? (The spec lets only services ask.) */
export function addValidateRoutes(
  routes: Routes<operations>,
  requireSession: Middleware<ValidatedState & SessionState>,
  sessions: Sessions,
  policy: SessionPolicy,
  realm: string,
): void {
  routes.operation('validateSession', requireSession, (ctx, { body }) => {
    const { session } = ctx.state;
    requirePermission(session, body?.permission, realm);
    return { status: 200, body: sessionInfo(session, policy) };
  });
  routes.operation('validateSessions', async (ctx, { body }) => {
    const results = await Promise.all(
      body.checks.map(async ({ token, permission }): Promise<Verdict> => {
        const session = await sessions.authenticate(token);
        if (!session) return { verdict: 'invalid_token' };
        if (permission !== undefined && !grants(session.permissions, permission)) {
          return { verdict: 'insufficient_scope' };
        }
        return { verdict: 'allowed', session: sessionInfo(session, policy) };
      }),
    );
    ctx.state.requestLine.fields.checks = results.length;
    ctx.state.requestLine.fields.allowed = results.filter((result) => result.verdict === 'allowed').length;
    return { status: 200, body: { results } };
  });
}
