import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import { request } from 'undici';
import { argon2Parameters } from '../auth-app/passwords.js';
import { openStore } from '../auth-app/store/open.js';
import { criFile, lineTime } from './fixtures.js';
import { measure, type LoadResult } from '../test/helpers/load.js';
import { nginxPath, startNginx } from './nginx.js';
import { peakRssMb, startProcess, type Running } from '../test/helpers/services.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 10;
const password = 'bench passphrase 1';
const fixtureDir = process.env.BENCH_FIXTURES ?? join(tmpdir(), 'pod-logs-bench-fixtures');
const startMs = Date.parse('2026-01-01T00:00:00Z');
const work = mkdtempSync(join(tmpdir(), 'pod-logs-bench-'));
const pods = join(work, 'pods');

const rows: string[] = [];
function report(scenario: string, figure: string, baseline: string, ratio: number, target: string, met: boolean): void {
  const row = `${scenario.padEnd(44)} ${figure.padEnd(26)} ${baseline.padEnd(34)} ${ratio.toFixed(2).padStart(6)}x  ${target.padEnd(10)} ${met ? 'met' : 'NOT met'}`;
  rows.push(row);
  process.stdout.write(`${row}\n`);
}

/** One line for a throughput figure against a baseline measured in the same run: higher is better. */
function versus(
  scenario: string,
  result: LoadResult,
  baselineName: string,
  baseline: LoadResult,
  minimum: number,
): void {
  const ratio = result.requestsPerSecond / baseline.requestsPerSecond;
  report(
    scenario,
    rps(result),
    `${baselineName} ${rps(baseline)}`,
    ratio,
    `>= ${minimum.toFixed(2)}x`,
    ratio >= minimum,
  );
}

const msPerRequest = (result: LoadResult) => (1000 / result.requestsPerSecond).toFixed(2);

const rps = (result: LoadResult) => `${Math.round(result.requestsPerSecond)} req/s p99 ${result.p99Ms} ms`;

