import { parseRawLine, rawLineTime } from './cri.js';
import { lineAt, lineStartAtOrAfter, linesBackward, maxLineBytes, type Position, type Segment } from './segments.js';

const before = (raw: string, sinceMs: number): boolean => rawLineTime(raw) < sinceMs;

/** The first line of one segment at or after `sinceMs`, by binary search over byte offsets (lines are in time order). */
function searchSegment(segment: Segment, sinceMs: number): number {
  const size = segment.size();
  let low = 0;
  let high = size;
  while (high - low > 4096) {
    const start = lineStartAtOrAfter(segment, low + Math.floor((high - low) / 2), high);
    if (start >= high) break;
    const line = lineAt(segment, start, size);
    if (before(line.text, sinceMs)) low = line.next;
    else high = start;
  }
  let offset = low;
  while (offset < high) {
    const line = lineAt(segment, offset, size);
    if (!before(line.text, sinceMs)) return offset;
    offset = line.next;
  }
  return high;
}

/** Moves back over partial pieces so a joined line is never cut in half, nor joined past maxLineBytes. */
function logicalLineStart(segment: Segment, offset: number): number {
  let start = offset;
  let joined = 0;
  for (const raw of linesBackward(segment, offset)) {
    const piece = parseRawLine(raw.text);
    joined += Buffer.byteLength(piece.line);
    if (!piece.partial || joined > maxLineBytes) break;
    start = raw.start;
  }
  return start;
}

/**
 * Where to start reading for `sinceTime`: the newest file whose first line is not after it, searched in
 * O(log size) reads instead of the kubelet's linear scan (kubernetes#48465).
 */
export function sinceStart(chain: Segment[], sinceMs: number): Position {
  for (let segment = chain.length - 1; segment >= 0; segment -= 1) {
    const file = chain[segment]!;
    const first = file.size() > 0 ? lineAt(file, 0, file.size()).text : '';
    if (segment === 0 || (first && !(rawLineTime(first) > sinceMs))) {
      return { segment, offset: logicalLineStart(file, searchSegment(file, sinceMs)) };
    }
  }
  return { segment: 0, offset: 0 };
}
