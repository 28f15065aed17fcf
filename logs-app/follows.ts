import type { ServerResponse } from 'node:http';
import { whenClosed } from '../common/closed.js';
import { Problem } from '../common/problem.js';
import type { Affected } from './verdicts.js';

export interface FollowPolicy {
  /** Followed logs this process serves at once. */
  maxFollows: number;
  /** Followed logs one session holds open at once. */
  maxFollowsPerSession: number;
  /** How often a session is asked again whether it still holds the permission, once for all its followed logs. */
  recheckMs: number;
}

/** Why a followed log ended before its client or its container did. */
export type SessionEnd = 'session-ended' | 'auth-unavailable';

export interface FollowRequest {
  res: ServerResponse;
  sessionId: string;
  userId: string;
  permission: string;
  stillAllowed: () => Promise<boolean>;
  /** A change was applied since the session was checked: ask again at once. */
  askNow: boolean;
}

type Follower = (end: SessionEnd) => void;

interface SessionRecheck {
  sessionId: string;
  userId: string;
  stillAllowed: () => Promise<boolean>;
  followers: Set<Follower>;
  checking: boolean;
  /** A change arrived while a check was under way, which may have read what it changed: check once more. */
  again: boolean;
}

/**
 * The followed logs under way: bounded per process and per session, each ended with its request whichever way
 * that ends (sent, client gone, service stopping, session over). A session's permission is asked again once an
 * interval for all the follows that share it, not once per follow, and every session on the same tick: the checks
 * leave in one turn, so auth-app gets them in as few batched calls as the batch bound allows (a timer per session,
 * started as its follow began, sent 1,000 sessions' checks in about 7 a call). A session is asked at once, too, when a change names its
 * session or its user (or may concern anyone's): a follow that is still allowed goes on.
 */
export class Follows {
  /** How each follow under way is ended; the service stopping ends them all. */
  private readonly ending = new Set<() => void>();
  private readonly bySession = new Map<string, number>();
  private readonly rechecks = new Map<string, SessionRecheck>();
  private recheckTimer: NodeJS.Timeout | undefined;
  /** The rechecks of each session and each user's sessions, for the changes that name them. */
  private readonly ofSession = new Map<string, Set<SessionRecheck>>();
  private readonly ofUser = new Map<string, Set<SessionRecheck>>();

  constructor(
    private readonly policy: FollowPolicy,
    private readonly stopping: AbortSignal,
  ) {
    stopping.addEventListener('abort', () => this.ending.forEach((finish) => finish()), { once: true });
  }

  /** Admits a followed log (429 past the session's share, 503 past the process's); the signal aborts when it must end. */
  begin(request: FollowRequest, onSessionEnd: Follower): AbortSignal {
    const held = this.bySession.get(request.sessionId) ?? 0;
    if (this.ending.size >= this.policy.maxFollows) {
      throw new Problem('unavailable', {
        detail: `logs-app is following as many logs as it may (${this.policy.maxFollows}); try again shortly`,
        headers: { 'Retry-After': '5' },
      });
    }
    if (held >= this.policy.maxFollowsPerSession) {
      throw new Problem('tooManyFollows', {
        detail: `A session may follow at most ${this.policy.maxFollowsPerSession} logs at once; end one first`,
      });
    }
    this.bySession.set(request.sessionId, held + 1);
    const ended = new AbortController();
    const key = `${request.sessionId}\n${request.permission}`;
    const finish = () => {
      if (ended.signal.aborted) return;
      ended.abort();
      this.ending.delete(finish);
      const left = (this.bySession.get(request.sessionId) ?? 1) - 1;
      if (left > 0) this.bySession.set(request.sessionId, left);
      else this.bySession.delete(request.sessionId);
      this.unsubscribe(key, sessionEnded);
    };
    const sessionEnded: Follower = (end) => {
      onSessionEnd(end);
      finish();
    };
    this.ending.add(finish);
    const recheck = this.subscribe(key, request, sessionEnded);
    if (this.stopping.aborted) finish();
    else if (request.askNow) void this.recheck(recheck);
    whenClosed(request.res, finish);
    return ended.signal;
  }

  /** The follows a change may concern are asked about again now. */
  sessionsChanged(affected: Affected): void {
    const concerned =
      affected === 'all'
        ? this.rechecks.values()
        : 'sessionId' in affected
          ? (this.ofSession.get(affected.sessionId) ?? [])
          : (this.ofUser.get(affected.userId) ?? []);
    for (const recheck of [...concerned]) void this.recheck(recheck);
  }

  private subscribe(key: string, request: FollowRequest, follower: Follower): SessionRecheck {
    let recheck = this.rechecks.get(key);
    if (!recheck) {
      const created: SessionRecheck = {
        sessionId: request.sessionId,
        userId: request.userId,
        stillAllowed: request.stillAllowed,
        followers: new Set(),
        checking: false,
        again: false,
      };
      recheck = created;
      this.rechecks.set(key, created);
      indexed(this.ofSession, created.sessionId).add(created);
      indexed(this.ofUser, created.userId).add(created);
    }
    recheck.followers.add(follower);
    this.recheckTimer ??= setInterval(() => {
      for (const each of this.rechecks.values()) void this.recheck(each);
    }, this.policy.recheckMs).unref();
    return recheck;
  }

  private unsubscribe(key: string, follower: Follower): void {
    const recheck = this.rechecks.get(key);
    if (!recheck?.followers.delete(follower) || recheck.followers.size > 0) return;
    this.rechecks.delete(key);
    unindexed(this.ofSession, recheck.sessionId, recheck);
    unindexed(this.ofUser, recheck.userId, recheck);
    if (this.rechecks.size > 0) return;
    clearInterval(this.recheckTimer);
    this.recheckTimer = undefined;
  }

  /** Fails closed: when auth-app cannot answer, the follows end too. */
  private async recheck(recheck: SessionRecheck): Promise<void> {
    if (recheck.checking) {
      recheck.again = true;
      return;
    }
    recheck.checking = true;
    const end = await recheck.stillAllowed().then(
      (allowed): SessionEnd | undefined => (allowed ? undefined : 'session-ended'),
      (): SessionEnd => 'auth-unavailable',
    );
    recheck.checking = false;
    if (end) for (const follower of [...recheck.followers]) follower(end);
    else if (recheck.again) {
      recheck.again = false;
      void this.recheck(recheck);
    }
  }
}

function indexed(map: Map<string, Set<SessionRecheck>>, id: string): Set<SessionRecheck> {
  let rechecks = map.get(id);
  if (!rechecks) map.set(id, (rechecks = new Set()));
  return rechecks;
}

function unindexed(map: Map<string, Set<SessionRecheck>>, id: string, recheck: SessionRecheck): void {
  const rechecks = map.get(id);
  if (!rechecks?.delete(recheck) || rechecks.size > 0) return;
  map.delete(id);
}
