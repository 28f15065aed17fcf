import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { createAuthClient } from '../../logs-app/auth-client.js';
import { logsConfig } from '../../logs-app/config.js';
import { startLogsService } from '../../logs-app/service.js';
import { contractClient, rawRequest } from '../helpers/http.js';
import { testServiceToken } from '../helpers/auth.js';
import { at, cri, startStack } from '../helpers/logs.js';

test('no token: 401 with a Bearer challenge, and auth-app decides nothing', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'secret line')]);
  const response = await stack.request('/logs/app');
  t.is(response.status, 401);
  t.is(response.headers.get('www-authenticate'), 'Bearer realm="pod-logs"');
  t.false(response.text.includes('secret line'));
});

test('a token auth-app rejects: 401 invalid_token', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'secret line')]);
  for (const token of ['garbage', `${'A'.repeat(22)}.${'B'.repeat(43)}`]) {
    const response = await stack.request('/logs/app', { token });
    t.is(response.status, 401);
    t.is(response.headers.get('www-authenticate'), 'Bearer realm="pod-logs", error="invalid_token"');
  }
  const malformed = await stack.request('/logs/app', { headers: { authorization: 'Bearer' } });
  t.is(malformed.status, 401);
  const twice = await rawRequest(stack.logs.url, {
    path: '/logs/app',
    headers: { authorization: [`Bearer ${await stack.tokenFor('alice', ['logs:read:default'])}`, 'Bearer other'] },
  });
  t.is(twice.status, 401, 'a second Authorization header is not ignored');
  t.false(twice.text.includes('secret line'));
});

test('a session without the namespace permission: 403 insufficient_scope and nothing read', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  stack.writeLog('team-b', 'app', 'main', '0.log', [cri(at(0), 'team-b secret')]);
  const token = await stack.tokenFor('alice', ['logs:read:team-a']);
  const response = await stack.request('/logs/app?namespace=team-b', { token });
  t.is(response.status, 403);
  t.regex(response.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  t.false(response.text.includes('team-b secret'));
  const audit = stack.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.audit);
  t.is(audit?.outcome, 'insufficient-scope');
  t.is(audit?.container, undefined, 'the source was never opened');
});

test('a verdict is kept while the change feed is live, and a logout refuses the very next request', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
  const token = await stack.tokenFor('alice', ['logs:read']);
  const calls = () => stack.auth.logLines.filter((line) => line.includes('"/auth/validate/batch"')).length;
  t.is((await stack.request('/logs/app', { token })).status, 200);
  const asked = calls();
  t.is((await stack.request('/logs/app', { token })).status, 200);
  t.is(calls(), asked, 'the kept verdict was asked again');
  t.is((await stack.auth.request('/auth/logout', { method: 'POST', token })).status, 204);
  t.is((await stack.request('/logs/app', { token })).status, 401);
});

test('LOGS_AUTH_CACHE_TTL, the TTL cache the feed replaced, is ignored with a warning saying so', async (t) => {
  const stack = await startStack({ LOGS_AUTH_CACHE_TTL: '60' });
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
  t.true(stack.logLines.some((line) => line.includes('"level":40') && line.includes('LOGS_AUTH_CACHE_TTL: ignored')));
  const token = await stack.tokenFor('alice', ['logs:read']);
  t.is((await stack.request('/logs/app', { token })).status, 200);
  await stack.auth.request('/auth/logout', { method: 'POST', token });
  t.is((await stack.request('/logs/app', { token })).status, 401, 'served from a TTL');
});

test('LOGS_AUTH_CACHE_SIZE=0 asks auth-app on every request', async (t) => {
  const stack = await startStack({ LOGS_AUTH_CACHE_SIZE: '0' });
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
  const token = await stack.tokenFor('alice', ['logs:read']);
  const calls = () => stack.auth.logLines.filter((line) => line.includes('"/auth/validate/batch"')).length;
  const before = calls();
  for (let round = 0; round < 3; round += 1) t.is((await stack.request('/logs/app', { token })).status, 200);
  t.is(calls() - before, 3);
});

test('auth-app stopped: 503 with Retry-After, never logs; it comes back when auth-app does', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
  const token = await stack.tokenFor('alice', ['logs:read']);
  await stack.auth.service.stop();
  const response = await stack.request('/logs/app', { token });
  t.is(response.status, 503);
  t.is(response.headers.get('retry-after'), '5');
  t.false(response.text.includes('hello'));
  t.is((await stack.request('/readyz')).status, 503);
  await stack.auth.restart();
  t.is((await stack.request('/logs/app', { token })).status, 200, 'the session survived the restart');
});

