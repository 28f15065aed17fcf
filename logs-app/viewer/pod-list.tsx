import { useState } from 'preact/hooks';
import type { ReadablePods } from './api.js';

type Pod = ReadablePods['namespaces'][number]['pods'][number];

function ago(iso: string | undefined, now: number): string {
  if (iso === undefined) return 'unknown';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

const lastWrite = (pod: Pod): string | undefined =>
  pod.containers
    .map((container) => container.lastWriteAt)
    .filter((each): each is string => each !== undefined)
    .sort()
    .at(-1);

const podLink = (namespace: string, pod: string) => `?${new URLSearchParams({ namespace, pod })}`;

/** Every pod the session may read, by namespace, narrowed as the reader types. */
export function PodList({ pods }: { pods: ReadablePods }) {
  const [query, setQuery] = useState('');
  const needle = query.trim().toLowerCase();
  const now = Date.now();
  const namespaces = pods.namespaces
    .map((namespace) => ({
      name: namespace.name,
      pods: namespace.pods.filter((pod) => `${namespace.name}/${pod.name}`.includes(needle)),
    }))
    .filter((namespace) => namespace.pods.length > 0);
  const shown = namespaces.reduce((sum, namespace) => sum + namespace.pods.length, 0);
  return (
    <section class="pod-list" aria-labelledby="pods-title">
      <div class="toolbar">
        <h2 id="pods-title">Pods</h2>
        <span class="control filter">
          <label for="find-pod">Find a pod</label>
          <input
            id="find-pod"
            type="search"
            value={query}
            autoFocus
            onInput={(event) => setQuery(event.currentTarget.value)}
          />
        </span>
        <span class="counts" role="status">
          {shown} {shown === 1 ? 'pod' : 'pods'} in {namespaces.length}{' '}
          {namespaces.length === 1 ? 'namespace' : 'namespaces'}
        </span>
      </div>
      {pods.namespaces.length === 0 && (
        <p class="empty">Your session may read the logs of no namespace here. Ask for a logs:read permission.</p>
      )}
      {namespaces.map((namespace) => (
        <table key={namespace.name}>
          <caption>Namespace {namespace.name}</caption>
          <thead>
            <tr>
              <th scope="col">Pod</th>
              <th scope="col">Containers</th>
              <th scope="col">Restarts</th>
              <th scope="col">Last written</th>
            </tr>
          </thead>
          <tbody>
            {namespace.pods.map((pod) => (
              <tr key={pod.name}>
                <th scope="row">
                  <a href={podLink(namespace.name, pod.name)}>{pod.name}</a>
                </th>
                <td>{pod.containers.map((container) => container.name).join(', ')}</td>
                <td>{pod.containers.reduce((sum, container) => sum + container.restartCount, 0)}</td>
                <td>{ago(lastWrite(pod), now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </section>
  );
}
