import type { IContainer, IProbe } from 'kubernetes-models/v1';
import { nameOf, type Findings, type KubeObject, type Violation } from './findings.js';
import type { Image } from './image.js';
import { containersOf, podTemplates, type PodTemplate } from './pods.js';
import { entryExists, entryOf, valueOf, type Entry } from './services.js';

/** A container of the product's image, with what it runs and the environment it starts with. */
export interface ProductContainer {
  template: PodTemplate;
  container: IContainer;
  where: string;
  entry: Entry;
  /** The image's ENV and the container's literal values; a variable taken from a Secret is present, as ''. */
  env: Record<string, string>;
  fromSecrets: Set<string>;
}

export const productImage = 'pod-logs';

const isProductImage = (image: string | undefined): boolean =>
  image?.split('@')[0]?.split('/').at(-1)?.split(':')[0] === productImage;

/** The product's containers; a container that runs no entry of the image is a violation. */
export function productContainers(
  objects: KubeObject[],
  image: Image,
): { found: ProductContainer[]; violations: Violation[] } {
  const found: ProductContainer[] = [];
  const violations: Violation[] = [];
  for (const template of podTemplates(objects)) {
    for (const container of containersOf(template.spec)) {
      if (!isProductImage(container.image)) continue;
      const where = `${nameOf(template.owner)}, container ${container.name}`;
      if (container.command !== undefined) {
        violations.push({
          where,
          message: `sets command ${JSON.stringify(container.command)}: the image's ENTRYPOINT is node, args pick the service`,
        });
      }
      const args = container.args ?? image.cmd ?? [];
      const entry = entryOf(args);
      if (typeof entry !== 'object' || !entryExists(entry.script)) {
        violations.push({ where, message: `runs ${JSON.stringify(args)}, which is no entry point of the image` });
        continue;
      }
      const env: Record<string, string> = { ...image.runtime.env };
      const fromSecrets = new Set<string>();
      for (const variable of container.env ?? []) {
        env[variable.name] = variable.value ?? '';
        if (variable.valueFrom) fromSecrets.add(variable.name);
      }
      found.push({ template, container, where, entry, env, fromSecrets });
    }
  }
  return { found, violations };
}

function environmentViolations({ container, entry: { service } }: ProductContainer): string[] {
  const found: string[] = [];
  if (container.envFrom?.length) found.push('takes envFrom, whose variables cannot be checked: name each in env');
  const seen = new Set<string>();
  for (const { name, value } of container.env ?? []) {
    if (seen.has(name)) found.push(`sets ${name} twice`);
    seen.add(name);
    if (!service.environment.variables.includes(name)) {
      found.push(`sets ${name}, which ${service.name} does not read`);
      continue;
    }
    if (value === undefined || value.includes('$(')) continue;
    const parsed = service.environment.parse(name, value);
    if ('refused' in parsed) found.push(`sets ${name}=${value}, which ${service.name} refuses: ${parsed.refused}`);
  }
  return found;
}

function storageViolations({ container, template, env, entry: { service } }: ProductContainer): string[] {
  const found: string[] = [];
  const mounts = container.volumeMounts ?? [];
  const mountOf = (path: string) =>
    mounts.find((mount) => path === mount.mountPath || path.startsWith(`${mount.mountPath.replace(/\/$/, '')}/`));
  for (const { name, value } of container.env ?? []) {
    if (value && /_(FILE|DIR)$/.test(name) && !mountOf(value)) {
      found.push(`${name}=${value} is on the image's read-only root, in no mounted volume`);
    }
  }
  const tmp = mounts.find((mount) => mount.mountPath === '/tmp');
  if (!tmp || tmp.readOnly) found.push('has no writable volume at /tmp (the root filesystem is read-only)');
  if (service.name !== 'auth-app') return found;
  const sqlite = /^sqlite:(.*)$/.exec(env.AUTH_DATABASE_URL ?? '')?.[1];
  if (sqlite === undefined) return found;
  if ((template.replicas ?? 1) > 1 || template.owner.kind === 'DaemonSet') {
    found.push(
      `runs ${template.replicas ?? 'one a node'} replicas on SQLite (${env.AUTH_DATABASE_URL}): replicas share one PostgreSQL database`,
    );
  } else if (mountOf(sqlite)?.readOnly !== false) {
    found.push(`AUTH_DATABASE_URL=${env.AUTH_DATABASE_URL} is not in a writable volume`);
  }
  return found;
}

