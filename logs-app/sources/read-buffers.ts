/**
 * Large read buffers kept for reuse: a full log streams through a few of them instead of allocating a fresh
 * megabyte a read, which costs page faults and, freed only when V8 next collects, resident memory.
 * A buffer comes back only from whoever was handed it, once its bytes are no longer needed (sent, decoded).
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  private readonly lent = new WeakSet<ArrayBuffer>();

  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}

  take(): Buffer {
    const memory = this.free.pop() ?? Buffer.allocUnsafeSlow(this.size).buffer;
    this.lent.add(memory);
    return Buffer.from(memory);
  }

  /** Takes back the memory under `chunk` (any view of a lent buffer), once; ignores any other buffer. */
  give(chunk: Buffer): void {
    const memory = chunk.buffer;
    if (!(memory instanceof ArrayBuffer) || !this.lent.delete(memory)) return;
    if (this.free.length < this.keep) this.free.push(memory);
  }
}

export const readBuffers = new BufferPool(1024 * 1024, 8);
