import { request as rawRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { serviceHeaders, startAuth, testPassword, type TestAuth } from '../helpers/auth.js';
import { rawRequest as sendRaw } from '../helpers/http.js';

let auth: TestAuth;
let token: string;
test.before(async () => {
  auth = await startAuth();
  await auth.addUser('alice', testPassword);
  token = await auth.login('alice', testPassword);
});
test.after.always(() => auth.stop());

const login = (body: string, contentType = 'application/json') =>
  auth.request('/auth/login', { method: 'POST', body, headers: { 'content-type': contentType } });

const cases: Array<[string, string, number]> = [
  ['malformed JSON', '{"username": "alice", ', 400],
  ['a JSON string', '"alice"', 400],
  ['a JSON array', '[]', 400],
  ['wrong types', '{"username": 1, "password": true}', 400],
  ['a missing field', '{"username": "alice"}', 400],
  ['an unknown field', '{"username": "alice", "password": "x", "admin": true}', 400],
  ['an empty username', '{"username": "", "password": "x"}', 400],
  ['a 2000-character password', JSON.stringify({ username: 'alice', password: 'p'.repeat(2000) }), 400],
  ['a body over the limit', JSON.stringify({ username: 'alice', password: 'p'.repeat(20_000) }), 413],
  ['NUL and odd unicode', JSON.stringify({ username: 'al\u0000ice\u202e', password: '\ud800x' }), 401],
];

for (const [name, body, status] of cases) {
  test(`login with ${name}: ${status} problem+json`, async (t) => {
    const response = await login(body);
    t.is(response.status, status);
    t.is(response.contentType, 'application/problem+json');
  });
}

test('a validation error names the offending field', async (t) => {
  const response = await login('{"username": 1, "password": "x"}');
  t.deepEqual(
    (response.json as { errors: Array<{ name: string }> }).errors.map((error) => error.name),
    ['body.username'],
  );
});

test('a body that is not JSON: 415', async (t) => {
  t.is((await login('username=alice', 'application/x-www-form-urlencoded')).status, 415);
  t.is((await login('alice', 'text/plain')).status, 415);
});

test('a compressed body or one in another charset: 415 problem, nothing read', async (t) => {
  const body = JSON.stringify({ username: 'alice', password: testPassword });
  const gzipped = await auth.request('/auth/login', {
    method: 'POST',
    body: gzipSync(body),
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
  });
  t.is(gzipped.status, 415);
  t.is(gzipped.contentType, 'application/problem+json');
  t.is((await login(body, 'application/json; charset=latin1')).status, 415);
  t.is((await login(body, 'application/json; charset=UTF-8')).status, 200);
});

test('a body shorter than its Content-Length: 400 problem once the client gives up sending', async (t) => {
  const answer = await new Promise<{ status: number; type: string }>((resolve, reject) => {
    const request = rawRequest(`${auth.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '100' },
    });
    request.on('response', (response) =>
      resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']) }),
    );
    request.on('error', reject);
    request.write('{"username":');
    setTimeout(() => request.socket?.end(), 100);
  });
  t.is(answer.status, 400);
  t.is(answer.type, 'application/problem+json');
});

test('unknown routes and methods: 404 and 405 problems', async (t) => {
  const missing = await auth.request('/auth/nothing');
  t.is(missing.status, 404);
  t.is(missing.contentType, 'application/problem+json');
  const wrongMethod = await auth.request('/auth/login');
  t.is(wrongMethod.status, 405);
  t.is(wrongMethod.contentType, 'application/problem+json');
});

test('odd Authorization headers never give a 5xx', async (t) => {
  for (const value of [
    'Bearer',
    'Bearer  ',
    'bearer a b',
    `Bearer ${token} extra`,
    'Bearer \u00ff\u00fe',
    `Bearer ${'.'.repeat(65)}`,
  ]) {
    const response = await auth.request('/auth/validate', {
      method: 'POST',
      headers: { ...serviceHeaders, authorization: value },
    });
    t.is(response.status, 401, value);
  }
});

test('two Authorization headers: 401 invalid_token, even when the first holds a live token', async (t) => {
  const sent = (authorization: string | string[]) =>
    sendRaw(auth.url, { method: 'POST', path: '/auth/validate', headers: { ...serviceHeaders, authorization } });
  t.is((await sent(`Bearer ${token}`)).status, 200);
  const twice = await sent([`Bearer ${token}`, 'Bearer other']);
  t.is(twice.status, 401);
  t.is(twice.contentType, 'application/problem+json');
  t.is((await sent([`Bearer ${token}`, `Bearer ${token}`])).status, 401);
});

test('headers over 16 KiB are refused with 431, not a crash', async (t) => {
  const status = await new Promise<number>((resolve, reject) => {
    const request = rawRequest(
      `${auth.url}/auth/session`,
      { headers: { 'x-padding': 'a'.repeat(20_000) } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end();
  });
  t.is(status, 431);
  t.is((await auth.request('/healthz')).status, 200);
});

test('validate with a bad body: 400; with a non-JSON body: 415', async (t) => {
  const bad = await auth.request('/auth/validate', {
    method: 'POST',
    headers: serviceHeaders,
    token,
    json: { permission: 5 },
  });
  t.is(bad.status, 400);
  const form = await auth.request('/auth/validate', {
    method: 'POST',
    token,
    body: 'x=1',
    headers: { ...serviceHeaders, 'content-type': 'text/plain' },
  });
  t.is(form.status, 415);
});

test('probes, the spec and the docs page answer', async (t) => {
  t.deepEqual((await auth.request('/healthz')).json, { status: 'ok' });
  t.deepEqual((await auth.request('/readyz')).json, { status: 'ok' });
  const spec = await fetch(`${auth.url}/openapi.json`);
  t.is(((await spec.json()) as { info: { title: string } }).info.title, 'auth-app');
  const docs = await fetch(`${auth.url}/docs`);
  t.regex(await docs.text(), /swagger-ui-bundle\.js/);
  const asset = await fetch(`${auth.url}/docs/assets/swagger-ui-bundle.js`);
  t.is(asset.status, 200);
  t.is((await fetch(`${auth.url}/docs/assets/..%2Fpackage.json`)).status, 404);
});

test('a request that is not HTTP at all gets a problem+json 400 and the socket is closed', async (t) => {
  const { createConnection } = await import('node:net');
  const url = new URL(auth.url);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = createConnection(Number(url.port), url.hostname, () => socket.write('NOT-HTTP \u0001\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  t.regex(answer, /^HTTP\/1\.1 400 /);
  t.regex(answer, /Content-Type: application\/problem\+json/);
  t.is((await auth.request('/healthz')).status, 200);
});
