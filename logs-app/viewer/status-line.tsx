import { useEffect, useState } from 'preact/hooks';
import type { FollowStatus } from './follower.js';
import type { LogStore } from './log-store.js';
import { useStoreVersion } from './use-store.js';

interface StatusLineProps {
  store: LogStore;
  status: FollowStatus;
  following: boolean;
  filtered: boolean;
  onFollowingChange(following: boolean): void;
}

const count = (n: number) => n.toLocaleString('en');

function stateText(status: FollowStatus, following: boolean): string {
  switch (status.state) {
    case 'loading':
      return 'Loading…';
    case 'live':
      return following ? 'Live' : 'Paused';
    case 'complete':
      return 'Complete: the whole answer is shown';
    case 'reconnecting':
      return 'The stream ended; asking again…';
    case 'unavailable':
      return `${status.message}. Retrying…`;
    case 'failed':
      return status.message;
  }
}

/** Where the log stands (live, paused, lost, refused) and how many lines it holds; Pause and Resume. */
export function StatusLine({ store, status, following, filtered, onFollowingChange }: StatusLineProps) {
  useStoreVersion(store);
  const [pausedAt, setPausedAt] = useState(store.total);
  useEffect(() => {
    if (!following) setPausedAt(store.total);
  }, [following]);
  const trouble = status.state === 'unavailable' || status.state === 'failed';
  const lines = filtered
    ? `${count(store.shownCount)} of ${count(store.total)} lines match`
    : `${count(store.total)} ${store.total === 1 ? 'line' : 'lines'}`;
  return (
    <div class="status">
      <p class={trouble ? 'banner' : 'state'} role={trouble ? 'alert' : 'status'}>
        {stateText(status, following)}
      </p>
      <span class="counts">
        {lines}
        {!following && status.state === 'live' && `, ${count(store.total - pausedAt)} new since the pause`}
      </span>
      {status.state === 'live' && (
        <button type="button" aria-pressed={!following} onClick={() => onFollowingChange(!following)}>
          {following ? 'Pause' : 'Resume'}
        </button>
      )}
    </div>
  );
}
