import { join } from 'node:path';
import type { Chunks } from '../chunks.js';
import { ChangeWaiter, inspect } from './follow.js';
import { ForwardReader } from './forward.js';
import { openSegment, type Position, type Segment } from './segments.js';

export interface LiveInstance {
  containerDir: string;
  instance: number;
  pollMs: number;
  signal: AbortSignal;
  /** True once a newer restart of the container exists: this instance's log has ended. */
  ended: () => boolean;
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
  const waiter = new ChangeWaiter(live.containerDir, live.pollMs, live.signal);
  try {
    for (;;) {
      const chunk = reader.next();
      if (chunk) {
        if (chunk.length > 0) yield chunk;
        continue;
      }
      const action = live.signal.aborted ? 'end' : nextFollowStep(reader, live);
      if (action === 'end') {
        const rest = reader.takeCarry();
        if (rest) yield rest;
        return;
      }
      if (action === 'wait') await waiter.wait();
    }
  } finally {
    waiter.close();
    for (const segment of chain) segment.close();
  }
}

/** After the reader caught up with the live file: read on, switch to the new file after rotation, wait, or end. */
function nextFollowStep(reader: ForwardReader, live: LiveInstance): 'read' | 'wait' | 'end' {
  const current = reader.current;
  if (!current) return 'end';
  const livePath = join(live.containerDir, `${live.instance}.log`);
  const change = inspect({
    path: livePath,
    inode: current.inode(),
    readOffset: reader.position,
    instanceEnded: live.ended,
  });
  switch (change) {
    case 'grown':
      return 'read';
    case 'rotated':
      current.size(true);
      reader.append(openSegment(livePath));
      return 'read';
    case 'truncated':
      reader.rewind();
      return 'read';
    case 'ended':
      return 'end';
    default:
      return 'wait';
  }
}
