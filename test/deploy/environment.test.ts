import test from 'ava';
import { authEnvironment } from '../../auth-app/config.js';
import { checkImage, parseDockerfile } from '../../tools/deploy/image.js';
import { logsEnvironment } from '../../logs-app/config.js';
import { container, dockerfile, image, overlay, violations } from '../helpers/deploy.js';

test("the variables deploy:check knows are the services' own: each config's schema, and the TLS files", (t) => {
  for (const name of ['AUTH_PORT', 'AUTH_DATABASE_URL', 'AUTH_SERVICE_TOKEN_FILE', 'AUTH_TLS_CERT_FILE']) {
    t.true(authEnvironment.variables.includes(name), name);
  }
  for (const name of ['LOGS_PORT', 'LOGS_SOURCE', 'LOGS_PUBLIC_URL', 'LOGS_SESSION_COOKIE', 'LOGS_TLS_KEY_FILE']) {
    t.true(logsEnvironment.variables.includes(name), name);
  }
  t.false(logsEnvironment.variables.includes('AUTH_PORT'));
  t.deepEqual(authEnvironment.parse('AUTH_PORT', undefined), { value: 8001 });
  t.true('refused' in logsEnvironment.parse('LOGS_SOURCE', 'files'));
});

test('a variable in a manifest that the service does not read fails, naming it', (t) => {
  const objects = overlay('kubernetes-api');
  container(objects, 'Deployment', 'logs-app').env?.push({ name: 'LOGS_SORUCE', value: 'dir' });
  t.deepEqual(violations(objects), [
    'Deployment pod-logs/logs-app, container logs-app: sets LOGS_SORUCE, which logs-app does not read',
  ]);
});

test("the other service's variable fails too: each container is held to the service it runs", (t) => {
  const objects = overlay('kubernetes-api');
  container(objects, 'Deployment', 'auth-app').env?.push({ name: 'LOGS_AUTH_TIMEOUT_MS', value: '3000' });
  t.deepEqual(violations(objects), [
    'Deployment pod-logs/auth-app, container auth-app: sets LOGS_AUTH_TIMEOUT_MS, which auth-app does not read',
  ]);
});

test('a value the service would refuse at start fails, with its reason', (t) => {
  const objects = overlay('node-logs');
  const logs = container(objects, 'DaemonSet', 'logs-app');
  const source = logs.env?.find((each) => each.name === 'LOGS_SOURCE');
  if (source) source.value = 'files';
  const [violation, ...rest] = violations(objects);
  t.regex(
    violation ?? '',
    /^DaemonSet pod-logs\/logs-app, container logs-app: sets LOGS_SOURCE=files, which logs-app refuses: /,
  );
  t.deepEqual(rest, []);
});

test("a file or directory variable outside every mounted volume fails: it would name the image's read-only root", (t) => {
  const objects = overlay('kubernetes-api');
  const token = container(objects, 'Deployment', 'auth-app').env?.find(
    (each) => each.name === 'AUTH_SERVICE_TOKEN_FILE',
  );
  if (token) token.value = '/etc/pod-logs/service-token';
  t.deepEqual(violations(objects), [
    "Deployment pod-logs/auth-app, container auth-app: AUTH_SERVICE_TOKEN_FILE=/etc/pod-logs/service-token is on the image's read-only root, in no mounted volume",
  ]);
});

test("a container must run one of the image's entry points", (t) => {
  const objects = overlay('kubernetes-api');
  container(objects, 'Deployment', 'logs-app').args = ['--max-semi-space-size=8', 'dist/logs-app/server.js'];
  const [first] = violations(objects);
  t.is(
    first,
    'Deployment pod-logs/logs-app, container logs-app: runs ["--max-semi-space-size=8","dist/logs-app/server.js"], which is no entry point of the image',
  );
});

test('two replicas of auth-app on SQLite fail: replicas share one PostgreSQL database', (t) => {
  const objects = overlay('kubernetes-api');
  const auth = container(objects, 'Deployment', 'auth-app');
  auth.env = auth.env?.filter((each) => each.name !== 'AUTH_DATABASE_URL');
  t.deepEqual(violations(objects), [
    'Deployment pod-logs/auth-app, container auth-app: runs 2 replicas on SQLite (sqlite:/var/lib/pod-logs/auth.db): replicas share one PostgreSQL database',
  ]);
});

test("the image's ENV is held to the services' variables too", (t) => {
  const text = dockerfile.replace('LOGS_HOST=0.0.0.0', 'LOGS_HOST=0.0.0.0 \\\n  LOGS_LISTEN=0.0.0.0');
  t.deepEqual(
    checkImage(text, parseDockerfile(text)).violations.map((each) => each.message),
    ['ENV LOGS_LISTEN: neither auth-app nor logs-app reads it'],
  );
  t.deepEqual(checkImage(dockerfile, image).violations, []);
});
