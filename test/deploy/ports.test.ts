import test from 'ava';
import { container, object, overlay, violations } from '../helpers/deploy.js';

test('a probe on another port than the service listens on fails', (t) => {
  const objects = overlay('kubernetes-api');
  const probe = container(objects, 'Deployment', 'auth-app').readinessProbe?.httpGet;
  if (probe) probe.port = 8000;
  t.deepEqual(violations(objects), [
    'Deployment pod-logs/auth-app, container auth-app: readinessProbe asks port 8000, but auth-app listens on 8001 (AUTH_PORT unset, its default)',
  ]);
});

test('a probe on a path the spec does not give it fails', (t) => {
  const objects = overlay('node-logs');
  const probe = container(objects, 'DaemonSet', 'logs-app').livenessProbe?.httpGet;
  if (probe) probe.path = '/health';
  t.deepEqual(violations(objects), [
    'DaemonSet pod-logs/logs-app, container logs-app: livenessProbe asks /health, but logs-app answers it at /healthz',
  ]);
});

test('setting AUTH_PORT moves where auth-app listens: the declared port and so every probe then differ', (t) => {
  const objects = overlay('kubernetes-api');
  container(objects, 'Deployment', 'auth-app').env?.push({ name: 'AUTH_PORT', value: '9001' });
  const found = violations(objects);
  t.true(
    found.includes(
      'Deployment pod-logs/auth-app, container auth-app: declares no containerPort 9001, where auth-app listens (AUTH_PORT)',
    ),
  );
  t.true(
    found.includes(
      'Deployment pod-logs/auth-app, container auth-app: livenessProbe asks port http (8001), but auth-app listens on 9001 (AUTH_PORT)',
    ),
  );
  t.is(found.length, 5, found.join('\n'));
});

test('AUTH_PORT and the declared port moved together pass: probes and the Service follow the port by name', (t) => {
  const objects = overlay('kubernetes-api');
  const auth = container(objects, 'Deployment', 'auth-app');
  auth.env?.push({ name: 'AUTH_PORT', value: '9001' });
  const [port] = auth.ports ?? [];
  if (port) port.containerPort = 9001;
  t.deepEqual(violations(objects), []);
});

test('a Service or Ingress port that leads nowhere fails, and so does a LOGS_AUTH_URL on a port the Service lacks', (t) => {
  const objects = overlay('ingress-example');
  const service = object(objects, 'Service', 'logs-app').spec as { ports: { targetPort: string }[] };
  const [first] = service.ports;
  if (first) first.targetPort = 'web';
  const url = container(objects, 'Deployment', 'logs-app').env?.find((each) => each.name === 'LOGS_AUTH_URL');
  if (url) url.value = 'http://auth-app:8080';
  t.deepEqual(violations(objects), [
    'Service pod-logs/logs-app: port 8000 targets web, which Deployment pod-logs/logs-app does not declare',
    'Deployment pod-logs/logs-app, container logs-app: LOGS_AUTH_URL http://auth-app:8080 asks port 8080, but Service auth-app serves 8001',
  ]);
});

test('serving HTTPS (LOGS_TLS_*) needs probes that ask over HTTPS', (t) => {
  const objects = overlay('kubernetes-api');
  container(objects, 'Deployment', 'logs-app').env?.push(
    { name: 'LOGS_TLS_CERT_FILE', value: '/run/secrets/pod-logs/tls.crt' },
    { name: 'LOGS_TLS_KEY_FILE', value: '/run/secrets/pod-logs/tls.key' },
  );
  t.deepEqual(violations(objects), [
    'Deployment pod-logs/logs-app, container logs-app: livenessProbe asks over HTTP, but logs-app serves HTTPS',
    'Deployment pod-logs/logs-app, container logs-app: readinessProbe asks over HTTP, but logs-app serves HTTPS',
  ]);
});
