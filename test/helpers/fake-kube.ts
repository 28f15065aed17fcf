import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Line {
  time: string;
  text: string;
}

interface FakeContainer {
  current: Line[];
  previous?: Line[];
}

/**
 * A stand-in for the API server's pod and pod-log endpoints, following the documented contract
 * (GET /api/v1/namespaces/{ns}/pods/{name}[/log], its parameters, Status errors and streaming with follow=true).
 * Kubernetes cannot run here; this is the one fake in the test suite.
 */
export class FakeKubernetesApi {
  readonly pods = new Map<string, Map<string, FakeContainer>>();
  /** Labels and annotations of a pod, by `namespace/name`. */
  readonly meta = new Map<string, { labels?: Record<string, string>; annotations?: Record<string, string> }>();
  readonly requests: Array<{ path: string; authorization?: string }> = [];
  /** Paths answered with a 302 to another path, as a misbehaving proxy in front of the API server might. */
  readonly redirects = new Map<string, string>();
  private readonly followers = new Map<string, Set<{ response: ServerResponse; timestamps: boolean }>>();
  private readonly server = createServer((request, response) =>
    this.handle(request.url ?? '/', request.headers.authorization, response, request.headers.accept),
  );
  url = '';

  constructor(private readonly token: string) {}

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  addPod(namespace: string, pod: string, containers: Record<string, FakeContainer>): void {
    this.pods.set(`${namespace}/${pod}`, new Map(Object.entries(containers)));
  }

  append(namespace: string, pod: string, container: string, line: Line): void {
    this.pods.get(`${namespace}/${pod}`)?.get(container)?.current.push(line);
    for (const follower of this.followers.get(`${namespace}/${pod}/${container}`) ?? []) {
      follower.response.write(render(line, follower.timestamps));
    }
  }

  private podObject(key: string) {
    const [namespace, name] = key.split('/');
    const containers = this.pods.get(key) ?? new Map();
    return {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name, namespace, uid: `uid-${name}`, ...this.meta.get(key) },
      spec: { containers: [...containers.keys()].map((container) => ({ name: container })) },
      status: { phase: 'Running' },
    };
  }

  /** Lists with an equality labelSelector (`app=web`) and, when asked (`as=Table`), a Table as the API makes one. */
  private list(
    response: ServerResponse,
    accept: string,
    kind: string,
    objects: Array<{ metadata: { name?: string }; status: { phase: string } }>,
  ): void {
    if (!/as=Table/.test(accept)) return json(response, 200, { kind, apiVersion: 'v1', metadata: {}, items: objects });
    json(response, 200, {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: {},
      columnDefinitions: [
        { name: 'Name', type: 'string', format: 'name' },
        { name: 'Status', type: 'string', format: '' },
      ],
      rows: objects.map((object) => ({
        cells: [object.metadata.name, object.status.phase],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata },
      })),
    });
  }

  private handle(rawUrl: string, authorization: string | undefined, response: ServerResponse, accept = ''): void {
    const url = new URL(rawUrl, 'http://fake');
    this.requests.push({ path: url.pathname + url.search, authorization });
    if (authorization === 'Bearer forbidden')
      return status(response, 403, 'pods "x" is forbidden: cannot get resource "pods/log"');
    if (authorization !== `Bearer ${this.token}`) return status(response, 401, 'Unauthorized');
    const redirect = this.redirects.get(url.pathname);
    if (redirect) return void response.writeHead(302, { location: redirect }).end();
    if (url.pathname === '/version') return json(response, 200, { major: '1', minor: '31' });
    if (url.pathname === '/api/v1/namespaces') {
      const names = [...new Set([...this.pods.keys()].map((key) => key.split('/')[0]!))].sort();
      const objects = names.map((name) => ({
        kind: 'Namespace',
        apiVersion: 'v1',
        metadata: { name },
        status: { phase: 'Active' },
      }));
      return this.list(response, accept, 'NamespaceList', objects);
    }
    const listed = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    if (listed) {
      const [label, value] = (url.searchParams.get('labelSelector') ?? '').split('=');
      const objects = [...this.pods.keys()]
        .filter((key) => key.startsWith(`${listed[1]}/`))
        .filter((key) => !label || this.meta.get(key)?.labels?.[label] === value)
        .map((key) => this.podObject(key));
      return this.list(response, accept, 'PodList', objects);
    }
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/log)?$/.exec(url.pathname);
    if (!match) return status(response, 404, 'the server could not find the requested resource');
    const [, namespace = '', pod = '', log] = match;
    const containers = this.pods.get(`${namespace}/${pod}`);
    if (!containers) return status(response, 404, `pods "${pod}" not found`);
    if (!log) return json(response, 200, this.podObject(`${namespace}/${pod}`));
    this.serveLog(url.searchParams, namespace, pod, containers, response);
  }

  private serveLog(
    query: URLSearchParams,
    namespace: string,
    pod: string,
    containers: Map<string, FakeContainer>,
    response: ServerResponse,
  ): void {
    if (query.has('sinceSeconds') && query.has('sinceTime'))
      return status(response, 422, 'at most one of sinceTime or sinceSeconds may be specified');
    let name = query.get('container');
    if (!name) {
      if (containers.size !== 1) {
        return status(
          response,
          400,
          `a container name must be specified for pod ${pod}, choose one of: [${[...containers.keys()].join(' ')}]`,
        );
      }
      name = [...containers.keys()][0]!;
    }
    const container = containers.get(name);
    if (!container) return status(response, 400, `container ${name} is not valid for pod ${pod}`);
    const previous = query.get('previous') === 'true';
    let lines = previous ? container.previous : container.current;
    if (!lines) return status(response, 400, `previous terminated container "${name}" in pod "${pod}" not found`);
    const since = query.get('sinceTime') ? Date.parse(query.get('sinceTime')!) : undefined;
    if (since !== undefined) lines = lines.filter((line) => Date.parse(line.time) >= since);
    const tail = query.get('tailLines');
    if (tail !== null) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
    const timestamps = query.get('timestamps') === 'true';
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.write(lines.map((line) => render(line, timestamps)).join(''));
    if (query.get('follow') !== 'true' || previous) return void response.end();
    const key = `${namespace}/${pod}/${name}`;
    const followers = this.followers.get(key) ?? new Set();
    this.followers.set(key, followers);
    const follower = { response, timestamps };
    followers.add(follower);
    response.on('close', () => followers.delete(follower));
  }
}

const render = (line: Line, timestamps: boolean) => (timestamps ? `${line.time} ${line.text}\n` : `${line.text}\n`);

function json(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function status(response: ServerResponse, code: number, message: string): void {
  json(response, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code });
}