test('checks asked for together share one auth-app call, and each request gets its own verdict', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
  stack.writeLog('team-b', 'app', 'main', '0.log', [cri(at(0), 'team-b hello')]);
  const reader = await stack.tokenFor('alice', ['logs:read']);
  const narrow = await stack.tokenFor('bob', ['logs:read:team-a']);
  const ended = await stack.tokenFor('carol', ['logs:read']);
  await stack.auth.request('/auth/logout', { method: 'POST', token: ended });
  const statuses = await Promise.all([
    stack.request('/logs/app', { token: reader }),
    stack.request('/logs/app?namespace=team-b', { token: narrow }),
    stack.request('/logs/app', { token: ended }),
    stack.request('/logs/app?namespace=team-b', { token: reader }),
  ]).then((responses) => responses.map((response) => response.status));
  t.deepEqual(statuses, [200, 403, 401, 200]);

  const client = createAuthClient({
    baseUrl: stack.auth.url,
    timeoutMs: 2000,
    connections: 4,
    serviceToken: testServiceToken,
  });
  t.teardown(() => client.close());
  const calls = () => stack.auth.logLines.filter((line) => line.includes('"/auth/validate/batch"')).length;
  const before = calls();
  const verdicts = await Promise.all([
    client.validate(reader, 'logs:read:default'),
    client.validate(narrow, 'logs:read:team-b'),
    client.validate(ended, 'logs:read:default'),
    client.validate(narrow, 'logs:read:team-a'),
  ]);
  t.deepEqual(
    verdicts.map((verdict) => verdict.kind),
    ['allowed', 'forbidden', 'unauthenticated', 'allowed'],
  );
  t.is(calls() - before, 1, 'checks asked for in the same turn leave in one call');
});

test('a token longer than any auth-app issues is refused alone: the requests it arrived with are still checked', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
  const token = await stack.tokenFor('alice', ['logs:read']);
  const statuses = await Promise.all(
    [token, 't'.repeat(5000), token, `${token}x`.repeat(3)].map(
      async (each) => (await stack.request('/logs/app', { token: each })).status,
    ),
  );
  t.deepEqual(statuses, [200, 401, 200, 401]);
  const client = createAuthClient({
    baseUrl: stack.auth.url,
    timeoutMs: 2000,
    connections: 4,
    serviceToken: testServiceToken,
  });
  t.teardown(() => client.close());
  const verdicts = await Promise.all([
    client.validate('t'.repeat(5000), 'logs:read'),
    client.validate(token, 'logs:read'),
  ]);
  t.deepEqual(
    verdicts.map((verdict) => verdict.kind),
    ['unauthenticated', 'allowed'],
  );
});

/** A stand-in for auth-app that misbehaves according to the first token of each batch. */
function misbehavingAuth() {
  return createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { checks } = JSON.parse(body || '{"checks":[]}') as { checks: Array<{ token: string }> };
      const token = checks[0]?.token;
      const json = (status: number, answer: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      if (token === 'fail') return json(500, {});
      if (token === 'huge') return json(200, { results: [{ verdict: 'allowed' }], padding: 'x'.repeat(100 * 1024) });
      if (token === 'short') return json(200, { results: [] });
      /** A verdict (401), but long after the timeout: only a check that gave up in time answers 503. */
      setTimeout(() => json(200, { results: [{ verdict: 'invalid_token' }] }), 30_000).unref();
    });
  });
}

test('auth-app too slow, answering 5xx, too much or the wrong number of verdicts: 503 within the timeout', async (t) => {
  const slow = misbehavingAuth();
  slow.listen(0, '127.0.0.1');
  t.teardown(() => slow.closeAllConnections());
  t.teardown(() => slow.close());
  await new Promise((resolve) => slow.once('listening', resolve));
  const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
  const logs = await startLogsService(
    logsConfig({
      LOGS_PORT: '0',
      LOGS_AUTH_URL: url,
      LOGS_AUTH_TIMEOUT_MS: '200',
      LOGS_SERVICE_TOKEN: testServiceToken,
      LOGS_DIR: '/nonexistent',
      LOGS_LOG_LEVEL: 'silent',
    }),
  );
  t.teardown(() => logs.stop());
  const request = contractClient('logs', () => logs.url);
  t.is((await request('/logs/app', { token: 'slow' })).status, 503);
  t.is((await request('/logs/app', { token: 'fail' })).status, 503);
  t.is((await request('/logs/app', { token: 'huge' })).status, 503, 'an answer past 64 KiB is not held in memory');
  t.is((await request('/logs/app', { token: 'short' })).status, 503, 'no verdict is guessed');
});
