import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Problem } from '../../common/problem.js';
import { dnsLabel, dnsSubdomain } from '../names.js';
import { LineJoiner } from './cri.js';
import { ChangeWaiter, inspect } from './follow.js';
import { ForwardReader } from './forward.js';
import { containersIn, instanceFiles, newerInstanceExists, PodDirectories } from './layout.js';
import { openSegment, type Position, type Segment } from './segments.js';
import { sinceStart } from './since.js';
import type { LogEntry, LogQuery, LogSource, OpenedLog } from './source.js';
import { tailStart } from './tail.js';

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
  private readonly pods: PodDirectories;

  constructor(
    private readonly root: string,
    private readonly pollMs: number,
  ) {
    this.pods = new PodDirectories(root);
  }

  async ready(): Promise<void> {
    if (!statSync(this.root).isDirectory()) throw new Error(`${this.root} is not a directory`);
  }

  async open(query: LogQuery): Promise<OpenedLog> {
    if (!dnsLabel.test(query.namespace) || !dnsSubdomain.test(query.pod)) throw new Problem('podNotFound');
    try {
      return this.openOnce(query);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.pods.forget();
      return this.openOnce(query);
    }
  }

  /** A file can be rotated away between the listing and the read; open() then tries once more on a new listing. */
  private openOnce(query: LogQuery): OpenedLog {
    const { podDir, containers } = this.pod(query.namespace, query.pod);
    const container = chooseContainer(containers, query);
    const containerDir = join(podDir, container);
    const chains = [...instanceFiles(containerDir).entries()];
    const [instance, files] = chains[query.previous ? 1 : 0] ?? [];
    if (instance === undefined || !files) {
      if (query.previous) {
        throw new Problem('previousNotFound', {
          detail: `previous terminated container "${container}" in pod "${query.pod}" not found`,
        });
      }
      return { container, entries: emptyLog() };
    }
    const chain = files.map(openSegment);
    try {
      const start = startOf(chain, query);
      const live =
        query.follow && !query.previous
          ? { containerDir, instance, pollMs: this.pollMs, signal: query.signal ?? AbortSignal.abort() }
          : undefined;
      return { container, entries: readEntries(chain, start, query.sinceMs, live) };
    } catch (error) {
      for (const segment of chain) segment.close();
      throw error;
    }
  }

  private pod(namespace: string, pod: string): { podDir: string; containers: string[] } {
    let podDir = this.pods.find(namespace, pod);
    let containers = podDir ? containersIn(podDir) : [];
    if (podDir && containers.length === 0) {
      this.pods.forget();
      podDir = this.pods.find(namespace, pod);
      containers = podDir ? containersIn(podDir) : [];
    }
    if (!podDir) throw new Problem('podNotFound', { detail: `pods "${pod}" not found in namespace "${namespace}"` });
    return { podDir, containers };
  }
}

function chooseContainer(containers: string[], query: LogQuery): string {
  if (query.container === undefined) {
    if (containers.length === 1) return containers[0]!;
    throw new Problem('containerRequired', {
      detail: `a container name must be specified for pod ${query.pod}, choose one of: [${containers.join(' ')}]`,
      containers,
    });
  }
  if (!containers.includes(query.container)) {
    throw new Problem('containerNotFound', {
      detail: `container ${query.container} is not valid for pod ${query.pod}`,
    });
  }
  return query.container;
}

async function* emptyLog(): AsyncGenerator<LogEntry[]> {}

interface LiveInstance {
  containerDir: string;
  instance: number;
  pollMs: number;
  signal: AbortSignal;
}

async function* readEntries(
  chain: Segment[],
  start: Position,
  sinceMs: number | undefined,
  live: LiveInstance | undefined,
): AsyncGenerator<LogEntry[]> {
  const reader = new ForwardReader(chain, start);
  const joiner = new LineJoiner();
  const waiter = live ? new ChangeWaiter(live.containerDir, live.pollMs, live.signal) : undefined;
  let filtering = sinceMs !== undefined;
  const keep = (batch: LogEntry[]): LogEntry[] => {
    if (!filtering) return batch;
    const first = batch.findIndex((entry) => !entry.time || !(Date.parse(entry.time) < sinceMs!));
    if (first < 0) return [];
    filtering = false;
    return first === 0 ? batch : batch.slice(first);
  };
  const finish = (): LogEntry[] => {
    const batch: LogEntry[] = [];
    const rest = reader.takeCarry();
    if (rest !== undefined) joiner.push(rest, batch);
    joiner.flush(batch);
    return keep(batch);
  };
  try {
    for (;;) {
      const lines = reader.next();
      if (lines) {
        const batch: LogEntry[] = [];
        for (const raw of lines) joiner.push(raw, batch);
        const kept = keep(batch);
        if (kept.length > 0) yield kept;
        continue;
      }
      if (!live || !waiter) {
        const last = finish();
        if (last.length > 0) yield last;
        return;
      }
      const action = live.signal.aborted ? 'end' : nextFollowStep(reader, live);
      if (action === 'end') {
        const last = finish();
        if (last.length > 0) yield last;
        return;
      }
      if (action === 'wait') await waiter.wait();
    }
  } finally {
    waiter?.close();
    for (const segment of chain) segment.close();
  }
}

/** After the reader caught up with the live file: read on, switch to the new file after rotation, wait, or end. */
function nextFollowStep(reader: ForwardReader, live: LiveInstance): 'read' | 'wait' | 'end' {
  const current = reader.current;
  if (!current) return 'end';
  const livePath = join(live.containerDir, `${live.instance}.log`);
  const change = inspect({
    path: livePath,
    inode: current.inode(),
    readOffset: reader.position,
    instanceEnded: () => newerInstanceExists(live.containerDir, live.instance),
  });
  switch (change) {
    case 'grown':
      return 'read';
    case 'rotated':
      current.size(true);
      reader.append(openSegment(livePath));
      return 'read';
    case 'truncated':
      reader.rewind();
      return 'read';
    case 'ended':
      return 'end';
    default:
      return 'wait';
  }
}
