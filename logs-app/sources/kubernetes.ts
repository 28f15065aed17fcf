import { readFileSync } from 'node:fs';
import { Agent, fetch, type Response } from 'undici';
import { Problem } from '../../common/problem.js';
import { chooseContainer } from './containers.js';
import type { LogEntry, LogQuery, LogSource, OpenedLog } from './source.js';

export interface KubernetesOptions {
  apiUrl: string;
  tokenFile?: string;
  caFile?: string;
  timeoutMs: number;
}

/** Told what the API said when it refused logs-app (it may name the service account): for the log, not the caller. */
export type OnRefused = (status: number, message: string) => void;

interface Status {
  message?: string;
}

const tokenTtlMs = 60_000;

/** Logs through the API server's `pods/{name}/log`, streamed through; the API's errors become problems. */
export class KubernetesSource implements LogSource {
  private readonly agent: Agent;
  private token: { value: string; readAt: number } | undefined;

  constructor(
    private readonly options: KubernetesOptions,
    private readonly onRefused: OnRefused = () => {},
  ) {
    const ca = options.caFile ? readFileSync(options.caFile, 'utf8') : undefined;
    this.agent = new Agent({ connect: ca ? { ca } : {}, keepAliveTimeout: 30_000 });
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }

  async ready(): Promise<void> {
    const response = await this.call('/version', AbortSignal.timeout(this.options.timeoutMs));
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the Kubernetes API answered ${response.status}`);
  }

  async open(query: LogQuery): Promise<OpenedLog> {
    const pod = `/api/v1/namespaces/${encodeURIComponent(query.namespace)}/pods/${encodeURIComponent(query.pod)}`;
    const container = query.container ?? (await this.onlyContainer(pod, query.pod));
    const parameters = new URLSearchParams({ container, timestamps: 'true' });
    if (query.follow) parameters.set('follow', 'true');
    if (query.previous) parameters.set('previous', 'true');
    if (query.tailLines !== undefined) parameters.set('tailLines', String(query.tailLines));
    if (query.sinceMs !== undefined) parameters.set('sinceTime', new Date(query.sinceMs).toISOString());
    const abort = new AbortController();
    query.signal?.addEventListener('abort', () => abort.abort(), { once: true });
    const timer = setTimeout(() => abort.abort(), this.options.timeoutMs);
    const response = await this.call(`${pod}/log?${parameters}`, abort.signal).finally(() => clearTimeout(timer));
    if (!response.ok || !response.body) throw await this.problemFrom(response);
    const body = response.body;
    return { container, entries: () => entriesOf(body, abort) };
  }

  private async onlyContainer(podPath: string, podName: string): Promise<string> {
    const response = await this.call(podPath, AbortSignal.timeout(this.options.timeoutMs));
    if (!response.ok) throw await this.problemFrom(response);
    const pod = (await response.json()) as { spec?: { containers?: Array<{ name: string }> } };
    const containers = (pod.spec?.containers ?? []).map((each) => each.name);
    return chooseContainer(containers, { pod: podName });
  }

  private async call(path: string, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json, */*' };
    const token = this.bearerToken();
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(this.options.apiUrl + path, {
        headers,
        signal,
        dispatcher: this.agent,
        redirect: 'manual',
      });
    } catch {
      throw new Problem('unavailable', {
        detail: 'The Kubernetes API cannot be reached',
        headers: { 'Retry-After': '5' },
      });
    }
    /** A redirect could lead anywhere, another namespace's pod included: the API server itself never sends one. */
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new Problem('upstreamFailed', { detail: `The Kubernetes API answered ${response.status}, a redirect` });
    }
    return response;
  }

  /** Projected service-account tokens rotate, so the file is read again every minute. */
  private bearerToken(): string | undefined {
    if (!this.options.tokenFile) return undefined;
    if (!this.token || Date.now() - this.token.readAt > tokenTtlMs) {
      this.token = { value: readFileSync(this.options.tokenFile, 'utf8').trim(), readAt: Date.now() };
    }
    return this.token.value;
  }

  private async problemFrom(response: Response): Promise<Problem> {
    const text = await response.text().catch(() => '');
    let message = text;
    try {
      message = (JSON.parse(text) as Status).message ?? text;
    } catch {
      // a plain-text error body is its own message
    }
    if (response.status === 401 || response.status === 403) this.onRefused(response.status, message.slice(0, 500));
    return problemFor(response.status, message.slice(0, 500));
  }
}

export function problemFor(status: number, message: string): Problem {
  if (status === 404) return new Problem('podNotFound', { detail: message });
  if (status === 400 || status === 422) {
    const choices = /a container name must be specified .*choose one of: \[([^\]]*)\]/.exec(message);
    if (choices)
      return new Problem('containerRequired', {
        detail: message,
        containers: choices[1]!.split(/\s+/).filter(Boolean),
      });
    if (/container .* is not valid for pod/.test(message)) return new Problem('containerNotFound', { detail: message });
    if (/previous terminated container/.test(message)) return new Problem('previousNotFound', { detail: message });
    return new Problem('badRequest', { detail: message });
  }
  if (status === 401 || status === 403) {
    return new Problem('upstreamFailed', {
      detail: `The Kubernetes API refused logs-app's credentials (${status}); logs-app's log says why`,
    });
  }
  return new Problem('upstreamFailed', { detail: `The Kubernetes API answered ${status}` });
}

/** `<RFC 3339 time> <content>` lines, as the API writes them with timestamps=true. */
async function* entriesOf(body: AsyncIterable<Uint8Array>, abort: AbortController): AsyncGenerator<LogEntry[]> {
  const decoder = new TextDecoder();
  let carry = '';
  const toEntry = (raw: string): LogEntry => {
    const space = raw.indexOf(' ');
    return space > 0 ? { time: raw.slice(0, space), line: raw.slice(space + 1) } : { line: raw };
  };
  try {
    for await (const chunk of body) {
      const text = carry + decoder.decode(chunk, { stream: true });
      const lines = text.split('\n');
      carry = lines.pop() ?? '';
      if (lines.length > 0) yield lines.map(toEntry);
    }
    carry += decoder.decode();
    if (carry) yield [toEntry(carry)];
  } catch (error) {
    if (!abort.signal.aborted) throw new Problem('upstreamFailed', { detail: 'The Kubernetes API stream broke off' });
    if (!(error instanceof Error && error.name === 'AbortError')) throw error;
  } finally {
    abort.abort();
  }
}
