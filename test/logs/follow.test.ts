import { renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import test from 'ava';
import { assertMatchesSpec } from '../helpers/contract.js';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';
import { openStream } from '../helpers/streams.js';

let stack: TestStack;
let token: string;
test.before(async () => {
  stack = await startStack({ LOGS_FOLLOW_RECHECK_MS: '100' });
  token = await stack.tokenFor('alice', ['logs:read']);
});
test.after.always(() => stack.stop());

/** Opens a followed log and reads it incrementally, as a terminal running `kubectl logs -f` would. */
const follow = (path: string, accept = 'text/plain', bearer = token) =>
  openStream(`${stack.logs.url}${path}`, { authorization: `Bearer ${bearer}`, accept });

test.serial('lines appended while following arrive, after the tail asked for', async (t) => {
  const path = stack.writeLog('default', 'live', 'main', '0.log', [cri(at(0), 'old 0'), cri(at(1), 'old 1')]);
  const stream = await follow('/logs/live?follow=true&tailLines=1');
  t.is(stream.response.status, 200);
  t.is(stream.response.headers.get('content-type'), 'text/plain; charset=utf-8');
  t.is(await stream.until((text) => text.includes('old 1')), 'old 1\n');
  stack.appendLog(path, [cri(at(2), 'new 2')]);
  await stream.until((text) => text.includes('new 2'));
  stack.appendLog(path, [cri(at(3), 'half ', 'P')]);
  stack.appendLog(path, [cri(at(4), 'joined')]);
  t.is(await stream.until((text) => text.includes('joined')), 'old 1\nnew 2\nhalf joined\n');
  stream.close();
});

test.serial('following survives rotation: the new live file is read from its start', async (t) => {
  const path = stack.writeLog('default', 'rotating', 'main', '0.log', [cri(at(0), 'before rotation')]);
  const stream = await follow('/logs/rotating?follow=true');
  await stream.until((text) => text.includes('before rotation'));
  stack.appendLog(path, [cri(at(1), 'last words of the old file')]);
  renameSync(path, `${path}.20260301-100002`);
  stack.writeLog('default', 'rotating', 'main', '0.log', [cri(at(2), 'first of the new file')]);
  const text = await stream.until((seen) => seen.includes('first of the new file'));
  t.is(text, 'before rotation\nlast words of the old file\nfirst of the new file\n');
  stack.appendLog(path, [cri(at(3), 'and more')]);
  await stream.until((seen) => seen.includes('and more'));
  t.pass();
  stream.close();
});

test.serial('the stream ends when the container restarts (its log has ended)', async (t) => {
  stack.writeLog('default', 'ending', 'main', '0.log', [cri(at(0), 'running')]);
  const stream = await follow('/logs/ending?follow=true');
  await stream.until((text) => text.includes('running'));
  stack.writeLog('default', 'ending', 'main', '1.log', [cri(at(1), 'restarted')]);
  t.true(await stream.end());
});

test.serial('the stream ends when the pod is deleted (its log directory is removed)', async (t) => {
  stack.writeLog('default', 'deleted', 'main', '0.log', [cri(at(0), 'running')]);
  const stream = await follow('/logs/deleted?follow=true');
  await stream.until((text) => text.includes('running'));
  rmSync(dirname(stack.containerDir('default', 'deleted', 'main')), { recursive: true, force: true });
  t.true(await stream.end());
});

test.serial('NDJSON when asked for, one object a line as they arrive', async (t) => {
  const path = stack.writeLog('default', 'nd', 'main', '0.log', [cri(at(0), 'one')]);
  const stream = await follow('/logs/nd?follow=true', 'application/x-ndjson');
  t.is(stream.response.headers.get('content-type'), 'application/x-ndjson');
  await stream.until((text) => text.includes('one'));
  stack.appendLog(path, [cri(at(1), 'two', 'F', 'stderr')]);
  const text = await stream.until((seen) => seen.includes('two'));
  const checked = {
    status: 200,
    headers: stream.response.headers,
    contentType: 'application/x-ndjson',
    text,
    json: undefined,
  };
  await t.notThrowsAsync(assertMatchesSpec('logs', 'GET', '/logs/nd', checked), 'every streamed line is a LogLine');
  t.deepEqual(
    text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown),
    [
      { time: at(0), stream: 'stdout', line: 'one' },
      { time: at(1), stream: 'stderr', line: 'two' },
    ],
  );
  stream.close();
});

