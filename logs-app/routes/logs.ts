import type { Routes } from '../../common/routes.js';
import type { Middleware } from 'koa';
import type { operations } from '../../generated/logs.js';
import { operation, type OperationContext } from '../../common/operation.js';
import { Problem } from '../../common/problem.js';
import type { ValidatedState } from '../../common/validate-request.js';
import { audit, type AuditState } from '../audit.js';
import type { Chunks } from '../chunks.js';
import { ResponseStream } from '../response-stream.js';
import { bufferSmall, prepend, render, renderText, type LogFormat } from '../render.js';
import type { RequireSessionOptions, SessionState } from '../require-session.js';
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

export interface FollowLimits {
  /** Aborted when the service stops. */
  stopping: AbortSignal;
  /** How often a followed log asks whether its session still holds the permission. */
  recheckMs: number;
}

/**
 * Aborted when the client goes away, the service stops or the session ends (logout, revocation, a permission
 * taken away, expiry, or auth-app unreachable: it fails closed), so a followed log stops waiting for lines at once.
 */
function whenFollowEnds(ctx: OperationContext<State>, { stopping, recheckMs }: FollowLimits): AbortSignal {
  const ended = new AbortController();
  const end = () => ended.abort();
  if (stopping.aborted) end();
  stopping.addEventListener('abort', end, { once: true });
  let checking = false;
  const recheck = setInterval(async () => {
    if (checking) return;
    checking = true;
    const outcome = await ctx.state.stillAllowed().then(
      (allowed) => (allowed ? undefined : 'session-ended'),
      () => 'auth-unavailable' as const,
    );
    checking = false;
    if (!outcome || ended.signal.aborted) return;
    ctx.state.audit.ended = outcome;
    end();
  }, recheckMs);
  ctx.res.once('close', () => {
    stopping.removeEventListener('abort', end);
    clearInterval(recheck);
    end();
  });
  return ended.signal;
}

type Query = NonNullable<operations['getPodLogs']['parameters']['query']>;

/** The Kubernetes rules the spec cannot express, then the query in the log source's terms. */
function logQuery(podName: string, query: Query, now: number, signal: AbortSignal | undefined): LogQuery {
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
    signal,
  };
}

/** A small answer (the common tail) is sent whole with a Content-Length; a large or followed one is streamed. */
async function responseBody(
  chunks: Chunks<string | Buffer>,
  follow: boolean,
  release: ((chunk: Buffer) => void) | undefined,
): Promise<string | Buffer | ResponseStream> {
  const read = follow ? { head: [], rest: chunks } : await bufferSmall(chunks, smallAnswerBytes);
  if ('whole' in read) return wholeBody(read.whole);
  return new ResponseStream(prepend(read.head, read.rest), release);
}

export function addLogRoutes(
  router: Routes,
  source: LogSource,
  requireSession: (options: RequireSessionOptions) => Middleware<ValidatedState & SessionState>,
  followLimits: FollowLimits,
  now: () => number = Date.now,
): void {
  router.get(
    '/logs/:podName',
    audit(),
    requireSession({ permission: (input) => `logs:read:${String(input.query.namespace ?? 'default')}` }),
    operation<operations['getPodLogs'], State>(async (ctx, { path, query }) => {
      const follow = query.follow ?? false;
      const request = logQuery(path.podName, query, now(), follow ? whenFollowEnds(ctx, followLimits) : undefined);
      const format = negotiate(ctx, follow);
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
        headers: { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
        body: await responseBody(chunks, follow, text ? opened.release : undefined),
      };
    }),
  );
}
