import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Matcher } from './filter.js';
import { LineRow } from './line-row.js';
import type { LogStore } from './log-store.js';
import { useStoreVersion } from './use-store.js';

/** Fixed, so which rows are on screen is arithmetic; the style sheet says the same (.row). */
const rowHeight = 20;
const overscan = 20;

interface LogLinesProps {
  store: LogStore;
  timestamps: boolean;
  matcher: Matcher | undefined;
  /** Kept at the bottom as lines arrive; scrolling up turns it off, scrolling back down on. */
  following: boolean;
  onFollowingChange(following: boolean): void;
}

/**
 * The lines, of which only those on screen (and a few around) are in the DOM: a log of any length costs as many
 * rows as the window is tall.
 */
export function LogLines({ store, timestamps, matcher, following, onFollowingChange }: LogLinesProps) {
  const version = useStoreVersion(store);
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const count = store.shownCount;

  useEffect(() => {
    const element = box.current!;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const element = box.current!;
    if (following && element.scrollTop + element.clientHeight < element.scrollHeight) {
      element.scrollTop = element.scrollHeight;
      setScrollTop(element.scrollTop);
    }
  }, [version, following, count]);

  const onScroll = () => {
    const element = box.current!;
    setScrollTop(element.scrollTop);
    const atBottom = element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeight / 2;
    if (atBottom !== following) onFollowingChange(atBottom);
  };

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const rows = [];
  for (let position = first; position < last; position += 1) {
    const line = store.shownAt(position);
    if (line) rows.push(<LineRow key={position} line={line} timestamps={timestamps} matcher={matcher} />);
  }
  return (
    <div class="log" ref={box} tabIndex={0} role="log" aria-live="off" aria-label="Log lines" onScroll={onScroll}>
      <div class="log-space" style={{ height: `${count * rowHeight}px` }}>
        <div class="log-rows" style={{ transform: `translateY(${first * rowHeight}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
