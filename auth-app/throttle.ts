import type { Clock } from './sessions.js';
import type { Store } from './store/store.js';

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
}

/**
 * Login regulation per (username, client address): failures past the limit within the window are refused,
 * while the same user from another address is unaffected, so nobody can lock a victim out at will.
 */
export class LoginThrottle {
  constructor(
    private readonly store: Store,
    private readonly policy: ThrottlePolicy,
    private readonly now: Clock,
  ) {}

  /** Seconds until the next attempt is allowed, or 0 when one is allowed now. */
  async retryAfter(usernameKey: string, clientAddress: string): Promise<number> {
    const now = this.now();
    const failures = await this.store.loginFailures(usernameKey, clientAddress, now - this.policy.windowMs);
    if (failures.length < this.policy.maxFailures) return 0;
    const unblockedAt = (failures[failures.length - this.policy.maxFailures] ?? now) + this.policy.windowMs;
    return Math.max(1, Math.ceil((unblockedAt - now) / 1000));
  }

  failed(usernameKey: string, clientAddress: string): Promise<void> {
    return this.store.recordLoginFailure(usernameKey, clientAddress, this.now());
  }

  succeeded(usernameKey: string, clientAddress: string): Promise<void> {
    return this.store.clearLoginFailures(usernameKey, clientAddress);
  }

  purgeExpired(): Promise<number> {
    return this.store.purgeLoginFailures(this.now() - this.policy.windowMs);
  }
}
