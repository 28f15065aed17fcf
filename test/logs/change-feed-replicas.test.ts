import type { ChildProcess } from 'node:child_process';
import test from 'ava';
import { logsConfig } from '../../logs-app/config.js';
import { startLogsService, type LogsService } from '../../logs-app/service.js';
import { testPassword, testServiceToken } from '../helpers/auth.js';
import { contractClient, type Client } from '../helpers/http.js';
import { at, cri } from '../helpers/logs.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { runScript, spawnScript, waitForLine } from '../helpers/processes.js';
import { followLog } from '../helpers/streams.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Two auth-app processes on one PostgreSQL database; logs-app follows the feed of the first, changes go to the second. */
let database: TestDatabase;
const replicas: ChildProcess[] = [];
let one: { url: string; request: Client };
let two: { url: string; request: Client };
let logs: LogsService;
let request: Client;
let dir: string;

async function startReplica() {
  const child = spawnScript('auth-app/main.ts', [], {
    AUTH_PORT: '0',
    AUTH_DATABASE_URL: database.url,
    AUTH_SERVICE_TOKEN: testServiceToken,
  });
  replicas.push(child);
  const { url } = JSON.parse(await waitForLine(child, /auth-app listening/)) as { url: string };
  return { url, request: contractClient('auth', () => url) };
}

const admin = async (args: string[], stdin = '') => {
  const done = await runScript('auth-app/admin.ts', args, { AUTH_DATABASE_URL: database.url }, stdin);
  if (done.code !== 0) throw new Error(`auth-admin ${args.join(' ')}: ${done.stderr}`);
};

test.before(async () => {
  database = await createTestDatabase();
  [one, two] = await Promise.all([startReplica(), startReplica()]);
  dir = mkdtempSync(join(tmpdir(), 'feed-replicas-'));
  mkdirSync(join(dir, 'default_app_uid', 'main'), { recursive: true });
  writeFileSync(join(dir, 'default_app_uid', 'main', '0.log'), `${cri(at(0), 'hello')}\n`);
  logs = await startLogsService(
    logsConfig({
      LOGS_PORT: '0',
      LOGS_DIR: dir,
      LOGS_AUTH_URL: one.url,
      LOGS_SERVICE_TOKEN: testServiceToken,
      LOGS_FOLLOW_RECHECK_MS: '5000',
      LOGS_LOG_LEVEL: 'silent',
    }),
  );
  await logs.changeFeed.whenLive();
  request = contractClient('logs', () => logs.url);
});
test.after.always(async () => {
  await logs?.stop();
  for (const replica of replicas) replica.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

let users = 0;
async function reader(): Promise<{ name: string; token: string }> {
  users += 1;
  const name = `replica-reader${users}`;
  await admin(['user', 'add', name, '--permission', 'logs:read:default'], `${testPassword}\n`);
  const login = await two.request('/auth/login', { method: 'POST', json: { username: name, password: testPassword } });
  return { name, token: (login.json as { token: string }).token };
}

/** How long after the change the first refusal came, asking every 5 ms. */
async function refusedWithin(token: string, status: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while ((await request('/logs/app', { token })).status !== status) {
    if (performance.now() - started > timeoutMs) throw new Error(`not refused within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - started;
}

const changes: Array<[string, (reader: { name: string; token: string }) => Promise<unknown>, number]> = [
  ['a logout on the other replica', (r) => two.request('/auth/logout', { method: 'POST', token: r.token }), 401],
  ['a revocation by the CLI', (r) => admin(['user', 'revoke', r.name, 'logs:read:default']), 403],
  ['a disabled user (CLI)', (r) => admin(['user', 'disable', r.name]), 401],
];

for (const [what, change, status] of changes) {
  test.serial(`${what} reaches logs-app through the first replica's feed: refused, and a follow ends`, async (t) => {
    const subject = await reader();
    const follower = await reader();
    t.is((await request('/logs/app', { token: subject.token })).status, 200);
    t.is((await request('/logs/app', { token: subject.token })).status, 200);
    await change(subject);
    const tookMs = await refusedWithin(subject.token, status, 500);
    t.log(`refused ${tookMs.toFixed(1)} ms after the change was answered`);

    const stream = await followLog(logs.url, '/logs/app?follow=true', follower.token, 'hello');
    t.teardown(() => stream.close());
    await change(follower);
    const changed = performance.now();
    t.true(await stream.end(1000), 'the follow went on');
    t.log(`the follow ended ${Math.round(performance.now() - changed)} ms after`);
  });
}
