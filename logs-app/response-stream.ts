import { Readable, type Writable } from 'node:stream';

/** Resolves once the destination can take more, or will never take more. */
function drained(destination: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      destination.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    destination.on('drain', done).on('close', done).on('error', done);
  });
}

/**
 * A streamed answer whose chunks may be lent memory. Koa sends a stream body through `pipe`, and Readable#pipe
 * writes without callbacks, so nothing would say when the socket is done with a chunk. This stream's pipe writes
 * each chunk itself, with backpressure, and hands it to `release` once the socket has taken it.
 */
export class ResponseStream extends Readable {
  private sending = false;

  constructor(
    private readonly chunks: AsyncIterable<string | Buffer>,
    private readonly release: (chunk: Buffer) => void = () => {},
  ) {
    super();
  }

  override _read(): void {}

  /** Never sent (a HEAD request, an error after the body was set): the log is still let go of. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.sending) {
      this.sending = true;
      void this.abandon();
    }
    callback(error);
  }

  /** Only a started iterator runs its cleanup on return: one chunk is taken, given back, and the rest left. */
  private async abandon(): Promise<void> {
    try {
      for await (const chunk of this.chunks) {
        if (typeof chunk !== 'string') this.release(chunk);
        break;
      }
    } catch {
      /** Nobody is left to tell. */
    }
  }

  override pipe<Destination extends NodeJS.WritableStream>(
    destination: Destination,
    options?: { end?: boolean },
  ): Destination {
    if (!this.sending) {
      this.sending = true;
      this.resume();
      void this.send(destination as unknown as Writable, options?.end ?? true);
    }
    return destination;
  }

  private async send(destination: Writable, end: boolean): Promise<void> {
    try {
      for await (const chunk of this.chunks) {
        if (this.destroyed || destination.destroyed) return;
        const taken = (error?: Error | null) => {
          if (!error && typeof chunk !== 'string') this.release(chunk);
        };
        if (!destination.write(chunk, taken)) await drained(destination);
      }
      if (this.destroyed || destination.destroyed) return;
      this.push(null);
      if (end) destination.end();
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
