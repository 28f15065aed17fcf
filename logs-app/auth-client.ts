import createClient from 'openapi-fetch';
import { Pool } from 'undici';
import type { components, paths } from '../generated/auth.js';
import { poolTransport } from './pool-transport.js';

export type ValidatedSession = components['schemas']['SessionInfo'];

export type Verdict =
  { kind: 'allowed'; session: ValidatedSession } | { kind: 'unauthenticated' } | { kind: 'forbidden' };

export class AuthUnavailableError extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(`auth-app is unavailable: ${reason}`, options);
    this.name = 'AuthUnavailableError';
  }
}

export interface AuthClientOptions {
  baseUrl: string;
  timeoutMs: number;
  connections: number;
}

export interface AuthClient {
  validate(token: string, permission: string): Promise<Verdict>;
  ready(): Promise<void>;
}

/**
 * auth-app's `POST /auth/validate` through the client generated from its spec, over a keep-alive pool whose
 * connect, headers and body timeouts bound every call.
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const pool = new Pool(options.baseUrl, {
    connections: options.connections,
    keepAliveTimeout: 30_000,
    connect: { timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...poolTransport(pool, new URL(options.baseUrl).origin),
  });
  return {
    async validate(token, permission) {
      let result;
      try {
        result = await client.POST('/auth/validate', {
          headers: { authorization: `Bearer ${token}` },
          body: { permission },
        });
      } catch (error) {
        throw new AuthUnavailableError(error instanceof Error ? error.name : 'request failed', { cause: error });
      }
      if (result.data) return { kind: 'allowed', session: result.data };
      if (result.response.status === 401) return { kind: 'unauthenticated' };
      if (result.response.status === 403) return { kind: 'forbidden' };
      throw new AuthUnavailableError(`it answered ${result.response.status}`);
    },
    async ready() {
      try {
        const { response } = await client.GET('/readyz');
        if (response.ok) return;
        throw new AuthUnavailableError(`readyz answered ${response.status}`);
      } catch (error) {
        if (error instanceof AuthUnavailableError) throw error;
        throw new AuthUnavailableError('unreachable', { cause: error });
      }
    },
  };
}
