import {
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  descriptorTargets,
  inotifyWatches,
  openFollows,
  percentile,
  processUsage,
  type OpenFollows,
} from '../test/helpers/follow-load.js';
import { peakRssMb } from '../test/helpers/services.js';
import { followerTokens, line } from './follows.js';
import { report } from './report.js';
import type { Bench } from './scenarios.js';

const podCount = 10;
const readersPerPod = 100;
const readerCount = podCount * readersPerPod;
/** Each pod writes a line this often, the pods spread evenly over the interval. */
const lineEveryMs = 100;
/** LOGS_FOLLOW_RECHECK_MS, its default, given explicitly: each session is asked again this often. */
const recheckMs = 5000;
const targets = { p99Ms: 1500, rssMb: 400, checksPerCall: 10 };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Wall-clock milliseconds with a fraction, the same in every process of the machine. */
const now = () => performance.timeOrigin + performance.now();
const marked = /pod=(\d+) seq=(\d+) at=([\d.]+)\n/g;

interface FollowedPod {
  name: string;
  dir: string;
  file: string;
}

function followedPod(root: string, index: number): FollowedPod {
  const name = `followed-${index}`;
  const dir = join(root, `default_${name}_bench-uid`, 'app');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, '0.log');
  writeFileSync(file, line('started'));
  return { name, dir: realpathSync(dir), file: realpathSync(file) };
}

/** Arrivals of the marked lines, each timed against the time written into it. */
class Arrivals {
  readonly latencies: number[] = [];
  /** By `pod:seq`: how many readers received the line, and the latest arrival. */
  readonly lines = new Map<string, { readers: number; lastMs: number }>();
  private readonly pending: string[] = [];

  listen(follows: OpenFollows, first: number): void {
    follows.listen((follower, text) => this.received(first + follower, text));
  }

  private received(reader: number, text: string): void {
    const arrived = now();
    const joined = (this.pending[reader] ?? '') + text;
    const end = joined.lastIndexOf('\n') + 1;
    this.pending[reader] = joined.slice(end);
    for (const [, pod, seq, at] of joined.slice(0, end).matchAll(marked)) {
      const latency = arrived - Number(at);
      this.latencies.push(latency);
      const key = `${pod}:${seq}`;
      const seen = this.lines.get(key) ?? { readers: 0, lastMs: 0 };
      seen.readers += 1;
      seen.lastMs = Math.max(seen.lastMs, latency);
      this.lines.set(key, seen);
    }
  }
}

/** Appends a marked line to each pod every `lineEveryMs`, the pods spread over the interval, until stopped. */
function writeLines(pods: FollowedPod[]): { stop: () => number[] } {
  const written = pods.map(() => 0);
  const fds = pods.map((pod) => openSync(pod.file, 'a'));
  const timers: NodeJS.Timeout[] = [];
  const starting = pods.map((_, pod) =>
    setTimeout(
      () => {
        let seq = 0;
        const writeOne = () => {
          writeSync(fds[pod]!, line(`pod=${pod} seq=${seq} at=${now().toFixed(3)}`));
          seq += 1;
          written[pod] = seq;
        };
        writeOne();
        timers.push(setInterval(writeOne, lineEveryMs));
      },
      (pod * lineEveryMs) / podCount,
    ),
  );
  return {
    stop: () => {
      starting.forEach(clearTimeout);
      timers.forEach(clearInterval);
      fds.forEach((fd) => closeSync(fd));
      return written;
    },
  };
}

/** What logs-app holds for the followed files: descriptors on each, watches on each one's directory, sockets. */
function held(pid: number, pods: FollowedPod[]) {
  const targetsNow = descriptorTargets(pid);
  const watched = inotifyWatches(pid);
  const directoryInodes = pods.map((pod) => statSync(pod.dir).ino);
  return {
    fdsPerFile: pods.map((pod) => targetsNow.filter((target) => target === pod.file).length),
    otherLogFiles: targetsNow.filter((target) => target.endsWith('.log') && !pods.some((pod) => pod.file === target))
      .length,
    sockets: targetsNow.filter((target) => target.startsWith('socket:')).length,
    watchesPerFile: directoryInodes.map((inode) => watched.filter((each) => each === inode).length),
    watches: watched.length,
    rssMb: processUsage(pid).rssMb,
  };
}

