import type { Dispatcher, Pool } from 'undici';

/**
 * What openapi-fetch reads of a request and a response, and nothing more. Node 20's own Request and Response
 * wrap every body in a web stream, which costs more than the HTTP call to auth-app itself; openapi-fetch takes a
 * custom Request class and fetch function for exactly this, and these two carry the strings through.
 */
class PlainRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string | undefined;

  constructor(url: string, init: { method?: string; headers?: Headers; body?: unknown } = {}) {
    this.url = url;
    this.method = init.method ?? 'GET';
    this.headers = init.headers ?? new Headers();
    this.body = typeof init.body === 'string' ? init.body : undefined;
  }
}

class PlainResponse {
  readonly ok: boolean;
  readonly headers: Headers;

  constructor(
    readonly status: number,
    contentType: string | undefined,
    private readonly text_: string,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = new Headers(contentType ? { 'content-type': contentType } : {});
  }

  async text(): Promise<string> {
    return this.text_;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.text_);
  }
}

interface Answer {
  status: number;
  contentType: string | undefined;
  text: string;
}

/** auth-app's answers are a few hundred bytes; a larger one is refused rather than held in memory. */
const maxAnswerBytes = 64 * 1024;

/** One call on the pool, the answer collected from undici's handler callbacks rather than through a body stream. */
function call(pool: Pool, options: Dispatcher.DispatchOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status = 0;
    let contentType: string | undefined;
    let received = 0;
    pool.dispatch(options, {
      /** Its presence selects undici's current handler interface (the legacy one requires onConnect). */
      onRequestStart() {},
      onResponseStart(_controller, statusCode, headers) {
        status = statusCode;
        const type = headers['content-type'];
        contentType = typeof type === 'string' ? type : undefined;
      },
      onResponseData(controller, chunk) {
        received += chunk.length;
        if (received > maxAnswerBytes) controller.abort(new Error('the answer is too large'));
        else chunks.push(chunk);
      },
      onResponseEnd() {
        resolve({ status, contentType, text: Buffer.concat(chunks).toString('utf8') });
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    });
  });
}

/** The transport of the generated auth client: an undici keep-alive Pool, plain objects instead of web streams. */
export function poolTransport(
  pool: Pool,
  origin: string,
): { Request: typeof Request; fetch: (request: Request) => Promise<Response> } {
  async function fetchOverPool(request: Request): Promise<Response> {
    const plain = request as unknown as PlainRequest;
    const headers: Record<string, string> = {};
    plain.headers.forEach((value, name) => (headers[name] = value));
    const answer = await call(pool, {
      path: plain.url.slice(origin.length),
      method: plain.method as 'GET' | 'POST',
      headers,
      body: plain.body,
    });
    return new PlainResponse(answer.status, answer.contentType, answer.text) as unknown as Response;
  }
  return { Request: PlainRequest as unknown as typeof Request, fetch: fetchOverPool };
}
