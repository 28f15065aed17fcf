import { maxLineBytes } from './segments.js';
import type { LogEntry } from './source.js';

interface Piece extends LogEntry {
  partial: boolean;
}

const newline = '\n';
const timeShape = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

/**
 * One raw line of a kubelet log file: CRI (`<time> <stream> <P|F>[:tags] <content>`) or Docker json-file
 * (`{"log":"…\n","stream":"stdout","time":"…"}`, where a piece without the trailing newline is partial).
 * A line that is neither is kept whole as content.
 */
export function parseRawLine(raw: string): Piece {
  if (raw.startsWith('{')) return parseDockerLine(raw) ?? { line: raw, partial: false };
  const timeEnd = raw.indexOf(' ');
  const streamEnd = timeEnd < 0 ? -1 : raw.indexOf(' ', timeEnd + 1);
  const tagsEnd = streamEnd < 0 ? -1 : raw.indexOf(' ', streamEnd + 1);
  if (tagsEnd < 0) {
    if (streamEnd > 0 && raw.length > streamEnd + 1) return criPiece(raw, timeEnd, streamEnd, '');
    return { line: raw, partial: false };
  }
  return criPiece(raw, timeEnd, streamEnd, raw.slice(tagsEnd + 1));
}

function criPiece(raw: string, timeEnd: number, streamEnd: number, content: string): Piece {
  const stream = raw.slice(timeEnd + 1, streamEnd);
  if ((stream !== 'stdout' && stream !== 'stderr') || !timeShape.test(raw)) return { line: raw, partial: false };
  return { time: raw.slice(0, timeEnd), stream, line: content, partial: raw.charCodeAt(streamEnd + 1) === 80 /* P */ };
}

function parseDockerLine(raw: string): Piece | undefined {
  try {
    const parsed = JSON.parse(raw) as { log?: unknown; stream?: unknown; time?: unknown };
    if (typeof parsed.log !== 'string') return undefined;
    const partial = !parsed.log.endsWith(newline);
    const stream = parsed.stream === 'stderr' ? 'stderr' : 'stdout';
    const time = typeof parsed.time === 'string' ? parsed.time : undefined;
    return { time, stream, line: partial ? parsed.log : parsed.log.slice(0, -1), partial };
  } catch {
    return undefined;
  }
}

/** The time a raw line carries, in ms since the epoch, or NaN. */
export function rawLineTime(raw: string): number {
  if (raw.startsWith('{')) return Date.parse(parseDockerLine(raw)?.time ?? '');
  return Date.parse(raw.slice(0, raw.indexOf(' ')));
}

/**
 * Joins partial pieces into whole lines across batches; a joined line carries its first piece's time. A line that
 * would grow past `maxLineBytes` ends before the piece that would take it there, which starts the next one.
 */
export class LineJoiner {
  private pending: (Piece & { bytes: number }) | undefined;

  push(raw: string, into: LogEntry[]): void {
    const piece = parseRawLine(raw);
    const pending = this.pending;
    if (pending) {
      const bytes = Buffer.byteLength(piece.line);
      if (pending.bytes + bytes > maxLineBytes) {
        this.flush(into);
        this.pending = { ...piece, bytes };
      } else {
        pending.line += piece.line;
        pending.bytes += bytes;
        pending.partial = piece.partial;
      }
    } else if (piece.partial) {
      this.pending = { ...piece, bytes: Buffer.byteLength(piece.line) };
    } else {
      into.push({ time: piece.time, stream: piece.stream, line: piece.line });
      return;
    }
    if (!this.pending?.partial) this.flush(into);
  }

  /** At the end of a log, an unfinished partial line is still a line. */
  flush(into: LogEntry[]): void {
    if (!this.pending) return;
    const { time, stream, line } = this.pending;
    into.push({ time, stream, line });
    this.pending = undefined;
  }
}
