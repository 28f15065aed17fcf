import { hash } from 'node:crypto';
import type { ValidatedSession } from './auth-client.js';

interface Cached {
  session: ValidatedSession;
  until: number;
}

/**
 * Positive answers of auth-app, keyed by a hash of token and permission (the token itself is never kept),
 * bounded in size, and never kept past the session's own absolute or idle expiry. A revoked session stays
 * usable here for at most the TTL: that is the revocation lag an operator accepts by turning it on.
 */
export class ValidationCache {
  private readonly entries = new Map<string, Cached>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get(token: string, permission: string | undefined): ValidatedSession | undefined {
    const key = keyOf(token, permission);
    const cached = this.entries.get(key);
    if (!cached) return undefined;
    if (cached.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return cached.session;
  }

  set(token: string, permission: string | undefined, session: ValidatedSession): void {
    const until = Math.min(this.now() + this.ttlMs, Date.parse(session.expiresAt), Date.parse(session.idleExpiresAt));
    if (until <= this.now()) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(keyOf(token, permission), { session, until });
  }
}

const keyOf = (token: string, permission: string | undefined): string =>
  hash('sha256', `${token}\n${permission ?? ''}`, 'base64');
