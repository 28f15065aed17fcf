import type { LogEntry } from './sources/source.js';

export type LogFormat = 'json' | 'text' | 'ndjson';

export interface RenderOptions {
  format: LogFormat;
  timestamps: boolean;
  limitBytes?: number;
  /** The fields of the JSON answer around `lines`. */
  envelope: { namespace: string; pod: string; container: string; user: string };
}

const textOf = (entry: LogEntry, timestamps: boolean): string =>
  timestamps && entry.time ? `${entry.time} ${entry.line}` : entry.line;

/** Cuts log text at `limitBytes` (counted as `kubectl logs` counts them: the text with newlines), maybe mid-line. */
class ByteBudget {
  private left: number;
  constructor(limit: number | undefined) {
    this.left = limit ?? Number.POSITIVE_INFINITY;
  }

  get exhausted(): boolean {
    return this.left <= 0;
  }

  take(text: string): string {
    if (this.left === Number.POSITIVE_INFINITY) return text;
    const bytes = Buffer.byteLength(text);
    if (bytes <= this.left) {
      this.left -= bytes;
      return text;
    }
    const cut = Buffer.from(text).subarray(0, this.left).toString('utf8');
    this.left = 0;
    return cut;
  }
}

/**
 * Turns batches of entries into response chunks, one chunk a batch, pulled only as fast as the client reads.
 * JSON is streamed too, so a large log never sits whole in memory.
 */
export async function* render(entries: AsyncIterable<LogEntry[]>, options: RenderOptions): AsyncGenerator<string> {
  const budget = new ByteBudget(options.limitBytes);
  const { format, timestamps } = options;
  let first = true;
  if (format === 'json') {
    const { namespace, pod, container, user } = options.envelope;
    yield `${JSON.stringify({ status: 'success', namespace, pod, container, user }).slice(0, -1)},"lines":[`;
  }
  for await (const batch of entries) {
    let chunk = '';
    for (const entry of batch) {
      const text = budget.take(`${textOf(entry, timestamps)}\n`);
      if (format === 'text') chunk += text;
      else if (format === 'ndjson') chunk += `${JSON.stringify(lineObject(entry, text))}\n`;
      else {
        chunk += `${first ? '' : ','}${JSON.stringify(text.endsWith('\n') ? text.slice(0, -1) : text)}`;
        first = false;
      }
      if (budget.exhausted) break;
    }
    if (chunk) yield chunk;
    if (budget.exhausted) break;
  }
  if (format === 'json') yield ']}';
}

function lineObject(entry: LogEntry, text: string): { time?: string; stream?: string; line: string } {
  const line = text.endsWith('\n') ? text.slice(0, -1) : text;
  const withoutTime = entry.time && text.startsWith(`${entry.time} `) ? line.slice(entry.time.length + 1) : line;
  return {
    ...(entry.time ? { time: entry.time } : {}),
    ...(entry.stream ? { stream: entry.stream } : {}),
    line: withoutTime,
  };
}

/** Raw text chunks as they come, cut at `limitBytes`. */
export async function* renderText(chunks: AsyncIterable<Buffer>, limitBytes?: number): AsyncGenerator<Buffer> {
  let left = limitBytes ?? Number.POSITIVE_INFINITY;
  for await (const chunk of chunks) {
    if (chunk.length >= left) {
      yield chunk.subarray(0, left);
      return;
    }
    left -= chunk.length;
    yield chunk;
  }
}

/**
 * Reads chunks until the answer ends or passes `maxBytes`. A small answer (the common tail) is sent whole with a
 * Content-Length; a larger one is streamed, starting with what was read.
 */
export async function bufferSmall<Chunk extends string | Buffer>(
  chunks: AsyncGenerator<Chunk>,
  maxBytes: number,
): Promise<{ whole: Chunk[] } | { head: Chunk[]; rest: AsyncGenerator<Chunk> }> {
  const head: Chunk[] = [];
  let size = 0;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return { whole: head };
    head.push(next.value);
    size += next.value.length;
    if (size > maxBytes) return { head, rest: chunks };
  }
}

export async function* prepend<Chunk>(head: Chunk[], rest: AsyncGenerator<Chunk>): AsyncGenerator<Chunk> {
  yield* head;
  yield* rest;
}
