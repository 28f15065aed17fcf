import type { Routes } from '../../common/routes.js';
import type { components, operations } from '../../generated/logs.js';
import { requireSession, type SessionCheck } from '../require-session.js';
import type { KubeObject, PodCatalog, PodSummary } from '../sources/source.js';

type ReadablePods = components['schemas']['ReadablePods'];

const namesOf = (list: KubeObject): string[] =>
  (Array.isArray(list.items) ? (list.items as Array<{ metadata?: { name?: unknown } }>) : []).map((item) =>
    String(item.metadata?.name ?? ''),
  );

const view = (pod: PodSummary): ReadablePods['namespaces'][number]['pods'][number] => ({
  name: pod.name,
  containers: pod.containers.map(({ name, restartCount, lastWriteMs }) =>
    lastWriteMs === undefined
      ? { name, restartCount }
      : { name, restartCount, lastWriteAt: new Date(lastWriteMs).toISOString() },
  ),
});

/**
 * What a session may read, for a viewer to choose from: every namespace is asked of auth-app at once (the checks of
 * one turn share a batch), and only the readable ones are listed.
 */
export function addPodListRoutes(routes: Routes<operations>, catalog: PodCatalog, sessionCheck: SessionCheck): void {
  routes.operation('listReadablePods', requireSession(sessionCheck, {}), async (ctx) => {
    const names = namesOf(await catalog.namespaces({ table: false }));
    const allowed = await Promise.all(names.map((name) => ctx.state.holds(`logs:read:${name}`)));
    const readable = names.filter((_, index) => allowed[index]);
    const namespaces = await Promise.all(
      readable.map(async (name) => ({ name, pods: (await catalog.summaries(name)).map(view) })),
    );
    return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: { namespaces } };
  });
}
