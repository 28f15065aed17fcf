import { parseRawLine } from './cri.js';
import { endOf, linesBackward, maxLineBytes, type Position, type Segment } from './segments.js';

/**
 * Where to start reading so that exactly the last `lines` logical lines follow. Partial (P) pieces are joined
 * before counting, which the kubelet does not do (kubernetes#72628), into lines of at most maxLineBytes as the
 * readers join them (here counted from the end), so a tail never walks back further than it answers. Reads
 * backwards, across rotated files.
 */
export function tailStart(chain: Segment[], lines: number): Position {
  const end = endOf(chain);
  if (lines === 0) return end;
  let counted = 0;
  let nextStart = end;
  /** Bytes of the pieces after this one that belong to the same logical line. */
  let joined = 0;
  for (let segment = chain.length - 1; segment >= 0; segment -= 1) {
    const file = chain[segment]!;
    for (const raw of linesBackward(file, segment === end.segment ? end.offset : file.size())) {
      const piece = parseRawLine(raw.text);
      const bytes = Buffer.byteLength(piece.line);
      const isEnd = nextStart.segment === end.segment && nextStart.offset === end.offset;
      const lineFollows = !piece.partial || joined + bytes > maxLineBytes;
      if (lineFollows && !isEnd) {
        counted += 1;
        if (counted === lines) return nextStart;
      }
      joined = lineFollows ? bytes : joined + bytes;
      nextStart = { segment, offset: raw.start };
    }
  }
  return { segment: 0, offset: 0 };
}
