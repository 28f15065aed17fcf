import type { OperationContext } from '../../common/operation.js';
import { Problem } from '../../common/problem.js';
import type { Routes } from '../../common/routes.js';
import type { operations } from '../../generated/logs.js';
import { audit } from '../audit.js';
import { apiGroups, coreApiVersions, coreV1Resources, kubernetesVersion } from '../kube/discovery.js';
import { logQuery, readLog } from '../log-reader.js';
import { requireSession, type SessionState } from '../require-session.js';
import type { CatalogQuery, KubeObject } from '../sources/source.js';
import type { LogRouteParts } from './logs.js';

const tableType = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** `kubectl get` asks for a meta.k8s.io Table first and takes the plain list too. */
function wantsTable(ctx: OperationContext<object>): boolean {
  const accept = ctx.get('accept');
  if (!ctx.accepts('application/json')) {
    throw new Problem('notAcceptable', { detail: 'only application/json (as a list or as a Table) is served' });
  }
  return /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

interface ListParameters {
  limit?: number;
  continue?: string;
  labelSelector?: string;
  fieldSelector?: string;
  watch?: boolean;
}

function catalogQuery(ctx: OperationContext<object>, query: ListParameters): CatalogQuery {
  if (query.watch) throw new Problem('badRequest', { detail: 'watching is not served here; list instead' });
  return {
    labelSelector: query.labelSelector,
    fieldSelector: query.fieldSelector,
    limit: query.limit || undefined,
    continue: query.continue,
    table: wantsTable(ctx),
  };
}

const nameOf = (object: unknown): string =>
  String((object as { metadata?: { name?: unknown } } | undefined)?.metadata?.name ?? '');

/** A NamespaceList or Table of namespaces down to those whose logs the session may read, as auth-app says. */
async function readable(list: KubeObject, holds: SessionState['holds']): Promise<KubeObject> {
  const key = list.kind === 'Table' ? 'rows' : 'items';
  const entries = Array.isArray(list[key]) ? (list[key] as unknown[]) : [];
  const named = (entry: unknown) => nameOf(key === 'rows' ? (entry as { object?: unknown }).object : entry);
  const allowed = await Promise.all(entries.map((entry) => holds(`logs:read:${named(entry)}`)));
  return { ...list, [key]: entries.filter((_, index) => allowed[index]) };
}

const listed = (body: KubeObject) => ({
  status: 200 as const,
  type: body.kind === 'Table' ? tableType : 'application/json',
  body,
});

/**
 * The part of the Kubernetes API `kubectl logs` and `kubectl get pods` use, served from the same source and the
 * same reader as /logs, behind the same session check: a pod, its log and its namespace's pods need
 * `logs:read:<namespace>`; discovery any live session.
 */
export function addKubernetesRoutes(routes: Routes<operations>, parts: LogRouteParts): void {
  const now = parts.now ?? Date.now;
  const { catalog } = parts.source;
  const anySession = requireSession(parts.sessionCheck, {});
  const inNamespace = requireSession(parts.sessionCheck, {
    permission: (input) => `logs:read:${String(input.path.namespace)}`,
  });
  routes.operation('getKubernetesVersion', () => ({ status: 200, body: kubernetesVersion }));
  routes.operation('getCoreApiVersions', anySession, () => ({ status: 200, body: coreApiVersions }));
  routes.operation('getApiGroups', anySession, () => ({ status: 200, body: apiGroups }));
  routes.operation('getCoreV1Resources', anySession, () => ({ status: 200, body: coreV1Resources }));
  routes.operation('listKubernetesNamespaces', anySession, async (ctx, { query }) => {
    const all = await catalog.namespaces({ ...catalogQuery(ctx, query), limit: undefined, continue: undefined });
    return listed(await readable(all, ctx.state.holds));
  });
  routes.operation('readKubernetesNamespace', inNamespace, async (_ctx, { path }) => {
    const found = await catalog.namespaces({ fieldSelector: `metadata.name=${path.namespace}`, table: false });
    const [namespace] = Array.isArray(found.items) ? (found.items as KubeObject[]) : [];
    if (!namespace) throw new Problem('notFound', { detail: `namespaces "${path.namespace}" not found` });
    return { status: 200, body: namespace };
  });
  routes.operation('listKubernetesPods', inNamespace, async (ctx, { path, query }) =>
    listed(await catalog.pods(path.namespace, catalogQuery(ctx, query))),
  );
  routes.operation('readKubernetesPod', inNamespace, async (_ctx, { path }) => ({
    status: 200,
    body: await catalog.pod(path.namespace, path.name),
  }));
  routes.operation(
    'readKubernetesPodLog',
    audit((input) => ({ namespace: input.path.namespace, pod: input.path.name })),
    inNamespace,
    async (ctx, { path, query }) => {
      if (query.stream !== undefined && query.stream !== 'All') {
        throw new Problem('badRequest', { detail: `stream=${query.stream} is not served; every stream is` });
      }
      return readLog(parts, ctx, logQuery(path.namespace, path.name, query, now()), 'text');
    },
  );
}
