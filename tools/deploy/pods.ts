import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import { nameOf, type Findings, type KubeObject, type Violation } from './findings.js';

/** A pod template, with the object that owns it. */
export interface PodTemplate {
  owner: KubeObject;
  labels: Record<string, string>;
  spec: IPodSpec;
  replicas: number | undefined;
}

interface TemplateSpec {
  template?: { metadata?: { labels?: Record<string, string> }; spec?: IPodSpec };
  jobTemplate?: { spec?: TemplateSpec };
  replicas?: number;
}

export function podTemplates(objects: KubeObject[]): PodTemplate[] {
  return objects.flatMap((owner): PodTemplate[] => {
    if (owner.kind === 'Pod') {
      return [{ owner, labels: owner.metadata.labels ?? {}, spec: owner.spec as IPodSpec, replicas: 1 }];
    }
    const spec = owner.spec as TemplateSpec | undefined;
    const template = owner.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template : spec?.template;
    if (!template?.spec) return [];
    const replicas = owner.kind === 'Deployment' || owner.kind === 'StatefulSet' ? (spec?.replicas ?? 1) : undefined;
    return [{ owner, labels: template.metadata?.labels ?? {}, spec: template.spec, replicas }];
  });
}

export const containersOf = (spec: IPodSpec): IContainer[] => [...(spec.initContainers ?? []), ...spec.containers];

/** The one place a hostPath is allowed: a DaemonSet reading the kubelet's log files, read-only. */
export const nodeLogDir = '/var/log/pods';

/**
 * A DaemonSet whose every hostPath is the kubelet's log directory, mounted read-only wherever it is mounted. It may
 * run as root (the files are root's alone) and take a hostPort (how a client addresses its node); the rest of the
 * restricted standard still holds.
 */
export function readsNodeLogs({ owner, spec }: PodTemplate): boolean {
  const hostPaths = (spec.volumes ?? []).filter((volume) => volume.hostPath);
  if (owner.kind !== 'DaemonSet' || hostPaths.length === 0) return false;
  return hostPaths.every(
    (volume) =>
      volume.hostPath?.path.replace(/\/$/, '') === nodeLogDir &&
      containersOf(spec).every((container) =>
        (container.volumeMounts ?? []).every((mount) => mount.name !== volume.name || mount.readOnly === true),
      ),
  );
}

function containerViolations(template: PodTemplate, container: IContainer, nodeLogs: boolean): string[] {
  const pod = template.spec.securityContext ?? {};
  const own = container.securityContext ?? {};
  const found: string[] = [];
  if (own.privileged) found.push('is privileged');
  if (own.allowPrivilegeEscalation !== false) found.push('does not set allowPrivilegeEscalation: false');
  if (own.readOnlyRootFilesystem !== true) found.push('does not set readOnlyRootFilesystem: true');
  if (!own.capabilities?.drop?.includes('ALL')) found.push('does not drop ALL capabilities');
  if ((own.capabilities?.add ?? []).length > 0) found.push(`adds capabilities ${own.capabilities?.add?.join(', ')}`);
  const seccomp = (own.seccompProfile ?? pod.seccompProfile)?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') found.push('has no seccomp profile RuntimeDefault');
  if (!nodeLogs) {
    if ((own.runAsNonRoot ?? pod.runAsNonRoot) !== true) found.push('is not held to runAsNonRoot: true');
    if ((own.runAsUser ?? pod.runAsUser) === 0) found.push('runs as uid 0');
    if ((container.ports ?? []).some((port) => port.hostPort !== undefined)) found.push('takes a hostPort');
  }
  return found;
}

/** The restricted Pod Security Standard on every pod template, but for what reading the node's log files needs. */
export function checkPodSecurity(objects: KubeObject[]): Findings {
  const checked: string[] = [];
  const violations: Violation[] = [];
  for (const template of podTemplates(objects)) {
    const where = nameOf(template.owner);
    const nodeLogs = readsNodeLogs(template);
    const { spec } = template;
    for (const flag of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
      if (spec[flag]) violations.push({ where, message: `sets ${flag}` });
    }
    for (const volume of spec.volumes ?? []) {
      if (volume.hostPath && !nodeLogs) {
        violations.push({
          where,
          message: `hostPath volume ${volume.name} (${volume.hostPath.path}): only a DaemonSet reading ${nodeLogDir} read-only may have one`,
        });
      }
    }
    for (const container of containersOf(spec)) {
      for (const message of containerViolations(template, container, nodeLogs)) {
        violations.push({ where: `${where}, container ${container.name}`, message });
      }
    }
    checked.push(
      `pod security: ${where} restricted` +
        (nodeLogs ? ` but for reading ${nodeLogDir} (hostPath read-only, root without capabilities, hostPort)` : ''),
    );
  }
  return { checked, violations };
}
