import type { IncomingMessage } from 'node:http';
import type { BrowserCookies } from '../browser-cookies.js';
import type { BrowserSite } from '../browser-site.js';
import type { ProviderSignIn } from '../oidc/provider-sign-in.js';
import type { PasswordLogin } from '../password-login.js';
import type { Sessions } from '../sessions.js';
import type { SessionWithUser } from '../store/store.js';

/** What the sign-in and sign-out pages use. */
export interface PageParts {
  site: BrowserSite;
  cookies: BrowserCookies;
  sessions: Sessions;
  login: PasswordLogin;
  trustProxy: boolean;
  /** Sign-in through the identity provider, when AUTH_OIDC_ISSUER is set. */
  provider: ProviderSignIn | undefined;
}

/** The live session the browser's cookie names (a use of it, as any), with its token; undefined when none. */
export async function cookieSession(
  request: IncomingMessage,
  { cookies, sessions }: Pick<PageParts, 'cookies' | 'sessions'>,
): Promise<{ session: Readonly<SessionWithUser>; token: string } | undefined> {
  const cookie = cookies.sessionToken(request);
  if (!('token' in cookie)) return undefined;
  const session = await sessions.authenticate(cookie.token);
  return session && { session, token: cookie.token };
}
