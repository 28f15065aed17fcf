import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import { argon2Parameters } from '../auth-app/passwords.js';
import { openStore } from '../auth-app/store/open.js';
import { changeToRefusal, followEnd } from './changes.js';
import { criFile } from './fixtures.js';
import { startProcess, type Running } from '../test/helpers/services.js';
import { followedStreams } from './followed-streams.js';
import { forwardAuthThroughNginx } from './forward-auth.js';
import { providerSignIns } from './provider-sign-ins.js';
import { quietFollows } from './follows.js';
import { closingLine } from './report.js';
import { viewerSmoothness } from './viewer.js';
import { loadGenerator } from './wrk.js';
import {
  authenticatedLogs,
  fullStream,
  kubernetesLogPath,
  logins,
  sinceInLargeFile,
  tailOfLargeFile,
  validation,
  type Bench,
} from './scenarios.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
/** BENCH_ONLY=1,2 runs those scenarios alone. */
const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean).map(Number);
const password = 'bench passphrase 1';
const serviceToken = randomBytes(32).toString('hex');
const fixtureDir = process.env.BENCH_FIXTURES ?? join(tmpdir(), 'pod-logs-bench-fixtures');
const startMs = Date.parse('2026-01-01T00:00:00Z');
const work = mkdtempSync(join(tmpdir(), 'pod-logs-bench-'));
const pods = join(work, 'pods');

/** A hard link: logs-app refuses a symbolic one that leads out of its log directory. */
function pod(name: string, file: string): void {
  const dir = join(pods, `default_${name}_bench-uid`, 'app');
  mkdirSync(dir, { recursive: true });
  try {
    linkSync(file, join(dir, '0.log'));
  } catch {
    copyFileSync(file, join(dir, '0.log'));
  }
}

async function setup() {
  process.stdout.write(`making fixtures in ${fixtureDir} (once)...\n`);
  const small = criFile(fixtureDir, 'small.log', 64 * 1024, startMs);
  const mib = criFile(fixtureDir, '1mib.log', 1024 * 1024, startMs);
  const gib = criFile(fixtureDir, '1gib.log', 1024 * 1024 * 1024, startMs);
  const stream = criFile(fixtureDir, '256mib.log', 256 * 1024 * 1024, startMs);
  pod('bench', small);
  pod('mib', mib);
  pod('gib', gib);
  pod('stream', stream);
  const databaseUrl = `sqlite:${join(work, 'auth.db')}`;
  const store = await openStore(databaseUrl, { poolSize: 1, connectTimeoutMs: 1000, queryTimeoutMs: 1000 });
  await store.createUser({
    id: randomUUID(),
    username: 'bench',
    passwordHash: await hash(password, argon2Parameters),
    permissions: ['logs:read'],
    createdAt: Date.now(),
  });
  await store.close();
  return { databaseUrl, files: { mib, gib, stream } };
}

async function login(authUrl: string): Promise<string> {
  const response = await fetch(`${authUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function main(): Promise<void> {
  const { databaseUrl, files } = await setup();
  const running: Running[] = [];
  const start = async (script: string, env: Record<string, string>, name: string) => {
    const service = await startProcess(script, env, work, name);
    running.push(service);
    return service;
  };
  try {
    const authEnv = {
      AUTH_PORT: '0',
      AUTH_DATABASE_URL: databaseUrl,
      AUTH_LOGIN_MAX_FAILURES: '1000',
      AUTH_SERVICE_TOKEN: serviceToken,
    };
    const auth = await start('dist/auth-app/main.js', authEnv, 'auth');
    const logsEnv = {
      LOGS_PORT: '0',
      LOGS_DIR: pods,
      LOGS_AUTH_URL: auth.url,
      LOGS_SERVICE_TOKEN: serviceToken,
      NODE_OPTIONS: '--max-semi-space-size=8',
    };
    const bench: Bench = {
      auth,
      logs: await start('dist/logs-app/main.js', logsEnv, 'logs'),
      startLogs: (name, env) => start('dist/logs-app/main.js', { ...logsEnv, ...env }, name),
      asking: await start('dist/logs-app/main.js', { ...logsEnv, LOGS_AUTH_CACHE_SIZE: '0' }, 'logs-asking'),
      inMemory: await start('bench/memory-logs.ts', logsEnv, 'logs-in-memory'),
      bare: await start('bench/bare-koa.ts', { BARE_STREAM_FILE: files.stream }, 'bare-koa'),
      headers: { authorization: `Bearer ${await login(auth.url)}` },
      serviceToken,
      files,
      startMs,
      password,
      seconds,
      rounds,
      connections: 10,
      work,
      pods,
      databaseUrl,
    };
    process.stdout.write(
      `\n${loadGenerator}, ${bench.connections} connections, ${seconds} s a run after a warm-up, median of ${rounds} alternating runs\n`,
    );
    const scenarios: Record<number, (bench: Bench) => Promise<void>> = {
      1: authenticatedLogs,
      2: validation,
      3: tailOfLargeFile,
      4: sinceInLargeFile,
      5: fullStream,
      6: logins,
      7: quietFollows,
      8: kubernetesLogPath,
      9: forwardAuthThroughNginx,
      10: followedStreams,
      11: viewerSmoothness,
      12: providerSignIns,
      13: changeToRefusal,
      14: followEnd,
    };
    for (const [number, scenario] of Object.entries(scenarios)) {
      if (only.length === 0 || only.includes(Number(number))) await scenario(bench);
    }
  } finally {
    for (const service of running) await service.stop();
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`\n${closingLine()}\n`);
}

await main();
