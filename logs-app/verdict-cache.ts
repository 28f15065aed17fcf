import { hash } from 'node:crypto';
import type { ValidatedSession } from './auth-client.js';

interface Cached {
  session: ValidatedSession;
  until: number;
}

/** Where a verdict is kept: a hash of token and permission, so the token itself is never kept. */
export const verdictKey = (token: string, permission: string | undefined): string =>
  hash('sha256', `${token}\n${permission ?? ''}`, 'base64');

/**
 * auth-app's allowing verdicts, bounded in size (the oldest goes first), each until its own `until`, and found by
 * the session and the user they belong to, so a change to either forgets them. Whether they may be trusted at all
 * is the change feed's to say (see Verdicts).
 */
export class VerdictCache {
  private readonly entries = new Map<string, Cached>();
  private readonly bySession = new Map<string, Set<string>>();
  private readonly byUser = new Map<string, Set<string>>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): ValidatedSession | undefined {
    const cached = this.entries.get(key);
    if (!cached) return undefined;
    if (cached.until > now) return cached.session;
    this.forget(key);
    return undefined;
  }

  set(key: string, session: ValidatedSession, until: number): void {
    if (this.maxEntries === 0) return;
    this.forget(key);
    if (this.entries.size >= this.maxEntries) this.forget(this.entries.keys().next().value!);
    this.entries.set(key, { session, until });
    index(this.bySession, session.sessionId, key);
    index(this.byUser, session.userId, key);
  }

  forgetSession(sessionId: string): void {
    for (const key of this.bySession.get(sessionId) ?? []) this.forget(key);
  }

  forgetUser(userId: string): void {
    for (const key of this.byUser.get(userId) ?? []) this.forget(key);
  }

  /** Every verdict of a session that expires (absolutely or idle, as auth-app last said) by `by`. */
  forgetExpiring(by: number): void {
    for (const [key, { session }] of this.entries) {
      if (Math.min(Date.parse(session.expiresAt), Date.parse(session.idleExpiresAt)) <= by) this.forget(key);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bySession.clear();
    this.byUser.clear();
  }

  private forget(key: string): void {
    const cached = this.entries.get(key);
    if (!cached) return;
    this.entries.delete(key);
    unindex(this.bySession, cached.session.sessionId, key);
    unindex(this.byUser, cached.session.userId, key);
  }
}

function index(map: Map<string, Set<string>>, id: string, key: string): void {
  let keys = map.get(id);
  if (!keys) map.set(id, (keys = new Set()));
  keys.add(key);
}

function unindex(map: Map<string, Set<string>>, id: string, key: string): void {
  const keys = map.get(id);
  if (!keys?.delete(key) || keys.size > 0) return;
  map.delete(id);
}
