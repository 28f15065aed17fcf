import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';

/** What a sign-in through the provider must find again at its callback, in this browser and no other. */
export interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  /** Where the browser goes once signed in: an allowed `rd`, or nowhere (the plain signed-in page). */
  returnTo: string | undefined;
  /** A sign-in for the kubectl credential plugin: the session goes to it, not to a cookie. */
  cli?: CliRequest;
}

/** What the credential plugin asked with: its loopback address, its PKCE challenge and its state. */
export interface CliRequest {
  redirectUri: string;
  challenge: string;
  state: string;
}

/** Minutes a person has to sign in at the provider. */
export const flowMinutes = 10;

/**
 * Sealed (AES-256-GCM, so it is both secret and unforgeable) under a key derived from the client secret and what it
 * is for: every replica has it, and a callback may come back to another one.
 */
const keyFrom = (clientSecret: string, purpose: string): Uint8Array =>
  new Uint8Array(hkdfSync('sha256', clientSecret, 'pod-logs', purpose, 32));

export async function seal(
  payload: Record<string, unknown>,
  clientSecret: string,
  purpose: string,
  now: number,
  seconds: number,
): Promise<string> {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(now / 1000) + seconds)
    .encrypt(keyFrom(clientSecret, purpose));
}

/** What was sealed, or undefined when it is forged, altered, sealed for another purpose or secret, or expired. */
export async function unseal(
  sealed: string,
  clientSecret: string,
  purpose: string,
  now: number,
): Promise<Record<string, unknown> | undefined> {
  try {
    return (await jwtDecrypt(sealed, keyFrom(clientSecret, purpose), { currentDate: new Date(now) })).payload;
  } catch {
    return undefined;
  }
}

const flowPurpose = 'oidc flow cookie v1';

export const sealFlow = (flow: Flow, clientSecret: string, now: number): Promise<string> =>
  seal({ ...flow }, clientSecret, flowPurpose, now, flowMinutes * 60);

export async function openFlow(sealed: string, clientSecret: string, now: number): Promise<Flow | undefined> {
  const payload = (await unseal(sealed, clientSecret, flowPurpose, now)) as Partial<Flow> | undefined;
  if (!payload) return undefined;
  const { state, nonce, verifier, returnTo, cli } = payload;
  if (typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string') return undefined;
  return { state, nonce, verifier, returnTo: typeof returnTo === 'string' ? returnTo : undefined, cli };
}
