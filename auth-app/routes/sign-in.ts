import type { ParameterizedContext } from 'koa';
import type { Reply } from '../../common/operation.js';
import { Problem } from '../../common/problem.js';
import type { Routes } from '../../common/routes.js';
import { csrfToken } from '../../common/session-cookie.js';
import type { operations } from '../../generated/auth.js';
import { signInClient } from '../client-address.js';
import { refuseCrossSite } from '../cross-site.js';
import { signedInPage, signInPage, type ProviderButton, type SignInForm } from '../pages/forms.js';
import { pageHeaders } from '../pages/layout.js';
import { pageStyle } from '../pages/style.js';
import { cookieSession, type PageParts } from './browser-session.js';
import { endSession } from './current-session.js';

const wrongCredentials = 'Wrong username or password.';

const retryIn = (seconds: number): string =>
  seconds <= 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;

/** The sign-in form, with the double-submit cookie its token is made from (the one the browser holds, if any). */
function formPage(ctx: ParameterizedContext, parts: PageParts, form: Omit<SignInForm, 'csrf'>) {
  const { value, setCookie } = parts.cookies.form(ctx.req);
  return {
    type: 'text/html',
    headers: { ...pageHeaders(parts.site), 'Set-Cookie': setCookie },
    body: signInPage({ ...form, csrf: csrfToken(value), provider: providerButton(parts) }),
  };
}

const providerButton = ({ provider }: PageParts): ProviderButton | undefined =>
  provider && {
    name: provider.name,
    available: provider.party.available,
    localLogin: provider.party.config.localLogin,
  };

/** Where a browser goes once signed in: `rd` when it may, else the page that says who is signed in. */
const afterSignIn = (parts: PageParts, rd: string | undefined): string =>
  parts.site.redirectTarget(rd) ?? (rd ? `login?rd=${encodeURIComponent(rd)}` : 'login');

/** GET and POST /login, and the pages' style sheet. */
export function addSignInRoutes(routes: Routes<operations>, parts: PageParts): void {
  const { site, cookies } = parts;
  routes.operation('getSignInPage', async (ctx, { query }) => {
    const signedIn = await cookieSession(ctx.req, parts);
    if (!signedIn) return { status: 200, ...formPage(ctx, parts, { rd: query.rd }) };
    const { session, token } = signedIn;
    const target = site.redirectTarget(query.rd);
    return {
      status: 200,
      type: 'text/html',
      headers: pageHeaders(site),
      body: signedInPage({ username: session.username, csrf: csrfToken(token), rd: query.rd, target }),
    };
  });
  routes.operation('signIn', async (ctx, { body }): Promise<Reply<operations['signIn']>> => {
    refuseCrossSite(ctx, site, { cookie: cookies.formToken(ctx.req), sent: body.csrf });
    if (parts.provider && !parts.provider.party.config.localLogin) {
      throw new Problem('passwordSignInOff', { detail: `Sign in with ${parts.provider.name}` });
    }
    const client = signInClient(ctx.req, parts.trustProxy);
    const result = await parts.login.attempt(body.username, body.password, client, ctx.state.log);
    const again = { rd: body.rd, username: body.username };
    if (result.outcome === 'throttled') {
      const seconds = result.retryAfterSeconds;
      const page = formPage(ctx, parts, {
        ...again,
        message: `Too many failed sign-ins: try again in ${retryIn(seconds)}.`,
      });
      return { status: 429, ...page, headers: { ...page.headers, 'Retry-After': String(seconds) } };
    }
    if (result.outcome === 'invalid')
      return { status: 401, ...formPage(ctx, parts, { ...again, message: wrongCredentials }) };
    /** The browser's session before this one is never carried on (session fixation): it ends. */
    const before = await cookieSession(ctx.req, parts);
    if (before) await endSession(parts.sessions, before.session, ctx.state.log);
    const { token, session } = result;
    return {
      status: 303,
      headers: {
        Location: afterSignIn(parts, body.rd),
        'Set-Cookie': cookies.session(token, session.expiresAt, session.createdAt),
      },
    };
  });
  routes.operation('getPageStyle', () => ({
    status: 200,
    type: 'text/css',
    headers: { 'Cache-Control': 'public, max-age=3600' },
    body: pageStyle,
  }));
}
