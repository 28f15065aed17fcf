import { readFileSync } from 'node:fs';
import { Agent, fetch, type Response } from 'undici';
import { Problem } from '../../common/problem.js';

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

/** The API server, asked with logs-app's service account; its failures become problems. */
export class KubernetesApi {
  private readonly agent: Agent;
  private token: { value: string; readAt: number } | undefined;

  constructor(
    readonly options: KubernetesOptions,
    private readonly onRefused: OnRefused,
  ) {
    const ca = options.caFile ? readFileSync(options.caFile, 'utf8') : undefined;
    this.agent = new Agent({ connect: ca ? { ca } : {}, keepAliveTimeout: 30_000 });
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }

  async call(path: string, signal: AbortSignal, accept = 'application/json, */*'): Promise<Response> {
    const headers: Record<string, string> = { accept };
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

  /** An object (or list) as the API answers it, or the problem its answer is. */
  async json(path: string, accept?: string): Promise<unknown> {
    const response = await this.call(path, AbortSignal.timeout(this.options.timeoutMs), accept);
    if (!response.ok) throw await this.problemFrom(response);
    return response.json();
  }

  /** Projected service-account tokens rotate, so the file is read again every minute. */
  private bearerToken(): string | undefined {
    if (!this.options.tokenFile) return undefined;
    if (!this.token || Date.now() - this.token.readAt > tokenTtlMs) {
      this.token = { value: readFileSync(this.options.tokenFile, 'utf8').trim(), readAt: Date.now() };
    }
    return this.token.value;
  }

  async problemFrom(response: Response): Promise<Problem> {
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
