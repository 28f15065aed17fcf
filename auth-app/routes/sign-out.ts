import type { Routes } from '../../common/routes.js';
import { csrfToken } from '../../common/session-cookie.js';
import type { operations } from '../../generated/auth.js';
import { refuseCrossSite } from '../cross-site.js';
import { signOutPage } from '../pages/forms.js';
import { pageHeaders } from '../pages/layout.js';
import { cookieSession, type PageParts } from './browser-session.js';
import { endSession } from './current-session.js';

/** GET /logout, the button any app may link to, and POST /logout, which it posts. */
export function addSignOutRoutes(routes: Routes<operations>, parts: PageParts): void {
  const { site, cookies } = parts;
  routes.operation('getSignOutPage', async (ctx, { query }) => {
    const signedIn = await cookieSession(ctx.req, parts);
    const form = signedIn && { username: signedIn.session.username, csrf: csrfToken(signedIn.token) };
    return { status: 200, type: 'text/html', headers: pageHeaders(site), body: signOutPage(form, query.rd) };
  });
  routes.operation('signOut', async (ctx, { body }) => {
    const cookie = cookies.sessionToken(ctx.req);
    const token = 'token' in cookie ? cookie.token : undefined;
    /** Without a cookie (or with two) there is nothing to end, so nothing a token must guard. */
    refuseCrossSite(ctx, site, token === undefined ? undefined : { cookie: token, sent: body?.csrf });
    const session = token === undefined ? undefined : await parts.sessions.authenticate(token);
    if (session) await endSession(parts.sessions, session, ctx.state.log);
    return {
      status: 303,
      headers: { Location: site.redirectTarget(body?.rd) ?? 'login', 'Set-Cookie': cookies.clearSession() },
    };
  });
}
