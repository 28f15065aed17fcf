import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import { request } from 'undici';
import { argon2Parameters } from '../auth-app/passwords.js';
import type { LoadOptions, LoadResult } from '../test/helpers/load.js';
import { measure } from './wrk.js';
import { peakRssMb, type Running } from '../test/helpers/services.js';
import { lineTime } from './fixtures.js';
import { nginxPath, startValidatingNginx } from './nginx.js';
import { freePort } from '../test/helpers/http.js';
import { atMost, ms, msPerRequest, report, rps, versus } from './report.js';

export interface Bench {
  auth: Running;
  /** logs-app as configured by default: verdicts kept while auth-app's change feed is live. */
  logs: Running;
  /** Another logs-app like `logs`, with `env` over its environment, stopped with the others at the end of the run. */
  startLogs(name: string, env: Record<string, string>): Promise<Running>;
  /** logs-app asking auth-app on every request (LOGS_AUTH_CACHE_SIZE=0), as it did by default before the feed. */
  asking: Running;
  /** logs-app by default with its log files replaced by ten lines in memory. */
  inMemory: Running;
  bare: Running;
  headers: Record<string, string>;
  /** What auth-app's validation endpoints require as X-Service-Token. */
  serviceToken: string;
  files: { mib: string; gib: string; stream: string };
  startMs: number;
  password: string;
  seconds: number;
  /** How many times the measurements of a throughput comparison alternate. */
  rounds: number;
  connections: number;
  work: string;
  /** The log directory logs-app reads. */
  pods: string;
  databaseUrl: string;
}

export const load = (bench: Bench, url: string, extra: Partial<LoadOptions> = {}) =>
  measure({ url, connections: bench.connections, seconds: bench.seconds, headers: bench.headers, ...extra });

const single = (bench: Bench, url: string) =>
  measure({ url, connections: 1, seconds: Math.max(3, bench.seconds / 2), headers: bench.headers });

/**
 * Runs each measurement in turn, `bench.rounds` times over, and keeps each one's median run (by req/s): a machine
 * whose speed drifts during the benchmark then moves the figure and its baseline alike.
 */
export async function alternating<Runs extends Array<() => Promise<LoadResult>>>(
  bench: Bench,
  runs: [...Runs],
): Promise<{ [Index in keyof Runs]: LoadResult }> {
  const results: LoadResult[][] = runs.map(() => []);
  for (let round = 0; round < bench.rounds; round += 1) {
    for (const [index, run] of runs.entries()) results[index]!.push(await run());
  }
  return results.map((each) => {
    const sorted = [...each].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
    return sorted[Math.floor(sorted.length / 2)]!;
  }) as { [Index in keyof Runs]: LoadResult };
}

/** The cache-on ratio to bare Koa of the last run with the TTL cache (bench/README.md), which the feed replaces. */
const ttlCacheRatio = 0.28;

export async function authenticatedLogs(bench: Bench): Promise<void> {
  const [bareLogs, kept, asking, inMemory] = await alternating(bench, [
    () => load(bench, `${bench.bare.url}/logs/bench?tailLines=10`),
    () => load(bench, `${bench.logs.url}/logs/bench?tailLines=10`),
    () => load(bench, `${bench.asking.url}/logs/bench?tailLines=10`),
    () => load(bench, `${bench.inMemory.url}/logs/bench?tailLines=10`),
  ]);
  versus('1 /logs tailLines=10, default (feed)', kept, 'bare Koa', bareLogs, ttlCacheRatio);
  versus('1 the same, asking every request', asking, 'bare Koa', bareLogs, 0.3);
  report(
    '1 floor: default, the log lines in memory',
    rps(inMemory),
    `bare Koa ${rps(bareLogs)}`,
    inMemory.requestsPerSecond / bareLogs.requestsPerSecond,
    'info',
    true,
  );
  report('1 p99 latency, default', ms(kept.p99Ms), 'target 10 ms', kept.p99Ms / 10, '< 1.00x', kept.p99Ms < 10);
  if (!nginxPath) {
    process.stdout.write(
      '1 nginx auth_request baseline: skipped, nginx is not installed (apt-get install nginx-light)\n',
    );
    return;
  }
  const body = await (await fetch(`${bench.logs.url}/logs/bench?tailLines=10`, { headers: bench.headers })).text();
  const port = await freePort();
  const nginx = await startValidatingNginx(join(bench.work, 'nginx'), port, bench.auth.url, bench.serviceToken, body);
  const [viaNginx, keptAgain, askingAgain] = await alternating(bench, [
    () => load(bench, `${nginx.url}/logs/bench`),
    () => load(bench, `${bench.logs.url}/logs/bench?tailLines=10`),
    () => load(bench, `${bench.asking.url}/logs/bench?tailLines=10`),
  ]);
  await nginx.stop();
  versus('1 /logs default (feed) vs nginx auth_request', keptAgain, 'nginx', viaNginx, 1.5);
  versus('1 /logs asking every request vs nginx', askingAgain, 'nginx', viaNginx, 1);
}

