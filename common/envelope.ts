import type { Middleware } from 'koa';
import { answerWithProblem, throwIfUnanswered, type ErrorTranslator } from './errors.js';
import { beginRequest, type Logger, type RequestState } from './logger.js';

export interface EnvelopeOptions {
  logger: Logger;
  /** A service's own errors (a lost database, say) as problems. */
  translate?: ErrorTranslator;
  /** Headers every answer carries. */
  headers?: Record<string, string>;
}

/**
 * What wraps every request, in one middleware (each async layer costs every request): its id and log line,
 * the headers every answer carries, and errors turned into problem responses before the line is written.
 */
export function requestEnvelope({ logger, translate, headers }: EnvelopeOptions): Middleware<RequestState> {
  return async function envelope(ctx, next) {
    const line = beginRequest(ctx, logger);
    if (headers) ctx.set(headers);
    try {
      await next();
      throwIfUnanswered(ctx);
    } catch (error) {
      answerWithProblem(ctx, error, translate);
    } finally {
      if (!line.deferred) line.write();
    }
  };
}
