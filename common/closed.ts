import type { ServerResponse } from 'node:http';

/**
 * Runs `done` once the answer is over (sent, or the client left), at once when it already is: a 'close' listener
 * added after the event would never run, and whatever it was meant to stop would run on.
 */
export function whenClosed(res: ServerResponse, done: () => void): void {
  if (res.closed) done();
  else res.once('close', done);
}
