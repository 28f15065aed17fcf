import { readWithoutWaiting, through, type Chunks, type Stage } from './chunks.js';
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

  get unlimited(): boolean {
    return this.left === Number.POSITIVE_INFINITY;
  }

  take(text: string): string {
    if (this.unlimited) return text;
    const bytes = Buffer.byteLength(text);
    if (bytes <= this.left) {
      this.left -= bytes;
      return text;
    }
    const cut = Buffer.from(text).subarray(0, this.left).toString('utf8');
    this.left = 0;
    return cut;
  }

  /** The same for raw text bytes, cut exactly at the limit. */
  takeBytes(chunk: Buffer): Buffer {
    const kept = chunk.length > this.left ? chunk.subarray(0, this.left) : chunk;
    this.left -= kept.length;
    return kept;
  }
}

/**
 * Turns batches of entries into response chunks, one chunk a batch, pulled only as fast as the client reads.
 * JSON is streamed too, so a large log never sits whole in memory.
 */
class Renderer implements Stage<LogEntry[], string> {
  private readonly budget: ByteBudget;
  private first = true;

  constructor(private readonly options: RenderOptions) {
    this.budget = new ByteBudget(options.limitBytes);
  }

  get finished(): boolean {
    return this.budget.exhausted;
  }

  begin(): string | undefined {
    if (this.options.format !== 'json') return undefined;
    const { namespace, pod, container, user } = this.options.envelope;
    return `${JSON.stringify({ status: 'success', namespace, pod, container, user }).slice(0, -1)},"lines":[`;
  }

  step(batch: LogEntry[]): string | undefined {
    const { format, timestamps } = this.options;
    if (format === 'json' && this.budget.unlimited && batch.length > 0) {
      const lines = JSON.stringify(batch.map((entry) => textOf(entry, timestamps))).slice(1, -1);
      const chunk = this.first ? lines : `,${lines}`;
      this.first = false;
      return chunk;
    }
    let chunk = '';
    for (const entry of batch) {
      const text = this.budget.take(`${textOf(entry, timestamps)}\n`);
      if (format === 'text') chunk += text;
      else if (format === 'ndjson') chunk += `${JSON.stringify(lineObject(entry, text))}\n`;
      else {
        chunk += `${this.first ? '' : ','}${JSON.stringify(text.endsWith('\n') ? text.slice(0, -1) : text)}`;
        this.first = false;
      }
      if (this.budget.exhausted) break;
    }
    return chunk || undefined;
  }

  end(): string | undefined {
    return this.options.format === 'json' ? ']}' : undefined;
  }
}

export const render = (entries: Chunks<LogEntry[]>, options: RenderOptions): Chunks<string> =>
  through(entries, new Renderer(options));

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
export function renderText(chunks: Chunks<Buffer>, limitBytes?: number): Chunks<Buffer> {
  const budget = new ByteBudget(limitBytes);
  return through(chunks, {
    step: (chunk) => budget.takeBytes(chunk),
    get finished() {
      return budget.exhausted;
    },
  });
}

type Small<Chunk> = { whole: Chunk[] } | { head: Chunk[]; rest: Chunks<Chunk> };

/**
 * Reads chunks until the answer ends or passes `maxBytes`. A small answer (the common tail) is sent whole with a
 * Content-Length; a larger one is streamed, starting with what was read.
 */
export async function bufferSmall<Chunk extends string | Buffer>(
  chunks: Chunks<Chunk>,
  maxBytes: number,
): Promise<Small<Chunk>> {
  if (readWithoutWaiting(chunks)) return bufferSmallNow(chunks[Symbol.iterator](), maxBytes);
  const iterator = chunks[Symbol.asyncIterator]();
  const head: Chunk[] = [];
  let size = 0;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    head.push(next.value);
    size += next.value.length;
    if (size > maxBytes) return { head, rest: { [Symbol.asyncIterator]: () => iterator } };
  }
  return { whole: head };
}

function bufferSmallNow<Chunk extends string | Buffer>(iterator: Iterator<Chunk>, maxBytes: number): Small<Chunk> {
  const head: Chunk[] = [];
  let size = 0;
  for (let next = iterator.next(); !next.done; next = iterator.next()) {
    head.push(next.value);
    size += next.value.length;
    if (size > maxBytes) return { head, rest: { [Symbol.iterator]: () => iterator } };
  }
  return { whole: head };
}

/** `rest` is already started (it holds the log's files open): it is closed even when the reader leaves in `head`. */
export async function* prepend<Chunk>(head: Chunk[], rest: Chunks<Chunk>): AsyncGenerator<Chunk> {
  try {
    yield* head;
    yield* rest;
  } finally {
    await (readWithoutWaiting(rest) ? rest[Symbol.iterator]() : rest[Symbol.asyncIterator]()).return?.();
  }
}