function pod(name: string, file: string): void {
  const dir = join(pods, `default_${name}_bench-uid`, 'app');
  mkdirSync(dir, { recursive: true });
  symlinkSync(file, join(dir, '0.log'));
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

const timeCommand = (command: string, args: string[], runs: number): number => {
  const started = performance.now();
  for (let index = 0; index < runs; index += 1) spawnSync(command, args, { stdio: 'ignore' });
  return (performance.now() - started) / runs;
};

async function main(): Promise<void> {
  const { databaseUrl, files } = await setup();
  const running: Running[] = [];
  const start = async (script: string, env: Record<string, string>, name: string) => {
    const service = await startProcess(script, env, work, name);
    running.push(service);
    return service;
  };
  try {
    const auth = await start(
      'dist/auth-app/main.js',
      { AUTH_PORT: '0', AUTH_DATABASE_URL: databaseUrl, AUTH_LOGIN_MAX_FAILURES: '1000' },
      'auth',
    );
    const logsEnv = {
      LOGS_PORT: '0',
      LOGS_DIR: pods,
      LOGS_AUTH_URL: auth.url,
      NODE_OPTIONS: '--max-semi-space-size=8',
    };
    const logs = await start('dist/logs-app/main.js', logsEnv, 'logs');
    const cached = await start('dist/logs-app/main.js', { ...logsEnv, LOGS_AUTH_CACHE_TTL: '60' }, 'logs-cached');
    const bare = await start('bench/bare-koa.ts', {}, 'bare-koa');
    const token = await login(auth.url);
    const headers = { authorization: `Bearer ${token}` };
    const load = (url: string, extra: Partial<Parameters<typeof measure>[0]> = {}) =>
      measure({ url, connections, seconds, headers, ...extra });

    process.stdout.write(`\n${connections} connections, ${seconds} s a run, after a warm-up\n`);
    const bareLogs = await load(`${bare.url}/logs/bench?tailLines=10`);
    const off = await load(`${logs.url}/logs/bench?tailLines=10`);
    const on = await load(`${cached.url}/logs/bench?tailLines=10`);
    versus('1 /logs tailLines=10, cache off', off, 'bare Koa', bareLogs, 0.3);
    versus('1 /logs tailLines=10, cache on', on, 'bare Koa', bareLogs, 0.6);
    report('1 p99 latency, cache off', `${off.p99Ms} ms`, 'target 10 ms', off.p99Ms / 10, '< 1.00x', off.p99Ms < 10);
    if (nginxPath) {
      const nginxDir = join(work, 'nginx');
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const body = await (await fetch(`${logs.url}/logs/bench?tailLines=10`, { headers })).text();
      const nginx = startNginx(nginxDir, port, auth.url, body);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const viaNginx = await load(`http://127.0.0.1:${port}/logs/bench`);
      nginx.kill('SIGTERM');
      versus('1 /logs cache off vs nginx auth_request', off, 'nginx', viaNginx, 1);
    } else {
      process.stdout.write(
        '1 nginx auth_request baseline: skipped, nginx is not installed (apt-get install nginx-light)\n',
      );
    }

    const validateBody = JSON.stringify({ permission: 'logs:read:default' });
    const validate = await load(`${auth.url}/auth/validate`, {
      method: 'POST',
      body: validateBody,
      headers: { ...headers, 'content-type': 'application/json' },
    });
    const bareValidate = await load(`${bare.url}/auth/validate`, {
      method: 'POST',
      body: validateBody,
      headers: { 'content-type': 'application/json' },
    });
    versus('2 POST /auth/validate', validate, 'bare Koa', bareValidate, 0.55);

    const single = (url: string) => measure({ url, connections: 1, seconds: Math.max(3, seconds / 2), headers });
    const tailGib = await single(`${logs.url}/logs/gib?tailLines=100`);
    const tailMib = await single(`${logs.url}/logs/mib?tailLines=100`);
    const tailCommand = timeCommand('tail', ['-n', '100', files.gib], 50);
    report(
      '3 tailLines=100, 1 GiB vs 1 MiB',
      `${msPerRequest(tailGib)} ms/req`,
      `1 MiB ${msPerRequest(tailMib)} ms/req`,
      tailMib.requestsPerSecond / tailGib.requestsPerSecond,
      '<= 1.50x',
      tailMib.requestsPerSecond <= 1.5 * tailGib.requestsPerSecond,
    );
    report(
      '3 tailLines=100, 1 GiB vs tail -n 100',
      `${(1000 / tailGib.requestsPerSecond).toFixed(2)} ms/req`,
      `tail ${tailCommand.toFixed(2)} ms/run`,
      1000 / tailGib.requestsPerSecond / tailCommand,
      'info',
      true,
    );

    const sinceGib = encodeURIComponent(lineTime(files.gib, startMs, 0.999));
    const sinceMib = encodeURIComponent(lineTime(files.mib, startMs, 0.5));
    const nearEndGib = await single(`${logs.url}/logs/gib?sinceTime=${sinceGib}&limitBytes=65536`);
    const nearEndMib = await single(`${logs.url}/logs/mib?sinceTime=${sinceMib}&limitBytes=65536`);
    report(
      '4 sinceTime near the end, 1 GiB vs 1 MiB',
      `${Math.round(nearEndGib.requestsPerSecond)} req/s`,
      `1 MiB ${Math.round(nearEndMib.requestsPerSecond)} req/s`,
      nearEndMib.requestsPerSecond / nearEndGib.requestsPerSecond,
      '<= 1.50x',
      nearEndMib.requestsPerSecond <= 1.5 * nearEndGib.requestsPerSecond,
    );

    const catStarted = performance.now();
    execFileSync('sh', ['-c', `cat '${files.stream}' > /dev/null`]);
    const catMBps = statSync(files.stream).size / 1024 / 1024 / ((performance.now() - catStarted) / 1000);
    const streamStarted = performance.now();
    const streamed = await request(`${logs.url}/logs/stream`, { headers: { ...headers, accept: 'text/plain' } });
    for await (const chunk of streamed.body) void chunk;
    const fileMiB = statSync(files.stream).size / 1024 / 1024;
    const streamMBps = fileMiB / ((performance.now() - streamStarted) / 1000);
    const rss = peakRssMb(logs.child.pid!);
    report(
      '5 256 MiB as text/plain',
      `${streamMBps.toFixed(0)} MB/s, peak RSS ${rss.toFixed(0)} MB`,
      `cat ${catMBps.toFixed(0)} MB/s`,
      streamMBps / catMBps,
      '>= 0.30x',
      streamMBps / catMBps >= 0.3 && rss < 150,
    );

    const loginLoad = await measure({
      url: `${auth.url}/auth/login`,
      connections: 4,
      seconds: Math.max(3, seconds / 2),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password }),
    });
    const hashStarted = performance.now();
    let hashes = 0;
    while (performance.now() - hashStarted < 3000) {
      await Promise.all([hash(password, argon2Parameters), hash(password, argon2Parameters)]);
      hashes += 2;
    }
    const hashesPerSecond = hashes / ((performance.now() - hashStarted) / 1000);
    report(
      '6 logins',
      `${Math.round(loginLoad.requestsPerSecond)} logins/s`,
      `argon2id ${Math.round(hashesPerSecond)} hashes/s`,
      loginLoad.requestsPerSecond / hashesPerSecond,
      'info',
      loginLoad.non2xx === 0,
    );
  } finally {
    for (const service of running) await service.stop();
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(
    `\n${rows.filter((row) => row.endsWith('NOT met')).length} of ${rows.length} lines miss their target\n`,
  );
}

await main();
