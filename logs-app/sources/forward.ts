import type { Position, Segment } from './segments.js';

const chunkSize = 256 * 1024;
const newlineByte = 10;

/** Reads raw lines forward from a position across the files of a chain, one chunk of whole lines at a time. */
export class ForwardReader {
  private carry: Buffer = Buffer.alloc(0);
  private segment: number;
  private offset: number;

  constructor(
    private readonly chain: Segment[],
    start: Position,
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

  /** The next whole lines, or undefined once every byte written so far has been read. */
  next(): string[] | undefined {
    for (;;) {
      const file = this.chain[this.segment];
      if (!file) return undefined;
      const last = this.segment === this.chain.length - 1;
      const size = this.offset < file.size() || !last ? file.size() : file.size(true);
      if (this.offset < size) return this.readChunk(file, size);
      if (last) return undefined;
      const rest = this.takeCarry();
      this.segment += 1;
      this.offset = 0;
      if (rest) return [rest];
    }
  }

  /** Starts over on a new live file (after rotation) once the old one has been read to its end. */
  append(segment: Segment): void {
    this.chain.push(segment);
  }

  /** The bytes after the last newline: a line still being written, or the last line of a file without one. */
  takeCarry(): string | undefined {
    if (this.carry.length === 0) return undefined;
    const text = this.carry.toString('utf8');
    this.carry = Buffer.alloc(0);
    return text;
  }

  rewind(): void {
    this.offset = 0;
    this.carry = Buffer.alloc(0);
  }

  private readChunk(file: Segment, size: number): string[] {
    const bytes = file.read(this.offset, Math.min(chunkSize, size - this.offset));
    this.offset += bytes.length;
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, bytes]) : bytes;
    const lastNewline = data.lastIndexOf(newlineByte);
    if (lastNewline < 0) {
      this.carry = Buffer.from(data);
      return [];
    }
    this.carry = Buffer.from(data.subarray(lastNewline + 1));
    return data.toString('utf8', 0, lastNewline).split('\n');
  }
}
