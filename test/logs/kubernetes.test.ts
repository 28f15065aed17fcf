import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test from 'ava';
import { FakeKubernetesApi } from '../helpers/fake-kube.js';
import { at, startStack, type TestStack } from '../helpers/logs.js';

let api: FakeKubernetesApi;
let stack: TestStack;
let token: string;
let tokenDir: string;

test.before(async () => {
  api = await new FakeKubernetesApi('service-account-token').start();
  tokenDir = mkdtempSync(join(tmpdir(), 'kube-token-'));
  writeFileSync(join(tokenDir, 'token'), 'service-account-token\n');
  api.addPod('default', 'single', {
    app: { current: [0, 1, 2, 3].map((index) => ({ time: at(index), text: `line ${index}` })) },
  });
  api.addPod('default', 'streaming', { app: { current: [{ time: at(0), text: 'started' }] } });
  api.addPod('default', 'double', {
    web: { current: [{ time: at(0), text: 'web' }], previous: [{ time: at(0), text: 'web before restart' }] },
    sidecar: { current: [{ time: at(0), text: 'sidecar' }] },
  });
  stack = await startStack({
    LOGS_SOURCE: 'kubernetes',
    LOGS_KUBE_API_URL: api.url,
    LOGS_KUBE_TOKEN_FILE: join(tokenDir, 'token'),
  });
  token = await stack.tokenFor('alice', ['logs:read:default']);
});
test.after.always(async () => {
  await stack.stop();
  await api.stop();
  rmSync(tokenDir, { recursive: true, force: true });
});

const read = (path: string, accept = 'application/json') => stack.request(path, { token, headers: { accept } });

test.serial(
  'logs come from the API with the service-account token; the only container is found from the pod',
  async (t) => {
    const response = await read('/logs/single');
    t.is(response.status, 200);
    t.like(response.json, { container: 'app', lines: ['line 0', 'line 1', 'line 2', 'line 3'] });
    t.true(api.requests.length > 0);
    t.true(api.requests.every((request) => request.authorization === 'Bearer service-account-token'));
  },
);

test.serial('tail, since, timestamps and limitBytes behave as with files', async (t) => {
  t.like((await read('/logs/single?tailLines=2')).json, { lines: ['line 2', 'line 3'] });
  const since = encodeURIComponent(at(2).replace('123456Z', 'Z'));
  t.like((await read(`/logs/single?sinceTime=${since}`)).json, { lines: ['line 2', 'line 3'] });
  t.like((await read('/logs/single?tailLines=1&timestamps=true')).json, { lines: [`${at(3)} line 3`] });
  t.is((await read('/logs/single?limitBytes=9', 'text/plain')).text, 'line 0\nli');
});

test.serial('several containers: 400 listing them; previous; unknown container and pod: 404', async (t) => {
  const ambiguous = await read('/logs/double');
  t.is(ambiguous.status, 400);
  t.deepEqual((ambiguous.json as { containers: string[] }).containers, ['web', 'sidecar']);
  t.like((await read('/logs/double?container=web&previous=true')).json, { lines: ['web before restart'] });
  t.is((await read('/logs/double?container=sidecar&previous=true')).status, 400);
  t.is((await read('/logs/double?container=nope')).status, 404);
  t.is((await read('/logs/ghost')).status, 404);
});

test.serial('follow streams lines the API sends as they come', async (t) => {
  const response = await fetch(`${stack.logs.url}/logs/streaming?follow=true`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/plain' },
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('started')) text += decoder.decode((await reader.read()).value);
  api.append('default', 'streaming', 'app', { time: at(9), text: 'appended' });
  while (!text.includes('appended')) text += decoder.decode((await reader.read()).value);
  t.is(text, 'started\nappended\n');
  await reader.cancel();
});

