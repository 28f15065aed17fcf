import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Agent } from 'undici';
import type { TlsFiles } from '../../common/tls.js';
import { makeCertificate } from '../helpers/certificates.js';
import { contractClient, type Client } from '../helpers/http.js';
import { Kubectl } from '../helpers/kubectl.js';
import { cri, startStack, type TestStack } from '../helpers/logs.js';

let stack: TestStack;
let certificate: TlsFiles;
let certDir: string;
let kubectl: Kubectl;
let alice: string;
let kube: Client;
let agent: Agent;
let followedLog: string;

/** Times around now, so `--since` means something: `ago(90)` is a minute and a half ago. */
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString().replace('Z', '000000Z');

test.before(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'kubectl-tls-'));
  certificate = makeCertificate(certDir);
  stack = await startStack({
    LOGS_TLS_CERT_FILE: certificate.certFile,
    LOGS_TLS_KEY_FILE: certificate.keyFile,
    LOGS_FOLLOW_RECHECK_MS: '200',
  });
  stack.writeLog('default', 'hello', 'main', '0.log', [
    cri(ago(7200), 'two hours ago'),
    cri(ago(1800), 'half an hour ago'),
    cri(ago(60), 'a minute ago'),
    cri(ago(10), 'ten seconds ago'),
  ]);
  stack.writeLog('default', 'web', 'nginx', '0.log', [cri(ago(30), 'nginx started')]);
  stack.writeLog('default', 'web', 'sidecar', '0.log', [cri(ago(600), 'sidecar first run')]);
  stack.writeLog('default', 'web', 'sidecar', '1.log', [cri(ago(20), 'sidecar second run')]);
  stack.writeLog('team-a', 'worker', 'main', '0.log', [cri(ago(5), 'team-a secret')]);
  followedLog = stack.writeLog('default', 'followed', 'main', '0.log', [cri(ago(3), 'before')]);
  alice = await stack.tokenFor('alice', ['logs:read:default']);
  kubectl = new Kubectl();
  agent = new Agent({ connect: { ca: readFileSync(certificate.certFile, 'utf8') } });
  kube = contractClient('logs', () => stack.logs.url, agent);
});
test.after.always(async () => {
  await stack.stop();
  await agent.close();
  kubectl.remove();
  rmSync(certDir, { recursive: true, force: true });
});

const as = (token: string, ...args: string[]) =>
  kubectl.run('--server', stack.logs.url, '--certificate-authority', certificate.certFile, '--token', token, ...args);

test('kubectl logs with its options: --tail, --since, --since-time, --timestamps, --limit-bytes, -c, -p', async (t) => {
  const lines = async (...args: string[]) => {
    const result = await as(alice, 'logs', ...args);
    t.is(result.code, 0, result.stderr);
    return result.stdout;
  };
  t.is(await lines('hello'), 'two hours ago\nhalf an hour ago\na minute ago\nten seconds ago\n');
  t.is(await lines('hello', '--tail', '2'), 'a minute ago\nten seconds ago\n');
  t.is(await lines('hello', '--since', '5m'), 'a minute ago\nten seconds ago\n');
  const sinceTime = new Date(Date.now() - 3600_000).toISOString();
  t.is(await lines('hello', '--since-time', sinceTime), 'half an hour ago\na minute ago\nten seconds ago\n');
  t.regex(await lines('hello', '--tail', '1', '--timestamps'), /^\d{4}-\d\d-\d\dT[\d:.]+Z ten seconds ago\n$/);
  t.is(await lines('hello', '--limit-bytes', '7'), 'two hou');
  t.is(await lines('web', '-c', 'sidecar'), 'sidecar second run\n');
  t.is(await lines('web', '-c', 'sidecar', '-p'), 'sidecar first run\n');
});

test('a pod of two containers without -c: kubectl picks the first, as against a cluster, and says so', async (t) => {
  const result = await as(alice, 'logs', 'web');
  t.is(result.code, 0);
  t.is(result.stdout, 'nginx started\n');
  t.regex(result.stderr, /Defaulted container "nginx" out of: nginx, sidecar/);
});

test('errors read as against a cluster: NotFound, Forbidden with no byte of the log, Unauthorized', async (t) => {
  const missing = await as(alice, 'logs', 'nope');
  t.is(missing.code, 1);
  t.regex(missing.stderr, /\(NotFound\): pods "nope" not found/);
  const forbidden = await as(alice, 'logs', 'worker', '-n', 'team-a');
  t.is(forbidden.code, 1);
  t.regex(forbidden.stderr, /Error from server \(Forbidden\)/);
  t.false(`${forbidden.stdout}${forbidden.stderr}`.includes('team-a secret'));
  const badToken = await as(`${'A'.repeat(22)}.${'B'.repeat(43)}`, 'logs', 'hello');
  t.is(badToken.code, 1);
  t.regex(badToken.stderr, /You must be logged in to the server/);
});

