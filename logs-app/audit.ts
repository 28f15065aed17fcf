import { Readable } from 'node:stream';
import type { Middleware } from 'koa';
import { whenClosed } from '../common/closed.js';
import type { RequestInput, ValidatedState } from '../common/validate-request.js';
import type { SessionEnd } from './follows.js';
import type { SessionState } from './require-session.js';
import { ClientTooSlow } from './response-stream.js';

export interface AuditState {
  /** `ended` says why a followed log ended before the client or the container did. */
  audit: { container?: string; ended?: SessionEnd };
}

/** Which pod of which namespace a request reads, from its validated input. */
export type AuditTarget = (input: RequestInput) => { namespace: unknown; pod: unknown };

/**
 * Makes a log request's one line its audit record: who (user, session), what (namespace, pod, container) and
 * the outcome: the problem it failed with, as the envelope's one translation makes it. A streamed answer is
 * recorded when it ends, whichever way: served, client-left, client-too-slow, why the session ended, or the
 * problem that broke it off.
 */
export function audit(target: AuditTarget): Middleware<ValidatedState & Partial<SessionState> & AuditState> {
  return async function audit(ctx, next) {
    ctx.state.audit = {};
    const line = ctx.state.requestLine;
    line.message = 'log access';
    const describe = (outcome: string) => {
      const { session, input, audit: found } = ctx.state;
      const read = input ? target(input) : undefined;
      Object.assign(line.fields, {
        audit: 'log-access',
        user: session?.username,
        sessionId: session?.sessionId,
        namespace: read?.namespace,
        pod: read?.pod,
        container: found.container,
        outcome,
      });
    };
    try {
      await next();
    } catch (error) {
      describe(ctx.state.problemOf(error).kind.slug);
      throw error;
    }
    const body = ctx.body;
    if (!(body instanceof Readable)) return describe('served');
    line.deferred = true;
    let failure: unknown;
    body.once('error', (error) => (failure = error));
    const ending = (): string => {
      if (ctx.state.audit.ended) return ctx.state.audit.ended;
      if (failure === undefined) return ctx.res.writableFinished ? 'served' : 'client-left';
      return failure instanceof ClientTooSlow ? 'client-too-slow' : ctx.state.problemOf(failure).kind.slug;
    };
    whenClosed(ctx.res, () => {
      describe(ending());
      line.write();
    });
  };
}
