import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { openStore } from '../../auth-app/store/open.js';
import { logsConfig } from '../../logs-app/config.js';
import { startLogsService } from '../../logs-app/service.js';
import { testPassword, testServiceToken } from '../helpers/auth.js';
import { contractClient, freePort } from '../helpers/http.js';
import { at, cri, startStack } from '../helpers/logs.js';
import { runScript } from '../helpers/processes.js';
import { startProcess } from '../helpers/services.js';
import { followLog } from '../helpers/streams.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const pool = { poolSize: 1, connectTimeoutMs: 2000, queryTimeoutMs: 2000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done` holds, every 10 ms, for at most `timeoutMs`; resolves with how long it took. */
async function within(timeoutMs: number, done: () => Promise<boolean> | boolean): Promise<number> {
  const started = performance.now();
  while (!(await done())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(10);
  }
  return performance.now() - started;
}

const validationsIn = (lines: string[]) => lines.filter((line) => line.includes('"/auth/validate/batch"')).length;

test.serial(
  'auth-app killed: no stale allow while it is gone (the CLI still writes), then the feed resumes',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'feed-kill-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const databaseUrl = `sqlite:${join(dir, 'auth.db')}`;
    const authEnv = {
      AUTH_PORT: String(await freePort()),
      AUTH_DATABASE_URL: databaseUrl,
      AUTH_SERVICE_TOKEN: testServiceToken,
    };
    const admin = (args: string[], stdin = '') =>
      runScript('auth-app/admin.ts', args, { AUTH_DATABASE_URL: databaseUrl }, stdin);
    t.is((await admin(['user', 'add', 'kim', '--permission', 'logs:read'], `${testPassword}\n`)).code, 0);
    let auth = await startProcess('auth-app/main.ts', authEnv, dir, 'auth-1');
    t.teardown(() => auth.child.kill('SIGKILL'));
    const pods = join(dir, 'pods');
    mkdirSync(join(pods, 'default_app_uid', 'main'), { recursive: true });
    writeFileSync(join(pods, 'default_app_uid', 'main', '0.log'), `${cri(at(0), 'hello')}\n`);
    const logs = await startLogsService(
      logsConfig({
        LOGS_PORT: '0',
        LOGS_DIR: pods,
        LOGS_AUTH_URL: auth.url,
        LOGS_SERVICE_TOKEN: testServiceToken,
        LOGS_LOG_LEVEL: 'silent',
      }),
    );
    t.teardown(() => logs.stop());
    await logs.changeFeed.whenLive();
    const request = contractClient('logs', () => logs.url);
    const login = await fetch(`${auth.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'kim', password: testPassword }),
    });
    const { token } = (await login.json()) as { token: string };
    t.is((await request('/logs/app', { token })).status, 200);
    t.is((await request('/logs/app', { token })).status, 200);

    auth.child.kill('SIGKILL');
    t.is((await admin(['user', 'revoke', 'kim', 'logs:read'])).code, 0);
    t.false(logs.changeFeed.live(), 'the feed is still taken as live');
    const whileDown = await request('/logs/app', { token });
    t.is(whileDown.status, 503, 'a kept verdict was served while auth-app was gone');

    auth = await startProcess('auth-app/main.ts', authEnv, dir, 'auth-2');
    await logs.changeFeed.whenLive();
    t.is((await request('/logs/app', { token })).status, 403);
    t.is((await admin(['user', 'grant', 'kim', 'logs:read'])).code, 0);
    await within(1000, async () => (await request('/logs/app', { token })).status === 200);
    t.is((await request('/logs/app', { token })).status, 200, 'the resumed feed keeps verdicts again');
  },
);

test.serial(
  'a proxy that drops the feed silently: within the feed timeout logs-app asks again, then resumes',
  async (t) => {
    const auth = await startStack();
    t.teardown(() => auth.stop());
    const target = new URL(auth.auth.url);
    const proxy = await new TcpProxy(target.hostname, Number(target.port)).start();
    t.teardown(() => proxy.cut());
    const logLines: string[] = [];
    const logs = await startLogsService(
      logsConfig({
        LOGS_PORT: '0',
        LOGS_DIR: auth.podsDir,
        LOGS_AUTH_URL: `http://127.0.0.1:${proxy.port}`,
        LOGS_SERVICE_TOKEN: testServiceToken,
        LOGS_AUTH_FEED_TIMEOUT_MS: '1000',
      }),
      { logDestination: { write: (line: string) => void logLines.push(line) } },
    );
    t.teardown(() => logs.stop());
    await logs.changeFeed.whenLive();
    auth.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
    const request = contractClient('logs', () => logs.url);
    const token = await auth.tokenFor('lee', ['logs:read']);
    const userId = (await auth.auth.service.store.findUser('lee1'))!.id;
    t.is((await request('/logs/app', { token })).status, 200);
    const asked = validationsIn(auth.auth.logLines);
    t.is((await request('/logs/app', { token })).status, 200);
    t.is(validationsIn(auth.auth.logLines), asked, 'not kept before the drop');

    proxy.freeze((first) => first.startsWith('GET /auth/changes'));
    const dropped = performance.now();
    await auth.auth.service.store.setPermissions(userId, []);
    const refusedAfter = await within(3000, async () => (await request('/logs/app', { token })).status === 403);
    t.log(`the change was applied ${Math.round(refusedAfter)} ms after the feed was dropped silently`);
    t.true(refusedAfter < 1000 + 300, 'a kept verdict outlived the feed timeout');
    await within(1000, () =>
      logLines.some((line) => line.includes('change feed down') && line.includes('nothing heard')),
    );
    t.true(performance.now() - dropped < 1600, 'the dead feed was noticed late');
    t.false(logs.changeFeed.live());

    await auth.auth.service.store.setPermissions(userId, ['logs:read']);
    const before = validationsIn(auth.auth.logLines);
    for (let round = 0; round < 3; round += 1) t.is((await request('/logs/app', { token })).status, 200);
    t.is(validationsIn(auth.auth.logLines) - before, 3, 'while the feed is down every request is asked');

    proxy.thaw();
    await within(8000, () => logs.changeFeed.live());
    t.is((await request('/logs/app', { token })).status, 200);
    const resumed = validationsIn(auth.auth.logLines);
    t.is((await request('/logs/app', { token })).status, 200);
    t.is(validationsIn(auth.auth.logLines), resumed, 'the resumed feed keeps verdicts again');
    await auth.auth.service.store.setPermissions(userId, []);
    await within(1000, async () => (await request('/logs/app', { token })).status === 403);
  },
);

