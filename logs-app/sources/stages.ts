import type { Stage } from '../chunks.js';
import { LineJoiner } from './cri.js';
import { CriTextConverter } from './cri-text.js';
import { readBuffers } from './read-buffers.js';
import type { LogEntry } from './source.js';

/** Joins CRI pieces into entries, a batch a chunk, from the first at or after `sinceMs` when given. */
export class EntryBatches implements Stage<Buffer, LogEntry[]> {
  private readonly joiner = new LineJoiner();
  private filtering: boolean;

  constructor(private readonly sinceMs: number | undefined) {
    this.filtering = sinceMs !== undefined;
  }

  step(chunk: Buffer): LogEntry[] | undefined {
    const batch: LogEntry[] = [];
    const lines = chunk.toString('utf8', 0, chunk.length - 1).split('\n');
    readBuffers.give(chunk);
    for (const raw of lines) this.joiner.push(raw, batch);
    return this.keep(batch);
  }

  end(): LogEntry[] | undefined {
    const last: LogEntry[] = [];
    this.joiner.flush(last);
    return this.keep(last);
  }

  private keep(batch: LogEntry[]): LogEntry[] | undefined {
    if (!this.filtering) return batch.length > 0 ? batch : undefined;
    const first = batch.findIndex((entry) => !entry.time || !(Date.parse(entry.time) < this.sinceMs!));
    if (first < 0) return undefined;
    this.filtering = false;
    return first === 0 ? batch : batch.slice(first);
  }
}

/** Raw CRI lines as `kubectl logs` text, converted in place. */
export function textStage(timestamps: boolean): Stage<Buffer, Buffer> {
  const converter = new CriTextConverter(timestamps);
  return { step: (chunk) => converter.convert(chunk), end: () => converter.finish() };
}