/** kubectl's log path against /logs, the same reader behind the same check, under the load of scenario 1. */
export async function kubernetesLogPath(bench: Bench): Promise<void> {
  const [kube, logs] = await alternating(bench, [
    () => load(bench, `${bench.logs.url}/api/v1/namespaces/default/pods/bench/log?container=app&tailLines=10`),
    () => load(bench, `${bench.logs.url}/logs/bench?tailLines=10`),
  ]);
  versus('8 kubectl log path, tailLines=10', kube, '/logs', logs, 0.95);
}

export async function validation(bench: Bench): Promise<void> {
  const body = JSON.stringify({ permission: 'logs:read:default' });
  const json = { 'content-type': 'application/json' };
  const service = { 'x-service-token': bench.serviceToken };
  const [validate, bareValidate] = await alternating(bench, [
    () =>
      load(bench, `${bench.auth.url}/auth/validate`, {
        method: 'POST',
        body,
        headers: { ...bench.headers, ...json, ...service },
      }),
    () => load(bench, `${bench.bare.url}/auth/validate`, { method: 'POST', body, headers: json }),
  ]);
  versus('2 POST /auth/validate', validate, 'bare Koa', bareValidate, 0.55);
}

function timeCommand(command: string, args: string[], runs: number): number {
  const started = performance.now();
  for (let index = 0; index < runs; index += 1) spawnSync(command, args, { stdio: 'ignore' });
  return (performance.now() - started) / runs;
}

export async function tailOfLargeFile(bench: Bench): Promise<void> {
  const [gib, mib] = await alternating(bench, [
    () => single(bench, `${bench.logs.url}/logs/gib?tailLines=100`),
    () => single(bench, `${bench.logs.url}/logs/mib?tailLines=100`),
  ]);
  const tailCommand = timeCommand('tail', ['-n', '100', bench.files.gib], 50);
  const ratio = mib.requestsPerSecond / gib.requestsPerSecond;
  atMost(
    '3 tailLines=100, 1 GiB vs 1 MiB',
    `${msPerRequest(gib)} ms/req`,
    `1 MiB ${msPerRequest(mib)} ms/req`,
    ratio,
    1.5,
  );
  const perRequest = 1000 / gib.requestsPerSecond;
  report(
    '3 tailLines=100, 1 GiB vs tail -n 100',
    `${perRequest.toFixed(2)} ms/req`,
    `tail ${tailCommand.toFixed(2)} ms/run`,
    perRequest / tailCommand,
    'info',
    true,
  );
}

