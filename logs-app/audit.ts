import { Readable } from 'node:stream';
import type { Middleware } from 'koa';
import { whenClosed } from '../common/closed.js';
import { toProblem } from '../common/problem.js';
import type { ValidatedState } from '../common/validate-request.js';
import type { SessionEnd } from './follows.js';
import { logFileProblem } from './log-file-problem.js';
import type { SessionState } from './require-session.js';
import { ClientTooSlow } from './response-stream.js';

export interface AuditState {
  /** `ended` says why a followed log ended before the client or the container did. */
  audit: { container?: string; ended?: SessionEnd };
}

/** The outcome of a failed request or of an answer that broke off: the slug of the problem it is (or would be). */
const outcomeOf = (error: unknown): string =>
  error instanceof ClientTooSlow ? 'client-too-slow' : (logFileProblem(error) ?? toProblem(error)).kind.slug;

/**
 * Makes a log request's one line its audit record: who (user, session), what (namespace, pod, container) and
 * the outcome. A streamed answer is recorded when it ends, whichever way: served, client-left, client-too-slow,
 * why the session ended, or the failure that broke it off.
 */
export function audit(): Middleware<ValidatedState & Partial<SessionState> & AuditState> {
  return async function auditLogAccess(ctx, next) {
    ctx.state.audit = {};
    const line = ctx.state.requestLine;
    line.message = 'log access';
    const describe = (outcome: string) => {
      const { session, input, audit: found } = ctx.state;
      Object.assign(line.fields, {
        audit: 'log-access',
        user: session?.username,
        sessionId: session?.sessionId,
        namespace: input?.query.namespace,
        pod: input?.path.podName,
        container: found.container,
        outcome,
      });
    };
    try {
      await next();
    } catch (error) {
      describe(outcomeOf(error));
      throw error;
    }
    const body = ctx.body;
    if (!(body instanceof Readable)) return describe('served');
    line.deferred = true;
    let failure: unknown;
    body.once('error', (error) => (failure = error));
    whenClosed(ctx.res, () => {
      const finished = ctx.res.writableFinished ? 'served' : 'client-left';
      describe(ctx.state.audit.ended ?? (failure === undefined ? finished : outcomeOf(failure)));
      line.write();
    });
  };
}
