/** A streamed answer read as it arrives, as a terminal running `kubectl logs -f` (or a service on a feed) reads it. */
export interface OpenStream {
  response: Response;
  /** What has arrived so far. */
  text(): string;
  /** Reads until `done` holds for what arrived; throws if the stream ends or time runs out first. */
  until(done: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Reads until the stream ends: true, or false if it is still open after `timeoutMs`. */
  end(timeoutMs?: number): Promise<boolean>;
  close(): void;
}

export async function openStream(url: string, headers: Record<string, string>): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let ended = false;
  /** A read that lost to a deadline is kept for the next call: a new one would leave its chunk to nobody. */
  let reading: Promise<{ done: boolean; value?: Uint8Array }> | undefined;
  /** One read, or nothing by the deadline. */
  const next = async (deadline: number) => {
    reading ??= reader.read().catch(() => ({ done: true }));
    const chunk = await Promise.race([
      reading,
      new Promise<'timeout'>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()), 'timeout')),
    ]);
    if (chunk === 'timeout') return;
    reading = undefined;
    if (chunk.done) ended = true;
    else text += decoder.decode(chunk.value, { stream: true });
  };
  return {
    response,
    text: () => text,
    until: async (done, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (!done(text)) {
        if (ended) throw new Error(`the stream ended with: ${text}`);
        if (Date.now() >= deadline) throw new Error(`timed out with: ${text}`);
        await next(deadline);
      }
      return text;
    },
    end: async (timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (!ended && Date.now() < deadline) await next(deadline);
      return ended;
    },
    close: () => abort.abort(),
  };
}

/** A followed log as `kubectl logs -f` reads it, once `first` has arrived (closed with the test). */
export async function followLog(logsUrl: string, path: string, token: string, first: string): Promise<OpenStream> {
  const stream = await openStream(`${logsUrl}${path}`, { authorization: `Bearer ${token}`, accept: 'text/plain' });
  await stream.until((text) => text.includes(first));
  return stream;
}
