import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

export interface TestAccount {
  username: string;
  email?: string;
  groups: string[];
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
}

/** A real OpenID Connect provider (panva's oidc-provider) on loopback, with accounts and groups a test sets. */
export interface TestProvider {
  issuer: string;
  /** Accounts by subject; change them between sign-ins (a group removed, say). */
  accounts: Map<string, TestAccount>;
  /** New signing keys under new key ids: tokens signed before no longer match the published set. */
  rotateKeys(): Promise<void>;
  /** Down and up on the same port, as a provider that restarts. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function signingKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

function configuration(client: TestClient, accounts: Map<string, TestAccount>, keys: JWK[]): Configuration {
  return {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: client.redirectUris,
        post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['openid', 'profile', 'email', 'groups'],
    claims: { profile: ['preferred_username', 'name'], email: ['email'], groups: ['groups'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    // The ID token carries the claims, as providers configured for a relying party like this one do.
    conformIdTokenClaims: false,
    findAccount: (_ctx, subject) => {
      const account = accounts.get(subject);
      if (!account) return undefined;
      return {
        accountId: subject,
        claims: () => ({
          sub: subject,
          preferred_username: account.username,
          name: account.username,
          email: account.email ?? `${account.username}@example.test`,
          groups: account.groups,
        }),
      };
    },
  };
}

export async function startProvider(client: TestClient, accounts: Map<string, TestAccount>): Promise<TestProvider> {
  let server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  let keys = [await signingKey()];
  const serve = (target: Server) => {
    const provider = new Provider(issuer, configuration(client, accounts, keys));
    target.removeAllListeners('request');
    target.on('request', provider.callback());
  };
  serve(server);
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    issuer,
    accounts,
    rotateKeys: async () => {
      keys = [await signingKey()];
      serve(server);
    },
    stop,
    start: async () => {
      server = createServer();
      serve(server);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
  };
}
