import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';

/** What a sign-in through the provider must find again at its callback, in this browser and no other. */
export interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  /** Where the browser goes once signed in: an allowed `rd`, or nowhere (the plain signed-in page). */
  returnTo: string | undefined;
}

/** Minutes a person has to sign in at the provider. */
export const flowMinutes = 10;

/**
 * Sealed (AES-256-GCM, so it is both secret and unforgeable) under a key derived from the client secret: every
 * replica has it, and a callback may come back to another one.
 */
const keyFrom = (clientSecret: string): Uint8Array =>
  new Uint8Array(hkdfSync('sha256', clientSecret, 'pod-logs', 'oidc flow cookie v1', 32));

export async function sealFlow(flow: Flow, clientSecret: string, now: number): Promise<string> {
  return new EncryptJWT({ ...flow })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(now / 1000) + flowMinutes * 60)
    .encrypt(keyFrom(clientSecret));
}

/** The flow, or undefined when the cookie is forged, altered, for another client secret, or expired. */
export async function openFlow(sealed: string, clientSecret: string, now: number): Promise<Flow | undefined> {
  try {
    const { payload } = await jwtDecrypt(sealed, keyFrom(clientSecret), { currentDate: new Date(now) });
    const { state, nonce, verifier, returnTo } = payload;
    if (typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string') return undefined;
    return { state, nonce, verifier, returnTo: typeof returnTo === 'string' ? returnTo : undefined };
  } catch {
    return undefined;
  }
}
