import { once } from 'node:events';
import { appendFileSync, createWriteStream, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { gzipBomb } from '../helpers/archives.js';
import { cri } from '../helpers/logs.js';
import { cpuShare, openFollows, percentile, processUsage } from '../helpers/follow-load.js';
import type { ReliabilityStack } from './stack.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const time = (index: number) => new Date(Date.UTC(2026, 0, 2, 0, 0, 0, index)).toISOString();

/** The longest /healthz took to answer while `work` ran: how long the event loop was held. */
async function loopHeld<T>(logsUrl: string, work: () => Promise<T>): Promise<{ result: T; heldMs: number }> {
  let heldMs = 0;
  let running = true;
  const pinging = (async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${logsUrl}/healthz`);
      heldMs = Math.max(heldMs, performance.now() - started);
      await pause(20);
    }
  })();
  try {
    return { result: await work(), heldMs };
  } finally {
    running = false;
    await pinging;
  }
}

/** Bytes of one whole answer, counted as they arrive and thrown away. */
function download(url: string, token: string, accept: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { authorization: `Bearer ${token}`, accept } }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const mb = (value: number) => `${Math.round(value)} MB`;

export interface AbandonedFigures {
  sent: number;
  recorded: number;
  checksAfter: number;
  rssMb: number;
}

/** Follows whose clients leave while their session is being checked: each recorded, none checked ever again. */
export async function abandonedFollows(stack: ReliabilityStack, count: number): Promise<AbandonedFigures> {
  const [token] = await stack.sessions(1, 'abandoning');
  writeFileSync(join(stack.containerDir('abandoned'), '0.log'), `${cri(time(0), 'hello')}\n`);
  const url = new URL(stack.logs.url);
  const before = stack.logsOutput().split('"pod":"abandoned"').length;
  for (let start = 0; start < count; start += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - start) }, async () => {
        const socket = connect(Number(url.port), url.hostname);
        socket.on('error', () => {});
        await once(socket, 'connect');
        socket.write(`GET /logs/abandoned?follow=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`);
        await pause(1);
        socket.destroy();
      }),
    );
  }
  const recorded = () => stack.logsOutput().split('"pod":"abandoned"').length - before;
  for (let waited = 0; recorded() < count && waited < 20_000; waited += 100) await pause(100);
  await pause(1000);
  const checks = stack.authCalls('/auth/validate/batch');
  await pause(3000);
  return {
    sent: count,
    recorded: recorded(),
    checksAfter: stack.authCalls('/auth/validate/batch') - checks,
    rssMb: processUsage(stack.logs.child.pid!).rssMb,
  };
}

export const describeAbandoned = (figures: AbandonedFigures): string =>
  `abandoned follows: ${figures.sent} sent, ${figures.recorded} recorded, ${figures.checksAfter} checks after, RSS ${mb(figures.rssMb)}`;

export interface QuietFigures {
  follows: number;
  failed: number;
  headersP99Ms: number;
  idleCpu: number;
  rssMb: number;
  fdsHeld: number;
  fdsLeft: number;
  deliveredShare: number;
  deliveryP99Ms: number;
}

/** Many quiet follows of a few pods: what they cost at idle, how soon an appended line reaches every one. */
export async function quietFollows(stack: ReliabilityStack, count: number, idleSeconds: number): Promise<QuietFigures> {
  const pods = Array.from({ length: 20 }, (_, index) => `quiet-${index}`);
  const files = pods.map((pod) => {
    const file = join(stack.containerDir(pod), '0.log');
    writeFileSync(file, `${cri(time(0), `${pod} started`)}\n`);
    return file;
  });
  const tokens = await stack.sessions(Math.ceil(count / 50), 'follower');
  const pid = stack.logs.child.pid!;
  const fdsBefore = processUsage(pid).fds;
  const follows = await openFollows(stack.logs.url, {
    count,
    paths: pods.map((pod) => `/logs/${pod}?follow=true`),
    tokens,
  });
  await pause(2000);
  const idleCpu = await cpuShare(pid, idleSeconds);
  const held = processUsage(pid);
  const delivered = await follows.delivery(
    'MARKER-appended',
    () => files.forEach((file) => appendFileSync(file, `${cri(time(1), 'MARKER-appended')}\n`)),
    10_000,
  );
  follows.close();
  await pause(2000);
  return {
    follows: count - follows.failed,
    failed: follows.failed,
    headersP99Ms: percentile(follows.headersMs, 99),
    idleCpu,
    rssMb: held.rssMb,
    fdsHeld: held.fds - fdsBefore,
    fdsLeft: processUsage(pid).fds - fdsBefore,
    deliveredShare: delivered.length / (count - follows.failed),
    deliveryP99Ms: percentile(delivered, 99),
  };
}

export const describeQuiet = (figures: QuietFigures): string =>
  `quiet follows: ${figures.follows} open (${figures.failed} refused), headers p99 ${Math.round(figures.headersP99Ms)} ms, ` +
  `idle CPU ${(figures.idleCpu * 100).toFixed(1)} % of a core, RSS ${mb(figures.rssMb)}, ${figures.fdsHeld} fds held ` +
  `(${figures.fdsLeft} left after), ${(figures.deliveredShare * 100).toFixed(1)} % got a new line, p99 ${Math.round(figures.deliveryP99Ms)} ms`;

/** Log lines of about 100 bytes, `mib` MiB of them, gzipped as the kubelet rotates them. */
async function rotatedGzip(path: string, mib: number): Promise<void> {
  const lines = (function* () {
    const block: string[] = [];
    for (let index = 0; index < mib * 10_486; index += 1) {
      block.push(cri(time(index), `request ${index} took ${index % 997} ms from 10.0.${index % 255}.${index % 7}`));
      if (block.length === 1000) yield `${block.splice(0).join('\n')}\n`;
    }
    if (block.length > 0) yield `${block.join('\n')}\n`;
  })();
  await pipeline(Readable.from(lines), createGzip({ level: 1 }), createWriteStream(path));
}

export interface GzipFigures {
  archiveMib: number;
  readers: number;
  sameAnswers: boolean;
  rssGrowthMb: number;
  heldMs: number;
  bombHeldMs: number;
}

/** One large rotated archive read whole by four clients at once, then a bomb asked for twice. */
export async function rotatedArchives(
  stack: ReliabilityStack,
  token: string,
  archiveMib: number,
): Promise<GzipFigures> {
  const dir = stack.containerDir('archived');
  await rotatedGzip(join(dir, '0.log.20260102-000000.gz'), archiveMib);
  writeFileSync(join(dir, '0.log'), `${cri(time(0), 'live')}\n`);
  const bombDir = stack.containerDir('bombed');
  await gzipBomb(join(bombDir, '0.log.20260102-000000.gz'), 300);
  writeFileSync(join(bombDir, '0.log'), `${cri(time(0), 'live')}\n`);
  const pid = stack.logs.child.pid!;
  const rssBefore = processUsage(pid).rssMb;
  let peak = rssBefore;
  const sampling = setInterval(() => (peak = Math.max(peak, processUsage(pid).rssMb)), 50);
  const { result: answers, heldMs } = await loopHeld(stack.logs.url, () =>
    Promise.all(Array.from({ length: 4 }, () => download(`${stack.logs.url}/logs/archived`, token, 'text/plain'))),
  );
  clearInterval(sampling);
  const { heldMs: bombHeldMs } = await loopHeld(stack.logs.url, async () => {
    for (let index = 0; index < 2; index += 1) {
      await download(`${stack.logs.url}/logs/bombed`, token, 'application/json');
    }
  });
  return {
    archiveMib,
    readers: answers.length,
    sameAnswers: answers.every((answer) => answer.status === 200 && answer.bytes === answers[0]!.bytes),
    rssGrowthMb: peak - rssBefore,
    heldMs,
    bombHeldMs,
  };
}

export const describeGzip = (figures: GzipFigures): string =>
  `gzip: ${figures.archiveMib} MiB archive read by ${figures.readers} at once, RSS +${mb(figures.rssGrowthMb)}, ` +
  `loop held ${Math.round(figures.heldMs)} ms; a 300 MiB bomb twice, loop held ${Math.round(figures.bombHeldMs)} ms`;

export interface EndlessFigures {
  logMib: number;
  longestLineBytes: number;
  rssGrowthMb: number;
  heldMs: number;
}

/** A log an application writes without a newline, as partial pieces: three tails of one line at once. */
export async function newlineLess(stack: ReliabilityStack, token: string, logMib: number): Promise<EndlessFigures> {
  const file = join(stack.containerDir('endless'), '0.log');
  const piece = 'y'.repeat(16 * 1024);
  const pieces = Array.from({ length: 64 }, (_, index) => `${cri(time(index), piece, 'P')}\n`).join('');
  writeFileSync(file, '');
  for (let written = 0; written < logMib * 1024 * 1024; written += pieces.length) appendFileSync(file, pieces);
  const pid = stack.logs.child.pid!;
  const rssBefore = processUsage(pid).rssMb;
  let peak = rssBefore;
  const sampling = setInterval(() => (peak = Math.max(peak, processUsage(pid).rssMb)), 50);
  const { result: answers, heldMs } = await loopHeld(stack.logs.url, () =>
    Promise.all(
      Array.from({ length: 3 }, async () => {
        const response = await fetch(`${stack.logs.url}/logs/endless?tailLines=1`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return (await response.json()) as { lines: string[] };
      }),
    ),
  );
  clearInterval(sampling);
  return {
    logMib,
    longestLineBytes: Math.max(...answers.flatMap((answer) => answer.lines.map((line) => Buffer.byteLength(line)))),
    rssGrowthMb: peak - rssBefore,
    heldMs,
  };
}

export const describeEndless = (figures: EndlessFigures): string =>
  `newline-less: ${figures.logMib} MiB, 3 tails of one line, longest ${figures.longestLineBytes} bytes, ` +
  `RSS +${mb(figures.rssGrowthMb)}, loop held ${Math.round(figures.heldMs)} ms`;
