import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Agent, fetch } from 'undici';
import { makeCertificate } from '../helpers/certificates.js';
import { FakeKubernetesApi } from '../helpers/fake-kube.js';
import { Kubectl } from '../helpers/kubectl.js';
import { at, startStack } from '../helpers/logs.js';

test('kubectl against the Kubernetes source: the default-container annotation and -l, as with the cluster itself; auth-app gone is a 503 Status', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-cluster-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const api = await new FakeKubernetesApi('service-account-token').start();
  t.teardown(() => api.stop());
  writeFileSync(join(dir, 'token'), 'service-account-token\n');
  api.addPod('default', 'web', {
    nginx: { current: [{ time: at(0), text: 'nginx line' }] },
    sidecar: { current: [{ time: at(0), text: 'sidecar line' }] },
  });
  api.meta.set('default/web', {
    labels: { app: 'web' },
    annotations: { 'kubectl.kubernetes.io/default-container': 'sidecar' },
  });
  api.addPod('default', 'batch', { main: { current: [{ time: at(0), text: 'batch line' }] } });
  const certificate = makeCertificate(dir);
  const stack = await startStack({
    LOGS_SOURCE: 'kubernetes',
    LOGS_KUBE_API_URL: api.url,
    LOGS_KUBE_TOKEN_FILE: join(dir, 'token'),
    LOGS_TLS_CERT_FILE: certificate.certFile,
    LOGS_TLS_KEY_FILE: certificate.keyFile,
  });
  t.teardown(() => stack.stop());
  const token = await stack.tokenFor('alice', ['logs:read:default']);
  const kubectl = new Kubectl();
  t.teardown(() => kubectl.remove());
  const run = (...args: string[]) =>
    kubectl.run('--server', stack.logs.url, '--certificate-authority', certificate.certFile, '--token', token, ...args);
  const annotated = await run('logs', 'web');
  t.is(annotated.code, 0, annotated.stderr);
  t.is(annotated.stdout, 'sidecar line\n', 'the annotation names the container kubectl reads');
  const labelled = await run('logs', '-l', 'app=web', '-c', 'nginx');
  t.is(labelled.code, 0, labelled.stderr);
  t.is(labelled.stdout, 'nginx line\n', 'only the pods the selector matches');
  t.true(api.requests.some((request) => request.path.includes('labelSelector=app%3Dweb')));

  await stack.auth.service.stop();
  const agent = new Agent({ connect: { ca: readFileSync(certificate.certFile, 'utf8') } });
  t.teardown(() => agent.close());
  const unreachable = await fetch(`${stack.logs.url}/api/v1/namespaces/default/pods`, {
    headers: { authorization: `Bearer ${token}` },
    dispatcher: agent,
  });
  t.is(unreachable.status, 503);
  t.truthy(unreachable.headers.get('retry-after'));
  t.like(await unreachable.json(), { kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
  /** kubectl itself waits out the Retry-After and asks again, as it does of a cluster that answers 503. */
});
