import { readBuffers } from './read-buffers.js';
import { maxLineBytes, type Position, type Segment } from './segments.js';

/** Small first reads keep short answers cheap; long reads grow to large chunks for throughput. */
const firstChunkSize = 64 * 1024;
const maxChunkSize = readBuffers.size;
const newlineByte = 10;

const newline = Buffer.from('\n');

/** Reads raw lines forward from a position across the files of a chain, one chunk of whole lines at a time. */
export class ForwardReader {
  private carry: Buffer = Buffer.alloc(0);
  private chunkSize = firstChunkSize;
  private segment: number;
  private offset: number;

  /** With `growing`, the last file is asked for its size again once its known end is reached (following). */
  constructor(
    private readonly chain: Segment[],
    start: Position,
    private readonly growing = false,
  ) {
    this.segment = start.segment;
    this.offset = start.offset;
  }

  get current(): Segment | undefined {
    return this.chain[this.segment];
  }

  get position(): number {
    return this.offset;
  }

  /** The next whole lines, each ending in a newline, or undefined once every byte written so far has been read. */
  next(): Buffer | undefined {
    for (;;) {
      const file = this.chain[this.segment];
      if (!file) return undefined;
      const last = this.segment === this.chain.length - 1;
      const size = this.offset < file.size() || !last || !this.growing ? file.size() : file.size(true);
      if (this.offset < size) return this.readChunk(file, size);
      if (last) return undefined;
      const rest = this.takeCarry();
      this.segment += 1;
      this.offset = 0;
      if (rest) return rest;
    }
  }

  /** Starts over on a new live file (after rotation) once the old one has been read to its end. */
  append(segment: Segment): void {
    this.chain.push(segment);
  }

  /** The bytes after the last newline (a line still being written, or a last line without one), as a whole line. */
  takeCarry(): Buffer | undefined {
    if (this.carry.length === 0) return undefined;
    const line = Buffer.concat([this.carry, newline]);
    this.carry = Buffer.alloc(0);
    return line;
  }

  rewind(): void {
    this.offset = 0;
    this.carry = Buffer.alloc(0);
  }

  /**
   * Reads into one buffer that starts with the carried bytes, so no chunk is copied twice. Full-size reads use a
   * pooled buffer (give it back to `readBuffers` once done with the chunk); a line longer than half of one does not,
   * nor a read smaller than a first chunk: a followed log reads a line or two at a time, and a megabyte for each
   * (1,000 followers of busy pods took 10,000 a second) cost logs-app more in allocation and GC than the lines.
   */
  private readChunk(file: Segment, size: number): Buffer {
    const unread = size - this.offset;
    const pooled =
      this.chunkSize === maxChunkSize &&
      this.carry.length <= maxChunkSize / 2 &&
      this.carry.length + unread > firstChunkSize;
    const length = Math.min(pooled ? maxChunkSize - this.carry.length : this.chunkSize, unread);
    this.chunkSize = Math.min(this.chunkSize * 2, maxChunkSize);
    const data = pooled ? readBuffers.take() : Buffer.allocUnsafe(this.carry.length + length);
    this.carry.copy(data, 0);
    const read = file.readInto(data, this.carry.length, this.offset, length);
    this.offset += read;
    const filled = data.subarray(0, this.carry.length + read);
    const lastNewline = filled.lastIndexOf(newlineByte);
    if (lastNewline < 0 && filled.length >= maxLineBytes) {
      this.carry = Buffer.from(filled.subarray(maxLineBytes));
      return Buffer.concat([filled.subarray(0, maxLineBytes), newline]);
    }
    this.carry = Buffer.from(filled.subarray(lastNewline + 1));
    if (lastNewline >= 0) return filled.subarray(0, lastNewline + 1);
    readBuffers.give(data);
    return Buffer.alloc(0);
  }
}
