import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { measure as measureWithAutocannon, type LoadOptions, type LoadResult } from '../test/helpers/load.js';

const wrkPath = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((path) => spawnSync(path, ['-v']).error === undefined);

/** wrk, where installed, costs the machine far less CPU than autocannon, leaving more of it to the services. */
export const loadGenerator = wrkPath
  ? 'wrk (1 thread)'
  : 'autocannon (apt-get install wrk for a leaner load generator)';

const milliseconds = (value: string): number => {
  const [, number = '0', unit = 'ms'] = /^([\d.]+)(us|ms|s)$/.exec(value) ?? [];
  return Number(number) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);
};

const bytes = (value: string): number => {
  const [, number = '0', unit = 'B'] = /^([\d.]+)([KMG]?B)$/.exec(value) ?? [];
  return Number(number) * 1024 ** ['B', 'KB', 'MB', 'GB'].indexOf(unit);
};

const field = (output: string, pattern: RegExp): string => pattern.exec(output)?.[1] ?? '0';

function parse(output: string): LoadResult {
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSecond: Number(field(output, /Requests\/sec:\s+([\d.]+)/)),
    p50Ms: milliseconds(field(output, /\s50%\s+(\S+)/)),
    p99Ms: milliseconds(field(output, /\s99%\s+(\S+)/)),
    throughputBytesPerSecond: bytes(field(output, /Transfer\/sec:\s+(\S+)/)),
    requests: Number(field(output, /(\d+) requests in/)),
    errors: socketErrors ? socketErrors.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0,
    non2xx: Number(field(output, /Non-2xx or 3xx responses: (\d+)/)),
  };
}

async function runWrk(options: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'wrk-'));
  const script = join(dir, 'request.lua');
  writeFileSync(
    script,
    `wrk.method = ${JSON.stringify(options.method ?? 'GET')}\n` +
      (options.body === undefined ? '' : `wrk.body = ${JSON.stringify(options.body)}\n`),
  );
  const headers = Object.entries(options.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '-s', script, ...headers];
  try {
    const { stdout } = await promisify(execFile)(wrkPath!, [...args, options.url]);
    return parse(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A short warm-up (JIT, connection pools), then the measured run, with wrk where installed. */
export async function measure(options: LoadOptions): Promise<LoadResult> {
  if (!wrkPath) return measureWithAutocannon(options);
  await runWrk({ ...options, seconds: Math.min(2, options.seconds) });
  return runWrk(options);
}

/**
 * Load for as long as it takes to measure something else under it: wrk in its own process (autocannon would share
 * the measuring process's event loop), stopped when asked. Without wrk, none is run and the caller is told so.
 */
export function backgroundLoad(options: Omit<LoadOptions, 'seconds'>): { running: boolean; stop(): Promise<void> } {
  if (!wrkPath) return { running: false, stop: async () => {} };
  const headers = Object.entries(options.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const child = spawn(wrkPath, ['-t1', `-c${options.connections}`, '-d3600s', ...headers, options.url], {
    stdio: 'ignore',
  });
  return {
    running: true,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
