import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import test from 'ava';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

const canary = 'CANARY-root:$6$not-a-log';

let stack: TestStack;
let token: string;
let outside: string;
test.before(async () => {
  stack = await startStack();
  token = await stack.tokenFor('reader', ['logs:read']);
  outside = join(dirname(stack.podsDir), 'shadow');
  writeFileSync(outside, `${cri(at(0), canary)}\n`);
});
test.after.always(() => stack.stop());

const auditOf = (pod: string) =>
  stack.logLines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((entry) => entry.audit === 'log-access' && entry.pod === pod);

async function refused(t: import('ava').ExecutionContext, pod: string): Promise<void> {
  for (const accept of ['application/json', 'text/plain']) {
    const response = await stack.request(`/logs/${pod}`, { token, headers: { accept } });
    t.is(response.status, 500, accept);
    t.is((response.json as { type?: string }).type, 'https://pod-logs.dev/problems/file-refused');
    t.false(response.text.includes(canary), 'not a byte of the file outside');
    t.false(response.text.includes(outside), 'the answer names no path');
  }
  t.is(auditOf(pod)?.outcome, 'file-refused');
  t.true(
    stack.logLines.some((line) => line.includes('leads out of the log directory') && line.includes(pod)),
    'the log says which file and why',
  );
}

test.serial('a log file linking out of LOGS_DIR is refused, not served', async (t) => {
  const dir = stack.containerDir('default', 'escape', 'main');
  mkdirSync(dir, { recursive: true });
  symlinkSync(outside, join(dir, '0.log'));
  await refused(t, 'escape');
});

test.serial('a relative link out of LOGS_DIR is refused too', async (t) => {
  const dir = stack.containerDir('default', 'relative', 'main');
  mkdirSync(dir, { recursive: true });
  symlinkSync(relative(dir, outside), join(dir, '0.log'));
  await refused(t, 'relative');
});

test.serial('a rotated file linking out refuses the answer it belongs to', async (t) => {
  stack.writeLog('default', 'rotated', 'main', '0.log', [cri(at(1), 'live line')]);
  symlinkSync(outside, join(stack.containerDir('default', 'rotated', 'main'), '0.log.20260301-100001'));
  await refused(t, 'rotated');
});

test.serial('a link that stays inside LOGS_DIR is read', async (t) => {
  const target = stack.writeLog('default', 'target', 'main', '0.log', [cri(at(0), 'shared line')]);
  const dir = stack.containerDir('default', 'linked', 'main');
  mkdirSync(dir, { recursive: true });
  symlinkSync(relative(dir, target), join(dir, '0.log'));
  const response = await stack.request('/logs/linked', { token });
  t.is(response.status, 200);
  t.deepEqual((response.json as { lines: string[] }).lines, ['shared line']);
});

test.serial('a pipe that appears at the live path during a follow blocks nothing and ends the follow', async (t) => {
  const live = stack.writeLog('default', 'piped', 'main', '0.log', [cri(at(0), 'before')]);
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const response = await fetch(`${stack.logs.url}/logs/piped?follow=true`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  const body = response.text().catch(() => 'cut off');
  await new Promise((resolve) => setTimeout(resolve, 200));
  renameSync(live, `${live}.20260301-100001`);
  execFileSync('mkfifo', [live]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const health = await fetch(`${stack.logs.url}/healthz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  t.is(health?.status, 200, 'the event loop is not stuck opening the pipe');
  const ended = await Promise.race([body, new Promise<undefined>((resolve) => setTimeout(resolve, 3000, undefined))]);
  t.not(ended, undefined, 'the follow ended');
  t.is(auditOf('piped')?.outcome, 'file-refused');
});
