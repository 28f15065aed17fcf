import type { OperationContext } from '../../common/operation.js';
import { Problem } from '../../common/problem.js';
import type { Routes } from '../../common/routes.js';
import type { operations } from '../../generated/logs.js';
import { audit } from '../audit.js';
import { logQuery, readLog, type LogReader, type LogState } from '../log-reader.js';
import type { LogFormat } from '../render.js';
import { requireSession, type SessionCheck } from '../require-session.js';

/** JSON by default, raw text like `kubectl logs` on request; a followed log streams text or NDJSON. */
function negotiate(ctx: OperationContext<LogState>, follow: boolean): LogFormat {
  const offered = follow
    ? ['text/plain', 'application/x-ndjson']
    : ['application/json', 'text/plain', 'application/x-ndjson'];
  const chosen = ctx.accepts(offered);
  if (chosen === 'application/x-ndjson') return 'ndjson';
  if (chosen === 'text/plain') return 'text';
  if (chosen === 'application/json') return 'json';
  throw new Problem('notAcceptable', { detail: `This resource can answer ${offered.join(', ')}` });
}

export interface LogRouteParts extends LogReader {
  sessionCheck: SessionCheck;
  now?: () => number;
}

export function addLogRoutes(routes: Routes<operations>, parts: LogRouteParts): void {
  const now = parts.now ?? Date.now;
  routes.operation(
    'getPodLogs',
    audit((input) => ({ namespace: input.query.namespace, pod: input.path.podName })),
    requireSession(parts.sessionCheck, {
      permission: (input) => `logs:read:${String(input.query.namespace ?? 'default')}`,
    }),
    async (ctx, { path, query }) => {
      const format = negotiate(ctx, query.follow ?? false);
      const request = logQuery(query.namespace ?? 'default', path.podName, query, now());
      return readLog(parts, ctx, request, format);
    },
  );
}
