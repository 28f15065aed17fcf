import test from 'ava';
import { container, object, overlay, podSpec, violations } from '../helpers/deploy.js';

test('every overlay passes as it is', (t) => {
  for (const name of ['kubernetes-api', 'node-logs', 'ingress-example'])
    t.deepEqual(violations(overlay(name)), [], name);
});

test('a pod template without the restricted settings fails, naming each', (t) => {
  const objects = overlay('kubernetes-api');
  const spec = podSpec(objects, 'Deployment', 'auth-app');
  delete spec.securityContext?.runAsNonRoot;
  delete spec.securityContext?.seccompProfile;
  const auth = container(objects, 'Deployment', 'auth-app');
  auth.securityContext = { capabilities: { add: ['NET_ADMIN'] } };
  const where = 'Deployment pod-logs/auth-app, container auth-app';
  t.deepEqual(violations(objects), [
    `${where}: does not set allowPrivilegeEscalation: false`,
    `${where}: does not set readOnlyRootFilesystem: true`,
    `${where}: does not drop ALL capabilities`,
    `${where}: adds capabilities NET_ADMIN`,
    `${where}: has no seccomp profile RuntimeDefault`,
    `${where}: is not held to runAsNonRoot: true`,
  ]);
});

test('a hostPath is allowed only to the DaemonSet reading /var/log/pods, and only read-only', (t) => {
  const deployment = overlay('kubernetes-api');
  podSpec(deployment, 'Deployment', 'logs-app').volumes?.push({ name: 'pods', hostPath: { path: '/var/log/pods' } });
  t.deepEqual(violations(deployment), [
    'Deployment pod-logs/logs-app: hostPath volume pods (/var/log/pods): only a DaemonSet reading /var/log/pods read-only may have one',
  ]);

  const daemonSet = overlay('node-logs');
  const mount = container(daemonSet, 'DaemonSet', 'logs-app').volumeMounts?.find((each) => each.name === 'pods');
  if (mount) mount.readOnly = false;
  t.deepEqual(violations(daemonSet), [
    'DaemonSet pod-logs/logs-app: hostPath volume pods (/var/log/pods): only a DaemonSet reading /var/log/pods read-only may have one',
    'DaemonSet pod-logs/logs-app, container logs-app: is not held to runAsNonRoot: true',
    'DaemonSet pod-logs/logs-app, container logs-app: runs as uid 0',
    'DaemonSet pod-logs/logs-app, container logs-app: takes a hostPort',
  ]);
});

test("the DaemonSet's exception covers root and its hostPort, not the rest of the restricted standard", (t) => {
  const objects = overlay('node-logs');
  const logs = container(objects, 'DaemonSet', 'logs-app');
  if (logs.securityContext) logs.securityContext.readOnlyRootFilesystem = false;
  podSpec(objects, 'DaemonSet', 'logs-app').hostNetwork = true;
  t.deepEqual(violations(objects), [
    'DaemonSet pod-logs/logs-app: sets hostNetwork',
    'DaemonSet pod-logs/logs-app, container logs-app: does not set readOnlyRootFilesystem: true',
  ]);
});

test('a pod that never calls the Kubernetes API may not mount a service account token', (t) => {
  const objects = overlay('node-logs');
  delete podSpec(objects, 'DaemonSet', 'logs-app').automountServiceAccountToken;
  t.deepEqual(violations(objects), [
    'DaemonSet pod-logs/logs-app, container logs-app: never calls the Kubernetes API, but its pod mounts a service account token (set automountServiceAccountToken: false)',
  ]);
});

test('objects are validated against the Kubernetes schemas', (t) => {
  const objects = overlay('kubernetes-api');
  (object(objects, 'Deployment', 'auth-app').spec as { replicas: unknown }).replicas = 'two';
  const found = violations(objects);
  t.true(
    found.some((each) =>
      each.startsWith('Deployment pod-logs/auth-app: invalid Deployment: data/spec/replicas must be integer'),
    ),
    found.join('\n'),
  );
});
