import type { Segment } from './segments.js';

/** Thrown by a rotated gzip read before it was decompressed: await `segment.prepare()`, then try again. */
export class NotYetDecompressed extends Error {
  constructor(readonly segment: GzipSegment) {
    super(`${segment.path} is not decompressed yet`);
    this.name = 'NotYetDecompressed';
  }
}

/** What a rotated file that is left out reads as: nothing. */
export const emptySegment = (path: string): Segment => ({
  path,
  size: () => 0,
  read: () => Buffer.alloc(0),
  readInto: () => 0,
  inode: () => 0,
  close: () => {},
});

/**
 * A rotated, gzipped file, read through its decompressed copy. It is decompressed only when a read reaches it,
 * so a tail the newer files can answer never touches it.
 */
export class GzipSegment implements Segment {
  private copy: Segment | undefined;

  constructor(
    readonly path: string,
    private readonly decompress: (path: string) => Promise<Segment>,
  ) {}

  async prepare(): Promise<void> {
    this.copy ??= await this.decompress(this.path);
  }

  private ready(): Segment {
    if (!this.copy) throw new NotYetDecompressed(this);
    return this.copy;
  }

  size(): number {
    return this.ready().size();
  }

  read(position: number, length: number): Buffer {
    return this.ready().read(position, length);
  }

  readInto(target: Buffer, at: number, position: number, length: number): number {
    return this.ready().readInto(target, at, position, length);
  }

  inode(): number {
    return 0;
  }

  close(): void {
    this.copy?.close();
  }
}
