import { OutgoingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Readable, type Writable } from 'node:stream';
import type { Routes } from '../../common/routes.js';
import type { components, operations } from '../../generated/auth.js';
import type { ChangeFeed } from '../change-feed.js';
import type { Change } from '../store/store.js';

type Message = components['schemas']['ChangeFeedMessage'];

const maxBufferedBytes = 8 * 1024 * 1024;

const changeMessage = (change: Change): Message => ({
  type: 'change',
  seq: change.seq,
  kind: change.kind,
  ...(change.sessionId === undefined ? {} : { sessionId: change.sessionId }),
  ...(change.userId === undefined ? {} : { userId: change.userId }),
  at: new Date(change.at).toISOString(),
});

/**
 * The feed's answer: each line goes to the socket as it is sent, not a tick later through a pipe, so a change is on
 * its way to every subscriber before the write that made it resolves (and before the route that made it answers).
 * Koa hands a stream body over with `pipe`, which this takes to write to the response itself.
 */
class FeedStream extends Readable {
  private destination: Writable | undefined;
  private socket: Socket | undefined;
  private readonly early: string[] = [];

  override _read(): void {}

  override pipe<Destination extends NodeJS.WritableStream>(destination: Destination): Destination {
    this.destination = destination as unknown as Writable;
    this.resume();
    if (destination instanceof OutgoingMessage) {
      destination.flushHeaders();
      this.socket = destination.socket ?? undefined;
    }
    for (const line of this.early.splice(0)) this.send(line);
    return destination;
  }

  /** A subscriber this far behind is cut off: it subscribes again and is told what it missed, or to start afresh. */
  send(line: string): void {
    if (this.destroyed) return;
    if (!this.destination) return void this.early.push(line);
    this.destination.write(line);
    /** Node corks a response's socket until the next tick; the change leaves now. */
    this.socket?.uncork();
    if (this.destination.writableLength > maxBufferedBytes) this.destroy();
  }

  finish(): void {
    if (this.destroyed) return;
    this.push(null);
    this.destination?.end();
  }
}

/**
 * The change feed, for services (the spec asks for the service token): NDJSON, `hello`, then every change as it
 * commits, and a heartbeat every `heartbeatMs`. Streams end when auth-app stops (`ending` aborts).
 */
export function addChangeRoutes(
  routes: Routes<operations>,
  feed: ChangeFeed,
  touchIntervalMs: number,
  ending: AbortSignal,
): void {
  routes.operation('watchChanges', async (ctx, { query }) => {
    const body = new FeedStream();
    const send = (message: Message) => body.send(`${JSON.stringify(message)}\n`);
    const subscription = await feed.subscribe(query.after, {
      start: (seq, replay) => {
        ctx.state.requestLine.fields.replay = replay;
        send({ type: 'hello', seq, replay, touchIntervalMs });
      },
      changes: (changes) => changes.forEach((change) => send(changeMessage(change))),
    });
    const heartbeat = setInterval(
      () => send({ type: 'heartbeat', seq: subscription.position }),
      query.heartbeatMs ?? 1000,
    );
    const end = () => body.finish();
    ending.addEventListener('abort', end, { once: true });
    if (ending.aborted) end();
    body.once('close', () => {
      clearInterval(heartbeat);
      subscription.close();
      ending.removeEventListener('abort', end);
      ctx.state.log.info({ seq: subscription.position }, 'change feed subscriber gone');
    });
    ctx.state.requestLine.message = 'change feed subscribed';
    ctx.state.requestLine.fields.after = query.after;
    return {
      status: 200,
      type: 'application/x-ndjson',
      headers: { 'X-Accel-Buffering': 'no' },
      body,
    };
  });
}
