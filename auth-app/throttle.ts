import { addressKey } from './client-address.js';
import type { Clock } from './sessions.js';
import type { LoginFailure, Store } from './store/store.js';

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  /** Failures for one username from all addresses together (ASVS 4: at most 100 an hour an account). */
  accountMaxFailures: number;
  accountWindowMs: number;
}

export type Reservation =
  { reserved: true } | { reserved: false; retryAfterSeconds: number; scope: 'address' | 'account' };

/** The limits that refuse a username's attempts now. */
export interface LoginLimited {
  /** The addresses (an IPv6 one by its /64) past the limit of failures from one address. */
  addresses: string[];
  /** Past the account limit: only addresses the user holds a session from may still try. */
  account: boolean;
}

const secondsUntil = (at: number, now: number): number => Math.max(1, Math.ceil((at - now) / 1000));

function failuresPerAddress(failures: LoginFailure[]): Map<string, number> {
  const perAddress = new Map<string, number>();
  for (const { clientAddress } of failures) perAddress.set(clientAddress, (perAddress.get(clientAddress) ?? 0) + 1);
  return perAddress;
}

/** When the oldest failures have left the window far enough for the counted ones to fall under the limit. */
function accountUnblockedAt(failures: LoginFailure[], policy: ThrottlePolicy, addressShare: number): number {
  const perAddress = failuresPerAddress(failures);
  let counted = 0;
  for (const count of perAddress.values()) counted += Math.min(count, addressShare);
  if (counted < policy.accountMaxFailures) return 0;
  for (const { clientAddress, failedAt } of failures) {
    const count = perAddress.get(clientAddress) ?? 0;
    perAddress.set(clientAddress, count - 1);
    if (count <= addressShare) counted -= 1;
    if (counted < policy.accountMaxFailures) return failedAt + policy.accountWindowMs;
  }
  return 0;
}

/**
 * Login regulation per (username, client address; an IPv6 address by its /64): failures past the limit within the
 * window are refused, while the same user from another address is unaffected, so nobody can lock a victim out at
 * will. Past the account limit (an attack spread over many addresses), only addresses the user holds a session
 * from may still try, so the owner keeps logging in from where they already do. One address counts at most one
 * failure less than the account limit towards it, so no single address can bring it about.
 */
export class LoginThrottle {
  private readonly addressShare: number;

  constructor(
    private readonly store: Store,
    private readonly policy: ThrottlePolicy,
    private readonly now: Clock,
  ) {
    this.addressShare = policy.accountMaxFailures - 1;
  }

  /** Counts the attempt as a failure before the password is checked, or says which limit refuses it and for how long. */
  async reserve(usernameKey: string, clientAddress: string): Promise<Reservation> {
    const now = this.now();
    const { maxFailures, windowMs, accountMaxFailures, accountWindowMs } = this.policy;
    const address = addressKey(clientAddress);
    const known = await this.store.sessionAddresses(usernameKey);
    const limits = {
      maxFailures,
      since: now - windowMs,
      accountMaxFailures,
      accountSince: now - accountWindowMs,
      addressShare: this.addressShare,
      knownAddress: known.some((each) => addressKey(each) === address),
    };
    if (await this.store.reserveLoginAttempt(usernameKey, address, now, limits)) return { reserved: true };
    const failures = await this.store.loginFailures(usernameKey, address, limits.since);
    if (failures.length >= maxFailures) {
      const unblockedAt = (failures[failures.length - maxFailures] ?? now) + windowMs;
      return { reserved: false, retryAfterSeconds: secondsUntil(unblockedAt, now), scope: 'address' };
    }
    const accountFailures = await this.store.accountLoginFailures(usernameKey, limits.accountSince);
    const unblockedAt = accountUnblockedAt(accountFailures, this.policy, this.addressShare);
    return { reserved: false, retryAfterSeconds: secondsUntil(unblockedAt, now), scope: 'account' };
  }

  /** A successful login clears the failures of its username and address, its own reservation among them. */
  succeeded(usernameKey: string, clientAddress: string): Promise<void> {
    return this.store.clearLoginFailures(usernameKey, addressKey(clientAddress));
  }

  /** What reserve would refuse for the username now, from which addresses; undefined when nothing is refused. */
  async limited(usernameKey: string): Promise<LoginLimited | undefined> {
    const now = this.now();
    const { maxFailures, windowMs, accountWindowMs } = this.policy;
    const perAddress = failuresPerAddress(await this.store.accountLoginFailures(usernameKey, now - windowMs));
    const addresses = [...perAddress].filter(([, count]) => count >= maxFailures).map(([address]) => address);
    const accountFailures = await this.store.accountLoginFailures(usernameKey, now - accountWindowMs);
    const account = accountUnblockedAt(accountFailures, this.policy, this.addressShare) > 0;
    return addresses.length > 0 || account ? { addresses, account } : undefined;
  }

  purgeExpired(): Promise<number> {
    return this.store.purgeLoginFailures(this.now() - Math.max(this.policy.windowMs, this.policy.accountWindowMs));
  }
}
