import { nameOf, type Findings, type KubeObject, type Violation } from './findings.js';
import type { ProductContainer } from './containers.js';
import { valueOf } from './services.js';

/**
 * What logs-app asks the API server with LOGS_SOURCE=kubernetes (logs-app/sources/kubernetes*.ts): a pod and a
 * namespace's pods, a pod's log, and the list of namespaces (the viewer's pod list, kubectl get namespaces). A role
 * may grant this and nothing else.
 */
export const logsAppNeeds = ['pods get', 'pods list', 'pods/log get', 'namespaces list'];

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Binding {
  roleRef: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

const grantsOf = (rules: Rule[]): string[] =>
  rules.flatMap((rule) => [
    ...(rule.nonResourceURLs ?? []).map((url) => `non-resource ${url}`),
    ...(rule.apiGroups ?? []).flatMap((group) =>
      (rule.resources ?? []).flatMap((resource) =>
        (rule.verbs ?? []).map((verb) => `${group ? `${group}/` : ''}${resource} ${verb}`),
      ),
    ),
  ]);

/** Every role grants exactly what logs-app needs, bound only to the accounts of logs-app pods that read the API. */
export function checkRbac(objects: KubeObject[], containers: ProductContainer[]): Findings {
  const violations: Violation[] = [];
  const checked: string[] = [];
  const readers = new Set(
    containers
      .filter(
        (each) =>
          each.entry.service.name === 'logs-app' &&
          valueOf(each.entry.service, each.env, 'LOGS_SOURCE') === 'kubernetes',
      )
      .map((each) => `${each.template.owner.metadata.namespace}/${each.template.spec.serviceAccountName ?? 'default'}`),
  );
  for (const role of objects.filter((each) => each.kind === 'ClusterRole' || each.kind === 'Role')) {
    const where = nameOf(role);
    const rules = (role.rules ?? []) as Rule[];
    const grants = new Set(grantsOf(rules));
    for (const grant of grants) {
      if (!logsAppNeeds.includes(grant))
        violations.push({ where, message: `grants ${grant}, which logs-app never asks` });
    }
    for (const need of logsAppNeeds) {
      if (!grants.has(need)) violations.push({ where, message: `lacks ${need}, which logs-app asks` });
    }
    if (rules.some((rule) => rule.resourceNames?.length))
      violations.push({ where, message: 'names resources: logs-app reads any pod' });
    if (role.aggregationRule) violations.push({ where, message: 'aggregates other roles' });
    checked.push(`rbac: ${where} grants ${logsAppNeeds.join(', ')} and nothing else`);
  }
  const bound = new Set<string>();
  for (const binding of objects.filter((each) => each.kind === 'ClusterRoleBinding' || each.kind === 'RoleBinding')) {
    const where = nameOf(binding);
    for (const subject of (binding as unknown as Binding).subjects ?? []) {
      const account = `${subject.namespace ?? binding.metadata.namespace}/${subject.name}`;
      if (subject.kind !== 'ServiceAccount' || !readers.has(account)) {
        violations.push({
          where,
          message: `binds ${subject.kind} ${account}, which is no account of logs-app reading the Kubernetes API`,
        });
      }
      bound.add(account);
    }
  }
  for (const account of readers) {
    if (!bound.has(account))
      violations.push({
        where: `ServiceAccount ${account}`,
        message: 'reads through the Kubernetes API, but no binding gives it a role',
      });
  }
  if (readers.size > 0) checked.push(`rbac: bound to ${[...readers].join(', ')} only`);
  return { checked, violations };
}