function probeViolations(running: ProductContainer): string[] {
  const { container, env, fromSecrets, entry } = running;
  const { service } = entry;
  if (!entry.serves) return [];
  if (fromSecrets.has(service.portVariable))
    return [`takes ${service.portVariable} from a Secret: its port cannot be checked`];
  const port = Number(valueOf(service, env, service.portVariable));
  const said =
    env[service.portVariable] === undefined ? `${service.portVariable} unset, its default` : service.portVariable;
  const found: string[] = [];
  const declared = container.ports ?? [];
  if (!declared.some((each) => each.containerPort === port))
    found.push(`declares no containerPort ${port}, where ${service.name} listens (${said})`);
  for (const each of declared) {
    if (each.containerPort !== port)
      found.push(`declares containerPort ${each.containerPort}, but ${service.name} listens on ${port} (${said})`);
  }
  const scheme = env[service.tlsVariable] ? 'HTTPS' : 'HTTP';
  const probes: [string, IProbe | undefined, string][] = [
    ['livenessProbe', container.livenessProbe, service.probes.liveness],
    ['readinessProbe', container.readinessProbe, service.probes.readiness],
    ['startupProbe', container.startupProbe, service.probes.liveness],
  ];
  for (const [kind, probe, path] of probes) {
    if (!probe) {
      if (kind !== 'startupProbe') found.push(`has no ${kind}`);
      continue;
    }
    const get = probe.httpGet;
    if (!get) {
      found.push(`${kind} is not an httpGet of ${path}`);
      continue;
    }
    if (get.path !== path) found.push(`${kind} asks ${get.path ?? '/'}, but ${service.name} answers it at ${path}`);
    const target =
      typeof get.port === 'number' ? get.port : declared.find((each) => each.name === get.port)?.containerPort;
    if (target !== port)
      found.push(
        `${kind} asks port ${get.port}${target !== undefined && target !== get.port ? ` (${target})` : ''}, but ${service.name} listens on ${port} (${said})`,
      );
    if ((get.scheme ?? 'HTTP') !== scheme)
      found.push(`${kind} asks over ${get.scheme ?? 'HTTP'}, but ${service.name} serves ${scheme}`);
  }
  return found;
}

function resourceViolations({ container }: ProductContainer): string[] {
  const { requests = {}, limits = {} } = container.resources ?? {};
  const missing = [
    requests.cpu === undefined && 'requests.cpu',
    requests.memory === undefined && 'requests.memory',
    limits.memory === undefined && 'limits.memory',
  ].filter((each): each is string => typeof each === 'string');
  return missing.length > 0 ? [`sets no resources ${missing.join(', ')}`] : [];
}

function podViolations(running: ProductContainer, objects: KubeObject[]): string[] {
  const { spec, owner } = running.template;
  const found: string[] = [];
  if (spec.enableServiceLinks !== false) {
    found.push(
      'pod does not set enableServiceLinks: false: each Service would add <NAME>_PORT-like variables to the environment the service parses',
    );
  }
  const account = spec.serviceAccountName ?? 'default';
  const serviceAccount = objects.find(
    (each) =>
      each.kind === 'ServiceAccount' &&
      each.metadata.name === account &&
      each.metadata.namespace === owner.metadata.namespace,
  ) as { automountServiceAccountToken?: boolean } | undefined;
  const mounted = spec.automountServiceAccountToken ?? serviceAccount?.automountServiceAccountToken ?? true;
  const usesApi =
    running.entry.service.name === 'logs-app' &&
    valueOf(running.entry.service, running.env, 'LOGS_SOURCE') === 'kubernetes';
  if (usesApi && !mounted) found.push('reads through the Kubernetes API, but its pod mounts no service account token');
  if (!usesApi && mounted)
    found.push(
      `never calls the Kubernetes API, but its pod mounts a service account token (set automountServiceAccountToken: false)`,
    );
  return found;
}

/** What each of the product's containers runs, against what the service reads, answers and needs. */
export function checkContainers(objects: KubeObject[], image: Image): Findings {
  const { found, violations } = productContainers(objects, image);
  const checked: string[] = [];
  for (const running of found) {
    const messages = [
      ...environmentViolations(running),
      ...storageViolations(running),
      ...probeViolations(running),
      ...resourceViolations(running),
      ...podViolations(running, objects),
    ];
    violations.push(...messages.map((message) => ({ where: running.where, message })));
    const { service } = running.entry;
    const port = Number(valueOf(service, running.env, service.portVariable));
    checked.push(
      `containers: ${running.where} runs ${running.entry.script}: ${(running.container.env ?? []).length} variables ${service.name} reads` +
        (running.entry.serves
          ? `, probes ${service.probes.liveness} and ${service.probes.readiness} on port ${port}`
          : '') +
        ', resources, mounts, service links and token',
    );
  }
  return { checked, violations };
}