test('kubectl get pods lists the namespace (a Table, and -o name), Forbidden elsewhere; get namespaces only the granted', async (t) => {
  const pods = await as(alice, 'get', 'pods');
  t.is(pods.code, 0, pods.stderr);
  const [header, ...rows] = pods.stdout.trim().split('\n');
  t.regex(header ?? '', /^NAME\s+CONTAINERS\s+RESTARTS\s+LAST LOG\s+AGE$/);
  t.deepEqual(
    rows.map((row) => row.split(/\s+/).slice(0, 3)),
    [
      ['followed', '1', '0'],
      ['hello', '1', '0'],
      ['web', '2', '1'],
    ],
  );
  t.is((await as(alice, 'get', 'pods', '-o', 'name')).stdout, 'pod/followed\npod/hello\npod/web\n');
  const forbidden = await as(alice, 'get', 'pods', '-n', 'team-a');
  t.is(forbidden.code, 1);
  t.regex(forbidden.stderr, /Forbidden/);
  const namespaces = await as(alice, 'get', 'namespaces', '-o', 'name');
  t.is(namespaces.stdout, 'namespace/default\n', 'team-a is not shown to alice');
  const everyone = await stack.tokenFor('ops', ['logs:read']);
  t.is((await as(everyone, 'get', 'namespaces', '-o', 'name')).stdout, 'namespace/default\nnamespace/team-a\n');
});

test('kubectl logs -f: an appended line arrives, and the stream ends when the session is ended', async (t) => {
  const bob = await stack.tokenFor('bob', ['logs:read:default']);
  const follower = kubectl.start(
    '--server',
    stack.logs.url,
    '--certificate-authority',
    certificate.certFile,
    '--token',
    bob,
    'logs',
    '-f',
    'followed',
  );
  let output = '';
  follower.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const arrived = async (text: string) => {
    for (let waited = 0; waited < 10_000 && !output.includes(text); waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return output.includes(text);
  };
  t.true(await arrived('before'));
  stack.appendLog(followedLog, [cri(ago(0), 'after')]);
  t.true(await arrived('after'));
  const exited = once(follower, 'exit');
  t.is((await stack.auth.request('/auth/logout', { method: 'POST', token: bob })).status, 204);
  const ended = await Promise.race([
    exited.then(() => true),
    new Promise((resolve) => setTimeout(resolve, 5000, false)),
  ]);
  if (!ended) follower.kill();
  t.true(ended, 'kubectl logs -f ends when the session does');
  t.is(output, 'before\nafter\n');
});

test("kubectl's requests, made as it makes them, are answered as the spec says", async (t) => {
  const token = alice;
  const discovery = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
  const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
  t.is((await kube('/version?timeout=5s')).status, 200);
  t.like((await kube('/api?timeout=32s', { token, headers: { accept: discovery } })).json, { kind: 'APIVersions' });
  t.like((await kube('/apis?timeout=32s', { token, headers: { accept: discovery } })).json, { kind: 'APIGroupList' });
  t.like((await kube('/api/v1', { token })).json, { kind: 'APIResourceList' });
  t.like((await kube('/api/v1/namespaces/default/pods?limit=500', { token, headers: { accept: tableAccept } })).json, {
    kind: 'Table',
  });
  const page = await kube('/api/v1/namespaces/default/pods?limit=1', { token });
  t.like(page.json, { kind: 'PodList', items: [{ metadata: { name: 'followed' } }] });
  const next = (page.json as { metadata: { continue: string } }).metadata.continue;
  t.like((await kube(`/api/v1/namespaces/default/pods?limit=1&continue=${next}`, { token })).json, {
    items: [{ metadata: { name: 'hello' } }],
  });
  t.like((await kube('/api/v1/namespaces/default/pods/web', { token })).json, {
    kind: 'Pod',
    spec: { containers: [{ name: 'nginx' }, { name: 'sidecar' }] },
  });
  const log = await kube('/api/v1/namespaces/default/pods/hello/log?container=main&tailLines=1', { token });
  t.is(log.text, 'ten seconds ago\n');
  const missing = await kube('/api/v1/namespaces/default/pods/nope', { token });
  t.like(missing.json, { kind: 'Status', reason: 'NotFound', code: 404, message: 'pods "nope" not found' });
  t.like((await kube('/api/v1/namespaces/team-a/pods', { token })).json, { reason: 'Forbidden', code: 403 });
  t.like((await kube('/api/v1/namespaces/default/pods')).json, { reason: 'Unauthorized', code: 401 });
  const labelled = await kube('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb', { token });
  t.like(labelled.json, { reason: 'BadRequest', code: 400 });
  t.regex(labelled.text, /no labels/);
  t.like((await kube('/api/v1/namespaces/default/pods?watch=true', { token })).json, { reason: 'BadRequest' });
  t.like((await kube('/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb', { token })).json, {
    items: [{ metadata: { name: 'web' } }],
  });
  t.is((await kube('/api/v1/namespaces/default/pods?resourceVersion=0&someFutureOption=1', { token })).status, 200);
});
