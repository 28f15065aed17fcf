import createClient from 'openapi-fetch';
import { Pool } from 'undici';
import type { components, paths } from '../generated/auth.js';
import { Batcher } from './batcher.js';
import { poolTransport } from './pool-transport.js';

export type ValidatedSession = components['schemas']['SessionInfo'];

export type Verdict =
  { kind: 'allowed'; session: ValidatedSession } | { kind: 'unauthenticated' } | { kind: 'forbidden' };

export class AuthUnavailableError extends Error {
  constructor(baseUrl: string, reason: string, options?: ErrorOptions) {
    super(`auth-app at ${baseUrl} is unavailable: ${reason}`, options);
    this.name = 'AuthUnavailableError';
  }
}

/** Why a call failed, down its causes: `connect ECONNREFUSED 127.0.0.1:8001`, not `Error`. */
function failureOf(error: unknown): string {
  const reasons: string[] = [];
  for (let each = error; each instanceof Error; each = each.cause) {
    if (!reasons.some((reason) => reason.includes(each.message))) reasons.push(each.message);
  }
  return reasons.join(': ') || 'the request failed';
}

export interface AuthClientOptions {
  baseUrl: string;
  timeoutMs: number;
  connections: number;
  /** auth-app's AUTH_SERVICE_TOKEN, sent as X-Service-Token. */
  serviceToken: string;
  /** Trusted for auth-app's certificate over HTTPS, besides the system's authorities. */
  ca?: string;
}

export interface AuthClient {
  /** Without a permission: is the token a live session at all? */
  validate(token: string, permission: string | undefined): Promise<Verdict>;
  ready(): Promise<void>;
  /** Closes the connections to auth-app once the calls under way have been answered. */
  close(): Promise<void>;
}

/** The bounds of `POST /auth/validate/batch` in openapi/auth.yaml: a check outside them would fail its whole call. */
export const batchBounds = { maxChecks: 32, maxTokenLength: 128 };

type Check = paths['/auth/validate/batch']['post']['requestBody']['content']['application/json']['checks'][number];

const verdictOf = (result: components['schemas']['Verdict']): Verdict =>
  result.verdict === 'allowed'
    ? { kind: 'allowed', session: result.session }
    : { kind: result.verdict === 'invalid_token' ? 'unauthenticated' : 'forbidden' };

/**
 * auth-app's `POST /auth/validate/batch` through the client generated from its spec, over a keep-alive pool whose
 * connect, headers and body timeouts bound every call. The checks asked for in one turn of the event loop share
 * one call; each is still decided by auth-app after its request arrived, so nothing is answered from an earlier
 * verdict.
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const pool = new Pool(options.baseUrl, {
    connections: options.connections,
    keepAliveTimeout: 30_000,
    connect: { timeout: options.timeoutMs, ...(options.ca ? { ca: options.ca } : {}) },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...poolTransport(pool, new URL(options.baseUrl).origin),
  });
  const headers = { 'x-service-token': options.serviceToken };
  async function validateAll(checks: Check[]): Promise<Verdict[]> {
    let result;
    try {
      result = await client.POST('/auth/validate/batch', { body: { checks }, headers });
    } catch (error) {
      throw new AuthUnavailableError(options.baseUrl, failureOf(error), { cause: error });
    }
    if (result.response.status === 401) {
      throw new AuthUnavailableError(
        options.baseUrl,
        'it refused the service token: LOGS_SERVICE_TOKEN must be its AUTH_SERVICE_TOKEN',
      );
    }
    if (!result.data) throw new AuthUnavailableError(options.baseUrl, `it answered ${result.response.status}`);
    if (!Array.isArray(result.data.results) || result.data.results.length !== checks.length) {
      throw new AuthUnavailableError(options.baseUrl, 'its answer does not match the checks sent');
    }
    return result.data.results.map(verdictOf);
  }
  const batches = new Batcher(batchBounds.maxChecks, validateAll);
  return {
    validate: async (token, permission) =>
      token.length > batchBounds.maxTokenLength ? { kind: 'unauthenticated' } : batches.add({ token, permission }),
    async ready() {
      try {
        const { response } = await client.GET('/readyz');
        if (response.ok) return;
        throw new AuthUnavailableError(options.baseUrl, `readyz answered ${response.status}`);
      } catch (error) {
        if (error instanceof AuthUnavailableError) throw error;
        throw new AuthUnavailableError(options.baseUrl, failureOf(error), { cause: error });
      }
    },
    close: () => pool.close(),
  };
}
