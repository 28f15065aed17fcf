import { Readable } from 'node:stream';
import type { Routes } from '../../common/routes.js';
import type { components, operations } from '../../generated/auth.js';
import type { ChangeFeed } from '../change-feed.js';
import type { Change } from '../store/store.js';

type Message = components['schemas']['ChangeFeedMessage'];

/** A subscriber this far behind is cut off; it subscribes again and is told to start afresh or what it missed. */
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
    const body = new Readable({ read() {} });
    const send = (message: Message) => {
      if (body.destroyed) return;
      body.push(`${JSON.stringify(message)}\n`);
      if (body.readableLength > maxBufferedBytes) body.destroy();
    };
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
    const end = () => body.push(null);
    ending.addEventListener('abort', end, { once: true });
    if (ending.aborted) end();
    body.once('close', () => {
      clearInterval(heartbeat);
      subscription.close();
      ending.removeEventListener('abort', end);
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
