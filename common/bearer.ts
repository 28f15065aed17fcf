/** The RFC 6750 section 3 challenge; `error` is added once credentials were sent and found wanting. */
export const bearerChallenge = (realm: string, error?: string): string =>
  error ? `Bearer realm="${realm}", error="${error}"` : `Bearer realm="${realm}"`;

const bearerCredentials = /^\s*bearer\s+(\S+)\s*$/i;
const bearerScheme = /^\s*bearer(\s|$)/i;

/**
 * The token of an `Authorization: Bearer <token>` header; `malformed` when the scheme is Bearer but what follows
 * is not one token (RFC 6750's invalid_token), `missing` when no Bearer credentials were sent at all.
 */
export function bearerToken(header: string): { token: string } | { problem: 'missing' | 'malformed' } {
  const token = bearerCredentials.exec(header)?.[1];
  if (token) return { token };
  return { problem: bearerScheme.test(header) ? 'malformed' : 'missing' };
}
