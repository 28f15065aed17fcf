import { randomUUID } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { Agent, request } from 'undici';
import { hashPassword } from '../auth-app/passwords.js';
import { openStore } from '../auth-app/store/open.js';
import type { Store } from '../auth-app/store/store.js';
import { percentile } from '../test/helpers/follow-load.js';
import { ms, report } from './report.js';
import type { Bench } from './scenarios.js';
import { backgroundLoad } from './wrk.js';

const revocations = 1000;
const logouts = 200;
const followEnds = 100;

interface Subject {
  id: string;
  token: string;
}

async function login(bench: Bench, username: string): Promise<string> {
  const response = await fetch(`${bench.auth.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: bench.password }),
  });
  return ((await response.json()) as { token: string }).token;
}

/** Users made as the admin CLI makes them, from this process, each signed in once. */
async function subjects(bench: Bench, store: Store, prefix: string, count: number): Promise<Subject[]> {
  const passwordHash = await hashPassword(bench.password);
  const made: Subject[] = [];
  for (let index = 0; index < count; index += 1) {
    const id = randomUUID();
    const username = `${prefix}-${index}`;
    await store.createUser({ id, username, passwordHash, permissions: ['logs:read'], createdAt: Date.now() });
    made.push({ id, token: await login(bench, username) });
  }
  return made;
}

/** Asks logs-app for the bench pod until it answers `status`: how long that took, and how many asks it made. */
function prober(bench: Bench) {
  const dispatcher = new Agent({ connections: 1 });
  const url = `${bench.logs.url}/logs/bench?tailLines=1`;
  const ask = async (token: string) => {
    const { statusCode, body } = await request(url, { headers: { authorization: `Bearer ${token}` }, dispatcher });
    await body.dump();
    return statusCode;
  };
  return {
    ask,
    until: async (token: string, status: number): Promise<{ ms: number; asks: number }> => {
      const started = performance.now();
      let asks = 1;
      while ((await ask(token)) !== status) {
        asks += 1;
        if (performance.now() - started > 10_000) throw new Error(`logs-app did not answer ${status} within 10 s`);
      }
      return { ms: performance.now() - started, asks };
    },
    close: () => dispatcher.close(),
  };
}

function reportLatency(title: string, times: number[], firstAsk: number, targetMs: number): void {
  const p50 = percentile(times, 50);
  const p99 = percentile(times, 99);
  report(
    title,
    `p50 ${ms(p50)}, p99 ${ms(p99)}`,
    `target p99 ${targetMs} ms; ${firstAsk} of ${times.length} at the first ask`,
    p99 / targetMs,
    '< 1.00x',
    p99 < targetMs,
  );
}

/** Scenario 1's load on logs-app while `measure` runs. */
async function underLoad(bench: Bench, measure: () => Promise<void>): Promise<void> {
  const load = backgroundLoad({
    url: `${bench.logs.url}/logs/bench?tailLines=10`,
    connections: bench.connections,
    headers: bench.headers,
  });
  if (!load.running) process.stdout.write('13/14: no wrk, so measured without load (apt-get install wrk)\n');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  try {
    await measure();
  } finally {
    await load.stop();
  }
}

/**
 * Scenario 13: how long after a change commits logs-app refuses a session whose verdict it keeps, under scenario 1's
 * load. Revocations are written by this process as the admin CLI writes them (auth-app hears of them through
 * SQLite's data_version); logouts go through auth-app itself. Each is timed from the write's return to the first
 * refused answer, asking back to back.
 */
export async function changeToRefusal(bench: Bench): Promise<void> {
  const store = await openStore(bench.databaseUrl, { poolSize: 1, connectTimeoutMs: 1000, queryTimeoutMs: 1000 });
  const probe = prober(bench);
  try {
    const [subject] = await subjects(bench, store, 'revoked', 1);
    await underLoad(bench, async () => {
      const revoked: number[] = [];
      let revokedAtOnce = 0;
      for (let round = 0; round < revocations; round += 1) {
        await store.setPermissions(subject!.id, ['logs:read']);
        await probe.until(subject!.token, 200);
        if ((await probe.ask(subject!.token)) !== 200) throw new Error('the granted session was refused');
        await store.setPermissions(subject!.id, []);
        const { ms: took, asks } = await probe.until(subject!.token, 403);
        revoked.push(took);
        if (asks === 1) revokedAtOnce += 1;
      }
      reportLatency('13 change to refusal: revocation by the CLI', revoked, revokedAtOnce, 100);
      const loggedOut: number[] = [];
      let loggedOutAtOnce = 0;
      for (let round = 0; round < logouts; round += 1) {
        const token = await login(bench, 'revoked-0');
        await store.setPermissions(subject!.id, ['logs:read']);
        await probe.until(token, 200);
        await fetch(`${bench.auth.url}/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
        const { ms: took, asks } = await probe.until(token, 401);
        loggedOut.push(took);
        if (asks === 1) loggedOutAtOnce += 1;
      }
      reportLatency('13 change to refusal: logout at auth-app', loggedOut, loggedOutAtOnce, 100);
    });
  } finally {
    await probe.close();
    await store.close();
  }
}

/** A followed log of the bench pod, once its first line has arrived; `ended` resolves when it ends. */
function follow(bench: Bench, token: string): Promise<{ ended: Promise<void> }> {
  return new Promise((opened, failed) => {
    const outgoing = httpGet(
      `${bench.logs.url}/logs/bench?follow=true&tailLines=1`,
      { headers: { authorization: `Bearer ${token}`, accept: 'text/plain' } },
      (response) => {
        if (response.statusCode !== 200) return failed(new Error(`a follow answered ${response.statusCode}`));
        const ended = new Promise<void>((resolve) => response.on('close', resolve));
        response.once('data', () => opened({ ended }));
        response.resume();
      },
    );
    outgoing.on('error', failed);
  });
}

/** Scenario 14: how long after a revocation by the CLI a followed log of that session ends, under load. */
export async function followEnd(bench: Bench): Promise<void> {
  const store = await openStore(bench.databaseUrl, { poolSize: 1, connectTimeoutMs: 1000, queryTimeoutMs: 1000 });
  try {
    const followers = await subjects(bench, store, 'followed', followEnds);
    await underLoad(bench, async () => {
      const times: number[] = [];
      for (const follower of followers) {
        const { ended } = await follow(bench, follower.token);
        const revoked = performance.now();
        await store.setPermissions(follower.id, []);
        await ended;
        times.push(performance.now() - revoked);
      }
      const p99 = percentile(times, 99);
      report(
        '14 a followed log ends after a revocation',
        `p50 ${ms(percentile(times, 50))}, p99 ${ms(p99)}`,
        `target 1000 ms; recheck every ${process.env.LOGS_FOLLOW_RECHECK_MS ?? 5000} ms`,
        p99 / 1000,
        '< 1.00x',
        p99 < 1000,
      );
    });
  } finally {
    await store.close();
  }
}
