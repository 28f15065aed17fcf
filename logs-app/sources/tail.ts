import { endsLogicalLine } from './cri.js';
import { endOf, linesBackward, type Position, type Segment } from './segments.js';

/**
 * Where to start reading so that exactly the last `lines` logical lines follow. Partial (P) pieces are joined
 * before counting, which the kubelet does not do (kubernetes#72628). Reads backwards, across rotated files.
 */
export function tailStart(chain: Segment[], lines: number): Position {
  const end = endOf(chain);
  if (lines === 0) return end;
  let counted = 0;
  let nextStart = end;
  for (let segment = chain.length - 1; segment >= 0; segment -= 1) {
    const file = chain[segment]!;
    for (const raw of linesBackward(file, segment === end.segment ? end.offset : file.size())) {
      const isEnd = nextStart.segment === end.segment && nextStart.offset === end.offset;
      if (endsLogicalLine(raw.text) && !isEnd) {
        counted += 1;
        if (counted === lines) return nextStart;
      }
      nextStart = { segment, offset: raw.start };
    }
  }
  return { segment: 0, offset: 0 };
}
