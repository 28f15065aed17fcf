import type { Routes } from '../../common/routes.js';
import { csrfToken } from '../../common/session-cookie.js';
import type { operations } from '../../generated/auth.js';
import { refuseCrossSite } from '../cross-site.js';
import { signOutPage } from '../pages/forms.js';
import { pageHeaders } from '../pages/layout.js';
import { cookieSession, type PageParts } from './browser-session.js';
import { endSession } from './current-session.js';

/** Where the provider signs its user out too, when it offers to (an `end_session_endpoint`). */
function providerSignOut({ provider, site }: PageParts): { name: string; url: string } | undefined {
  const url = provider?.party.endSessionUrl(`${site.publicUrl}/login`);
  return provider && url && { name: provider.name, url: url.href };
}

/** GET /logout, the button any app may link to, and POST /logout, which it posts. */
export function addSignOutRoutes(routes: Routes<operations>, parts: PageParts): void {
  const { site, cookies } = parts;
  routes.operation('getSignOutPage', async (ctx, { query }) => {
    const signedIn = await cookieSession(ctx.req, parts);
    const form = signedIn && { username: signedIn.session.username, csrf: csrfToken(signedIn.token) };
    const atProvider = !signedIn && query.ended === 'provider' ? providerSignOut(parts) : undefined;
    return {
      status: 200,
      type: 'text/html',
      headers: pageHeaders(site),
      body: signOutPage(form, query.rd, atProvider),
    };
  });
  routes.operation('signOut', async (ctx, { body }) => {
    const cookie = cookies.sessionToken(ctx.req);
    const token = 'token' in cookie ? cookie.token : undefined;
    /** Without a cookie (or with two) there is nothing to end, so nothing a token must guard. */
    refuseCrossSite(ctx, site, token === undefined ? undefined : { cookie: token, sent: body?.csrf });
    const session = token === undefined ? undefined : await parts.sessions.authenticate(token);
    if (session) await endSession(parts.sessions, session, ctx.state.log);
    const offerProvider = session !== undefined && (await parts.provider?.vouchedFor(session.username));
    const onward = site.redirectTarget(body?.rd);
    const location = offerProvider
      ? `logout?ended=provider${onward ? `&rd=${encodeURIComponent(onward)}` : ''}`
      : (onward ?? 'login');
    return { status: 303, headers: { Location: location, 'Set-Cookie': cookies.clearSession() } };
  });
}
