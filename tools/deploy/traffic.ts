import { nameOf, type Findings, type KubeObject, type Violation } from './findings.js';
import type { ProductContainer } from './containers.js';
import { podTemplates, type PodTemplate } from './pods.js';
import { valueOf } from './services.js';

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
}

/** A label selector's meaning; an empty one selects everything. */
export function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const matched = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return (
    matched &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      if (operator === 'In') return values.includes(labels[key] ?? '\0');
      if (operator === 'NotIn') return !values.includes(labels[key] ?? '\0');
      if (operator === 'Exists') return key in labels;
      return !(key in labels);
    })
  );
}

const inNamespace = (objects: KubeObject[], kind: string, namespace: string | undefined) =>
  objects.filter((each) => each.kind === kind && each.metadata.namespace === namespace);

const declaresPort = (template: PodTemplate, target: number | string): boolean =>
  template.spec.containers.some((container) =>
    (container.ports ?? []).some((port) =>
      typeof target === 'number' ? port.containerPort === target : port.name === target,
    ),
  );

function serviceViolations(objects: KubeObject[], templates: PodTemplate[]): Violation[] {
  const found: Violation[] = [];
  for (const service of objects.filter((each) => each.kind === 'Service')) {
    const spec = service.spec as { selector?: Record<string, string>; ports?: ServicePort[] };
    if (!spec.selector) continue;
    const selected = templates.filter(
      (each) =>
        each.owner.metadata.namespace === service.metadata.namespace &&
        selects({ matchLabels: spec.selector }, each.labels),
    );
    if (selected.length === 0) found.push({ where: nameOf(service), message: 'selects no pod of the deployment' });
    for (const port of spec.ports ?? []) {
      const target = port.targetPort ?? port.port;
      for (const template of selected.filter((each) => !declaresPort(each, target))) {
        found.push({
          where: nameOf(service),
          message: `port ${port.port} targets ${target}, which ${nameOf(template.owner)} does not declare`,
        });
      }
    }
  }
  return found;
}

interface IngressSpec {
  tls?: { hosts?: string[] }[];
  rules?: {
    host?: string;
    http?: { paths: { backend: { service?: { name: string; port: { name?: string; number?: number } } } }[] };
  }[];
}

function ingressViolations(objects: KubeObject[]): Violation[] {
  const found: Violation[] = [];
  for (const ingress of objects.filter((each) => each.kind === 'Ingress')) {
    const where = nameOf(ingress);
    const spec = ingress.spec as IngressSpec;
    const secured = new Set((spec.tls ?? []).flatMap((each) => each.hosts ?? []));
    for (const rule of spec.rules ?? []) {
      if (!rule.host || !secured.has(rule.host))
        found.push({ where, message: `serves ${rule.host ?? 'every host'} without TLS` });
      for (const { backend } of rule.http?.paths ?? []) {
        if (!backend.service) continue;
        const { name, port } = backend.service;
        const service = inNamespace(objects, 'Service', ingress.metadata.namespace).find(
          (each) => each.metadata.name === name,
        );
        const ports = ((service?.spec as { ports?: ServicePort[] } | undefined)?.ports ?? []) as ServicePort[];
        if (!service)
          found.push({ where, message: `routes ${rule.host} to Service ${name}, which the deployment lacks` });
        else if (
          !ports.some((each) => (port.name !== undefined ? each.name === port.name : each.port === port.number))
        ) {
          found.push({
            where,
            message: `routes ${rule.host} to port ${port.name ?? port.number} of Service ${name}, which it does not serve`,
          });
        }
      }
    }
  }
  return found;
}

/** logs-app's LOGS_AUTH_URL names the Service of auth-app's pods, on a port that Service serves. */
function authUrlViolations(
  objects: KubeObject[],
  templates: PodTemplate[],
  containers: ProductContainer[],
): Violation[] {
  const found: Violation[] = [];
  const authPods = templates.filter((template) =>
    containers.some(
      (each) => each.template.owner === template.owner && each.entry.service.name === 'auth-app' && each.entry.serves,
    ),
  );
  for (const running of containers.filter((each) => each.entry.service.name === 'logs-app')) {
    const url = new URL(String(valueOf(running.entry.service, running.env, 'LOGS_AUTH_URL')));
    const [name = '', namespace = running.template.owner.metadata.namespace] = url.hostname.split('.');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const service = inNamespace(objects, 'Service', namespace).find((each) => each.metadata.name === name);
    const spec = service?.spec as { selector?: Record<string, string>; ports?: ServicePort[] } | undefined;
    const at = `LOGS_AUTH_URL ${url.origin}`;
    if (!service) {
      if (!url.hostname.includes('.') || /\.svc(\.|$)|^127\.|^localhost$/.test(url.hostname)) {
        found.push({ where: running.where, message: `${at} names no Service of the deployment` });
      }
      continue;
    }
    if (!(spec?.ports ?? []).some((each) => each.port === port)) {
      found.push({
        where: running.where,
        message: `${at} asks port ${port}, but Service ${name} serves ${(spec?.ports ?? []).map((each) => each.port).join(', ')}`,
      });
    }
    if (!authPods.some((each) => selects({ matchLabels: spec?.selector }, each.labels))) {
      found.push({ where: running.where, message: `${at}: Service ${name} selects no auth-app pod` });
    }
  }
  return found;
}

