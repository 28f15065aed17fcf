import { randomUUID } from 'node:crypto';
import type { ParameterizedContext } from 'koa';
import { pino, type Logger, type DestinationStream } from 'pino';
import type { Problem } from './problem.js';

export type { Logger };

/**
 * Field names that could carry a secret are censored. Nothing logs headers or bodies; these named paths are the
 * safety net (wildcard paths would double the cost of every line).
 */
const redactPaths = [
  'password',
  'token',
  'authorization',
  'headers.authorization',
  'err.headers.authorization',
  'body.password',
  'body.token',
];

/** Logs go to stdout asynchronously: lines written while one write is in flight leave in the next one. */
export function createLogger(name: string, level: string, destination?: DestinationStream): Logger {
  return pino(
    { name, level, redact: { paths: redactPaths, censor: '[redacted]' } },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** The one line a request leaves: a route may name it, add fields, or write it later (a streamed answer). */
export interface RequestLine {
  message: string;
  fields: Record<string, unknown>;
  /** Set by a route that writes the line itself once its streamed answer ends. */
  deferred: boolean;
  write(): void;
}

export interface RequestState {
  requestId: string;
  log: Logger;
  requestLine: RequestLine;
  /** The service's one translation of an error into the problem it answers, for whatever records the outcome. */
  problemOf: (error: unknown) => Problem;
}

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Starts the one log line of a request (never headers or bodies) and gives handlers a logger carrying its id. The
 * id is always this service's own: a client could otherwise pass its requests off as others'. One the client sent
 * is logged beside it, so a proxy's id still finds the line.
 */
export function beginRequest(ctx: ParameterizedContext<RequestState>, logger: Logger): RequestLine {
  const offered = ctx.get('x-request-id');
  const clientRequestId = requestIdPattern.test(offered) ? offered : undefined;
  const requestId = randomUUID();
  const started = performance.now();
  const line: RequestLine = {
    message: 'request',
    fields: {},
    deferred: false,
    write: () => {
      logger.info(
        {
          requestId,
          clientRequestId,
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round(performance.now() - started),
          ...line.fields,
        },
        line.message,
      );
    },
  };
  ctx.state.requestId = requestId;
  ctx.state.requestLine = line;
  ctx.state.log = logger.child({ requestId });
  ctx.set('X-Request-Id', requestId);
  return line;
}
