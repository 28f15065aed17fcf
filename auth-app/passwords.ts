import { readFileSync } from 'node:fs';
import { hash, verify, type Algorithm } from '@node-rs/argon2';

/** Algorithm.Argon2id: a const enum, which isolatedModules cannot read. */
const argon2id: Algorithm = 2;

/** OWASP Password Storage Cheat Sheet minimum for Argon2id. */
export const argon2Parameters = { algorithm: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const passwordLength = { min: 8, max: 1024 } as const;

const commonPasswords = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim().toLowerCase())
    .filter(Boolean),
);

/** Returns why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < passwordLength.min) return `a password needs at least ${passwordLength.min} characters`;
  if (length > passwordLength.max) return `a password may have at most ${passwordLength.max} characters`;
  if (commonPasswords.has(password.toLowerCase())) return 'this password is among the most common ones';
  return undefined;
}

export const hashPassword = (password: string): Promise<string> => hash(password, argon2Parameters);

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

const currentParameters = `m=${argon2Parameters.memoryCost},t=${argon2Parameters.timeCost},p=${argon2Parameters.parallelism}`;

/** A PHC string made with other parameters (or another algorithm) is re-hashed at the next successful login. */
export const needsRehash = (storedHash: string): boolean =>
  !storedHash.startsWith('$argon2id$') || !storedHash.includes(`$${currentParameters}$`);

let dummyHash: Promise<string> | undefined;

/** Verifying against this when the user is unknown makes that answer take as long as a wrong password. */
export function timingDummyHash(): Promise<string> {
  dummyHash ??= hashPassword('timing-equaliser-for-unknown-users');
  return dummyHash;
}
