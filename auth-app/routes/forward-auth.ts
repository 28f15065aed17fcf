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

const signInUrl = (site: BrowserSite, rd: string | undefined): string =>
  rd === undefined ? `${site.publicUrl}/login` : `${site.publicUrl}/login?rd=${encodeURIComponent(rd)}`;

/**
 * Without a session, to sign in first, with `rd` back to what the browser asked for when that is on a trusted
 * origin (never an open redirect). Traefik and Caddy hand a 302 back to the browser as it is; nginx's
 * auth_request takes only 2xx, 401 and 403, so it gets 401 and the way to sign in in Location (where its
 * `error_page 401` sends the browser: nginx cannot percent-encode `rd` itself).
 */
function signInFirst(site: BrowserSite): Middleware<ValidatedState> {
  return async function signInFirst(ctx, next) {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof Problem) || error.status !== 401) throw error;
      const nginx = ctx.get('x-original-url');
      if (nginx) {
        ctx.set('Location', signInUrl(site, site.redirectTarget(nginx)));
        throw error;
      }
      const original = site.redirectTarget(originalUrl(ctx));
      if (original === undefined) throw error;
      ctx.set('Location', signInUrl(site, original));
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