export async function sinceInLargeFile(bench: Bench): Promise<void> {
  const sinceGib = encodeURIComponent(lineTime(bench.files.gib, bench.startMs, 0.999));
  const sinceMib = encodeURIComponent(lineTime(bench.files.mib, bench.startMs, 0.5));
  const [gib, mib] = await alternating(bench, [
    () => single(bench, `${bench.logs.url}/logs/gib?sinceTime=${sinceGib}&limitBytes=65536`),
    () => single(bench, `${bench.logs.url}/logs/mib?sinceTime=${sinceMib}&limitBytes=65536`),
  ]);
  const ratio = mib.requestsPerSecond / gib.requestsPerSecond;
  atMost(
    '4 sinceTime near the end, 1 GiB vs 1 MiB',
    `${Math.round(gib.requestsPerSecond)} req/s`,
    `1 MiB ${Math.round(mib.requestsPerSecond)} req/s`,
    ratio,
    1.5,
  );
}

interface StreamClient {
  name: string;
  download(url: string): Promise<void>;
}

/**
 * Reads a whole answer and throws it away: with curl where installed, as an operator would, since a Node client
 * in this process costs more CPU per byte than the server it measures; else with undici.
 */
function streamClient(headers: Record<string, string>): StreamClient {
  const sent = { ...headers, accept: 'text/plain' };
  if (spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0) {
    /** Headers go in on stdin (`-H @-`), so the token never shows in the process list. */
    const input = Object.entries(sent)
      .map(([name, value]) => `${name}: ${value}\n`)
      .join('');
    return {
      name: 'curl',
      download: async (url) => {
        execFileSync('curl', ['-sf', '-o', '/dev/null', '-H', '@-', url], { input });
      },
    };
  }
  return {
    name: 'undici',
    download: async (url) => {
      const streamed = await request(url, { headers: sent });
      for await (const chunk of streamed.body) void chunk;
    },
  };
}

/** MB/s of the best of `runs`: the first run of either side may still be warming the page cache. */
async function bestRate(megabytes: number, runs: number, once: () => Promise<void>): Promise<number> {
  let best = 0;
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await once();
    best = Math.max(best, megabytes / ((performance.now() - started) / 1000));
  }
  return best;
}

export async function fullStream(bench: Bench): Promise<void> {
  const fileMiB = statSync(bench.files.stream).size / 1024 / 1024;
  const catMBps = await bestRate(fileMiB, 3, async () => {
    execFileSync('sh', ['-c', `cat '${bench.files.stream}' > /dev/null`]);
  });
  const client = streamClient(bench.headers);
  const streamMBps = await bestRate(fileMiB, 3, () => client.download(`${bench.logs.url}/logs/stream`));
  const rss = peakRssMb(bench.logs.child.pid!);
  const rawMBps = await bestRate(fileMiB, 3, () => client.download(`${bench.bare.url}/raw`));
  const ratio = streamMBps / catMBps;
  report(
    '5 256 MiB as text/plain',
    `${streamMBps.toFixed(0)} MB/s, peak RSS ${rss.toFixed(0)} MB (${client.name})`,
    `cat ${catMBps.toFixed(0)} MB/s`,
    ratio,
    '>= 0.30x',
    ratio >= 0.3 && rss < 150,
  );
  report(
    '5 ceiling: raw file, same reads and writes',
    `${rawMBps.toFixed(0)} MB/s (${client.name})`,
    `cat ${catMBps.toFixed(0)} MB/s`,
    rawMBps / catMBps,
    'info',
    true,
  );
}

export async function logins(bench: Bench): Promise<void> {
  const loginLoad = await measure({
    url: `${bench.auth.url}/auth/login`,
    connections: 4,
    seconds: Math.max(3, bench.seconds / 2),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: bench.password }),
  });
  const started = performance.now();
  let hashes = 0;
  while (performance.now() - started < 3000) {
    await Promise.all([hash(bench.password, argon2Parameters), hash(bench.password, argon2Parameters)]);
    hashes += 2;
  }
  const hashesPerSecond = hashes / ((performance.now() - started) / 1000);
  report(
    '6 logins',
    `${Math.round(loginLoad.requestsPerSecond)} logins/s`,
    `argon2id ${Math.round(hashesPerSecond)} hashes/s`,
    loginLoad.requestsPerSecond / hashesPerSecond,
    'info',
    loginLoad.non2xx === 0,
  );
}
