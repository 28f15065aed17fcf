import { readdirSync, statSync, watch, type Dirent, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { dnsLabel } from '../../common/names.js';
import { SharedFiles } from './shared-files.js';

const logFileName = /^(\d+)\.log(?:\.(\d{8}-\d{6}(?:\.gz)?))?$/;
const maxCachedDirectories = 4096;
/** A watched listing is still checked against the directory's mtime this often, in case an event was lost. */
const recheckMs = 1000;

/** A file, or a symlink to one; a directory, a pipe or a dangling link named like a log is not one. */
const isLogFile = (dir: string, entry: Dirent): boolean =>
  entry.isFile() ||
  (entry.isSymbolicLink() && statSync(join(dir, entry.name), { throwIfNoEntry: false })?.isFile() === true);

/** Removed or replaced between the stat and the listing: as if it had never been there. */
const gone = (error: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

interface Listing {
  entries: Dirent[];
  mtimeNs: bigint;
  checkedAt: number;
  watcher: FSWatcher | undefined;
}

/**
 * Directory listings, reused until the directory changes. Each listed directory is watched (inotify), so a new
 * pod, restart or rotation drops its listing at once without a stat per request; without a watch, or a second
 * after the last check, the directory's modification time decides. Open log files are shared while their
 * directory is unchanged.
 */
export class DirectoryListings {
  private readonly cache = new Map<string, Listing>();
  private readonly derived = new WeakMap<Dirent[], Map<string, unknown>>();
  readonly files: SharedFiles;

  constructor(openFile: (path: string) => number) {
    this.files = new SharedFiles(openFile);
  }

  list(path: string): Dirent[] {
    const cached = this.cache.get(path);
    if (cached?.watcher && Date.now() - cached.checkedAt < recheckMs) return cached.entries;
    const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
    if (!stats?.isDirectory()) {
      this.drop(path);
      return [];
    }
    if (cached && cached.mtimeNs === stats.mtimeNs) {
      cached.checkedAt = Date.now();
      return cached.entries;
    }
    this.drop(path);
    const watcher = this.watch(path);
    let entries: Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch (error) {
      watcher?.close();
      if (gone(error)) return [];
      throw error;
    }
    if (this.cache.size >= maxCachedDirectories) this.forget();
    this.cache.set(path, { entries, mtimeNs: stats.mtimeNs, checkedAt: Date.now(), watcher });
    return entries;
  }

  /** Watching starts before the listing is read, so no change can fall between the two. */
  private watch(path: string): FSWatcher | undefined {
    try {
      const watcher = watch(path, { persistent: false }, (event) => {
        if (event === 'rename') this.drop(path);
      });
      watcher.on('error', () => this.drop(path));
      return watcher;
    } catch {
      return undefined;
    }
  }

  private drop(path: string): void {
    const cached = this.cache.get(path);
    if (!cached) return;
    this.cache.delete(path);
    cached.watcher?.close();
    this.files.retireIn(path);
  }

  forget(): void {
    for (const listing of this.cache.values()) listing.watcher?.close();
    this.cache.clear();
    this.files.retireAll();
  }

  /** What is worked out from a listing (pod index, containers, restarts) is kept with it until it changes. */
  private derive<T>(path: string, kind: 'pods' | 'containers' | 'instances', compute: (entries: Dirent[]) => T): T {
    const entries = this.list(path);
    let byKind = this.derived.get(entries);
    if (!byKind) {
      byKind = new Map();
      this.derived.set(entries, byKind);
    }
    if (!byKind.has(kind)) byKind.set(kind, compute(entries));
    return byKind.get(kind) as T;
  }

  /** Every pod's `<namespace>_<pod>_<uid>` directories, by `<namespace>_<pod>` (a recreated pod has several). */
  podIndex(root: string): ReadonlyMap<string, readonly string[]> {
    return this.derive(root, 'pods', (entries) => {
      const byPod = new Map<string, string[]>();
      for (const entry of entries) {
        const parts = entry.name.split('_');
        if (parts.length !== 3 || !entry.isDirectory()) continue;
        const key = `${parts[0]}_${parts[1]}`;
        byPod.set(key, [...(byPod.get(key) ?? []), join(root, entry.name)]);
      }
      return byPod;
    });
  }

  /** The directory of a pod, the most recently changed one if the pod was recreated. */
  podDirectory(root: string, namespace: string, pod: string): string | undefined {
    const candidates = this.podIndex(root).get(`${namespace}_${pod}`) ?? [];
    if (candidates.length <= 1) return candidates[0];
    const modified = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    return candidates.reduce((newest, path) => (modified(path) > modified(newest) ? path : newest));
  }

  containers(podDir: string): readonly string[] {
    return this.derive(podDir, 'containers', (entries) =>
      entries
        .filter((entry) => entry.isDirectory() && dnsLabel.test(entry.name))
        .map((entry) => entry.name)
        .sort(),
    );
  }

  /** The files of each restart, newest restart first: rotated ones oldest first (sortable suffix), then `N.log`. */
  instanceFiles(containerDir: string): ReadonlyArray<readonly [number, readonly string[]]> {
    return this.derive(containerDir, 'instances', (entries) => {
      const byInstance = new Map<number, { rotated: string[]; live?: string }>();
      for (const entry of entries) {
        const match = logFileName.exec(entry.name);
        if (!match || !isLogFile(containerDir, entry)) continue;
        const { name } = entry;
        const instance = Number(match[1]);
        const files = byInstance.get(instance) ?? { rotated: [] };
        if (match[2]) files.rotated.push(name);
        else files.live = name;
        byInstance.set(instance, files);
      }
      return [...byInstance.keys()]
        .sort((a, b) => b - a)
        .map((instance) => {
          const files = byInstance.get(instance)!;
          const names = [...files.rotated.sort(), ...(files.live ? [files.live] : [])];
          return [instance, names.map((name) => join(containerDir, name))] as const;
        });
    });
  }

  /** A container instance has ended once a newer restart exists or its directory is gone (the pod was deleted). */
  instanceEnded(containerDir: string, instance: number): boolean {
    return (
      this.instanceFiles(containerDir).some(([each]) => each > instance) ||
      !statSync(containerDir, { throwIfNoEntry: false })?.isDirectory()
    );
  }
}
