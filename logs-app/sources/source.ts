import type { Chunks } from '../chunks.js';

export interface LogEntry {
  /** RFC 3339 time as the runtime wrote it; absent when the source does not say. */
  time?: string;
  stream?: 'stdout' | 'stderr';
  line: string;
}

export interface LogQuery {
  namespace: string;
  pod: string;
  container?: string;
  previous: boolean;
  tailLines?: number;
  /** Only lines at or after this time (ms since the epoch). */
  sinceMs?: number;
  timestamps: boolean;
  limitBytes?: number;
  follow: boolean;
  /** With follow: aborted when the client goes away, so a followed log stops waiting for lines at once. */
  signal?: AbortSignal;
}

export interface OpenedLog {
  container: string;
  /** Batches of joined lines, oldest first; ends when the log ends (or, following, when the client leaves). */
  entries(): Chunks<LogEntry[]>;
  /**
   * The same log as `kubectl logs` text, where the source can make it faster than from entries; undefined when it
   * cannot for this log. Read one of the two.
   */
  text?(timestamps: boolean): Chunks<Buffer> | undefined;
  /** Takes back a chunk of `text` once it has been sent: a source may lend chunks from memory it reuses. */
  release?: (chunk: Buffer) => void;
}

/**
 * Where logs come from. `open` resolves the pod, container and instance before anything is sent, throwing the
 * matching Problem (pod or container not found, a container must be named, no previous instance).
 */
export interface LogSource {
  open(query: LogQuery): Promise<OpenedLog>;
  ready(): Promise<void>;
  /** Lets go of what the source keeps between requests (watches, open files, connections). */
  close(): Promise<void>;
}
