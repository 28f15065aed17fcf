import { randomUUID } from 'node:crypto';
import { Problem } from '../../common/problem.js';
import { flowMinutes, seal, type CliRequest } from '../oidc/flow-cookie.js';
import type { ProviderSignIn } from '../oidc/provider-sign-in.js';
import type { UserRecord } from '../store/store.js';
import type { PageParts } from './browser-session.js';

export const cliCodePurpose = 'oidc cli code v1';
const codeSeconds = 60;

export function availableProvider(provider: ProviderSignIn | undefined): ProviderSignIn {
  if (!provider) {
    throw new Problem('notFound', { detail: 'Sign-in through an identity provider is not set up here' });
  }
  if (!provider.party.available) {
    throw new Problem('unavailable', {
      detail: `${provider.name} cannot be reached just now; try again shortly`,
      headers: { 'Retry-After': '5' },
    });
  }
  return provider;
}

/** To the provider, with the sealed cookie its callback must find; `cli` when the credential plugin asked. */
export async function toProvider(provider: ProviderSignIn, parts: PageParts, rd: string | undefined, cli?: CliRequest) {
  const returnTo = parts.site.redirectTarget(rd);
  const { authorizationUrl, flowCookie } = await provider.party.begin(returnTo, provider.now(), cli);
  return {
    status: 303 as const,
    headers: { Location: authorizationUrl.href, 'Set-Cookie': parts.cookies.flow(flowCookie, flowMinutes * 60) },
  };
}

/** After the provider's callback, to the plugin's loopback address with a one-time code instead of a cookie. */
export async function cliGrantRedirect(user: UserRecord, cli: CliRequest, provider: ProviderSignIn, clearFlow: string) {
  const code = await seal(
    { username: user.username, userId: user.id, challenge: cli.challenge, id: randomUUID() },
    provider.party.config.clientSecret,
    cliCodePurpose,
    provider.now(),
    codeSeconds,
  );
  const location = new URL(cli.redirectUri);
  location.search = new URLSearchParams({ code, state: cli.state }).toString();
  return { status: 303 as const, headers: { Location: location.href, 'Set-Cookie': clearFlow } };
}
