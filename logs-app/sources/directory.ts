import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { Problem } from '../../common/problem.js';
import { through, type Stage } from '../chunks.js';
import { dnsLabel, dnsSubdomain } from '../names.js';
import { LineJoiner } from './cri.js';
import { chooseContainer } from './containers.js';
import { CriTextConverter } from './cri-text.js';
import { DirectoryListings } from './layout.js';
import { rawChunks } from './raw-chunks.js';
import { readBuffers } from './read-buffers.js';
import { openSegment, type OnUnreadable, type Position, type Segment } from './segments.js';
import { sinceStart } from './since.js';
import type { LogEntry, LogQuery, LogSource, OpenedLog } from './source.js';
import { tailStart } from './tail.js';

/** Docker json-file logs take the entry parser; CRI files take the byte-level text path. */
const startsWithJson = (chain: Segment[], start: Position): boolean =>
  chain[start.segment]?.read(start.offset, 1)[0] === 123;

const later = (a: Position, b: Position): Position =>
  a.segment > b.segment || (a.segment === b.segment && a.offset > b.offset) ? a : b;

function startOf(chain: Segment[], query: LogQuery): Position {
  const starts: Position[] = [{ segment: 0, offset: 0 }];
  if (query.tailLines !== undefined) starts.push(tailStart(chain, query.tailLines));
  if (query.sinceMs !== undefined) starts.push(sinceStart(chain, query.sinceMs));
  return starts.reduce(later);
}

/**
 * Logs from a directory laid out like a node's /var/log/pods: `<namespace>_<pod>_<uid>/<container>/<restart>.log`.
 * Only names listed by readdir are ever joined into a path; the caller's names are only compared with them.
 */
export class DirectorySource implements LogSource {
  private readonly listings = new DirectoryListings();

  constructor(
    private readonly root: string,
    private readonly pollMs: number,
    private readonly onUnreadable?: OnUnreadable,
  ) {}

  async ready(): Promise<void> {
    if (!statSync(this.root).isDirectory()) throw new Error(`${this.root} is not a directory`);
    accessSync(this.root, constants.R_OK | constants.X_OK);
  }

  async close(): Promise<void> {
    this.listings.forget();
  }

  async open(query: LogQuery): Promise<OpenedLog> {
    if (!dnsLabel.test(query.namespace) || !dnsSubdomain.test(query.pod)) throw new Problem('podNotFound');
    try {
      return this.openOnce(query);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.listings.forget();
      return this.openOnce(query);
    }
  }

  /** A file can be rotated away between the listing and the read; open() then tries once more on a new listing. */
  private openOnce(query: LogQuery): OpenedLog {
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
    const share = (file: string) => this.listings.files.acquire(file);
    const chain = files.map((path) => openSegment(path, share, this.onUnreadable));
    try {
      const start = startOf(chain, query);
      const live =
        query.follow && !query.previous
          ? {
              containerDir,
              instance,
              pollMs: this.pollMs,
              signal: query.signal ?? AbortSignal.abort(),
              ended: () => this.listings.instanceEnded(containerDir, instance),
            }
          : undefined;
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

  private pod(namespace: string, pod: string): { podDir: string; containers: readonly string[] } {
    const podDir = this.listings.podDirectory(this.root, namespace, pod);
    if (!podDir) throw new Problem('podNotFound', { detail: `pods "${pod}" not found in namespace "${namespace}"` });
    return { podDir, containers: this.listings.containers(podDir) };
  }
}

/** Joins CRI pieces into entries, a batch a chunk, from the first at or after `sinceMs` when given. */
class EntryBatches implements Stage<Buffer, LogEntry[]> {
  private readonly joiner = new LineJoiner();
  private filtering: boolean;

  constructor(private readonly sinceMs: number | undefined) {
    this.filtering = sinceMs !== undefined;
  }

  step(chunk: Buffer): LogEntry[] | undefined {
    const batch: LogEntry[] = [];
    const lines = chunk.toString('utf8', 0, chunk.length - 1).split('\n');
    readBuffers.give(chunk);
    for (const raw of lines) this.joiner.push(raw, batch);
    return this.keep(batch);
  }

  end(): LogEntry[] | undefined {
    const last: LogEntry[] = [];
    this.joiner.flush(last);
    return this.keep(last);
  }

  private keep(batch: LogEntry[]): LogEntry[] | undefined {
    if (!this.filtering) return batch.length > 0 ? batch : undefined;
    const first = batch.findIndex((entry) => !entry.time || !(Date.parse(entry.time) < this.sinceMs!));
    if (first < 0) return undefined;
    this.filtering = false;
    return first === 0 ? batch : batch.slice(first);
  }
}

function textStage(timestamps: boolean): Stage<Buffer, Buffer> {
  const converter = new CriTextConverter(timestamps);
  return { step: (chunk) => converter.convert(chunk), end: () => converter.finish() };
}
