import { failureOf, type LogLine } from './api.js';
import type { Line } from './log-store.js';

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
  follow: boolean;
  tailLines?: number;
  sinceTime?: string;
}

function logUrl(request: LogRequest): string {
  const query = new URLSearchParams({ namespace: request.namespace, container: request.container });
  if (request.previous) query.set('previous', 'true');
  if (request.follow) query.set('follow', 'true');
  if (request.tailLines !== undefined) query.set('tailLines', String(request.tailLines));
  if (request.sinceTime !== undefined) query.set('sinceTime', request.sinceTime);
  return `logs/${encodeURIComponent(request.pod)}?${query}`;
}

const lineOf = (text: string): Line | undefined => {
  if (text === '') return undefined;
  const parsed = JSON.parse(text) as LogLine;
  return { time: parsed.time, stream: parsed.stream, text: parsed.line };
};

/**
 * Reads a log as NDJSON, one batch of lines a chunk as it arrives, until the answer ends (a followed one ends when
 * the container restarts or the session no longer holds the permission). A refusal throws what api.ts makes of it.
 */
export interface LogReading {
  /** The answer began: the session was accepted and the log found. */
  onOpen(): void;
  onLines(lines: Line[]): void;
}

export async function readLog(request: LogRequest, signal: AbortSignal, { onOpen, onLines }: LogReading) {
  const response = await fetch(logUrl(request), { headers: { accept: 'application/x-ndjson' }, signal });
  if (!response.ok || !response.body) throw await failureOf(response);
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    const parts = (rest + next.value).split('\n');
    rest = parts.pop() ?? '';
    const lines: Line[] = [];
    for (const part of parts) {
      const line = lineOf(part);
      if (line) lines.push(line);
    }
    onLines(lines);
  }
  const last = lineOf(rest);
  if (last) onLines([last]);
}

/** RFC 3339 times as comparable keys: the runtime trims trailing zeros of the nanoseconds, so text order is not time order. */
export function timeKey(time: string): string {
  const parts = /^(.+?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i.exec(time);
  if (!parts) return time;
  const ms = Date.parse(`${parts[1]}${parts[3]}`);
  return `${String(ms).padStart(16, '0')}.${(parts[2] ?? '').padEnd(9, '0')}`;
}
