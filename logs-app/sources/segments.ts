import { closeSync, fstatSync, readSync } from 'node:fs';

export interface FileHandle {
  readonly fd: number;
  release(): void;
}

/** Opens a file for one reader; a shared pool (SharedFiles) may hand out a descriptor it keeps open instead. */
export type OpenFile = (path: string) => FileHandle;

/** Each reader its own descriptor, opened by `open`, closed when it is done. */
export const privately =
  (open: (path: string) => number): OpenFile =>
  (path) => {
    const fd = open(path);
    return { fd, release: () => closeSync(fd) };
  };

/** One file of a container instance's log: a rotated one (maybe gzipped) or the live one, read by byte offset. */
export interface Segment {
  readonly path: string;
  /** The size when first asked; `fresh` asks the file system again (a live file grows). */
  size(fresh?: boolean): number;
  read(position: number, length: number): Buffer;
  /** Reads up to `length` bytes at `position` into `target` at `at`; returns how many were read. */
  readInto(target: Buffer, at: number, position: number, length: number): number;
  /** The inode of the open file, to notice rotation while following. */
  inode(): number;
  close(): void;
}

export interface Position {
  segment: number;
  offset: number;
}

export class FileSegment implements Segment {
  private file: FileHandle | undefined;
  private knownSize: number | undefined;
  private knownInode: number | undefined;
  /** The last block read: a tail reads the end backwards, then forwards over the same bytes. */
  private lastBlock: { position: number; bytes: Buffer } | undefined;

  constructor(
    readonly path: string,
    private readonly openFile: OpenFile,
  ) {}

  private handle(): number {
    this.file ??= this.openFile(this.path);
    return this.file.fd;
  }

  size(fresh = false): number {
    if (fresh) this.lastBlock = undefined;
    if (fresh || this.knownSize === undefined) this.knownSize = fstatSync(this.handle()).size;
    return this.knownSize;
  }

  /** A descriptor's inode never changes, so it is asked once. */
  inode(): number {
    this.knownInode ??= fstatSync(this.handle()).ino;
    return this.knownInode;
  }

  read(position: number, length: number): Buffer {
    const buffer = Buffer.allocUnsafe(length);
    const read = readSync(this.handle(), buffer, 0, length, position);
    const bytes = read === length ? buffer : buffer.subarray(0, read);
    this.lastBlock = { position, bytes };
    return bytes;
  }

  readInto(target: Buffer, at: number, position: number, length: number): number {
    const block = this.lastBlock;
    if (block && position >= block.position && position + length <= block.position + block.bytes.length) {
      const from = position - block.position;
      return block.bytes.copy(target, at, from, from + length);
    }
    return readSync(this.handle(), target, at, length, position);
  }

  close(): void {
    this.file?.release();
    this.file = undefined;
    this.knownInode = undefined;
    this.lastBlock = undefined;
  }
}

export const endOf = (chain: Segment[]): Position => {
  const last = chain.length - 1;
  return { segment: last, offset: last < 0 ? 0 : (chain[last]?.size() ?? 0) };
};

const firstBlockSize = 4 * 1024;
const blockSize = 64 * 1024;
const newlineByte = 10;
/**
 * No runtime writes a raw line anywhere near this long (the kubelet splits lines at 16 KiB); a longer run of bytes
 * without a newline is taken as lines of this length rather than read whole, and partial pieces are joined into
 * lines of at most this length, in every format, so no answer ever holds more than this of one line.
 */
export const maxLineBytes = 8 * 1024 * 1024;

/**
 * Raw lines of a segment ending before `end`, last first, read backwards in 4 KiB then 64 KiB blocks (never the whole
 * file). Reads grow with the line being read, so a long line costs its length, not its length squared.
 */
export function* linesBackward(segment: Segment, end: number): Generator<{ start: number; text: string }> {
  if (end <= 0) return;
  let bufferStart = Math.max(0, end - firstBlockSize);
  let buffer = segment.read(bufferStart, end - bufferStart);
  let lineEnd = buffer[buffer.length - 1] === newlineByte ? end - 1 : end;
  for (;;) {
    const searchFrom = lineEnd - bufferStart - 1;
    const index = searchFrom >= 0 ? buffer.lastIndexOf(newlineByte, searchFrom) : -1;
    if (index >= 0) {
      yield { start: bufferStart + index + 1, text: buffer.toString('utf8', index + 1, lineEnd - bufferStart) };
      lineEnd = bufferStart + index;
      continue;
    }
    if (bufferStart === 0 || lineEnd - bufferStart >= maxLineBytes) {
      yield { start: bufferStart, text: buffer.toString('utf8', 0, lineEnd - bufferStart) };
      if (bufferStart === 0) return;
      lineEnd = bufferStart;
    }
    const readStart = Math.max(0, bufferStart - Math.max(blockSize, lineEnd - bufferStart));
    buffer = Buffer.concat([
      segment.read(readStart, bufferStart - readStart),
      buffer.subarray(0, lineEnd - bufferStart),
    ]);
    bufferStart = readStart;
  }
}

/**
 * The first line start at or after `position`, looked for no further than a raw line can be long (where there is no
 * newline that far, the end of the search counts as one).
 */
export function lineStartAtOrAfter(segment: Segment, position: number, limit: number): number {
  if (position <= 0) return 0;
  let offset = position - 1;
  limit = Math.min(limit, offset + maxLineBytes);
  while (offset < limit) {
    const chunk = segment.read(offset, Math.min(4096, limit - offset));
    if (chunk.length === 0) return limit;
    const index = chunk.indexOf(newlineByte);
    if (index >= 0) return offset + index + 1;
    offset += chunk.length;
  }
  return limit;
}

/** The raw line starting at `start` (without its newline) and the offset of the line after it. */
export function lineAt(segment: Segment, start: number, limit: number): { text: string; next: number } {
  const next = lineStartAtOrAfter(segment, start + 1, limit);
  const bytes = segment.read(start, next - start);
  const end = bytes[bytes.length - 1] === newlineByte ? bytes.length - 1 : bytes.length;
  return { text: bytes.toString('utf8', 0, end), next };
}
