import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Field names that could carry a secret are censored wherever they appear in a log object. */
const redactPaths = ['password', 'token', 'authorization', '*.password', '*.token', '*.authorization'];

/** Logs go to stdout asynchronously: lines written while one write is in flight leave in the next one. */
export function createLogger(name: string, level: string, destination?: DestinationStream): Logger {
  return pino(
    { name, level, redact: { paths: redactPaths, censor: '[redacted]' } },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

export interface RequestState {
  requestId: string;
  log: Logger;
}

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Logs one line per request (never headers or bodies) and gives handlers a logger carrying the request id,
 * made only when a handler logs.
 */
export function requestLogger(logger: Logger): Middleware<RequestState> {
  return async function requestLog(ctx, next) {
    const offered = ctx.get('x-request-id');
    const requestId = requestIdPattern.test(offered) ? offered : randomUUID();
    const started = performance.now();
    let child: Logger | undefined;
    ctx.state.requestId = requestId;
    Object.defineProperty(ctx.state, 'log', { get: () => (child ??= logger.child({ requestId })), configurable: true });
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      logger.info(
        {
          requestId,
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    }
  };
}
