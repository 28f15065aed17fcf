import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { logsConfig } from '../../logs-app/config.js';
import { startAuth, testPassword, testServiceToken } from '../helpers/auth.js';
import { at, cri } from '../helpers/logs.js';
import { finished, runScript, spawnScript, waitForLine } from '../helpers/processes.js';

test('a bad configuration value exits 2 naming the variable', async (t) => {
  const result = await runScript('logs-app/main.ts', [], { LOGS_AUTH_URL: 'not a url', LOGS_AUTH_TIMEOUT_MS: '0' });
  t.is(result.code, 2);
  t.regex(result.stderr, /LOGS_AUTH_URL/);
  t.regex(result.stderr, /LOGS_AUTH_TIMEOUT_MS/);
});

test('the Kubernetes source needs an API URL outside a cluster', async (t) => {
  const result = await runScript('logs-app/main.ts', [], {
    LOGS_SOURCE: 'kubernetes',
    LOGS_SERVICE_TOKEN: testServiceToken,
  });
  t.is(result.code, 2);
  t.regex(result.stderr, /LOGS_KUBE_API_URL/);
});

test('inside a cluster the service account is used', (t) => {
  const config = logsConfig({
    LOGS_SERVICE_TOKEN: testServiceToken,
    LOGS_SOURCE: 'kubernetes',
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
  });
  t.like(config.source, {
    kind: 'kubernetes',
    apiUrl: 'https://10.96.0.1:443',
    tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
    caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
  });
});

test('SIGTERM while a client follows a log: the answer ends properly and the service exits 0', async (t) => {
  const auth = await startAuth();
  const dir = mkdtempSync(join(tmpdir(), 'logs-process-'));
  t.teardown(async () => {
    await auth.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const containerDir = join(dir, 'default_app_uid', 'main');
  mkdirSync(containerDir, { recursive: true });
  writeFileSync(join(containerDir, '0.log'), `${cri(at(0), 'hello')}\n`);
  await auth.addUser('reader', testPassword, ['logs:read']);
  const token = await auth.login('reader', testPassword);
  const child = spawnScript('logs-app/main.ts', [], {
    LOGS_PORT: '0',
    LOGS_DIR: dir,
    LOGS_AUTH_URL: auth.url,
    LOGS_SERVICE_TOKEN: testServiceToken,
  });
  const { url } = JSON.parse(await waitForLine(child, /logs-app listening/)) as { url: string };
  const response = await fetch(`${url}/logs/app?follow=true`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/plain' },
  });
  const reader = response.body!.getReader();
  t.is(new TextDecoder().decode((await reader.read()).value), 'hello\n');
  child.kill('SIGTERM');
  const ended = (async () => {
    try {
      while (!(await reader.read()).done);
      return 'ended';
    } catch {
      return 'cut';
    }
  })();
  t.is((await finished(child)).code, 0);
  t.is(await ended, 'ended', 'the followed answer is ended properly, not cut off');
});
