import { OutgoingMessage } from 'node:http';
import { Readable, type Writable } from 'node:stream';

/** A client that took nothing of the answer for the write timeout: it holds memory and a connection for nothing. */
export class ClientTooSlow extends Error {
  constructor(timeoutMs: number) {
    super(`the client took nothing for ${timeoutMs} ms`);
    this.name = 'ClientTooSlow';
  }
}

/** Resolves true once the destination can take more, or will never take more; false when it took nothing in time. */
function drained(destination: Writable, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (taken: boolean) => {
      clearTimeout(timer);
      destination.off('drain', done).off('close', done).off('error', done);
      resolve(taken);
    };
    const done = () => settle(true);
    const timer = setTimeout(settle, timeoutMs, false);
    destination.on('drain', done).on('close', done).on('error', done);
  });
}

export interface StreamOptions {
  /** Takes back a chunk once the socket has taken it (lent memory). */
  release?: (chunk: Buffer) => void;
  writeTimeoutMs: number;
}

/**
 * A streamed answer whose chunks may be lent memory. Koa sends a stream body through `pipe`, and Readable#pipe
 * writes without callbacks, so nothing would say when the socket is done with a chunk. This stream's pipe writes
 * each chunk itself, with backpressure, and hands it to `release` once the socket has taken it.
 */
export class ResponseStream extends Readable {
  private sending = false;
  private readonly release: (chunk: Buffer) => void;
  private readonly writeTimeoutMs: number;

  constructor(
    private readonly chunks: AsyncIterable<string | Buffer>,
    { release = () => {}, writeTimeoutMs }: StreamOptions,
  ) {
    super();
    this.release = release;
    this.writeTimeoutMs = writeTimeoutMs;
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
      /** The headers leave now, not with the first line: a follow may wait long for one. */
      if (destination instanceof OutgoingMessage) destination.flushHeaders();
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
        if (!destination.write(chunk, taken) && !(await drained(destination, this.writeTimeoutMs))) {
          throw new ClientTooSlow(this.writeTimeoutMs);
        }
      }
      if (this.destroyed || destination.destroyed) return;
      this.push(null);
      if (end) destination.end();
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
