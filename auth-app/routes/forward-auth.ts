import type { Middleware, ParameterizedContext } from 'koa';
import { Problem } from '../../common/problem.js';
import type { Routes } from '../../common/routes.js';
import type { ValidatedState } from '../../common/validate-request.js';
import type { operations } from '../../generated/auth.js';
import type { BrowserSite } from '../browser-site.js';
import { requirePermission, type SessionState } from '../require-session.js';

/** The URL the browser asked the proxy for, as Traefik and Caddy describe it; undefined unless all three are sent. */
function originalUrl(ctx: ParameterizedContext): string | undefined {
  const [proto, host, uri] = ['x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-uri'].map((name) => ctx.get(name));
  return proto && host && uri?.startsWith('/') ? `${proto}://${host}${uri}` : undefined;
}

/**
 * Traefik and Caddy hand a non-2xx answer back to the browser as it is: one without a session goes to sign in,
 * with `rd` back to what it asked for, when that is on a trusted origin (else 401: never an open redirect).
 */
function signInFirst(site: BrowserSite): Middleware<ValidatedState> {
  return async function signInFirst(ctx, next) {
    try {
      await next();
    } catch (error) {
      const unauthenticated = error instanceof Problem && error.status === 401;
      const original = unauthenticated ? site.redirectTarget(originalUrl(ctx)) : undefined;
      if (original === undefined) throw error;
      ctx.set('Location', `${site.publicUrl}/login?rd=${encodeURIComponent(original)}`);
      ctx.body = null;
      ctx.status = 302;
    }
  };
}

/** GET (and HEAD) /auth/forward: who the session is, for a proxy to pass on to the app behind it. */
export function addForwardAuthRoutes(
  routes: Routes<operations>,
  requireSession: Middleware<ValidatedState & SessionState>,
  site: BrowserSite,
  realm: string,
): void {
  routes.operation('forwardAuth', signInFirst(site), requireSession, (ctx, { query }) => {
    const { session } = ctx.state;
    requirePermission(session, query.permission, realm);
    return {
      status: 200,
      headers: {
        'Remote-User': session.username,
        'Remote-Permissions': session.permissions.join(','),
        'Remote-Session': session.id,
      },
    };
  });
}
