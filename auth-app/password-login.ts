import type { Logger } from '../common/logger.js';
import { hashPassword, needsRehash, timingDummyHash, verifyPassword } from './passwords.js';
import type { ClientInfo, Sessions } from './sessions.js';
import { usernameKey } from './store/sql-store.js';
import type { SessionWithUser, Store, UserRecord } from './store/store.js';
import type { LoginThrottle } from './throttle.js';

export type LoginOutcome =
  | { outcome: 'success'; token: string; session: SessionWithUser }
  | { outcome: 'invalid' }
  | { outcome: 'throttled'; retryAfterSeconds: number };

function failureReason(user: UserRecord | undefined): string {
  if (!user) return 'unknown-user';
  if (user.disabled) return 'disabled';
  return user.passwordHash === undefined ? 'no-local-password' : 'wrong-password';
}

/**
 * Unknown user, a user of the identity provider (no local password), wrong password and disabled user take the same path through Argon2id and give the same answer. The
 * attempt is counted as a failure before Argon2id runs, and that count stands unless the password is right.
 */
export class PasswordLogin {
  constructor(
    private readonly store: Store,
    private readonly sessions: Sessions,
    private readonly throttle: LoginThrottle,
  ) {}

  async attempt(username: string, password: string, client: ClientInfo, log: Logger): Promise<LoginOutcome> {
    const key = usernameKey(username);
    const reservation = await this.throttle.reserve(key, client.clientAddress);
    if (!reservation.reserved) {
      log.warn(
        { username: key, clientAddress: client.clientAddress, outcome: 'throttled', scope: reservation.scope },
        'login attempt',
      );
      return { outcome: 'throttled', retryAfterSeconds: reservation.retryAfterSeconds };
    }
    const user = await this.store.findUser(username);
    const passwordHash = user?.passwordHash;
    const passwordMatches = await verifyPassword(passwordHash ?? (await timingDummyHash()), password);
    if (!user || passwordHash === undefined || !passwordMatches || user.disabled) {
      const reason = failureReason(user);
      log.info({ username: key, clientAddress: client.clientAddress, outcome: 'failure', reason }, 'login attempt');
      return { outcome: 'invalid' };
    }
    await this.throttle.succeeded(key, client.clientAddress);
    if (needsRehash(passwordHash)) {
      await this.store.setPasswordHash(user.id, await hashPassword(password), { endSessions: false });
    }
    const { token, session, ended } = await this.sessions.start(user, client);
    const oldest = ended > 0 ? { sessionsEnded: ended } : {};
    log.info(
      { username: key, clientAddress: client.clientAddress, outcome: 'success', sessionId: session.id, ...oldest },
      'login attempt',
    );
    return { outcome: 'success', token, session };
  }
}
