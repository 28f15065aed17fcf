import type { IncomingMessage } from 'node:http';

/** The RFC 6750 section 3 challenge; `error` is added once credentials were sent and found wanting. */
export const bearerChallenge = (realm: string, error?: string): string =>
  error ? `Bearer realm="${realm}", error="${error}"` : `Bearer realm="${realm}"`;

const bearerCredentials = /^\s*bearer\s+(\S+)\s*$/i;
const bearerScheme = /^\s*bearer(\s|$)/i;

/** Node keeps the first of repeated Authorization headers and drops the rest; a proxy may have read another one. */
function repeatsAuthorization(rawHeaders: readonly string[]): boolean {
  let seen = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') seen += 1;
  }
  return seen > 1;
}

/**
 * The token of an `Authorization: Bearer <token>` header; `malformed` when the scheme is Bearer but what follows
 * is not one token, or the header is sent twice (RFC 6750's invalid_token), `missing` when no Bearer credentials
 * were sent at all.
 */
export function bearerToken(request: IncomingMessage): { token: string } | { problem: 'missing' | 'malformed' } {
  const header = request.headers.authorization ?? '';
  if (header !== '' && repeatsAuthorization(request.rawHeaders)) return { problem: 'malformed' };
  const token = bearerCredentials.exec(header)?.[1];
  if (token) return { token };
  return { problem: bearerScheme.test(header) ? 'malformed' : 'missing' };
}
