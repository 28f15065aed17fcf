import type { ChildProcess } from 'node:child_process';
import test from 'ava';
import { openStore } from '../../auth-app/store/open.js';
import { serviceHeaders, startAuth, testPassword, testServiceToken } from '../helpers/auth.js';
import { contractClient } from '../helpers/http.js';
import { CookieJar, field, openPage, postForm } from '../helpers/pages.js';
import { createTestDatabase, postgresServer, type TestDatabase } from '../helpers/postgres.js';
import { finished, runScript, spawnScript, waitForLine } from '../helpers/processes.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

let database: TestDatabase;
const replicas: ChildProcess[] = [];
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  for (const replica of replicas) replica.kill('SIGKILL');
  await database.drop();
});

async function startReplica(url: string, env: Record<string, string> = {}) {
  const child = spawnScript('auth-app/main.ts', [], {
    AUTH_PORT: '0',
    AUTH_DATABASE_URL: url,
    AUTH_SERVICE_TOKEN: testServiceToken,
    ...env,
  });
  replicas.push(child);
  const { url: base } = JSON.parse(await waitForLine(child, /auth-app listening/)) as { url: string };
  return { child, request: contractClient('auth', () => base) };
}

const login = (
  request: ReturnType<typeof contractClient>,
  username: string,
  password = testPassword,
  headers: Record<string, string> = {},
) => request('/auth/login', { method: 'POST', json: { username, password }, headers });

test.serial('the admin CLI works against PostgreSQL', async (t) => {
  const added = await runScript(
    'auth-app/admin.ts',
    ['user', 'add', 'alice', '--permission', 'logs:read'],
    { AUTH_DATABASE_URL: database.url },
    `${testPassword}\n`,
  );
  t.is(added.code, 0, added.stderr);
  await runScript(
    'auth-app/admin.ts',
    ['user', 'add', 'bob'],
    { AUTH_DATABASE_URL: database.url },
    `${testPassword}\n`,
  );
  const listed = await runScript('auth-app/admin.ts', ['user', 'list'], { AUTH_DATABASE_URL: database.url });
  t.deepEqual(
    listed.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { username: string }).username),
    ['alice', 'bob'],
  );
});

test.serial('two replicas on one database: sessions, logout and regulation are shared', async (t) => {
  const [one, two] = await Promise.all([
    startReplica(database.url, { AUTH_LOGIN_MAX_FAILURES: '4' }),
    startReplica(database.url, { AUTH_LOGIN_MAX_FAILURES: '4' }),
  ]);
  const made = await login(one.request, 'alice');
  t.is(made.status, 200);
  const token = (made.json as { token: string }).token;
  t.is(
    (
      await two.request('/auth/validate', {
        method: 'POST',
        headers: serviceHeaders,
        token,
        json: { permission: 'logs:read:x' },
      })
    ).status,
    200,
  );
  t.is((await two.request('/auth/logout', { method: 'POST', token })).status, 204);
  t.is(
    (await one.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token })).status,
    401,
    'logout on one is refused on the other at once',
  );

  for (const replica of [one, two, one, two])
    t.is((await login(replica.request, 'bob', 'wrong password!')).status, 401);
  t.is((await login(one.request, 'bob')).status, 429, 'failures on both replicas count together');
  t.is((await login(two.request, 'bob')).status, 429);
});

test.serial('concurrent logins of one user on both replicas all make distinct, valid sessions', async (t) => {
  const proxied = { AUTH_TRUST_PROXY: 'true' };
  const [one, two] = await Promise.all([startReplica(database.url, proxied), startReplica(database.url, proxied)]);
  /** From 20 addresses: attempts being checked count against their address's limit of 5 until they succeed. */
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, index) =>
      login(index % 2 ? one.request : two.request, 'alice', testPassword, { 'x-forwarded-for': `10.20.0.${index}` }),
    ),
  );
  t.true(results.every((result) => result.status === 200));
  const tokens = results.map((result) => (result.json as { token: string }).token);
  t.is(new Set(tokens).size, 20);
  for (const [index, token] of tokens.entries()) {
    t.is(
      (await (index % 2 ? two : one).request('/auth/validate', { method: 'POST', headers: serviceHeaders, token }))
        .status,
      200,
    );
  }
  const sessions = (await one.request('/auth/sessions', { token: tokens[0] })).json as { sessions: unknown[] };
  t.true(sessions.sessions.length >= 20);
});

test.serial('migrations are applied once when replicas start at the same moment on an empty database', async (t) => {
  const fresh = await createTestDatabase();
  t.teardown(() => fresh.drop());
  const pool = { poolSize: 2, connectTimeoutMs: 5000, queryTimeoutMs: 5000 };
  const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(fresh.url, pool)));
  for (const store of stores) await store.close();
  t.pass();
});

test.serial('database unreachable: 503 quickly and readyz red; back by itself with every session intact', async (t) => {
  const proxy = await new TcpProxy('127.0.0.1', Number(new URL(postgresServer).port || 5432)).start();
  t.teardown(() => proxy.cut());
  const url = `postgres://postgres@127.0.0.1:${proxy.port}${new URL(database.url).pathname}`;
  const auth = await startAuth({
    AUTH_DATABASE_URL: url,
    AUTH_DATABASE_TIMEOUT_MS: '500',
    AUTH_SESSION_TOUCH_INTERVAL: '0',
  });
  t.teardown(() => auth.stop());
  const token = await auth.login('alice', testPassword);

  await proxy.cut();
  const started = Date.now();
  const down = await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token });
  t.is(down.status, 503);
  t.is(down.headers.get('retry-after'), '5');
  t.true(Date.now() - started < 2000, 'answers before a 2 s client timeout');
  t.is(
    (await auth.request('/auth/login', { method: 'POST', json: { username: 'alice', password: testPassword } })).status,
    503,
  );
  t.is((await auth.request('/readyz')).status, 503);
  const jar = new CookieJar();
  const signIn = await postForm(
    auth.request,
    '/login',
    {
      username: 'alice',
      password: testPassword,
      csrf: field((await openPage(auth.request, '/login', jar)).text, 'csrf'),
    },
    { jar, origin: auth.url },
  );
  t.is(signIn.status, 503, 'the sign-in page too: a page saying so, never a 500');
  t.is(signIn.contentType, 'text/html');
  t.is(signIn.headers.get('retry-after'), '5');
  const page = await auth.request('/login', { headers: { cookie: `pod-logs-session=${token}` } });
  t.is(page.status, 503);
  t.is(page.contentType, 'text/html');
  t.is((await auth.request('/auth/forward', { headers: { cookie: `pod-logs-session=${token}` } })).status, 503);
  t.false(auth.logLines.join('\n').includes(token), 'the token is not in the error logs');
  const warned = auth.logLines.find((line) => line.includes('"status":503'));
  t.regex(warned ?? '', /"reason":"The session store is unreachable: [^"]*ECONNREFUSED/, 'the log says why');

  await proxy.restore();
  t.is((await auth.request('/readyz')).status, 200);
  t.is((await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token })).status, 200);
});

test.serial('a replica stops cleanly on SIGTERM', async (t) => {
  const replica = await startReplica(database.url);
  replica.child.kill('SIGTERM');
  t.is((await finished(replica.child)).code, 0);
});
