import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { dnsLabel } from '../names.js';

const logFileName = /^(\d+)\.log(?:\.(\d{8}-\d{6}(?:\.gz)?))?$/;
const maxCachedDirectories = 10_000;

/**
 * Directory listings, reused while the directory's modification time is unchanged: adding, removing or renaming
 * an entry changes it, so one stat replaces a full listing and a new pod, restart or rotation is seen at once.
 */
export class DirectoryListings {
  private readonly cache = new Map<string, { mtimeNs: bigint; entries: Dirent[] }>();
  /** Pod directories by `<namespace>_<pod>`, built once per listing of the root (a node holds hundreds of pods). */
  private readonly podIndexes = new WeakMap<Dirent[], Map<string, string[]>>();

  list(path: string): Dirent[] {
    const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
    if (!stats?.isDirectory()) {
      this.cache.delete(path);
      return [];
    }
    const cached = this.cache.get(path);
    if (cached && cached.mtimeNs === stats.mtimeNs) return cached.entries;
    let entries: Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      return [];
    }
    if (this.cache.size >= maxCachedDirectories) this.cache.clear();
    this.cache.set(path, { mtimeNs: stats.mtimeNs, entries });
    return entries;
  }

  forget(): void {
    this.cache.clear();
  }

  /** The `<namespace>_<pod>_<uid>` directory of a pod, the most recently changed one if the pod was recreated. */
  podDirectory(root: string, namespace: string, pod: string): string | undefined {
    const entries = this.list(root);
    let index = this.podIndexes.get(entries);
    if (!index) {
      index = new Map();
      for (const entry of entries) {
        const parts = entry.name.split('_');
        if (parts.length !== 3 || !entry.isDirectory()) continue;
        const key = `${parts[0]}_${parts[1]}`;
        index.set(key, [...(index.get(key) ?? []), join(root, entry.name)]);
      }
      this.podIndexes.set(entries, index);
    }
    const candidates = index.get(`${namespace}_${pod}`) ?? [];
    if (candidates.length <= 1) return candidates[0];
    const modified = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    return candidates.reduce((newest, path) => (modified(path) > modified(newest) ? path : newest));
  }

  containers(podDir: string): string[] {
    return this.list(podDir)
      .filter((entry) => entry.isDirectory() && dnsLabel.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  }

  /** The files of each restart, newest restart first: rotated ones oldest first (sortable suffix), then `N.log`. */
  instanceFiles(containerDir: string): Map<number, string[]> {
    const byInstance = new Map<number, { rotated: string[]; live?: string }>();
    for (const { name } of this.list(containerDir)) {
      const match = logFileName.exec(name);
      if (!match) continue;
      const instance = Number(match[1]);
      const files = byInstance.get(instance) ?? { rotated: [] };
      if (match[2]) files.rotated.push(name);
      else files.live = name;
      byInstance.set(instance, files);
    }
    const chains = new Map<number, string[]>();
    for (const instance of [...byInstance.keys()].sort((a, b) => b - a)) {
      const files = byInstance.get(instance)!;
      const names = [...files.rotated.sort(), ...(files.live ? [files.live] : [])];
      chains.set(
        instance,
        names.map((name) => join(containerDir, name)),
      );
    }
    return chains;
  }

  newerInstanceExists(containerDir: string, instance: number): boolean {
    return this.list(containerDir).some((entry) => Number(logFileName.exec(entry.name)?.[1] ?? -1) > instance);
  }
}