/** Validation calls auth-app logged between two wall-clock times, and the checks they carried. */
function validationsBetween(logPath: string, fromMs: number, toMs: number): { calls: number; checks: number } {
  let calls = 0;
  let checks = 0;
  for (const text of readFileSync(logPath, 'utf8').split('\n')) {
    if (!text.includes('/auth/validate')) continue;
    const record = JSON.parse(text) as { time: number; path: string; checks?: number };
    if (record.time < fromMs || record.time >= toMs) continue;
    calls += 1;
    checks += record.path === '/auth/validate/batch' ? (record.checks ?? 0) : 1;
  }
  return { calls, checks };
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const everyOne = (values: number[]) => values.every((value) => value === 1);
const cpuOf = (pid: number) => processUsage(pid).cpuSeconds;
const benchCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/**
 * 1,000 followed logs of 10 busy pods (100 readers each, each on its own connection with its own session): how
 * soon a line written reaches its readers, and what logs-app holds and asks auth-app meanwhile.
 */
export async function followedStreams(bench: Bench): Promise<void> {
  const pods = Array.from({ length: podCount }, (_, index) => followedPod(bench.pods, index));
  const tokens = await followerTokens(bench, readerCount, 'reader');
  const logs = await bench.startLogs('logs-followed', { LOGS_FOLLOW_RECHECK_MS: String(recheckMs) });
  const pid = logs.child.pid!;
  const paths = pods.map((pod) => `/logs/${pod.name}?follow=true`);
  const few = await openFollows(logs.url, { count: podCount, paths, tokens: tokens.slice(0, podCount) });
  await pause(1000);
  const fewHeld = held(pid, pods);
  const many = await openFollows(logs.url, { count: readerCount - podCount, paths, tokens: tokens.slice(podCount) });
  await pause(2000);
  const arrivals = new Arrivals();
  arrivals.listen(few, 0);
  arrivals.listen(many, few.paths.length);
  const rss: number[] = [];
  const sampling = setInterval(() => rss.push(processUsage(pid).rssMb), 250);
  const cpuBefore = { logs: cpuOf(pid), auth: cpuOf(bench.auth.child.pid!), bench: benchCpu() };
  const startedMs = Date.now();
  const writer = writeLines(pods);
  await pause(bench.seconds * 1000);
  const written = writer.stop();
  const endedMs = Date.now();
  const cpu = {
    logs: (cpuOf(pid) - cpuBefore.logs) / bench.seconds,
    auth: (cpuOf(bench.auth.child.pid!) - cpuBefore.auth) / bench.seconds,
    bench: (benchCpu() - cpuBefore.bench) / bench.seconds,
  };
  const manyHeld = held(pid, pods);
  await pause(3000);
  clearInterval(sampling);
  const peakMb = peakRssMb(pid);
  few.close();
  many.close();
  await logs.stop();
  const validations = validationsBetween(bench.auth.logPath, startedMs, endedMs);

  const readerPaths = [...few.paths, ...many.paths];
  const open = readerPaths.length;
  const failed = few.failed + many.failed;
  const expected = sum(readerPaths.map((path) => written[paths.indexOf(path)]!));
  const delivered = arrivals.latencies.length;
  const p50 = percentile(arrivals.latencies, 50);
  const p99 = percentile(arrivals.latencies, 99);
  const lastP99 = percentile(
    [...arrivals.lines.values()].map((each) => each.lastMs),
    99,
  );
  const title = `10 ${open} follows of ${podCount} busy pods`;
  report(
    `${title}: a line, p99`,
    `${Math.round(p99)} ms (p50 ${Math.round(p50)} ms), ${delivered} of ${expected}`,
    `target ${targets.p99Ms} ms (the last reader ${Math.round(lastP99)} ms)`,
    p99 / targets.p99Ms,
    '< 1.00x',
    p99 < targets.p99Ms && delivered === expected && failed === 0,
  );
  const steadyMb = percentile(rss, 50);
  report(
    `${title}: RSS`,
    `peak ${Math.round(peakMb)} MB, steady ${Math.round(steadyMb)} MB`,
    `target ${targets.rssMb} MB (${podCount} readers: ${Math.round(fewHeld.rssMb)} MB)`,
    peakMb / targets.rssMb,
    '< 1.00x',
    peakMb < targets.rssMb,
  );
  const logFds = sum(manyHeld.fdsPerFile);
  report(
    `${title}: log file descriptors`,
    `${logFds} for ${podCount} files, ${manyHeld.sockets} sockets`,
    `${podCount} readers: ${sum(fewHeld.fdsPerFile)}, ${fewHeld.sockets} sockets`,
    logFds / podCount,
    '= 1.00x',
    everyOne(manyHeld.fdsPerFile) && everyOne(fewHeld.fdsPerFile),
  );
  const fileWatches = sum(manyHeld.watchesPerFile);
  report(
    `${title}: inotify watches`,
    `${fileWatches} for ${podCount} files, ${manyHeld.watches} in all`,
    `${podCount} readers: ${sum(fewHeld.watchesPerFile)}, ${fewHeld.watches} in all`,
    fileWatches / podCount,
    '= 1.00x',
    everyOne(manyHeld.watchesPerFile) && manyHeld.watches === fewHeld.watches,
  );
  const seconds = (endedMs - startedMs) / 1000;
  const unbatched = open / (recheckMs / 1000);
  const callsPerSecond = validations.calls / seconds;
  report(
    `${title}: auth-app rechecks`,
    `${Math.round(validations.checks / seconds)} checks/s in ${callsPerSecond.toFixed(1)} calls/s`,
    `unbatched ${unbatched} calls/s`,
    callsPerSecond / unbatched,
    `<= ${(1 / targets.checksPerCall).toFixed(2)}x`,
    callsPerSecond <= unbatched / targets.checksPerCall,
  );
  report(
    `${title}: CPU`,
    `logs-app ${Math.round(cpu.logs * 100)} %, auth-app ${Math.round(cpu.auth * 100)} %`,
    `the readers (bench) ${Math.round(cpu.bench * 100)} % of a core`,
    cpu.logs,
    'info',
    true,
  );
}
