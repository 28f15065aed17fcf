import { accessSync, closeSync, constants, openSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Problem } from '../../common/problem.js';
import { through } from '../chunks.js';
import { dnsLabel, dnsSubdomain } from '../../common/names.js';
import { chooseContainer } from './containers.js';
import { DirectoryCatalog } from './directory-catalog.js';
import { DirectoryListings } from './layout.js';
import { readBuffers } from './read-buffers.js';
import { GzipCache, type GzipCacheOptions, type OnUnreadable } from './gzip-cache.js';
import { emptySegment, GzipSegment, NotYetDecompressed } from './gzip-segment.js';
import { LiveFiles } from './live-files.js';
import { openLogFile } from './log-files.js';
import { rawChunks, type LiveInstance } from './raw-chunks.js';
import { FileSegment, privately, type Position, type Segment } from './segments.js';
import { sinceStart } from './since.js';
import { EntryBatches, textStage } from './stages.js';
import type { LogQuery, LogSource, OpenedLog } from './source.js';
import { tailStart } from './tail.js';

/** Docker json-file logs take the entry parser; CRI files take the byte-level text path. */
const startsWithJson = (chain: Segment[], start: Position): boolean =>
  chain[start.segment]?.read(start.offset, 1)[0] === 123;

const later = (a: Position, b: Position): Position =>
  a.segment > b.segment || (a.segment === b.segment && a.offset > b.offset) ? a : b;

/** Where reading starts; a rotated gzip the search reaches is decompressed first, and the search made again. */
async function startOf(chain: Segment[], query: LogQuery): Promise<Position> {
  for (;;) {
    try {
      const starts: Position[] = [{ segment: 0, offset: 0 }];
      if (query.tailLines !== undefined) starts.push(tailStart(chain, query.tailLines));
      if (query.sinceMs !== undefined) starts.push(sinceStart(chain, query.sinceMs));
      return starts.reduce(later);
    } catch (error) {
      if (!(error instanceof NotYetDecompressed)) throw error;
      await error.segment.prepare();
    }
  }
}

/** Decompressed bytes of rotated files one answer may read, over all its `.gz` files (older ones are left out). */
const gzipBytesPerAnswer = 512 * 1024 * 1024;

export interface DirectorySourceOptions {
  root: string;
  pollMs: number;
  gzip: Omit<GzipCacheOptions, 'onUnreadable'>;
  /** Told of a rotated file left out of an answer, and why. */
  onUnreadable: OnUnreadable;
}

/**
 * Logs from a directory laid out like a node's /var/log/pods: `<namespace>_<pod>_<uid>/<container>/<restart>.log`.
 * Only names listed by readdir are ever joined into a path; the caller's names are only compared with them. A file
 * is opened only when it is a regular file that is, and stays, inside the directory.
 */
export class DirectorySource implements LogSource {
  private readonly listings: DirectoryListings;
  private readonly live: LiveFiles;
  private readonly gzips: GzipCache;
  private realRoot: string | undefined;
  readonly catalog: DirectoryCatalog;

  constructor(private readonly options: DirectorySourceOptions) {
    const openFile = (path: string) => openLogFile(this.root(), path);
    this.listings = new DirectoryListings(openFile);
    this.catalog = new DirectoryCatalog(this.listings, () => this.root());
    this.live = new LiveFiles(options.pollMs);
    this.gzips = new GzipCache({ ...options.gzip, onUnreadable: options.onUnreadable });
  }

