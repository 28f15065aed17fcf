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

/** A Kubernetes object as the API writes it: its kind and version, and the rest as it is. */
export type KubeObject = { kind: string; apiVersion: string } & Record<string, unknown>;

/** What a list asks for, in the Kubernetes API's terms. */
export interface CatalogQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** A meta.k8s.io/v1 Table (what `kubectl get` shows) rather than the list itself. */
  table: boolean;
}

export interface ContainerSummary {
  name: string;
  restartCount: number;
  /** When its current log was last written, where the source knows it. */
  lastWriteMs?: number;
}

/** A pod as a list to choose from shows it. */
export interface PodSummary {
  name: string;
  containers: ContainerSummary[];
}

/**
 * The pods and namespaces a source knows, as the Kubernetes API shows them: made from a log directory's layout, or
 * the cluster's own objects passed through. Which of them a session may see is not its business.
 */
export interface PodCatalog {
  namespaces(query: CatalogQuery): Promise<KubeObject>;
  pods(namespace: string, query: CatalogQuery): Promise<KubeObject>;
  /** A namespace's pods and containers, by name. */
  summaries(namespace: string): Promise<PodSummary[]>;
  /** Throws the podNotFound problem, worded as the Kubernetes API words it. */
  pod(namespace: string, name: string): Promise<KubeObject>;
}

/**
 * Where logs come from. `open` resolves the pod, container and instance before anything is sent, throwing the
 * matching Problem (pod or container not found, a container must be named, no previous instance).
 */
export interface LogSource {
  open(query: LogQuery): Promise<OpenedLog>;
  readonly catalog: PodCatalog;
  ready(): Promise<void>;
  /** Lets go of what the source keeps between requests (watches, open files, connections). */
  close(): Promise<void>;
}
