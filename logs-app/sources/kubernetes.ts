import { Problem } from '../../common/problem.js';
import { chooseContainer } from './containers.js';
import { KubernetesCatalog } from './kubernetes-catalog.js';
import { KubernetesApi, type KubernetesOptions, type OnRefused } from './kubernetes-api.js';
import type { LogEntry, LogQuery, LogSource, OpenedLog } from './source.js';

export type { KubernetesOptions };

/** Logs through the API server's `pods/{name}/log`, streamed through; pods and namespaces are its own objects. */
export class KubernetesSource implements LogSource {
  private readonly api: KubernetesApi;
  readonly catalog: KubernetesCatalog;

  constructor(options: KubernetesOptions, onRefused: OnRefused = () => {}) {
    this.api = new KubernetesApi(options, onRefused);
    this.catalog = new KubernetesCatalog(this.api);
  }

  async close(): Promise<void> {
    await this.api.close();
  }

  async ready(): Promise<void> {
    const response = await this.api.call('/version', AbortSignal.timeout(this.api.options.timeoutMs));
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
    const timer = setTimeout(() => abort.abort(), this.api.options.timeoutMs);
    const response = await this.api.call(`${pod}/log?${parameters}`, abort.signal).finally(() => clearTimeout(timer));
    if (!response.ok || !response.body) throw await this.api.problemFrom(response);
    const body = response.body;
    return { container, entries: () => entriesOf(body, abort) };
  }

  private async onlyContainer(podPath: string, podName: string): Promise<string> {
    const pod = (await this.api.json(podPath)) as { spec?: { containers?: Array<{ name: string }> } };
    const containers = (pod.spec?.containers ?? []).map((each) => each.name);
    return chooseContainer(containers, { pod: podName });
  }
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
