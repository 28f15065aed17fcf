import { Readable } from 'node:stream';
import type { Middleware } from 'koa';
import { toProblem } from '../common/problem.js';
import type { ValidatedState } from '../common/validate-request.js';
import type { SessionState } from './require-session.js';
import { unreadableFile } from './unreadable-file.js';

export interface AuditState {
  /** `ended` says why a followed log ended before the client or the container did. */
  audit: { container?: string; ended?: 'session-ended' | 'auth-unavailable' };
}

/**
 * Makes a log request's one line its audit record: who (user, session), what (namespace, pod, container) and
 * the outcome. A streamed answer is recorded when it ends: served, or client-left when the client went away first.
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
      describe((unreadableFile(error) ?? toProblem(error)).kind.slug);
      throw error;
    }
    if (!(ctx.body instanceof Readable)) return describe('served');
    line.deferred = true;
    ctx.res.once('close', () => {
      describe(ctx.state.audit.ended ?? (ctx.res.writableFinished ? 'served' : 'client-left'));
      line.write();
    });
  };
}
