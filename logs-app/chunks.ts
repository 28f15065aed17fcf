/**
 * What a log source hands over: at once when the log is read to its end without waiting (a sync iterable), or as
 * it comes when following (an async one). A small answer, the common tail, then never waits on a promise.
 */
export type Chunks<T> = Iterable<T> | AsyncIterable<T>;

export const readWithoutWaiting = <T>(chunks: Chunks<T>): chunks is Iterable<T> => Symbol.iterator in chunks;

/** One step of turning a log into an answer: fed each chunk in order, then told of the end. */
export interface Stage<In, Out> {
  /** What goes out before the first chunk. */
  begin?(): Out | undefined;
  step(input: In): Out | undefined;
  end?(): Out | undefined;
  /** True once no more chunks are wanted (a byte limit reached): the source is let go, then `end` is called. */
  readonly finished?: boolean;
}

/** Runs `stage` over `source`, synchronously when the source is read without waiting. */
export function through<In, Out>(source: Chunks<In>, stage: Stage<In, Out>): Chunks<Out> {
  return readWithoutWaiting(source) ? throughNow(source, stage) : throughAsItComes(source, stage);
}

function* throughNow<In, Out>(source: Iterable<In>, stage: Stage<In, Out>): Generator<Out> {
  const first = stage.begin?.();
  if (first !== undefined) yield first;
  for (const input of source) {
    const output = stage.step(input);
    if (output !== undefined) yield output;
    if (stage.finished) break;
  }
  const last = stage.end?.();
  if (last !== undefined) yield last;
}

async function* throughAsItComes<In, Out>(source: AsyncIterable<In>, stage: Stage<In, Out>): AsyncGenerator<Out> {
  const first = stage.begin?.();
  if (first !== undefined) yield first;
  for await (const input of source) {
    const output = stage.step(input);
    if (output !== undefined) yield output;
    if (stage.finished) break;
  }
  const last = stage.end?.();
  if (last !== undefined) yield last;
}
