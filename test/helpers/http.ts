import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetch as fetchThrough, type Dispatcher } from 'undici';
import { assertMatchesSpec, type CheckedResponse } from './contract.js';

export interface RequestOptions {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string | Uint8Array;
  /** A redirect answered as it is, as a test that looks at Location and Set-Cookie needs it. */
  redirect?: 'manual';
}

export type Client = (path: string, options?: RequestOptions) => Promise<CheckedResponse>;

/**
 * Real HTTP to a running service; every response is checked against that service's spec before the test sees it.
 * A `dispatcher` (an undici Agent trusting a test certificate) reaches a service over HTTPS.
 */
export function contractClient(spec: 'auth' | 'logs', baseUrl: () => string, dispatcher?: Dispatcher): Client {
  return async (path, options = {}) => {
    const method = options.method ?? 'GET';
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | Uint8Array | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const { redirect } = options;
    const response = dispatcher
      ? await fetchThrough(baseUrl() + path, { method, headers, body, redirect, dispatcher })
      : await fetch(baseUrl() + path, { method, headers, body, redirect });
    const text = await response.text();
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const json: unknown =
      contentType.includes('json') && !contentType.includes('ndjson') && text ? JSON.parse(text) : undefined;
    const checked = { status: response.status, headers: response.headers, contentType, text, json };
    await assertMatchesSpec(spec, method, path, checked);
    return checked;
  };
}

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
}

/** Sends the path and headers exactly as given (fetch would normalise `..` away and refuse some values). */
export function rawRequest(
  baseUrl: string,
  options: { method?: string; path: string; headers?: Record<string, string | string[]>; body?: string | Buffer },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: {
          ...options.headers,
          ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: (response.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** A port nothing listens on now, for a service whose address another must know before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
