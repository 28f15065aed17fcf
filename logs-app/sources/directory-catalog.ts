import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Problem } from '../../common/problem.js';
import { fieldFilter, page, refuseLabels } from '../kube/selection.js';
import { humanDuration, table } from '../kube/tables.js';
import type { DirectoryListings } from './layout.js';
import type { CatalogQuery, ContainerSummary, KubeObject, PodCatalog, PodSummary } from './source.js';

interface PodFacts {
  name: string;
  namespace: string;
  uid: string;
  createdMs: number;
  containers: ContainerSummary[];
  /** When a container's current log was last written. */
  lastLogMs: number | undefined;
}

/** A directory's birth time where the file system keeps one, else when it last changed. */
const createdAt = (path: string): number => {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats ? stats.birthtimeMs || stats.ctimeMs : 0;
};

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const podColumns = [
  { name: 'Name', type: 'string', description: 'The pod' },
  { name: 'Containers', type: 'integer', description: 'Containers with a log directory' },
  { name: 'Restarts', type: 'integer', description: 'Restarts of its containers, from their log files' },
  { name: 'Last Log', type: 'string', description: 'Since a container last wrote to its log' },
  { name: 'Age', type: 'string', description: 'Since its log directory was made' },
] as const;

const namespaceColumns = [
  { name: 'Name', type: 'string', description: 'The namespace' },
  { name: 'Pods', type: 'integer', description: 'Pods with logs in it' },
  { name: 'Age', type: 'string', description: 'Since its oldest pod directory was made' },
] as const;

/**
 * Pods and namespaces as a node's log directory shows them: names, uids, containers and restart counts from the
 * layout, times from the file system. A directory knows no labels, readiness or phase (it is Unknown).
 */
export class DirectoryCatalog implements PodCatalog {
  constructor(
    private readonly listings: DirectoryListings,
    private readonly root: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  private facts(namespace: string, name: string): PodFacts | undefined {
    const podDir = this.listings.podDirectory(this.root(), namespace, name);
    if (!podDir) return undefined;
    let lastLogMs: number | undefined;
    const containers = this.listings.containers(podDir).map((container): ContainerSummary => {
      const [newest] = this.listings.instanceFiles(join(podDir, container));
      const live = newest?.[1].at(-1);
      const written = live ? statSync(live, { throwIfNoEntry: false })?.mtimeMs : undefined;
      if (written === undefined) return { name: container, restartCount: newest?.[0] ?? 0 };
      lastLogMs = Math.max(lastLogMs ?? 0, written);
      return { name: container, restartCount: newest?.[0] ?? 0, lastWriteMs: written };
    });
    const uid = basename(podDir).split('_')[2] ?? '';
    return { name, namespace, uid, createdMs: createdAt(podDir), containers, lastLogMs };
  }

  /** Every pod, or a namespace's. */
  private all(inNamespace?: string): PodFacts[] {
    const pods: PodFacts[] = [];
    for (const key of this.listings.podIndex(this.root()).keys()) {
      const [namespace = '', name = ''] = key.split('_');
      if (inNamespace !== undefined && namespace !== inNamespace) continue;
      const facts = this.facts(namespace, name);
      if (facts) pods.push(facts);
    }
    return pods.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }

  private metadata(pod: PodFacts): Record<string, unknown> {
    return { name: pod.name, namespace: pod.namespace, uid: pod.uid, creationTimestamp: iso(pod.createdMs) };
  }

  private podObject(pod: PodFacts): KubeObject {
    return {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: this.metadata(pod),
      spec: { containers: pod.containers.map(({ name }) => ({ name })) },
      status: {
        phase: 'Unknown',
        containerStatuses: pod.containers.map(({ name, restartCount }) => ({ name, restartCount, ready: false })),
      },
    };
  }

  async pod(namespace: string, name: string): Promise<KubeObject> {
    const facts = this.facts(namespace, name);
    if (!facts) throw new Problem('podNotFound', { detail: `pods "${name}" not found` });
    return this.podObject(facts);
  }

  async summaries(namespace: string): Promise<PodSummary[]> {
    return this.all(namespace).map((pod) => ({ name: pod.name, containers: pod.containers }));
  }

  async pods(namespace: string, query: CatalogQuery): Promise<KubeObject> {
    refuseLabels(query);
    const matches = fieldFilter(query.fieldSelector, 'Pod');
    const selected = this.all(namespace).filter((pod) =>
      matches({ 'metadata.name': pod.name, 'metadata.namespace': namespace }),
    );
    const { shown, next } = page(selected, query);
    const listMetadata = next ? { continue: next } : {};
    if (!query.table) {
      return {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: listMetadata,
        items: shown.map((pod) => this.podObject(pod)),
      };
    }
    const now = this.now();
    const rows = shown.map((pod) => ({
      cells: [
        pod.name,
        pod.containers.length,
        pod.containers.reduce((sum, container) => sum + container.restartCount, 0),
        pod.lastLogMs === undefined ? '<none>' : humanDuration(now - pod.lastLogMs),
        humanDuration(now - pod.createdMs),
      ],
      metadata: this.metadata(pod),
    }));
    return table([...podColumns], rows, listMetadata);
  }

  async namespaces(query: CatalogQuery): Promise<KubeObject> {
    refuseLabels(query);
    const matches = fieldFilter(query.fieldSelector, 'Namespace');
    const byName = new Map<string, { name: string; pods: number; createdMs: number }>();
    for (const pod of this.all()) {
      const known = byName.get(pod.namespace) ?? { name: pod.namespace, pods: 0, createdMs: pod.createdMs };
      known.pods += 1;
      known.createdMs = Math.min(known.createdMs, pod.createdMs);
      byName.set(pod.namespace, known);
    }
    const selected = [...byName.values()].filter((each) => matches({ 'metadata.name': each.name }));
    const { shown, next } = page(selected, query);
    const listMetadata = next ? { continue: next } : {};
    const metadata = (each: { name: string; createdMs: number }) => ({
      name: each.name,
      creationTimestamp: iso(each.createdMs),
    });
    if (!query.table) {
      const items = shown.map((each) => ({
        kind: 'Namespace',
        apiVersion: 'v1',
        metadata: metadata(each),
        status: { phase: 'Active' },
      }));
      return { kind: 'NamespaceList', apiVersion: 'v1', metadata: listMetadata, items };
    }
    const now = this.now();
    const rows = shown.map((each) => ({
      cells: [each.name, each.pods, humanDuration(now - each.createdMs)],
      metadata: metadata(each),
    }));
    return table([...namespaceColumns], rows, listMetadata);
  }
}
