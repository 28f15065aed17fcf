import { useEffect, useState } from 'preact/hooks';
import type { LogStore } from './log-store.js';

/** Re-renders the component when the store changes, at most once a frame. */
export function useStoreVersion(store: LogStore): number {
  const [version, setVersion] = useState(0);
  useEffect(() => store.subscribe(() => setVersion((each) => each + 1)), [store]);
  return version;
}
