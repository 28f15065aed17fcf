import type { ComponentChildren } from 'preact';
import type { Matcher } from './filter.js';
import { viewOf, type Line } from './log-store.js';

/** A line past this is cut on screen (the download keeps it whole): one row is one screen line. */
const shownCharacters = 4000;

function highlighted(text: string, matcher: Matcher | undefined): ComponentChildren {
  const cut = text.length > shownCharacters ? `${text.slice(0, shownCharacters)}…` : text;
  if (!matcher) return cut;
  const pieces: ComponentChildren[] = [];
  let at = 0;
  for (const [start, end] of matcher.ranges(cut)) {
    if (start > at) pieces.push(cut.slice(at, start));
    pieces.push(<mark>{cut.slice(start, end)}</mark>);
    at = end;
  }
  if (at < cut.length) pieces.push(cut.slice(at));
  return pieces;
}

/** `2026-03-01T10:00:00.123456789Z` as `2026-03-01 10:00:00.123`. */
const shortTime = (time: string): string =>
  time
    .replace('T', ' ')
    .replace(/(\.\d{3})\d*/, '$1')
    .replace(/Z$/, '');

function JsonLine({ line, matcher }: { line: Line; matcher: Matcher | undefined }) {
  const view = viewOf(line)!;
  return (
    <>
      {view.level !== undefined && <span class={`level level-${view.level}`}>{view.level}</span>}
      {view.message !== undefined && <span class="message">{highlighted(view.message, matcher)}</span>}
      {view.fields.map(([key, value]) => (
        <span class="field" key={key}>
          <span class="field-key">{key}=</span>
          {highlighted(value, matcher)}
        </span>
      ))}
    </>
  );
}

export function LineRow({
  line,
  timestamps,
  matcher,
}: {
  line: Line;
  timestamps: boolean;
  matcher: Matcher | undefined;
}) {
  const stderr = line.stream === 'stderr';
  return (
    <div class={stderr ? 'row stderr' : 'row'}>
      {stderr && <span class="visually-hidden">stderr: </span>}
      {timestamps && line.time && <time dateTime={line.time}>{shortTime(line.time)}</time>}
      {viewOf(line) ? <JsonLine line={line} matcher={matcher} /> : highlighted(line.text, matcher)}
    </div>
  );
}
