import { statSync, watch, type FSWatcher } from 'node:fs';

/** What a follower needs to know of the file it follows, found once for all of them. */
export interface LiveState {
  /** The inode at the live path, undefined while no file is there (between a rotation's rename and create). */
  inode: number | undefined;
  /** The container instance has ended: a newer restart exists or the pod's directory is gone. */
  ended: boolean;
}

export interface LiveFile {
  containerDir: string;
  path: string;
  ended: () => boolean;
}

interface Watch {
  file: LiveFile;
  state: LiveState;
  /** The size and directory time last seen, so a poll wakes the followers only when something changed. */
  seen: string;
  watcher: FSWatcher | undefined;
  timer: NodeJS.Timeout;
  /** A watch event's refresh is scheduled and has not run yet. */
  eventPending: boolean;
  waiting: Set<() => void>;
  followers: number;
}

/** A handle on a shared watch: the latest state, and a wait for the next change. */
export interface LiveWatch {
  state(): LiveState;
  /** Resolves on the next change of the file or its directory, or when `signal` aborts. */
  changed(signal: AbortSignal): Promise<void>;
  close(): void;
}

function look(file: LiveFile): { state: LiveState; seen: string } {
  const stats = statSync(file.path, { throwIfNoEntry: false });
  const directory = statSync(file.containerDir, { throwIfNoEntry: false });
  const state = { inode: stats?.ino, ended: file.ended() };
  return { state, seen: `${stats?.ino}:${stats?.size}:${directory?.mtimeMs}:${state.ended}` };
}

/**
 * One watch (inotify on the container's directory) and one poll (a watch alone misses events on some file
 * systems) per followed file, shared by all its followers, who wake only when the file or its directory changed:
 * ten thousand quiet follows cost as much at idle as the files they follow.
 */
export class LiveFiles {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly pollMs: number) {}

  follow(file: LiveFile): LiveWatch {
    const current = this.watches.get(file.path) ?? this.start(file);
    current.followers += 1;
    let closed = false;
    return {
      state: () => current.state,
      changed: (signal) =>
        new Promise<void>((resolve) => {
          if (signal.aborted) return resolve();
          const wake = () => {
            signal.removeEventListener('abort', wake);
            current.waiting.delete(wake);
            resolve();
          };
          signal.addEventListener('abort', wake, { once: true });
          current.waiting.add(wake);
        }),
      close: () => {
        if (closed) return;
        closed = true;
        current.followers -= 1;
        if (current.followers === 0) this.stop(current);
      },
    };
  }

  close(): void {
    for (const current of this.watches.values()) this.stop(current);
  }

  private start(file: LiveFile): Watch {
    const { state, seen } = look(file);
    const current: Watch = {
      file,
      state,
      seen,
      watcher: undefined,
      timer: setInterval(() => this.refresh(current, false), this.pollMs).unref(),
      eventPending: false,
      waiting: new Set(),
      followers: 0,
    };
    try {
      current.watcher = watch(file.containerDir, { persistent: false }, () => this.changed(current));
      current.watcher.on('error', () => {
        current.watcher?.close();
        current.watcher = undefined;
      });
    } catch {
      current.watcher = undefined;
    }
    this.watches.set(file.path, current);
    return current;
  }

  /**
   * An event only schedules the followers' wake, once for all the events of a turn. libuv reads inotify events
   * until none is left, running each one's callback as it goes: followers woken there, each reading and sending,
   * kept it reading while lines came faster than they were sent, and no timer (session rechecks) or immediate
   * (auth-app batches) ran for as long as the writing went on.
   */
  private changed(current: Watch): void {
    if (current.eventPending) return;
    current.eventPending = true;
    setImmediate(() => {
      current.eventPending = false;
      if (this.watches.get(current.file.path) === current) this.refresh(current, true);
    });
  }

  /** An event always wakes the followers (a line was written); a poll only when what it sees has changed. */
  private refresh(current: Watch, event: boolean): void {
    const { state, seen } = look(current.file);
    if (!event && seen === current.seen) return;
    current.state = state;
    current.seen = seen;
    for (const wake of [...current.waiting]) wake();
  }

  private stop(current: Watch): void {
    clearInterval(current.timer);
    current.watcher?.close();
    for (const wake of [...current.waiting]) wake();
    if (this.watches.get(current.file.path) === current) this.watches.delete(current.file.path);
  }
}