test.serial(
  'auth-app restarted after a change made while it was down: the feed replays it and the follow ends',
  async (t) => {
    const stack = await startStack({ LOGS_FOLLOW_RECHECK_MS: '60000' });
    t.teardown(() => stack.stop());
    stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
    const token = await stack.tokenFor('max', ['logs:read']);
    const stream = await followLog(stack.logs.url, '/logs/app?follow=true', token, 'hello');
    t.teardown(() => stream.close());
    await stack.auth.restart(async () => {
      const store = await openStore(stack.auth.databaseUrl, pool);
      await store.setPermissions((await store.findUser('max1'))!.id, []);
      await store.close();
    });
    t.true(await stream.end(3000), 'the follow outlived the replayed change');
    t.true(stack.logLines.some((line) => line.includes('"replay":true') && line.includes('change feed connected')));
    t.true(stack.logLines.some((line) => line.includes('"outcome":"session-ended"')));
  },
);

test.serial(
  'a burst of 10,000 changes from another process: logs-app keeps up, stays live, and applies the one among them that matters',
  async (t) => {
    const stack = await startStack();
    t.teardown(() => stack.stop());
    stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
    const token = await stack.tokenFor('noisy', ['logs:read']);
    const bystander = await stack.tokenFor('quiet', ['logs:read']);
    const { store } = stack.auth.service;
    const noisy = (await store.findUser('noisy1'))!.id;
    await stack.auth.addUser('churn', testPassword);
    const churn = (await store.findUser('churn'))!.id;
    for (const each of [token, bystander]) t.is((await stack.request('/logs/app', { token: each })).status, 200);
    const load = (async () => {
      const statuses: number[] = [];
      for (let round = 0; round < 200; round += 1) {
        statuses.push((await stack.request('/logs/app', { token: bystander })).status);
        await sleep(5);
      }
      return statuses;
    })();
    const burst = await runScript('test/helpers/change-burst.ts', [stack.auth.databaseUrl, churn, '10000', noisy], {});
    t.is(burst.code, 0, burst.stderr);
    await within(10_000, async () => (await stack.request('/logs/app', { token })).status === 403);
    t.true(
      (await load).every((status) => status === 200),
      'a bystander was refused during the burst',
    );
    t.true(stack.logs.changeFeed.live());
    t.false(
      stack.logLines.some((line) => line.includes('change feed down')),
      'the feed fell behind',
    );
    t.is(stack.logLines.filter((line) => line.includes('change feed connected')).length, 1);
  },
);
