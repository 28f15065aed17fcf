import type { Chunks } from '../chunks.js';
import { ForwardReader } from './forward.js';
import type { LiveState, LiveWatch } from './live-files.js';
import type { Position, Segment } from './segments.js';

export interface LiveInstance {
  /** The live file's path, opened anew after a rotation. */
  path: string;
  open: (path: string) => Segment;
  /** Starts watching the live file, for as long as the followed log is read. */
  watch: () => LiveWatch;
  signal: AbortSignal;
}

/**
 * Whole raw lines from `start` to the end of the chain, read at once; when following a live instance, then what
 * is written next, across rotation, until the instance ends or the signal aborts. Closes the files when done.
 */
export function rawChunks(chain: Segment[], start: Position, live: LiveInstance | undefined): Chunks<Buffer> {
  return live ? followedChunks(chain, start, live) : chunksToEnd(chain, start);
}

function* chunksToEnd(chain: Segment[], start: Position): Generator<Buffer> {
  const reader = new ForwardReader(chain, start);
  try {
    for (let chunk = reader.next(); chunk; chunk = reader.next()) if (chunk.length > 0) yield chunk;
    const rest = reader.takeCarry();
    if (rest) yield rest;
  } finally {
    for (const segment of chain) segment.close();
  }
}

async function* followedChunks(chain: Segment[], start: Position, live: LiveInstance): AsyncGenerator<Buffer> {
  const reader = new ForwardReader(chain, start, true);
  const watch = live.watch();
  try {
    for (;;) {
      const chunk = reader.next();
      if (chunk) {
        if (chunk.length > 0) yield chunk;
        continue;
      }
      const action = live.signal.aborted ? 'end' : nextFollowStep(reader, live, watch.state());
      if (action === 'end') {
        const rest = reader.takeCarry();
        if (rest) yield rest;
        return;
      }
      if (action === 'wait') await watch.changed(live.signal);
    }
  } finally {
    watch.close();
    for (const segment of chain) segment.close();
  }
}

/**
 * After the reader caught up with the live file (its own descriptor says so): switch to the new file after a
 * rotation, start over after a truncation, end with the instance, or wait.
 */
function nextFollowStep(reader: ForwardReader, live: LiveInstance, state: LiveState): 'read' | 'wait' | 'end' {
  const current = reader.current;
  if (!current) return 'end';
  if (state.inode !== undefined && state.inode !== current.inode()) {
    current.size(true);
    reader.append(live.open(live.path));
    return 'read';
  }
  if (current.size() < reader.position) {
    reader.rewind();
    return 'read';
  }
  return state.ended ? 'end' : 'wait';
}
