import { maxLineBytes } from './segments.js';

const newline = 10;
const space = 32;
const partialTag = 80; // 'P'
/** `2016-10-06T00:17:09`: no RFC 3339 time is shorter, so the search for the space after it starts there. */
const shortestTime = 19;

function nextSpace(bytes: Buffer, from: number, end: number): number {
  for (let index = from; index < end; index += 1) if (bytes[index] === space) return index;
  return -1;
}

/** `stdout` or `stderr`, compared byte by byte: this runs once per line. */
const isStream = (bytes: Buffer, start: number, end: number): boolean =>
  end - start === 6 &&
  bytes[start] === 115 &&
  bytes[start + 1] === 116 &&
  bytes[start + 2] === 100 &&
  ((bytes[start + 3] === 111 && bytes[start + 4] === 117 && bytes[start + 5] === 116) ||
    (bytes[start + 3] === 101 && bytes[start + 4] === 114 && bytes[start + 5] === 114));

/** The shape parseRawLine accepts as a time: `dddd-dd-ddTdd:dd…`. */
const looksLikeTime = (bytes: Buffer, start: number): boolean =>
  bytes[start]! >= 48 && bytes[start]! <= 57 && bytes[start + 10] === 84 && bytes[start + 13] === 58;

/**
 * Turns whole raw CRI lines into `kubectl logs` text in one pass over the bytes, without decoding strings:
 * drops the stream and tags, keeps the time only with timestamps, joins P pieces. A line that is not CRI
 * is passed through whole, as the entry parser does.
 */
export class CriTextConverter {
  private partial = false;
  /** Bytes of the joined line written so far: it ends before the piece that would take it past maxLineBytes. */
  private joined = 0;

  constructor(private readonly timestamps: boolean) {}

  /**
   * Converts in place: the text of a line is never longer than the raw line, so writing never overtakes reading.
   * Moves bytes with copyWithin, which V8 runs without leaving JavaScript (Buffer#copy crosses into C++ each line).
   */
  convert(chunk: Buffer): Buffer {
    let written = 0;
    let start = 0;
    while (start < chunk.length) {
      let end = chunk.indexOf(newline, start);
      if (end < 0) end = chunk.length;
      const timeEnd = nextSpace(chunk, start + shortestTime, end);
      const streamEnd = timeEnd >= 0 && chunk[timeEnd + 7] === space ? timeEnd + 7 : -1;
      if (streamEnd < 0 || !isStream(chunk, timeEnd + 1, streamEnd) || !looksLikeTime(chunk, start)) {
        chunk.copyWithin(written, start, end);
        written += end - start;
        if (written < chunk.length) chunk[written++] = newline;
        this.partial = false;
        this.joined = 0;
      } else {
        const tagsEnd = chunk[streamEnd + 2] === space ? streamEnd + 2 : nextSpace(chunk, streamEnd + 1, end);
        const contentStart = tagsEnd < 0 ? end : tagsEnd + 1;
        const partial = chunk[streamEnd + 1] === partialTag;
        /** The newline that ends a line grown too long goes in last: it may sit where this raw line begins. */
        const cut = this.partial && this.joined + (end - contentStart) > maxLineBytes;
        const lineStart = written;
        if (cut) {
          written += 1;
          this.partial = false;
          this.joined = 0;
        }
        if (this.timestamps && !this.partial) {
          chunk.copyWithin(written, start, timeEnd + 1);
          written += timeEnd + 1 - start;
        }
        chunk.copyWithin(written, contentStart, end);
        written += end - contentStart;
        if (cut) chunk[lineStart] = newline;
        this.partial = partial;
        this.joined = partial ? this.joined + (end - contentStart) : 0;
        if (!this.partial) chunk[written++] = newline;
      }
      start = end + 1;
    }
    return chunk.subarray(0, written);
  }

  /** At the end of a log, an unfinished partial line is still a line. */
  finish(): Buffer | undefined {
    if (!this.partial) return undefined;
    this.partial = false;
    this.joined = 0;
    return Buffer.from('\n');
  }
}