test.serial('a client that leaves is recorded and the service carries on', async (t) => {
  stack.writeLog('default', 'leaving', 'main', '0.log', [cri(at(0), 'hello')]);
  const stream = await follow('/logs/leaving?follow=true');
  await stream.until((text) => text.includes('hello'));
  stream.close();
  const deadline = Date.now() + 3000;
  const left = () =>
    stack.logLines.some((line) => line.includes('"pod":"leaving"') && line.includes('"outcome":"client-left"'));
  while (!left() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  t.true(left());
  t.false(
    stack.logLines.some((line) => line.includes('"level":40') && line.includes('Premature close')),
    'leaving is not a failure to warn of',
  );
  t.is((await stack.request('/healthz')).status, 200);
});

const auditOf = (pod: string) =>
  stack.logLines.find((line) => line.includes(`"pod":"${pod}"`) && line.includes('"outcome"'));

test.serial('a followed log ends once its session does: logout, a permission taken away', async (t) => {
  const path = stack.writeLog('default', 'watched', 'main', '0.log', [cri(at(0), 'before')]);
  const leaving = await stack.tokenFor('bob', ['logs:read:default']);
  const losing = await stack.tokenFor('carol', ['logs:read:default']);
  const kept = await follow('/logs/watched?follow=true', 'text/plain', leaving);
  const revoked = await follow('/logs/watched?follow=true', 'text/plain', losing);
  await kept.until((text) => text.includes('before'));
  await revoked.until((text) => text.includes('before'));
  await new Promise((resolve) => setTimeout(resolve, 300));
  stack.appendLog(path, [cri(at(1), 'still allowed')]);
  await kept.until((text) => text.includes('still allowed'));
  await revoked.until((text) => text.includes('still allowed'));

  t.is((await stack.auth.request('/auth/logout', { method: 'POST', token: leaving })).status, 204);
  const carol = (await stack.auth.service.store.listUsers()).find((user) => user.username.startsWith('carol'))!;
  await stack.auth.service.store.setPermissions(carol.id, ['logs:read:team-a']);
  const [logoutEnded, revocationEnded] = await Promise.all([kept.end(2000), revoked.end(2000)]);
  kept.close();
  revoked.close();
  t.true(logoutEnded, 'ended after logout');
  t.true(revocationEnded, 'ended after the permission went');
  t.regex(auditOf('watched') ?? '', /"outcome":"session-ended"/);
});

test('a followed log ends when auth-app can no longer be asked: it fails closed', async (t) => {
  const own = await startStack({ LOGS_FOLLOW_RECHECK_MS: '100' });
  t.teardown(() => own.stop());
  own.writeLog('default', 'orphan', 'main', '0.log', [cri(at(0), 'hello')]);
  const reader = await own.tokenFor('dave', ['logs:read:default']);
  const response = await fetch(`${own.logs.url}/logs/orphan?follow=true`, {
    headers: { authorization: `Bearer ${reader}` },
  });
  const body = response.text();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await own.auth.service.stop();
  const ended = await Promise.race([
    body.then(() => true),
    new Promise<false>((resolve) => setTimeout(resolve, 3000, false)),
  ]);
  t.true(ended);
  t.is(await body, 'hello\n');
  t.true(own.logLines.some((line) => line.includes('"pod":"orphan"') && line.includes('"outcome":"auth-unavailable"')));
});

test.serial('limitBytes ends a followed stream once reached', async (t) => {
  const path = stack.writeLog('default', 'limited', 'main', '0.log', [cri(at(0), '12345')]);
  const stream = await follow('/logs/limited?follow=true&limitBytes=10');
  await stream.until((text) => text.includes('12345'));
  stack.appendLog(path, [cri(at(1), 'abcdefgh')]);
  t.true(await stream.end());
  t.is(await stream.until(() => true), '12345\nabcd');
});
