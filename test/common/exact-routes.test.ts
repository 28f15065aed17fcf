import test from 'ava';
import { rawRequest } from '../helpers/http.js';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

let stack: TestStack;
let token: string;
test.before(async () => {
  stack = await startStack();
  token = await stack.tokenFor('reader', ['logs:read']);
  stack.writeLog('default', 'hello', 'main', '0.log', [cri(at(0), 'hello')]);
});
test.after.always(() => stack.stop());

test('paths match as the specs write them: other case or a trailing slash is a 404 problem, never a 500', async (t) => {
  const logs = { authorization: `Bearer ${token}` };
  const cases: Array<[string, string, string]> = [
    [stack.logs.url, 'GET', '/LOGS/hello'],
    [stack.logs.url, 'GET', '/logs/hello/'],
    [stack.logs.url, 'GET', '/Logs/hello'],
    [stack.logs.url, 'GET', '/healthz/'],
    [stack.auth.url, 'POST', '/auth/validate/batch/'],
    [stack.auth.url, 'POST', '/AUTH/LOGIN'],
    [stack.auth.url, 'GET', '/auth/session/'],
  ];
  for (const [url, method, path] of cases) {
    const response = await rawRequest(url, { method, path, headers: logs });
    t.is(response.status, 404, `${method} ${path}`);
    t.is(response.contentType, 'application/problem+json', `${method} ${path}`);
  }
  t.is((await rawRequest(stack.logs.url, { path: '/logs/hello', headers: logs })).status, 200);
});

test('both services send nosniff, a CSP that forbids framing and loading, on answers, errors and /docs', async (t) => {
  for (const [url, path] of [
    [stack.logs.url, '/logs/hello'],
    [stack.logs.url, '/logs/nope'],
    [stack.logs.url, '/docs'],
    [stack.logs.url, '/healthz'],
    [stack.auth.url, '/auth/session'],
    [stack.auth.url, '/docs'],
  ] as const) {
    const response = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    t.is(response.headers.get('x-content-type-options'), 'nosniff', path);
    t.is(response.headers.get('x-frame-options'), 'DENY', path);
    t.regex(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
    t.regex(response.headers.get('content-security-policy') ?? '', /default-src 'none'/, path);
  }
});
