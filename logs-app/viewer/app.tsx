import { useEffect, useState } from 'preact/hooks';
import { listPods, Refused, SignedOut, Unavailable, type ReadablePods } from './api.js';
import { signInAgain, type ViewerConfig } from './config.js';
import { PodList } from './pod-list.js';
import { PodView } from './pod-view.js';

interface Place {
  namespace?: string;
  pod?: string;
  container?: string;
}

const placeOf = (search: string): Place => {
  const query = new URLSearchParams(search);
  return {
    namespace: query.get('namespace') ?? 'default',
    pod: query.get('pod') ?? undefined,
    container: query.get('container') ?? undefined,
  };
};

type Loaded = { pods: ReadablePods } | { trouble: string } | { refused: string } | undefined;

/** The pod list, asked again every so often and whenever auth-app was lost, until it answers. */
function usePods(config: ViewerConfig): Loaded {
  const [loaded, setLoaded] = useState<Loaded>();
  useEffect(() => {
    const done = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      let nextMs = 15_000;
      try {
        setLoaded({ pods: await listPods(done.signal) });
      } catch (error) {
        if (done.signal.aborted) return;
        if (error instanceof SignedOut) return signInAgain(config);
        if (error instanceof Refused) return setLoaded({ refused: error.message });
        nextMs = error instanceof Unavailable ? error.retryAfterMs : 5000;
        setLoaded((before) => (before && 'pods' in before ? before : { trouble: (error as Error).message }));
      }
      timer = setTimeout(() => void load(), nextMs);
    };
    void load();
    return () => {
      done.abort();
      clearTimeout(timer);
    };
  }, [config]);
  return loaded;
}

function Header({ config }: { config: ViewerConfig }) {
  return (
    <header>
      <h1>
        <a href="./">Pod logs</a>
      </h1>
      <p class="who">
        Signed in as <strong>{config.username}</strong>
      </p>
      <form method="post" action={config.signOutUrl}>
        <input type="hidden" name="csrf" value={config.csrf} />
        <input type="hidden" name="rd" value={config.homeUrl} />
        <button type="submit">Sign out</button>
      </form>
    </header>
  );
}

export function App({ config }: { config: ViewerConfig }) {
  const [place, setPlace] = useState(() => placeOf(window.location.search));
  const loaded = usePods(config);
  const namespace =
    loaded && 'pods' in loaded ? loaded.pods.namespaces.find((each) => each.name === place.namespace) : undefined;
  const pod = namespace?.pods.find((each) => each.name === place.pod);
  const container = pod && (pod.containers.find((each) => each.name === place.container) ?? pod.containers[0]);
  useEffect(() => {
    document.title = place.pod ? `${place.pod} · Pod logs` : 'Pod logs';
  }, [place.pod]);
  const chooseContainer = (name: string) => {
    const next = { ...place, container: name };
    window.history.replaceState(null, '', `?${new URLSearchParams(next as Record<string, string>)}`);
    setPlace(next);
  };
  return (
    <>
      <Header config={config} />
      {loaded && 'trouble' in loaded && (
        <p class="banner" role="alert">
          {loaded.trouble}. Retrying…
        </p>
      )}
      <main>
        {!loaded || 'trouble' in loaded ? (
          <p class="state">Loading…</p>
        ) : 'refused' in loaded ? (
          <p role="alert">{loaded.refused}</p>
        ) : place.pod === undefined ? (
          <PodList pods={loaded.pods} />
        ) : pod && container ? (
          <PodView
            key={`${namespace!.name}/${pod.name}`}
            namespace={namespace!.name}
            pod={pod}
            container={container.name}
            onContainerChange={chooseContainer}
            onSignedOut={() => signInAgain(config)}
          />
        ) : (
          <p role="alert">
            No pod {place.pod} in namespace {place.namespace ?? 'default'} that your session may read.{' '}
            <a href="./">All pods</a>
          </p>
        )}
      </main>
    </>
  );
}
