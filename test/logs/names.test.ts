import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import test from 'ava';
import { assertMatchesSpec } from '../helpers/contract.js';
import { rawRequest } from '../helpers/http.js';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

let stack: TestStack;
let token: string;
test.before(async () => {
  stack = await startStack();
  token = await stack.tokenFor('alice', ['logs:read']);
  const outside = join(dirname(stack.podsDir), 'default_secret_uid', 'main');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, '0.log'), `${cri(at(0), 'OUTSIDE THE LOG DIRECTORY')}\n`);
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'inside')]);
});
test.after.always(() => stack.stop());

const rawGet = (path: string) => rawRequest(stack.logs.url, { path, headers: { authorization: `Bearer ${token}` } });

const hostile = [
  '/logs/..',
  '/logs/..%2Fdefault_secret_uid',
  '/logs/a%2F..%2F..%2Fsecret',
  '/logs/%2e%2e',
  '/logs/app%00',
  '/logs/app%2F',
  `/logs/${'a'.repeat(300)}`,
  '/logs/App',
  '/logs/app_x',
  '/logs/-app',
  '/logs/app?namespace=..',
  '/logs/app?namespace=..%2F..',
  '/logs/app?namespace=default_secret',
  '/logs/app?container=..%2F..%2Fmain',
  '/logs/app?container=MAIN',
  `/logs/app?container=${'c'.repeat(64)}`,
  '/logs/app?tailLines=-1',
  '/logs/app?tailLines=abc',
  '/logs/app?tailLines=1&tailLines=2',
  '/logs/app?tailLines=0x2',
  '/logs/app?tailLines=1e3',
  '/logs/app?tailLines=2.0',
  '/logs/app?tailLines=%202',
  '/logs/app?limitBytes=1e9',
  '/logs/app?sinceSeconds=0',
  '/logs/app?sinceTime=yesterday',
  '/logs/app?limitBytes=0',
  '/logs/app?follow=maybe',
];

for (const path of hostile) {
  test(`${path.slice(0, 60)} is refused with 400 and reads nothing`, async (t) => {
    const response = await rawGet(path);
    t.is(response.status, 400);
    t.is(response.contentType, 'application/problem+json');
    t.false(response.text.includes('OUTSIDE'));
    t.false(response.text.includes('inside'));
    await assertMatchesSpec('logs', 'GET', path.split('?')[0]!, {
      ...response,
      headers: new Headers(),
      json: JSON.parse(response.text),
    });
  });
}

test('a well-formed name still works beside all that', async (t) => {
  const response = await rawGet('/logs/app');
  t.is(response.status, 200);
  t.true(response.text.includes('inside'));
});

test('a repeated or non-decimal number is named in the problem, once', async (t) => {
  const repeated = JSON.parse((await rawGet('/logs/app?tailLines=1&tailLines=2')).text) as { errors: unknown[] };
  t.deepEqual(repeated.errors, [{ name: 'query.tailLines', message: 'must be given once' }]);
  const hex = JSON.parse((await rawGet('/logs/app?tailLines=0x2&limitBytes=abc')).text) as { errors: unknown[] };
  t.deepEqual(hex.errors, [
    { name: 'query.tailLines', message: 'must be a decimal integer' },
    { name: 'query.limitBytes', message: 'must be a decimal integer' },
  ]);
});
