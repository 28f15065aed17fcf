import type { OperationContext } from '../common/operation.js';
import { Problem } from '../common/problem.js';
import type { AuditState } from './audit.js';
import type { Chunks } from './chunks.js';
import type { Follows } from './follows.js';
import { bufferSmall, prepend, render, renderText, type LogFormat } from './render.js';
import type { SessionState } from './require-session.js';
import { ResponseStream, type StreamOptions } from './response-stream.js';
import type { LogQuery, LogSource } from './sources/source.js';

export type LogState = SessionState & AuditState;

const smallAnswerBytes = 256 * 1024;

export const contentTypes: Record<LogFormat, string> = {
  json: 'application/json',
  text: 'text/plain; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

const wholeBody = (chunks: Array<string | Buffer>): string | Buffer =>
  chunks.every((chunk) => typeof chunk === 'string')
    ? chunks.join('')
    : Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)));

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

/** What the query parameters say, in the source's terms, with the Kubernetes rules the spec cannot express. */
export interface LogOptions {
  container?: string;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
  limitBytes?: number;
  follow?: boolean;
}

export function logQuery(namespace: string, pod: string, options: LogOptions, now: number): LogQuery {
  if (options.sinceSeconds !== undefined && options.sinceTime !== undefined) {
    throw new Problem('invalidParameters', {
      detail: 'at most one of sinceTime or sinceSeconds may be specified',
      errors: [{ name: 'query.sinceTime', message: 'cannot be used together with sinceSeconds' }],
    });
  }
  const sinceMs =
    options.sinceSeconds !== undefined
      ? now - options.sinceSeconds * 1000
      : options.sinceTime !== undefined
        ? Date.parse(options.sinceTime)
        : undefined;
  return {
    namespace,
    pod,
    container: options.container,
    previous: options.previous ?? false,
    tailLines: options.tailLines,
    sinceMs,
    timestamps: options.timestamps ?? false,
    limitBytes: options.limitBytes,
    follow: options.follow ?? false,
  };
}

export interface LogReader {
  source: LogSource;
  follows: Follows;
  /** A streamed answer whose client takes nothing for this long is cut off. */
  writeTimeoutMs: number;
}

/**
 * The one reader of logs behind `/logs` and the Kubernetes log path: admits a follow, opens the source, renders
 * the format asked for and answers small logs whole, long or followed ones streamed.
 */
export async function readLog(
  reader: LogReader,
  ctx: OperationContext<LogState>,
  request: LogQuery,
  format: LogFormat,
): Promise<{ status: 200; type: string; headers: Record<string, string>; body: string | Buffer | ResponseStream }> {
  if (request.follow) {
    const { session, permission, holds, changedSinceCheck } = ctx.state;
    request.signal = reader.follows.begin(
      {
        res: ctx.res,
        sessionId: session.sessionId,
        userId: session.userId,
        permission: permission ?? '',
        stillAllowed: () => holds(),
        askNow: changedSinceCheck(),
      },
      (end) => (ctx.state.audit.ended = end),
    );
  }
  const opened = await reader.source.open(request);
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
    body: await responseBody(chunks, request.follow, {
      release: text ? opened.release : undefined,
      writeTimeoutMs: reader.writeTimeoutMs,
    }),
  };
}
