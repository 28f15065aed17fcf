import type { Reply } from '../../common/operation.js';
import type { Routes } from '../../common/routes.js';
import type { operations } from '../../generated/auth.js';
import { signInClient } from '../client-address.js';
import type { ProviderSignIn } from '../oidc/provider-sign-in.js';
import { providerFailedPage } from '../pages/forms.js';
import { pageHeaders } from '../pages/layout.js';
import { cookieSession, type PageParts } from './browser-session.js';
import { endSession } from './current-session.js';
import { availableProvider, cliGrantRedirect, toProvider } from './provider-steps.js';

export const callbackPath = '/auth/oidc/callback';

/** GET /auth/oidc/start (the sign-in page's button) and GET /auth/oidc/callback (where the provider sends back). */
export function addProviderSignInRoutes(
  routes: Routes<operations>,
  parts: PageParts,
  provider: ProviderSignIn | undefined,
): void {
  const { site, cookies } = parts;
  routes.operation('startProviderSignIn', (_ctx, { query }) =>
    toProvider(availableProvider(provider), parts, query.rd),
  );
  routes.operation('finishProviderSignIn', async (ctx): Promise<Reply<operations['finishProviderSignIn']>> => {
    const party = availableProvider(provider);
    const callbackUrl = new URL(`${site.publicUrl}${callbackPath}?${ctx.querystring}`);
    const result = await party.complete(callbackUrl, cookies.flowToken(ctx.req), ctx.state.log);
    const clearFlow = cookies.clearFlow();
    if (result.outcome !== 'success') {
      return {
        status: result.outcome === 'refused' ? 403 : 400,
        type: 'text/html',
        headers: { ...pageHeaders(site), 'Set-Cookie': clearFlow },
        body: providerFailedPage(result.message),
      };
    }
    const { user, flow } = result;
    if (flow.cli) return cliGrantRedirect(user, flow.cli, party, clearFlow);
    const before = await cookieSession(ctx.req, parts);
    if (before) await endSession(parts.sessions, before.session, ctx.state.log);
    const { token, session } = await party.startSession(user, signInClient(ctx.req, parts.trustProxy), ctx.state.log);
    return {
      status: 303,
      headers: {
        Location: flow.returnTo ?? '../../login',
        'Set-Cookie': [cookies.session(token, session.expiresAt, session.createdAt), clearFlow],
      },
    };
  });
}
