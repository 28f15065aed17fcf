import type { AuthClient, Verdict } from './auth-client.js';
import type { FeedChange, FeedListener } from './change-feed.js';
import { verdictKey, type VerdictCache } from './verdict-cache.js';

/** Whose verdicts a change may have altered: one session's, one user's sessions', or anyone's. */
export type Affected = { sessionId: string } | { userId: string } | 'all';

/** What the verdicts need of the change feed. */
export interface FeedState {
  live(now?: number): boolean;
  /** How long a verdict may go unasked (auth-app's touch interval). */
  readonly touchIntervalMs: number;
}

export interface CheckedVerdict {
  verdict: Verdict;
  /** The generation it was asked or found at: a change applied since moves it. */
  generation: number;
}

/**
 * The session check's verdicts: auth-app's answers, kept while its change feed is live and forgotten by each change
 * that names their session or user, so a change applies within the feed's delivery time. While the feed is not
 * live every check asks auth-app, and nothing is kept: it fails towards asking, never towards allowing.
 *
 * A verdict is kept at most half auth-app's touch interval, and never past the session's absolute or idle expiry.
 * Its use then reaches auth-app at least that often, so a session in use through kept verdicts does not go idle
 * there, and one that stops being used is not kept alive: auth-app records a use at most once a touch interval, so
 * what it records lags the last real use by at most 1.5 touch intervals (asked every half interval, one ask just short
 * of an interval after the last recorded use is not recorded), which auth-app's cap of the touch interval at half the
 * idle timeout keeps inside it. An answer is kept only if no change was applied while it was asked for: it may
 * have been read before a change that has now been applied and would never be forgotten.
 */
export class Verdicts implements FeedListener {
  private changes = 0;
  private readonly watchers = new Set<(affected: Affected) => void>();

  constructor(
    private readonly client: AuthClient,
    private readonly cache: VerdictCache,
    private readonly feed: FeedState,
    private readonly now: () => number = Date.now,
  ) {}

  /** Moves with every change applied and every time everything is forgotten. */
  get generation(): number {
    return this.changes;
  }

  async check(token: string, permission: string | undefined): Promise<CheckedVerdict> {
    const asked = this.now();
    const generation = this.changes;
    const live = this.feed.live(asked);
    const key = live ? verdictKey(token, permission) : undefined;
    const kept = key === undefined ? undefined : this.cache.get(key, asked);
    if (kept) return { verdict: { kind: 'allowed', session: kept }, generation };
    const verdict = await this.client.validate(token, permission);
    if (verdict.kind === 'allowed' && generation === this.changes && this.feed.live()) {
      const { session } = verdict;
      const until = Math.min(
        asked + this.feed.touchIntervalMs / 2,
        Date.parse(session.expiresAt),
        Date.parse(session.idleExpiresAt),
      );
      if (until > this.now()) this.cache.set(key ?? verdictKey(token, permission), session, until);
    }
    return { verdict, generation };
  }

  /** Told of every change applied (after the verdicts it names are forgotten): followed logs ask again. */
  onChange(watcher: (affected: Affected) => void): void {
    this.watchers.add(watcher);
  }

  forgetAll(why: 'down' | 'reset'): void {
    this.changes += 1;
    this.cache.clear();
    if (why === 'reset') this.tell('all');
  }

  changed(change: FeedChange): void {
    this.changes += 1;
    if (change.sessionId !== undefined) {
      this.cache.forgetSession(change.sessionId);
      this.tell({ sessionId: change.sessionId });
    } else if (change.userId !== undefined) {
      this.cache.forgetUser(change.userId);
      this.tell({ userId: change.userId });
    } else if (change.kind === 'sessions-expired') {
      this.cache.forgetExpiring(Date.parse(change.at));
      this.tell('all');
    } else {
      this.cache.clear();
      this.tell('all');
    }
  }

  private tell(affected: Affected): void {
    for (const watcher of this.watchers) watcher(affected);
  }
}
