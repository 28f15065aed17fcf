import type { Logger } from '../../common/logger.js';
import type { ClientInfo, Sessions } from '../sessions.js';
import type { SessionWithUser, Store, UserRecord } from '../store/store.js';
import type { Flow } from './flow-cookie.js';
import { providerUser } from './provider-users.js';
import { SignInFailed, type RelyingParty } from './relying-party.js';

export type ProviderOutcome =
  | { outcome: 'success'; user: UserRecord; flow: Flow }
  | { outcome: 'failed'; message: string }
  | { outcome: 'refused'; message: string };

export type ProviderSession = { token: string; session: SessionWithUser };

/**
 * A sign-in through the identity provider, from its callback to the user it vouched for: the same regulation of
 * who may come in as a password sign-in (a disabled user may not), and the same audit line, with the issuer.
 */
export class ProviderSignIn {
  constructor(
    readonly party: RelyingParty,
    private readonly store: Store,
    private readonly sessions: Sessions,
    readonly now: () => number,
  ) {}

  get name(): string {
    return this.party.config.name;
  }

  async complete(callbackUrl: URL, flowCookie: string | undefined, log: Logger): Promise<ProviderOutcome> {
    const issuer = this.party.config.issuer.href;
    try {
      const { vouched, flow } = await this.party.finish(callbackUrl, flowCookie, this.now());
      const found = await providerUser(this.store, this.party.config, vouched, this.now());
      if ('refused' in found) {
        log.info({ issuer, subject: vouched.subject, outcome: 'failure', reason: found.refused }, 'login attempt');
        return { outcome: 'refused', message: found.refused };
      }
      return { outcome: 'success', user: found.user, flow };
    } catch (error) {
      if (!(error instanceof SignInFailed)) throw error;
      log.info({ issuer, outcome: 'failure', reason: error.message }, 'login attempt');
      return { outcome: 'failed', message: error.message };
    }
  }

  /** Whether the user signs in through this provider (so signing out may be offered there too). */
  async vouchedFor(username: string): Promise<boolean> {
    return (await this.store.findUser(username))?.identity !== undefined;
  }

  /** The user a one-time code was made for, if it still may come in. */
  async knownUser(username: string, userId: unknown): Promise<UserRecord | undefined> {
    const user = await this.store.findUser(username);
    return user && user.id === userId && !user.disabled ? user : undefined;
  }

  /** An ordinary session for the user the provider vouched for, audited with the provider's issuer. */
  async startSession(user: UserRecord, client: ClientInfo, log: Logger): Promise<ProviderSession> {
    const { token, session, ended } = await this.sessions.start(user, client);
    log.info(
      {
        username: user.username,
        issuer: user.identity?.issuer,
        clientAddress: client.clientAddress,
        outcome: 'success',
        sessionId: session.id,
        ...(ended > 0 ? { sessionsEnded: ended } : {}),
      },
      'login attempt',
    );
    return { token, session };
  }
}
