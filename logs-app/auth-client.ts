import createClient from 'openapi-fetch';
import { Pool } from 'undici';
import type { components, paths } from '../generated/auth.js';

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
 * The transport under the generated client: an undici keep-alive Pool, whose connect, headers and body timeouts
 * bound every call. Node 20's global fetch costs several times more per call, and validation is on every
 * request's path.
 */
function poolFetch(pool: Pool, origin: string) {
  return async function fetchOverPool(request: Request): Promise<Response> {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const answer = await pool.request({
      path: request.url.slice(origin.length),
      method: request.method as 'GET' | 'POST',
      headers,
      body: request.body ? await request.text() : undefined,
    });
    const status = answer.statusCode;
    const body = status === 204 ? (await answer.body.dump(), null) : await answer.body.text();
    const contentType = answer.headers['content-type'];
    return new Response(body, {
      status,
      headers: typeof contentType === 'string' ? { 'content-type': contentType } : {},
    });
  };
}

/** auth-app's `POST /auth/validate` through the client generated from its spec, over a keep-alive pool. */
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
    fetch: poolFetch(pool, new URL(options.baseUrl).origin),
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
