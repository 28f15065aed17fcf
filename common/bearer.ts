/** The RFC 6750 section 3 challenge; `error` is added once credentials were sent and found wanting. */
export const bearerChallenge = (realm: string, error?: string): string =>
  error ? `Bearer realm="${realm}", error="${error}"` : `Bearer realm="${realm}"`;
