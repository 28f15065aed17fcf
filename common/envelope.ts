import type Koa from 'koa';
import type { Middleware } from 'koa';
import {
  answerWithProblem,
  problemTranslation,
  throwIfUnanswered,
  type ErrorTranslator,
  type ProblemWriter,
} from './errors.js';
import { beginRequest, type Logger, type RequestState } from './logger.js';

/** Every answer of either service: not sniffed, never framed, loading nothing (the docs page loosens this). */
const securityHeaders: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

export interface EnvelopeOptions {
  logger: Logger;
  /** A service's own errors (a lost database, say) as problems. */
  translate?: ErrorTranslator;
  /** Headers every answer of this service carries, besides the security headers. */
  headers?: Record<string, string>;
  /** Writes a problem another way for the requests it chooses (undefined: RFC 9457). */
  writeProblem?: ProblemWriter;
}

/**
 * What wraps every request, in one middleware (each async layer costs every request): its id and log line,
 * the headers every answer carries, and errors turned into problem responses before the line is written.
 */
export function requestEnvelope({
  logger,
  translate,
  headers,
  writeProblem,
}: EnvelopeOptions): Middleware<RequestState> {
  const always = { ...securityHeaders, ...headers };
  const problemOf = problemTranslation(translate);
  return async function envelope(ctx, next) {
    ctx.state.problemOf = problemOf;
    const line = beginRequest(ctx, logger);
    ctx.set(always);
    try {
      await next();
      throwIfUnanswered(ctx);
    } catch (error) {
      answerWithProblem(ctx, error, writeProblem);
    } finally {
      if (!line.deferred) line.write();
    }
  };
}

/**
 * Koa reports a streamed answer that broke off after its headers as an app error; a client leaving one is not a
 * failure (the request's own line says what happened), anything else is logged.
 */
export function logStreamFailures(app: Koa, logger: Logger): void {
  app.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.warn({ err: error }, 'response stream failed');
  });
}
