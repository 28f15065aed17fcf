import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dnsLabel } from '../names.js';

const logFileName = /^(\d+)\.log(?:\.(\d{8}-\d{6}(?:\.gz)?))?$/;
const listingTtlMs = 1000;

function list(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** The files of each restart of a container: rotated ones oldest first (sortable suffix), then the live `N.log`. */
export function instanceFiles(containerDir: string): Map<number, string[]> {
  const byInstance = new Map<number, { rotated: string[]; live?: string }>();
  for (const name of list(containerDir)) {
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
    chains.set(
      instance,
      [...files.rotated.sort(), ...(files.live ? [files.live] : [])].map((name) => join(containerDir, name)),
    );
  }
  return chains;
}

export const newerInstanceExists = (containerDir: string, instance: number): boolean =>
  list(containerDir).some((name) => Number(logFileName.exec(name)?.[1] ?? -1) > instance);

export function containersIn(podDir: string): string[] {
  try {
    return readdirSync(podDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && dnsLabel.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * `<namespace>_<pod>_<uid>` directories of the root. The listing is reused for a second (a node holds hundreds of
 * pods); a pod not in it triggers a fresh listing at once, so a new pod is never reported missing.
 */
export class PodDirectories {
  private listing: { names: string[]; at: number } | undefined;

  constructor(private readonly root: string) {}

  find(namespace: string, pod: string): string | undefined {
    const cached =
      this.listing && Date.now() - this.listing.at < listingTtlMs ? this.lookup(namespace, pod) : undefined;
    if (cached) return cached;
    this.listing = { names: list(this.root), at: Date.now() };
    return this.lookup(namespace, pod);
  }

  forget(): void {
    this.listing = undefined;
  }

  private lookup(namespace: string, pod: string): string | undefined {
    const candidates = (this.listing?.names ?? [])
      .filter((name) => {
        const parts = name.split('_');
        return parts.length === 3 && parts[0] === namespace && parts[1] === pod;
      })
      .map((name) => join(this.root, name));
    if (candidates.length <= 1) return candidates[0];
    const modified = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    return candidates.reduce((newest, path) => (modified(path) > modified(newest) ? path : newest));
  }
}
