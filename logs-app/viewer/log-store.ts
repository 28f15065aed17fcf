import type { Matcher } from './filter.js';
import { jsonView, type JsonView } from './json-line.js';

export interface Line {
  time?: string;
  stream?: 'stdout' | 'stderr';
  text: string;
  /** Made the first time the line is shown; null when it is not JSON. */
  view?: JsonView | null;
}

export const viewOf = (line: Line): JsonView | undefined => {
  if (line.view === undefined) line.view = jsonView(line.text) ?? null;
  return line.view ?? undefined;
};

/**
 * Every line read, in order (the download is made from them, so none is dropped), and which of them the filter
 * shows. Listeners hear of a change at most once an animation frame, however fast lines arrive.
 */
export class LogStore {
  private lines: Line[] = [];
  /** Indexes of the lines the filter lets through; undefined: all of them. */
  private shownIndexes: number[] | undefined;
  private matcher: Matcher | undefined;
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  get total(): number {
    return this.lines.length;
  }

  get shownCount(): number {
    return this.shownIndexes ? this.shownIndexes.length : this.lines.length;
  }

  shownAt(position: number): Line | undefined {
    return this.lines[this.shownIndexes ? (this.shownIndexes[position] ?? -1) : position];
  }

  *shown(): Generator<Line> {
    for (let position = 0; position < this.shownCount; position += 1) yield this.shownAt(position)!;
  }

  last(): Line | undefined {
    return this.lines.at(-1);
  }

  append(batch: Line[]): void {
    if (batch.length === 0) return;
    const start = this.lines.length;
    for (const line of batch) this.lines.push(line);
    if (this.shownIndexes && this.matcher) {
      for (let index = start; index < this.lines.length; index += 1) {
        if (this.matcher.test(this.lines[index]!.text)) this.shownIndexes.push(index);
      }
    }
    this.changed();
  }

  filter(matcher: Matcher | undefined): void {
    this.matcher = matcher;
    this.shownIndexes = undefined;
    if (matcher) {
      const indexes: number[] = [];
      this.lines.forEach((line, index) => matcher.test(line.text) && indexes.push(index));
      this.shownIndexes = indexes;
    }
    this.changed();
  }

  clear(): void {
    this.lines = [];
    this.filter(this.matcher);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }
}
