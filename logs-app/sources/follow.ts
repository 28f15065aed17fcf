import { watch, type FSWatcher, statSync } from 'node:fs';

export type LiveChange = 'grown' | 'rotated' | 'truncated' | 'ended' | 'none';

export interface LiveFile {
  path: string;
  /** Inode of the file being read, to notice a rename-and-recreate rotation. */
  inode: number;
  readOffset: number;
  /** True when the container instance has ended: a newer restart file exists or the pod directory is gone. */
  instanceEnded(): boolean;
}

export function inspect(live: LiveFile): LiveChange {
  let stats;
  try {
    stats = statSync(live.path);
  } catch {
    return live.instanceEnded() ? 'ended' : 'none';
  }
  if (stats.ino !== live.inode) return 'rotated';
  if (stats.size > live.readOffset) return 'grown';
  if (stats.size < live.readOffset) return 'truncated';
  return live.instanceEnded() ? 'ended' : 'none';
}

/** Resolves when the directory changes or after `pollMs` (a watch alone misses events on some file systems). */
export class ChangeWaiter {
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;

  constructor(
    directory: string,
    private readonly pollMs: number,
    signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => this.close(), { once: true });
    try {
      this.watcher = watch(directory, { persistent: false }, () => this.wake?.());
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = undefined;
    }
  }

  wait(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.wake?.();
  }
}
