import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Problem } from '../../common/problem.js';
import { dnsLabel, dnsSubdomain } from '../names.js';
import { LineJoiner } from './cri.js';
import { ChangeWaiter, inspect } from './follow.js';
import { ForwardReader } from './forward.js';
import { openSegment, type Position, type Segment } from './segments.js';
import { sinceStart } from './since.js';
import type { LogEntry, LogQuery, LogSource, OpenedLog } from './source.js';
import { tailStart } from './tail.js';

const logFileName = /^(\d+)\.log(?:\.(\d{8}-\d{6}(?:\.gz)?))?$/;

function listDirectory(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function instancesIn(containerDir: string): number[] {
  const numbers = new Set<number>();
  for (const name of listDirectory(containerDir)) {
    const match = logFileName.exec(name);
    if (match) numbers.add(Number(match[1]));
  }
  return [...numbers].sort((a, b) => b - a);
}

/** Rotated files oldest first (their suffix is a sortable timestamp), then the live `N.log`. */
function chainOf(containerDir: string, instance: number): string[] {
  const rotated: string[] = [];
  let live: string | undefined;
  for (const name of listDirectory(containerDir)) {
    const match = logFileName.exec(name);
    if (!match || Number(match[1]) !== instance) continue;
    if (match[2]) rotated.push(name);
    else live = name;
  }
  rotated.sort();
  return [...rotated, ...(live ? [live] : [])].map((name) => join(containerDir, name));
}

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
  constructor(
    private readonly root: string,
    private readonly pollMs: number,
  ) {}

  async ready(): Promise<void> {
    if (!statSync(this.root).isDirectory()) throw new Error(`${this.root} is not a directory`);
  }

  async open(query: LogQuery): Promise<OpenedLog> {
    if (!dnsLabel.test(query.namespace) || !dnsSubdomain.test(query.pod)) throw new Problem('podNotFound');
    const podDir = this.podDirectory(query.namespace, query.pod);
    const container = this.container(podDir, query);
    const containerDir = join(podDir, container);
    const instances = instancesIn(containerDir);
    const instance = query.previous ? instances[1] : instances[0];
    if (instance === undefined) {
      if (query.previous) {
        throw new Problem('previousNotFound', {
          detail: `previous terminated container "${container}" in pod "${query.pod}" not found`,
        });
      }
      return { container, entries: emptyLog() };
    }
    const chain = chainOf(containerDir, instance).map(openSegment);
    const start = startOf(chain, query);
    const live =
      query.follow && !query.previous
        ? { containerDir, instance, pollMs: this.pollMs, signal: query.signal }
        : undefined;
    return { container, entries: readEntries(chain, start, query.sinceMs, live) };
  }

  private podDirectory(namespace: string, pod: string): string {
    const candidates = listDirectory(this.root)
      .filter((name) => {
        const parts = name.split('_');
        return parts.length === 3 && parts[0] === namespace && parts[1] === pod;
      })
      .map((name) => join(this.root, name));
    if (candidates.length === 0) {
      throw new Problem('podNotFound', { detail: `pods "${pod}" not found in namespace "${namespace}"` });
    }
    const modified = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    return candidates.reduce((newest, path) => (modified(path) > modified(newest) ? path : newest));
  }

  private container(podDir: string, query: LogQuery): string {
    const containers = listDirectory(podDir)
      .filter((name) => dnsLabel.test(name) && statSync(join(podDir, name), { throwIfNoEntry: false })?.isDirectory())
      .sort();
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
    instanceEnded: () => instancesIn(live.containerDir).some((instance) => instance > live.instance),
  });
  switch (change) {
    case 'grown':
      return 'read';
    case 'rotated':
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
