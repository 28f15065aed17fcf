import type { Pool } from 'undici';

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

/** The transport of the generated auth client: an undici keep-alive Pool, plain objects instead of web streams. */
export function poolTransport(
  pool: Pool,
  origin: string,
): { Request: typeof Request; fetch: (request: Request) => Promise<Response> } {
  async function fetchOverPool(request: Request): Promise<Response> {
    const plain = request as unknown as PlainRequest;
    const headers: Record<string, string> = {};
    plain.headers.forEach((value, name) => (headers[name] = value));
    const answer = await pool.request({
      path: plain.url.slice(origin.length),
      method: plain.method as 'GET' | 'POST',
      headers,
      body: plain.body,
    });
    const contentType = answer.headers['content-type'];
    const text = answer.statusCode === 204 ? (await answer.body.dump(), '') : await answer.body.text();
    return new PlainResponse(
      answer.statusCode,
      typeof contentType === 'string' ? contentType : undefined,
      text,
    ) as unknown as Response;
  }
  return { Request: PlainRequest as unknown as typeof Request, fetch: fetchOverPool };
}
