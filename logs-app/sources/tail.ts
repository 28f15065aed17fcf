import { parseRawLine } from './cri.js';
import { endOf, linesBackward, maxLineBytes, type Position, type Segment } from './segments.js';

const same = (a: Position, b: Position): boolean => a.segment === b.segment && a.offset === b.offset;

/**
 * Where to start reading so that exactly the last `lines` logical lines follow. Partial (P) pieces are joined
 * before counting, which the kubelet does not do (kubernetes#72628), into lines of at most maxLineBytes as the
 * readers join them (here counted from the end), so a tail never walks back further than it answers. Reads
 * backwards, across rotated files; a rotated file is taken to begin a line, so a tail the newer files can answer
 * never opens (or decompresses) an older one.
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
    /** The line after an older file's last one begins the newer file: it was counted there. */
    let counting = segment === end.segment;
    for (const raw of linesBackward(file, segment === end.segment ? end.offset : file.size())) {
      const piece = parseRawLine(raw.text);
      const bytes = Buffer.byteLength(piece.line);
      const lineFollows = !piece.partial || joined + bytes > maxLineBytes;
      if (lineFollows && counting && !same(nextStart, end)) {
        counted += 1;
        if (counted === lines) return nextStart;
      }
      counting = true;
      joined = lineFollows ? bytes : joined + bytes;
      nextStart = { segment, offset: raw.start };
    }
    if (segment > 0 && nextStart.segment === segment && !same(nextStart, end)) {
      counted += 1;
      if (counted === lines) return nextStart;
      joined = 0;
    }
  }
  return { segment: 0, offset: 0 };
}
