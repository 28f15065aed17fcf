import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { operations } from '../../generated/logs.js';
import { operation, type OperationContext } from '../../common/operation.js';
import { Problem } from '../../common/problem.js';
import type { ValidatedState } from '../../common/validate-request.js';
import { audit, type AuditState } from '../audit.js';
import { bufferSmall, prepend, render, renderText, type LogFormat } from '../render.js';
import type { RequireSessionOptions, SessionState } from '../require-session.js';
import type { LogSource } from '../sources/source.js';

type State = SessionState & AuditState;

const smallAnswerBytes = 256 * 1024;

const contentTypes: Record<LogFormat, string> = {
  json: 'application/json',
  text: 'text/plain; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

/** JSON by default, raw text like `kubectl logs` on request; a followed log streams text or NDJSON. */
function negotiate(ctx: OperationContext<State>, follow: boolean): LogFormat {
  const offered = follow
    ? ['text/plain', 'application/x-ndjson']
    : ['application/json', 'text/plain', 'application/x-ndjson'];
  const chosen = ctx.accepts(offered);
  if (chosen === 'application/x-ndjson') return 'ndjson';
  if (chosen === 'text/plain') return 'text';
  if (chosen === 'application/json') return 'json';
  throw new Problem('notAcceptable', { detail: `This resource can answer ${offered.join(', ')}` });
}

const wholeBody = (chunks: Array<string | Buffer>): string | Buffer =>
  chunks.every((chunk) => typeof chunk === 'string')
    ? chunks.join('')
    : Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)));

function whenClientLeaves(response: ServerResponse): AbortSignal {
  const clientGone = new AbortController();
  response.once('close', () => clientGone.abort());
  return clientGone.signal;
}

export function logRoutes(
  source: LogSource,
  requireSession: (options: RequireSessionOptions) => Middleware<ValidatedState & SessionState>,
  now: () => number = Date.now,
): Router<ValidatedState & State> {
  const router = new Router<ValidatedState & State>();
  router.get(
    '/logs/:podName',
    audit(),
    requireSession({ permission: (input) => `logs:read:${String(input.query.namespace ?? 'default')}` }),
    operation<operations['getPodLogs'], State>(async (ctx, { path, query }) => {
      if (query.sinceSeconds !== undefined && query.sinceTime !== undefined) {
        throw new Problem('invalidParameters', {
          detail: 'at most one of sinceTime or sinceSeconds may be specified',
          errors: [{ name: 'query.sinceTime', message: 'cannot be used together with sinceSeconds' }],
        });
      }
      const follow = query.follow ?? false;
      const format = negotiate(ctx, follow);
      const namespace = query.namespace ?? 'default';
      const sinceMs =
        query.sinceSeconds !== undefined
          ? now() - query.sinceSeconds * 1000
          : query.sinceTime !== undefined
            ? Date.parse(query.sinceTime)
            : undefined;
      const opened = await source.open({
        namespace,
        pod: path.podName,
        container: query.container,
        previous: query.previous ?? false,
        tailLines: query.tailLines,
        sinceMs,
        timestamps: query.timestamps ?? false,
        limitBytes: query.limitBytes,
        follow,
        signal: follow ? whenClientLeaves(ctx.res) : undefined,
      });
      ctx.state.audit.container = opened.container;
      const timestamps = query.timestamps ?? false;
      const chunks: AsyncGenerator<string | Buffer> =
        format === 'text' && opened.text
          ? renderText(opened.text(timestamps), query.limitBytes)
          : render(opened.entries(), {
              format,
              timestamps,
              limitBytes: query.limitBytes,
              envelope: { namespace, pod: path.podName, container: opened.container, user: ctx.state.session.username },
            });
      const read = follow ? { head: [], rest: chunks } : await bufferSmall(chunks, smallAnswerBytes);
      return {
        status: 200,
        type: contentTypes[format],
        headers: { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
        body:
          'whole' in read
            ? wholeBody(read.whole)
            : Readable.from(prepend(read.head, read.rest), { objectMode: false, highWaterMark: 1024 * 1024 }),
      };
    }),
  );
  return router;
}
