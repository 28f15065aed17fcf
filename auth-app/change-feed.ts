import type { Logger } from '../common/logger.js';
import type { Change, Store } from './store/store.js';

/** What a subscriber is told, in order: where it stands, then every change after that as it commits. */
export interface ChangeSink {
  /**
   * `seq` is the newest change when the subscription began. With `replay`, every change after the subscriber's own
   * position follows; without, the subscriber cannot be told what it missed and must forget what it knew.
   */
  start(seq: number, replay: boolean): void;
  changes(changes: readonly Change[]): void;
}

export interface Subscription {
  /** The last seq the sink was given (or the start's, before any). */
  readonly position: number;
  close(): void;
}

type Listener = (changes: readonly Change[]) => void;

const pageSize = 1000;
/** Past this many, a subscriber is told to start afresh: forgetting its verdicts costs less than the replay. */
const maxReplay = 100_000;

/**
 * Tails the store's changes (the ones this process commits, at once; others' as the store's watch tells) and hands
 * each to every subscriber once, in order. A subscriber may ask to start after a seq it saw before: it is told every
 * change after it while the store still holds them all, and to start afresh otherwise.
 */
export class ChangeFeed {
  private head = 0;
  private readonly listeners = new Set<Listener>();
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private stopWatching = () => {};
  private failing = false;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  async start(pollMs: number): Promise<void> {
    this.head = (await this.store.changeSpan()).last;
    this.stopWatching = this.store.watchChanges(() => this.catchUp(), pollMs);
  }

  /** The newest change read so far. */
  get newest(): number {
    return this.head;
  }

  /** Reads what committed since the last read and hands it on; resolves once a read begun after the call is done. */
  catchUp(): Promise<void> {
    if (!this.running) {
      this.running = this.read().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.catchUp();
    });
    return this.queued;
  }

  /** A failure is logged once until a read succeeds again (the watch retries every second while the store is down). */
  private async read(): Promise<void> {
    try {
      for (;;) {
        const found = await this.store.changesAfter(this.head, pageSize);
        this.failing = false;
        const last = found.at(-1);
        if (!last) return;
        this.head = last.seq;
        for (const listener of this.listeners) listener(found);
        if (found.length < pageSize) return;
      }
    } catch (error) {
      if (!this.failing) this.log.warn({ reason: (error as Error).message }, 'change feed: the changes cannot be read');
      this.failing = true;
    }
  }

  async subscribe(after: number | undefined, sink: ChangeSink): Promise<Subscription> {
    await this.catchUp();
    const head = this.head;
    let position = after ?? head;
    const waiting: Change[][] = [];
    let deliver: Listener = (changes) => waiting.push([...changes]);
    const send = (changes: readonly Change[]) => {
      const fresh = changes.filter((change) => change.seq > position);
      const last = fresh.at(-1);
      if (!last) return;
      position = last.seq;
      sink.changes(fresh);
    };
    const listener: Listener = (changes) => deliver(changes);
    this.listeners.add(listener);
    const subscription = {
      get position() {
        return position;
      },
      close: () => void this.listeners.delete(listener),
    };
    try {
      const replay = after !== undefined && (await this.replay(after, head, send));
      if (!replay) position = head;
      sink.start(head, replay);
      if (replay) await this.replay(position, head, send, true);
      for (const changes of waiting) send(changes);
      deliver = send;
    } catch (error) {
      subscription.close();
      throw error;
    }
    return subscription;
  }

  /**
   * Whether every change from `after` to `head` is still held (checked on the first page, which is all a purge can
   * have taken: it takes the oldest); with `send`ing, hands them over a page at a time.
   */
  private async replay(
    after: number,
    head: number,
    send: (changes: readonly Change[]) => void,
    sending = false,
  ): Promise<boolean> {
    if (head - after > maxReplay || after > (await this.store.changeSpan()).last) return false;
    let from = after;
    while (from < head) {
      const page = (await this.store.changesAfter(from, pageSize)).filter((change) => change.seq <= head);
      if (page[0]?.seq !== from + 1 || page.some((change, index) => change.seq !== from + 1 + index)) {
        if (sending) throw new Error(`changes after ${from} were purged while they were replayed`);
        return false;
      }
      if (!sending) return true;
      send(page);
      from = page.at(-1)!.seq;
    }
    return true;
  }

  close(): void {
    this.stopWatching();
    this.listeners.clear();
  }
}
