import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ReadablePods } from './api.js';
import { downloadShown } from './download.js';
import { matcherFor } from './filter.js';
import { followLog, type FollowStatus } from './follower.js';
import { LogLines } from './log-lines.js';
import { LogStore } from './log-store.js';
import { StatusLine } from './status-line.js';

type Pod = ReadablePods['namespaces'][number]['pods'][number];

export interface PodViewProps {
  namespace: string;
  pod: Pod;
  container: string;
  onContainerChange(container: string): void;
  onSignedOut(): void;
}

const tailChoices = [100, 1000, 10_000, 100_000];

/** One container's log: its last lines, then live; filter, times, the previous instance, download. */
export function PodView({ namespace, pod, container, onContainerChange, onSignedOut }: PodViewProps) {
  const store = useMemo(() => new LogStore(), []);
  const [tailLines, setTailLines] = useState(1000);
  const [previous, setPrevious] = useState(false);
  const [timestamps, setTimestamps] = useState(false);
  const [query, setQuery] = useState('');
  const [regularExpression, setRegularExpression] = useState(false);
  const [following, setFollowing] = useState(true);
  const [status, setStatus] = useState<FollowStatus>({ state: 'loading' });
  const filter = useMemo(() => matcherFor(query, regularExpression), [query, regularExpression]);
  const matcher = 'matcher' in filter ? filter.matcher : undefined;

  useEffect(() => store.filter(matcher), [store, matcher]);

  useEffect(() => {
    const reading = new AbortController();
    store.clear();
    setStatus({ state: 'loading' });
    setFollowing(true);
    void followLog(
      { namespace, pod: pod.name, container, previous, follow: !previous, tailLines },
      store,
      { onStatus: setStatus, onSignedOut },
      reading.signal,
    );
    return () => reading.abort();
  }, [store, namespace, pod.name, container, previous, tailLines]);

  const fileName = `${namespace}_${pod.name}_${container}${previous ? '_previous' : ''}.log`;
  return (
    <section class="pod-view" aria-labelledby="pod-title">
      <div class="toolbar">
        <h2 id="pod-title">
          <a href="./">All pods</a> / {namespace} / {pod.name}
        </h2>
        {pod.containers.length > 1 && (
          <span class="control">
            <label for="container">Container</label>
            <select id="container" value={container} onChange={(event) => onContainerChange(event.currentTarget.value)}>
              {pod.containers.map((each) => (
                <option key={each.name} value={each.name}>
                  {each.name}
                </option>
              ))}
            </select>
          </span>
        )}
        <span class="control">
          <label for="tail-lines">Lines</label>
          <select
            id="tail-lines"
            value={tailLines}
            onChange={(event) => setTailLines(Number(event.currentTarget.value))}
          >
            {tailChoices.map((each) => (
              <option key={each} value={each}>
                last {each.toLocaleString('en')}
              </option>
            ))}
          </select>
        </span>
        <label class="check">
          <input type="checkbox" checked={previous} onChange={(event) => setPrevious(event.currentTarget.checked)} />
          Previous container
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={timestamps}
            onChange={(event) => setTimestamps(event.currentTarget.checked)}
          />
          Timestamps
        </label>
      </div>
      <div class="toolbar">
        <span class="control filter">
          <label for="filter">Filter</label>
          <input
            id="filter"
            type="search"
            value={query}
            aria-invalid={'error' in filter}
            aria-describedby="filter-error"
            onInput={(event) => setQuery(event.currentTarget.value)}
          />
        </span>
        <label class="check">
          <input
            type="checkbox"
            checked={regularExpression}
            onChange={(event) => setRegularExpression(event.currentTarget.checked)}
          />
          Regular expression
        </label>
        <span id="filter-error" class="filter-error">
          {'error' in filter ? filter.error : ''}
        </span>
        <button type="button" onClick={() => downloadShown(store, timestamps, fileName)}>
          Download
        </button>
      </div>
      <StatusLine
        store={store}
        status={status}
        following={following}
        filtered={matcher !== undefined}
        onFollowingChange={setFollowing}
      />
      <LogLines
        store={store}
        timestamps={timestamps}
        matcher={matcher}
        following={following}
        onFollowingChange={setFollowing}
      />
    </section>
  );
}
