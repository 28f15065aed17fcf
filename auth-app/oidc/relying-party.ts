import * as client from 'openid-client';
import { invalid } from '../../common/config.js';
import type { Logger } from '../../common/logger.js';
import type { OidcConfig } from './config.js';
import { openFlow, sealFlow, type CliRequest, type Flow } from './flow-cookie.js';

/** What the provider vouched for, once its answer passed every check. */
export interface ProviderClaims {
  issuer: string;
  subject: string;
  claims: Readonly<Record<string, unknown>>;
}

/** Why a callback made no session, in words for the page (never a token, never a stack). */
export class SignInFailed extends Error {}

const retryMs = { first: 2000, most: 60_000 };

/** A provider that answers but whose answer cannot be this configuration: retrying would not help. */
function isMisconfiguration(error: unknown): boolean {
  if (error instanceof client.ResponseBodyError) return false;
  const code = (error as { code?: string }).code;
  return code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' || code === 'OAUTH_RESPONSE_IS_NOT_CONFORM';
}

/**
 * auth-app as an OpenID Connect relying party, with openid-client doing the protocol: authorization code with PKCE
 * (S256), `state` and `nonce` carried in a sealed cookie bound to the browser, the ID token checked (issuer,
 * audience, expiry, nonce, signature). A provider down at start is asked again in the background meanwhile.
 */
export class RelyingParty {
  private metadata: client.ServerMetadata | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    readonly config: OidcConfig,
    /** `<AUTH_PUBLIC_URL>/auth/oidc/callback`, known once auth-app listens. */
    private readonly redirectUri: () => string,
    private readonly logger: Logger,
    /** Told the origin of the provider's authorization endpoint, where the sign-in page's button leads. */
    private readonly onDiscovered: (authorizationOrigin: string) => void,
  ) {}

  /** Refuses (ConfigError, exit 2) a provider that answers discovery with something unusable. */
  static async start(
    config: OidcConfig,
    redirectUri: () => string,
    logger: Logger,
    onDiscovered: (authorizationOrigin: string) => void,
  ): Promise<RelyingParty> {
    const party = new RelyingParty(config, redirectUri, logger, onDiscovered);
    await party.discover(retryMs.first);
    return party;
  }

  get available(): boolean {
    return this.metadata !== undefined;
  }

  stop(): void {
    clearTimeout(this.retry);
  }

  private async discover(nextMs: number): Promise<void> {
    try {
      const insecure = this.config.issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {};
      const found = await client.discovery(this.config.issuer, this.config.clientId, undefined, undefined, {
        ...insecure,
        timeout: 5,
      });
      this.metadata = found.serverMetadata();
      if (this.metadata.authorization_endpoint) {
        this.onDiscovered(new URL(this.metadata.authorization_endpoint).origin);
      }
      this.logger.info({ issuer: this.config.issuer.href }, 'identity provider discovered');
    } catch (error) {
      if (isMisconfiguration(error)) {
        throw invalid('AUTH_OIDC_ISSUER', `${this.config.issuer.href} answers discovery wrongly: ${describe(error)}`);
      }
      this.logger.warn(
        { issuer: this.config.issuer.href, reason: describe(error), retryInMs: nextMs },
        'identity provider unreachable; its sign-in is unavailable until it answers',
      );
      this.retry = setTimeout(() => void this.discover(Math.min(nextMs * 2, retryMs.most)).catch(() => {}), nextMs);
      this.retry.unref();
    }
  }

  /**
   * A fresh configuration per use: openid-client keeps a provider's keys per configuration and fetches them again
   * on an unknown key only after a minute, so a sign-in right after the provider rotated its keys would fail.
   */
  private configuration(): client.Configuration {
    if (!this.metadata) throw new SignInFailed(`${this.config.name} cannot be reached just now; try again shortly`);
    const configuration = new client.Configuration(this.metadata, this.config.clientId, this.config.clientSecret);
    if (this.config.issuer.protocol === 'http:') client.allowInsecureRequests(configuration);
    return configuration;
  }

  /** Where to send the browser, and the sealed cookie that must come back with it. */
  async begin(
    returnTo: Flow['returnTo'],
    now: number,
    cli?: CliRequest,
  ): Promise<{ authorizationUrl: URL; flowCookie: string }> {
    const configuration = this.configuration();
    const flow: Flow = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      returnTo,
      ...(cli ? { cli } : {}),
    };
    const authorizationUrl = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(),
      scope: this.config.scopes.join(' '),
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    return { authorizationUrl, flowCookie: await sealFlow(flow, this.config.clientSecret, now) };
  }

  /** The provider's answer at the callback, checked; throws SignInFailed saying why it makes no session. */
  async finish(
    callbackUrl: URL,
    flowCookie: string | undefined,
    now: number,
  ): Promise<{ vouched: ProviderClaims; flow: Flow }> {
    const flow = flowCookie === undefined ? undefined : await openFlow(flowCookie, this.config.clientSecret, now);
    if (!flow || flow.state !== callbackUrl.searchParams.get('state')) {
      throw new SignInFailed('This sign-in was not started in this browser, was already used, or took too long');
    }
    const configuration = this.configuration();
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new SignInFailed(`${this.config.name} sent no ID token`);
      return { vouched: { issuer: claims.iss, subject: claims.sub, claims }, flow };
    } catch (error) {
      if (error instanceof SignInFailed) throw error;
      throw new SignInFailed(failureText(this.config.name, error));
    }
  }

  /** RP-initiated logout at the provider, where it offers one. */
  endSessionUrl(postLogoutRedirectUri: string): URL | undefined {
    if (!this.metadata?.end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(this.configuration(), {
      client_id: this.config.clientId,
      post_logout_redirect_uri: postLogoutRedirectUri,
    });
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function failureText(name: string, error: unknown): string {
  if (error instanceof client.AuthorizationResponseError) {
    return `${name} did not sign you in: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  }
  if (error instanceof client.ResponseBodyError) {
    return `${name} refused to complete the sign-in: ${error.error}`;
  }
  return `${name}'s answer failed verification (${describe(error)}); no session was made`;
}