function disruptionViolations(objects: KubeObject[], templates: PodTemplate[]): Violation[] {
  return templates
    .filter((template) => (template.replicas ?? 0) > 1)
    .filter(
      (template) =>
        !inNamespace(objects, 'PodDisruptionBudget', template.owner.metadata.namespace).some((budget) =>
          selects((budget.spec as { selector?: Selector }).selector, template.labels),
        ),
    )
    .map((template) => ({
      where: nameOf(template.owner),
      message: `${template.replicas} replicas and no PodDisruptionBudget`,
    }));
}

interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: object;
}

const isEmpty = (selector: Selector) => !selector.matchLabels && !selector.matchExpressions?.length;

/**
 * Every pod is isolated for ingress; auth-app's pods accept only logs-app's pods of their namespace and pods of
 * other namespaces a policy names (the ingress controller), never an address block or everyone.
 */
function policyViolations(
  objects: KubeObject[],
  templates: PodTemplate[],
  containers: ProductContainer[],
): Violation[] {
  const found: Violation[] = [];
  const runs = (template: PodTemplate, service: string) =>
    containers.some(
      (each) => each.template.owner === template.owner && each.entry.service.name === service && each.entry.serves,
    );
  for (const template of templates) {
    const namespace = template.owner.metadata.namespace;
    const policies = inNamespace(objects, 'NetworkPolicy', namespace).filter((policy) => {
      const spec = policy.spec as { podSelector: Selector; policyTypes?: string[] };
      return (spec.policyTypes ?? ['Ingress']).includes('Ingress') && selects(spec.podSelector, template.labels);
    });
    if (policies.length === 0)
      found.push({ where: nameOf(template.owner), message: 'no NetworkPolicy isolates its pods' });
    if (!runs(template, 'auth-app')) continue;
    for (const policy of policies) {
      for (const rule of (policy.spec as { ingress?: { from?: Peer[] }[] }).ingress ?? []) {
        const where = `${nameOf(policy)} (for ${nameOf(template.owner)})`;
        if (!rule.from?.length) found.push({ where, message: 'lets every client reach auth-app' });
        for (const peer of rule.from ?? []) {
          if (peer.ipBlock) found.push({ where, message: 'lets an address block reach auth-app' });
          if (peer.namespaceSelector) {
            if (isEmpty(peer.namespaceSelector)) found.push({ where, message: 'lets every namespace reach auth-app' });
            continue;
          }
          const selected = templates.filter(
            (each) => each.owner.metadata.namespace === namespace && selects(peer.podSelector, each.labels),
          );
          if (!peer.podSelector || selected.some((each) => !runs(each, 'logs-app'))) {
            found.push({
              where,
              message: `lets pods other than logs-app's reach auth-app (${selected.map((each) => nameOf(each.owner)).join(', ')})`,
            });
          }
        }
      }
    }
  }
  return found;
}

/** How requests reach the pods: Services, the Ingress, logs-app's way to auth-app, disruption budgets, policies. */
export function checkTraffic(objects: KubeObject[], containers: ProductContainer[]): Findings {
  const templates = podTemplates(objects);
  const count = (kind: string) => objects.filter((each) => each.kind === kind).length;
  return {
    checked: [
      `traffic: ${count('Service')} Services and ${count('Ingress')} Ingresses reach declared ports (TLS on every host); ` +
        `LOGS_AUTH_URL names auth-app's Service; ${count('PodDisruptionBudget')} disruption budgets cover the replicas; ` +
        `${count('NetworkPolicy')} network policies isolate every pod and open auth-app to logs-app and the ingress only`,
    ],
    violations: [
      ...serviceViolations(objects, templates),
      ...ingressViolations(objects),
      ...authUrlViolations(objects, templates, containers),
      ...disruptionViolations(objects, templates),
      ...policyViolations(objects, templates, containers),
    ],
  };
}
