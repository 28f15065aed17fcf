import { Readable } from 'node:stream';
import type { Middleware } from 'koa';
import { toProblem } from '../common/problem.js';
import type { ValidatedState } from '../common/validate-request.js';
import type { SessionState } from './require-session.js';

export interface AuditState {
  audit: { container?: string };
}

/**
 * One audit line per log request: who (user, session), what (namespace, pod, container) and the outcome.
 * A streamed answer is recorded when it ends: served, or client-left when the client went away first.
 */
export function audit(): Middleware<ValidatedState & Partial<SessionState> & AuditState> {
  return async function auditLogAccess(ctx, next) {
    ctx.state.audit = {};
    const record = (outcome: string) => {
      const { session, input, audit: found } = ctx.state;
      ctx.state.log.info(
        {
          audit: 'log-access',
          user: session?.username,
          sessionId: session?.sessionId,
          namespace: input?.query.namespace,
          pod: input?.path.podName,
          container: found.container,
          outcome,
          status: ctx.status,
        },
        'log access',
      );
    };
    try {
      await next();
    } catch (error) {
      record(toProblem(error).kind.slug);
      throw error;
    }
    if (!(ctx.body instanceof Readable)) return record('served');
    ctx.res.once('close', () => record(ctx.res.writableFinished ? 'served' : 'client-left'));
  };
}