test.serial('a followed log ends properly when logs-app stops', async (t) => {
  const own = await startStack({
    LOGS_SOURCE: 'kubernetes',
    LOGS_KUBE_API_URL: api.url,
    LOGS_KUBE_TOKEN_FILE: join(tokenDir, 'token'),
  });
  t.teardown(async () => {
    await own.auth.stop();
    rmSync(dirname(own.podsDir), { recursive: true, force: true });
  });
  const response = await fetch(`${own.logs.url}/logs/streaming?follow=true`, {
    headers: { authorization: `Bearer ${await own.tokenFor('bob', ['logs:read'])}`, accept: 'text/plain' },
  });
  const reader = response.body!.getReader();
  t.truthy((await reader.read()).value);
  const stopped = own.logs.stop();
  const ended = await (async () => {
    try {
      while (!(await reader.read()).done);
      return 'ended';
    } catch {
      return 'cut';
    }
  })();
  await stopped;
  t.is(ended, 'ended');
});

test.serial('the API refusing logs-app is a 502; the API unreachable is a 503', async (t) => {
  writeFileSync(join(tokenDir, 'token'), 'forbidden\n');
  const refused = await startStack({
    LOGS_SOURCE: 'kubernetes',
    LOGS_KUBE_API_URL: api.url,
    LOGS_KUBE_TOKEN_FILE: join(tokenDir, 'token'),
  });
  t.teardown(() => refused.stop());
  const own = await refused.tokenFor('bob', ['logs:read']);
  const answer = await refused.request('/logs/single', { token: own });
  t.is(answer.status, 502);
  t.false(answer.text.includes('forbidden'), "the API's words (they name logs-app's account) are not the caller's");
  t.true(refused.logLines.some((line) => line.includes('cannot get resource') && line.includes('"status":403')));
  writeFileSync(join(tokenDir, 'token'), 'service-account-token\n');
  const down = await startStack({
    LOGS_SOURCE: 'kubernetes',
    LOGS_KUBE_API_URL: 'http://127.0.0.1:9',
    LOGS_KUBE_TIMEOUT_MS: '500',
  });
  t.teardown(() => down.stop());
  const other = await down.tokenFor('carol', ['logs:read']);
  const response = await down.request('/logs/single', { token: other });
  t.is(response.status, 503);
  t.is((await down.request('/readyz')).status, 503);
});

test.serial("a redirect from the API is not followed: 502, never another pod's log", async (t) => {
  api.addPod('kube-system', 'secret', { app: { current: [{ time: at(0), text: 'kube-system secret' }] } });
  api.addPod('default', 'moved', { app: { current: [{ time: at(0), text: 'moved' }] } });
  api.redirects.set('/api/v1/namespaces/default/pods/moved/log', '/api/v1/namespaces/kube-system/pods/secret/log');
  const response = await read('/logs/moved');
  t.is(response.status, 502);
  t.false(response.text.includes('kube-system secret'));
  t.false(api.requests.some((request) => request.path.startsWith('/api/v1/namespaces/kube-system')));
});

test.serial(
  "the Kubernetes paths pass the cluster's own objects through: a pod, a labelled list, a Table",
  async (t) => {
    api.meta.set('default/single', { labels: { app: 'single' }, annotations: { team: 'a' } });
    const pod = await stack.request('/api/v1/namespaces/default/pods/single', { token });
    t.like(pod.json, {
      kind: 'Pod',
      metadata: { uid: 'uid-single', annotations: { team: 'a' } },
      status: { phase: 'Running' },
    });
    const labelled = await stack.request('/api/v1/namespaces/default/pods?labelSelector=app%3Dsingle', { token });
    t.deepEqual(
      (labelled.json as { items: Array<{ metadata: { name: string } }> }).items.map((item) => item.metadata.name),
      ['single'],
    );
    t.true(api.requests.some((request) => request.path.includes('labelSelector=app%3Dsingle')));
    const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const table = await stack.request('/api/v1/namespaces/default/pods', { token, headers: { accept: tableAccept } });
    t.like(table.json, { kind: 'Table', columnDefinitions: [{ name: 'Name' }, { name: 'Status' }] });
  },
);

test.serial('namespaces from the cluster are shown only where the session may read logs', async (t) => {
  api.addPod('team-b', 'other', { app: { current: [] } });
  const all = await stack.request('/api/v1/namespaces', { token });
  const names = (all.json as { items: Array<{ metadata: { name: string } }> }).items.map((item) => item.metadata.name);
  t.deepEqual(names, ['default']);
  t.is((await stack.request('/api/v1/namespaces/team-b', { token })).status, 403);
});
