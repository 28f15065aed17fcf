import type { Clock } from './sessions.js';
import type { Store } from './store/store.js';

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  /** Failures for one username from all addresses together (ASVS 4: at most 100 an hour an account). */
  accountMaxFailures: number;
  accountWindowMs: number;
}

const secondsUntil = (at: number, now: number): number => Math.max(1, Math.ceil((at - now) / 1000));

/**
 * Login regulation per (username, client address): failures past the limit within the window are refused,
 * while the same user from another address is unaffected, so nobody can lock a victim out at will. Past the
 * account limit (an attack spread over many addresses), only addresses the user holds a session from may
 * still try, so the owner keeps logging in from where they already do.
 */
export class LoginThrottle {
  constructor(
    private readonly store: Store,
    private readonly policy: ThrottlePolicy,
    private readonly now: Clock,
  ) {}

  /** Seconds until the next attempt is allowed (0: allowed now), and which limit refused it. */
  async retryAfter(
    usernameKey: string,
    clientAddress: string,
  ): Promise<{ seconds: number; scope?: 'address' | 'account' }> {
    const now = this.now();
    const { maxFailures, windowMs, accountMaxFailures, accountWindowMs } = this.policy;
    const failures = await this.store.loginFailures(usernameKey, clientAddress, now - windowMs);
    if (failures.length >= maxFailures) {
      const unblockedAt = (failures[failures.length - maxFailures] ?? now) + windowMs;
      return { seconds: secondsUntil(unblockedAt, now), scope: 'address' };
    }
    const accountFailures = await this.store.accountLoginFailures(
      usernameKey,
      now - accountWindowMs,
      accountMaxFailures,
    );
    if (accountFailures.length < accountMaxFailures) return { seconds: 0 };
    if (await this.store.holdsSessionFrom(usernameKey, clientAddress)) return { seconds: 0 };
    const unblockedAt = (accountFailures[accountMaxFailures - 1] ?? now) + accountWindowMs;
    return { seconds: secondsUntil(unblockedAt, now), scope: 'account' };
  }

  failed(usernameKey: string, clientAddress: string): Promise<void> {
    return this.store.recordLoginFailure(usernameKey, clientAddress, this.now());
  }

  succeeded(usernameKey: string, clientAddress: string): Promise<void> {
    return this.store.clearLoginFailures(usernameKey, clientAddress);
  }

  purgeExpired(): Promise<number> {
    return this.store.purgeLoginFailures(this.now() - Math.max(this.policy.windowMs, this.policy.accountWindowMs));
  }
}
