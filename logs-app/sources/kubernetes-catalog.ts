import type { KubernetesApi } from './kubernetes-api.js';
import type { CatalogQuery, KubeObject, PodCatalog, PodSummary } from './source.js';

interface PodObject {
  metadata?: { name?: string };
  spec?: { containers?: Array<{ name?: string }> };
  status?: { containerStatuses?: Array<{ name?: string; restartCount?: number }> };
}

/** The API says how often a container restarted, not when it last wrote. */
function summaryOf(pod: PodObject): PodSummary {
  const restarts = new Map((pod.status?.containerStatuses ?? []).map((each) => [each.name, each.restartCount ?? 0]));
  return {
    name: pod.metadata?.name ?? '',
    containers: (pod.spec?.containers ?? []).map(({ name = '' }) => ({ name, restartCount: restarts.get(name) ?? 0 })),
  };
}

const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

function listPath(path: string, query: CatalogQuery): string {
  const parameters = new URLSearchParams();
  if (query.labelSelector) parameters.set('labelSelector', query.labelSelector);
  if (query.fieldSelector) parameters.set('fieldSelector', query.fieldSelector);
  if (query.limit !== undefined) parameters.set('limit', String(query.limit));
  if (query.continue) parameters.set('continue', query.continue);
  const search = parameters.toString();
  return search ? `${path}?${search}` : path;
}

/** The cluster's own pods and namespaces, asked for with the same selectors and passed through as they come. */
export class KubernetesCatalog implements PodCatalog {
  constructor(private readonly api: KubernetesApi) {}

  private list(path: string, query: CatalogQuery): Promise<KubeObject> {
    return this.api.json(listPath(path, query), query.table ? tableAccept : undefined) as Promise<KubeObject>;
  }

  namespaces(query: CatalogQuery): Promise<KubeObject> {
    return this.list('/api/v1/namespaces', query);
  }

  pods(namespace: string, query: CatalogQuery): Promise<KubeObject> {
    return this.list(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, query);
  }

  async summaries(namespace: string): Promise<PodSummary[]> {
    const list = await this.pods(namespace, { table: false });
    const items = Array.isArray(list.items) ? (list.items as PodObject[]) : [];
    return items.map(summaryOf).sort((a, b) => a.name.localeCompare(b.name));
  }

  pod(namespace: string, name: string): Promise<KubeObject> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
    return this.api.json(path) as Promise<KubeObject>;
  }
}
