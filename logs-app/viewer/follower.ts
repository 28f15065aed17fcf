import { Refused, SignedOut, Unavailable } from './api.js';
import type { Line, LogStore } from './log-store.js';
import { readLog, timeKey, type LogRequest } from './log-stream.js';

export type FollowStatus =
  | { state: 'loading' }
  | { state: 'live' }
  | { state: 'complete' }
  | { state: 'reconnecting' }
  | { state: 'unavailable'; message: string }
  | { state: 'failed'; message: string };

export interface FollowHandlers {
  onStatus(status: FollowStatus): void;
  onSignedOut(): void;
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Where a reconnect picks up: lines from the last one's time on, less those already read at that very time. Lines
 * without times cannot be matched up, so a reconnect then takes only what is new.
 */
class Resume {
  private key: string | undefined;
  private seenAtKey = 0;
  private toSkip = 0;

  constructor(private readonly store: LogStore) {}

  since(): Pick<LogRequest, 'sinceTime' | 'tailLines'> {
    const last = this.store.last();
    if (!last?.time) return { tailLines: 0 };
    this.key = timeKey(last.time);
    this.toSkip = this.seenAtKey;
    return { sinceTime: last.time };
  }

  /** The lines of a batch not read before; counts those at the newest time for the next reconnect. */
  fresh(batch: Line[]): Line[] {
    const kept = batch.filter((line) => {
      if (this.key === undefined || !line.time) return true;
      const key = timeKey(line.time);
      if (key < this.key) return false;
      if (key === this.key && this.toSkip > 0) {
        this.toSkip -= 1;
        return false;
      }
      return true;
    });
    for (const line of kept) {
      const key = line.time ? timeKey(line.time) : undefined;
      if (key !== undefined && key === this.key) this.seenAtKey += 1;
      else if (key !== undefined) {
        this.key = key;
        this.seenAtKey = 1;
      }
    }
    return kept;
  }
}

/**
 * Reads a log into the store and, when following, keeps reading: an answer that ends (the container restarted, the
 * session was checked again) is asked for again from where it stopped, so the server decides whether the session
 * still may; a lost service is retried, with the status saying so.
 */
export async function followLog(
  request: Omit<LogRequest, 'sinceTime'>,
  store: LogStore,
  handlers: FollowHandlers,
  signal: AbortSignal,
): Promise<void> {
  const resume = new Resume(store);
  let asked: LogRequest = request;
  let opened = false;
  let waitMs = 1000;
  while (!signal.aborted) {
    try {
      await readLog(asked, signal, {
        onOpen: () => {
          opened = true;
          waitMs = 1000;
          handlers.onStatus({ state: request.follow ? 'live' : 'loading' });
        },
        onLines: (lines) => store.append(resume.fresh(lines)),
      });
      if (!request.follow) return handlers.onStatus({ state: 'complete' });
      handlers.onStatus({ state: 'reconnecting' });
      await pause(1000, signal);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof SignedOut) return handlers.onSignedOut();
      if (error instanceof Refused) return handlers.onStatus({ state: 'failed', message: error.message });
      const unavailable = error instanceof Unavailable;
      const message = unavailable ? error.message : 'logs-app cannot be reached';
      handlers.onStatus({ state: 'unavailable', message });
      await pause(unavailable ? error.retryAfterMs : waitMs, signal);
      waitMs = Math.min(waitMs * 2, 10_000);
    }
    if (!request.follow) store.clear();
    asked = request.follow && opened ? { ...request, ...resume.since() } : request;
  }
}