  /** The directory as a real path, what every opened file must stay inside; found once it exists. */
  private root(): string {
    try {
      this.realRoot ??= realpathSync.native(this.options.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new Problem('unavailable', {
        detail: `The log source is not ready: the log directory ${this.options.root} does not exist`,
        headers: { 'Retry-After': '5' },
      });
    }
    return this.realRoot;
  }

  async ready(): Promise<void> {
    if (!statSync(this.options.root).isDirectory()) throw new Error(`${this.options.root} is not a directory`);
    accessSync(this.options.root, constants.R_OK | constants.X_OK);
    this.root();
  }

  async close(): Promise<void> {
    this.listings.forget();
    this.live.close();
    this.gzips.close();
  }

  async open(query: LogQuery): Promise<OpenedLog> {
    if (!dnsLabel.test(query.namespace) || !dnsSubdomain.test(query.pod)) throw new Problem('podNotFound');
    try {
      return await this.openOnce(query);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.listings.forget();
      return this.openOnce(query);
    }
  }

  /** A file can be rotated away between the listing and the read; open() then tries once more on a new listing. */
  private async openOnce(query: LogQuery): Promise<OpenedLog> {
    const { podDir, containers } = this.pod(query.namespace, query.pod);
    const container = chooseContainer(containers, query);
    const containerDir = join(podDir, container);
    const chains = this.listings.instanceFiles(containerDir);
    const [instance, files] = chains[query.previous ? 1 : 0] ?? [];
    if (instance === undefined || !files) {
      if (query.previous) {
        throw new Problem('previousNotFound', {
          detail: `previous terminated container "${container}" in pod "${query.pod}" not found`,
        });
      }
      return { container, entries: () => [] };
    }
    const budget = { left: gzipBytesPerAnswer };
    const share = (file: string) => this.listings.files.acquire(file);
    const chain = files.map((path): Segment =>
      path.endsWith('.gz')
        ? new GzipSegment(path, (gzip) => this.decompressed(gzip, budget))
        : new FileSegment(path, share),
    );
    try {
      const start = await startOf(chain, query);
      for (const segment of chain.slice(start.segment)) if (segment instanceof GzipSegment) await segment.prepare();
      const live = query.follow && !query.previous ? this.follow(containerDir, instance, query) : undefined;
      const chunks = () => rawChunks(chain, start, live);
      return {
        container,
        entries: () => through(chunks(), new EntryBatches(query.sinceMs)),
        text: (timestamps) =>
          query.sinceMs === undefined && !startsWithJson(chain, start)
            ? through(chunks(), textStage(timestamps))
            : undefined,
        release: (chunk) => readBuffers.give(chunk),
      };
    } catch (error) {
      for (const segment of chain) segment.close();
      throw error;
    }
  }

  private follow(containerDir: string, instance: number, query: LogQuery): LiveInstance {
    const path = join(containerDir, `${instance}.log`);
    const ended = () => this.listings.instanceEnded(containerDir, instance);
    return {
      path,
      open: (file) =>
        new FileSegment(
          file,
          privately((opened) => openLogFile(this.root(), opened)),
        ),
      watch: () => this.live.follow({ containerDir, path, ended }),
      signal: query.signal ?? AbortSignal.abort(),
    };
  }

  /** A rotated gzip through its decompressed copy, or as empty when it is refused or over the answer's budget. */
  private async decompressed(path: string, budget: { left: number }): Promise<Segment> {
    for (let attempt = 1; ; attempt += 1) {
      const copy = await this.gzips.decompressed(openLogFile(this.root(), path), path);
      if ('refused' in copy) return emptySegment(path);
      if (copy.size > budget.left) {
        this.options.onUnreadable(path, `left out: this answer has read ${gzipBytesPerAnswer} bytes of rotated files`);
        return emptySegment(path);
      }
      let fd: number;
      try {
        fd = openSync(copy.file, 'r');
      } catch (error) {
        /** The copy was let go of between being made and being opened: make it again, once. */
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && attempt === 1) continue;
        throw error;
      }
      budget.left -= copy.size;
      return new FileSegment(path, () => ({ fd, release: () => closeSync(fd) }));
    }
  }

  private pod(namespace: string, pod: string): { podDir: string; containers: readonly string[] } {
    const podDir = this.listings.podDirectory(this.root(), namespace, pod);
    if (!podDir) throw new Problem('podNotFound', { detail: `pods "${pod}" not found in namespace "${namespace}"` });
    return { podDir, containers: this.listings.containers(podDir) };
  }
}
