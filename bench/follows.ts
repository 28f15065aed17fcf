import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../auth-app/passwords.js';
import { openStore } from '../auth-app/store/open.js';
import { cpuShare, openFollows, percentile, processUsage } from '../test/helpers/follow-load.js';
import { report } from './report.js';
import type { Bench } from './scenarios.js';

const followCount = 10_000;
const podCount = 20;
/** As many sessions as the default share of follows a session may hold (50) allows. */
const sessionCount = followCount / 50;

export const line = (text: string) => `${new Date().toISOString().replace('Z', '000000Z')} stdout F ${text}\n`;

/** One session each of `count` users named `<name>-<index>`, made for the scenario, as they log in. */
export async function followerTokens(bench: Bench, count: number, name: string): Promise<string[]> {
  const store = await openStore(bench.databaseUrl, { poolSize: 1, connectTimeoutMs: 1000, queryTimeoutMs: 1000 });
  const passwordHash = await hashPassword(bench.password);
  for (let index = 0; index < count; index += 1) {
    await store.createUser({
      id: randomUUID(),
      username: `${name}-${index}`,
      passwordHash,
      permissions: ['logs:read'],
      createdAt: Date.now(),
    });
  }
  await store.close();
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const response = await fetch(`${bench.auth.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `${name}-${index}`, password: bench.password }),
      });
      return ((await response.json()) as { token: string }).token;
    }),
  );
}

/** 10,000 quiet follows of 20 pods from 200 sessions, as a fleet of `kubectl logs -f` would hold open. */
export async function quietFollows(bench: Bench): Promise<void> {
  const files = Array.from({ length: podCount }, (_, index) => {
    const dir = join(bench.pods, `default_quiet-${index}_bench-uid`, 'app');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, '0.log');
    writeFileSync(file, line('started'));
    return file;
  });
  const tokens = await followerTokens(bench, sessionCount, 'follower');
  const pid = bench.logs.child.pid!;
  const paths = files.map((_, index) => `/logs/quiet-${index}?follow=true`);
  const alone = await openFollows(bench.logs.url, { count: 1, paths, tokens });
  alone.close();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const idleAlone = await cpuShare(pid, bench.seconds);
  const follows = await openFollows(bench.logs.url, { count: followCount, paths, tokens });
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const idle = await cpuShare(pid, bench.seconds);
  const { rssMb } = processUsage(pid);
  const delivered = await follows.delivery(
    'MARKER',
    () => files.forEach((file) => appendFileSync(file, line('MARKER'))),
    10_000,
  );
  follows.close();
  const open = followCount - follows.failed;
  const p99 = percentile(delivered, 99);
  const headersP99 = percentile(follows.headersMs, 99);
  const title = `7 ${open} quiet follows`;
  report(
    `${title}: idle CPU`,
    `${(idle * 100).toFixed(1)} % of a core`,
    `target 10 % (none open: ${(idleAlone * 100).toFixed(1)} %)`,
    idle / 0.1,
    '< 1.00x',
    idle < 0.1,
  );
  report(`${title}: RSS`, `${Math.round(rssMb)} MB`, 'target 600 MB', rssMb / 600, '< 1.00x', rssMb < 600);
  report(
    `${title}: a new line, p99`,
    `${Math.round(p99)} ms, ${delivered.length} of ${open}`,
    'target 2000 ms',
    p99 / 2000,
    '< 1.00x',
    p99 < 2000 && delivered.length === open && follows.failed === 0,
  );
  report(
    `${title}: headers, p99`,
    `${Math.round(headersP99)} ms`,
    `one follow alone ${Math.round(alone.headersMs[0] ?? 0)} ms`,
    headersP99 / Math.max(alone.headersMs[0] ?? 1, 1),
    'info',
    true,
  );
}
