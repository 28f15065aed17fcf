import type { OperationContext } from '../../common/operation.js';
import type { Routes } from '../../common/routes.js';
import type { operations } from '../../generated/logs.js';
import { Problem } from '../../common/problem.js';
import { audit, type AuditState } from '../audit.js';
import type { Chunks } from '../chunks.js';
import type { Follows } from '../follows.js';
import { ResponseStream, type StreamOptions } from '../response-stream.js';
import { bufferSmall, prepend, render, renderText, type LogFormat } from '../render.js';
import { requireSession, type SessionCheck, type SessionState } from '../require-session.js';
import type { LogQuery, LogSource } from '../sources/source.js';

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

type Query = NonNullable<operations['getPodLogs']['parameters']['query']>;

/** The Kubernetes rules the spec cannot express, then the query in the log source's terms. */
function logQuery(podName: string, query: Query, now: number): LogQuery {
  if (query.sinceSeconds !== undefined && query.sinceTime !== undefined) {
    throw new Problem('invalidParameters', {
      detail: 'at most one of sinceTime or sinceSeconds may be specified',
      errors: [{ name: 'query.sinceTime', message: 'cannot be used together with sinceSeconds' }],
    });
  }
  const sinceMs =
    query.sinceSeconds !== undefined
      ? now - query.sinceSeconds * 1000
      : query.sinceTime !== undefined
        ? Date.parse(query.sinceTime)
        : undefined;
  return {
    namespace: query.namespace ?? 'default',
    pod: podName,
    container: query.container,
    previous: query.previous ?? false,
    tailLines: query.tailLines,
    sinceMs,
    timestamps: query.timestamps ?? false,
    limitBytes: query.limitBytes,
    follow: query.follow ?? false,
  };
}

/** A small answer (the common tail) is sent whole with a Content-Length; a large or followed one is streamed. */
async function responseBody(
  chunks: Chunks<string | Buffer>,
  follow: boolean,
  streaming: StreamOptions,
): Promise<string | Buffer | ResponseStream> {
  const read = follow ? { head: [], rest: chunks } : await bufferSmall(chunks, smallAnswerBytes);
  if ('whole' in read) return wholeBody(read.whole);
  return new ResponseStream(prepend(read.head, read.rest), streaming);
}

export interface LogRouteParts {
  source: LogSource;
  sessionCheck: SessionCheck;
  follows: Follows;
  /** A streamed answer whose client takes nothing for this long is cut off. */
  writeTimeoutMs: number;
  now?: () => number;
}

export function addLogRoutes(
  routes: Routes<operations>,
  { source, sessionCheck, follows, writeTimeoutMs, now = Date.now }: LogRouteParts,
): void {
  routes.operation(
    'getPodLogs',
    audit(),
    requireSession(sessionCheck, {
      permission: (input) => `logs:read:${String(input.query.namespace ?? 'default')}`,
    }),
    async (ctx, { path, query }) => {
      const follow = query.follow ?? false;
      const format = negotiate(ctx, follow);
      const request = logQuery(path.podName, query, now());
      if (follow) {
        const { session, permission, stillAllowed } = ctx.state;
        request.signal = follows.begin(
          { res: ctx.res, sessionId: session.sessionId, permission, stillAllowed },
          (end) => (ctx.state.audit.ended = end),
        );
      }
      const opened = await source.open(request);
      ctx.state.audit.container = opened.container;
      const text = format === 'text' ? opened.text?.(request.timestamps) : undefined;
      const chunks = text
        ? renderText(text, request.limitBytes)
        : render(opened.entries(), {
            format,
            timestamps: request.timestamps,
            limitBytes: request.limitBytes,
            envelope: {
              namespace: request.namespace,
              pod: request.pod,
              container: opened.container,
              user: ctx.state.session.username,
            },
          });
      return {
        status: 200,
        type: contentTypes[format],
        headers: { 'Cache-Control': 'no-store' },
        body: await responseBody(chunks, follow, { release: text ? opened.release : undefined, writeTimeoutMs }),
      };
    },
  );
}
