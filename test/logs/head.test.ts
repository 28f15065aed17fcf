import { readdirSync, readlinkSync } from 'node:fs';
import test from 'ava';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

let stack: TestStack;
let token: string;

test.before(async () => {
  stack = await startStack();
  token = await stack.tokenFor('reader', ['logs:read:default']);
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello'), cri(at(1), 'world')]);
});
test.after.always(() => stack.stop());

const send = (method: 'GET' | 'HEAD', path: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.logs.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...headers } });

const descriptorsOf = (path: string): number =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;

test('HEAD answers as GET does, without the content', async (t) => {
  const get = await send('GET', '/logs/app');
  const head = await send('HEAD', '/logs/app');
  t.is(head.status, 200);
  t.is(head.headers.get('content-type'), get.headers.get('content-type'));
  t.is(head.headers.get('content-length'), get.headers.get('content-length'));
  t.is(await head.text(), '');
});

test('HEAD gets the problems GET gets: unknown pod, bad parameter, no token', async (t) => {
  const unknown = await send('HEAD', '/logs/nobody');
  t.is(unknown.status, 404);
  t.is(unknown.headers.get('content-type'), 'application/problem+json');
  t.is((await send('HEAD', '/logs/app?tailLines=x')).status, 400);
  const anonymous = await fetch(`${stack.logs.url}/logs/app`, { method: 'HEAD' });
  t.is(anonymous.status, 401);
  t.is(anonymous.headers.get('www-authenticate'), 'Bearer realm="pod-logs"');
});

test('HEAD of a long or followed log lets go of the file it opened', async (t) => {
  const own = await startStack();
  t.teardown(() => own.stop());
  const reader = await own.tokenFor('reader', ['logs:read:default']);
  const lines = Array.from({ length: 4000 }, (_, index) => cri(at(index), `line ${index} ${'x'.repeat(100)}`));
  const log = own.writeLog('default', 'big', 'main', '0.log', lines);
  const head = (path: string) =>
    fetch(`${own.logs.url}${path}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${reader}`, accept: 'text/plain' },
    });
  const long = await head('/logs/big');
  const followed = await head('/logs/big?follow=true');
  t.is(long.status, 200);
  t.is(long.headers.get('content-length'), null, 'an answer this long is one GET would stream');
  t.is(followed.status, 200);
  t.is(await followed.text(), '');
  await own.logs.stop();
  t.is(descriptorsOf(log), 0, 'closed once logs-app stops sharing it');
});
