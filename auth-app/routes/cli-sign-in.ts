import { calculatePKCECodeChallenge } from 'openid-client';
import { Problem } from '../../common/problem.js';
import type { Routes } from '../../common/routes.js';
import type { operations } from '../../generated/auth.js';
import type { AuthConfig } from '../config.js';
import { signInClient } from '../client-address.js';
import { unseal } from '../oidc/flow-cookie.js';
import type { ProviderSignIn } from '../oidc/provider-sign-in.js';
import type { PageParts } from './browser-session.js';
import { availableProvider, cliCodePurpose, toProvider } from './provider-steps.js';
import { sessionInfo } from './views.js';

/** Codes redeemed here, until they expire: a code is good once (a replica's own; the verifier guards the rest). */
const redeemed = new Map<string, number>();

function firstUse(id: string, expiresAt: number, now: number): boolean {
  for (const [each, until] of redeemed) if (until <= now) redeemed.delete(each);
  if (redeemed.has(id)) return false;
  redeemed.set(id, expiresAt);
  return true;
}

const invalidGrant = () =>
  new Problem('invalidGrant', { detail: 'The code is unknown, used, expired or not for this verifier' });

/** GET /auth/oidc/cli, which the credential plugin opens in the browser, and POST /auth/oidc/token, its trade. */
export function addCliSignInRoutes(
  routes: Routes<operations>,
  parts: PageParts,
  provider: ProviderSignIn | undefined,
  config: Pick<AuthConfig, 'session'>,
): void {
  routes.operation('startCliSignIn', (_ctx, { query }) =>
    toProvider(availableProvider(provider), parts, undefined, {
      redirectUri: query.redirect_uri,
      challenge: query.code_challenge,
      state: query.state,
    }),
  );
  routes.operation('redeemCliCode', async (ctx, { body }) => {
    if (!provider) throw new Problem('notFound', { detail: 'Sign-in through an identity provider is not set up here' });
    const now = provider.now();
    const grant = await unseal(body.code, provider.party.config.clientSecret, cliCodePurpose, now);
    const { username, userId, challenge, id, exp } = grant ?? {};
    if (typeof username !== 'string' || typeof id !== 'string' || typeof exp !== 'number') throw invalidGrant();
    if ((await calculatePKCECodeChallenge(body.codeVerifier)) !== challenge) throw invalidGrant();
    if (!firstUse(id, exp * 1000, now)) throw invalidGrant();
    const user = await provider.knownUser(username, userId);
    if (!user) throw invalidGrant();
    const client = signInClient(ctx.req, parts.trustProxy);
    const { token, session } = await provider.startSession(user, client, ctx.state.log);
    const info = sessionInfo(session, config.session);
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store' },
      body: { token, tokenType: 'Bearer', expiresAt: info.expiresAt, session: info },
    };
  });
}
