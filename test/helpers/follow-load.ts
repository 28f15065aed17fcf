import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

/** What the kernel says of a process: CPU seconds so far, resident memory, open descriptors. */
export function processUsage(pid: number): { cpuSeconds: number; rssMb: number; fds: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  /** utime and stime, in clock ticks: 100 a second on Linux. */
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuSeconds, rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** The share of one core a process used over `seconds` from now. */
export async function cpuShare(pid: number, seconds: number): Promise<number> {
  const before = processUsage(pid).cpuSeconds;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return (processUsage(pid).cpuSeconds - before) / seconds;
}

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
};

interface Follower {
  socket: Socket;
  received: string;
  onData?: () => void;
}

export interface OpenFollows {
  /** Milliseconds from each request to its answer's status line. */
  headersMs: number[];
  /** How many were refused or never answered. */
  failed: number;
  /** Milliseconds from `write()` until each follower received `marker`; undelivered ones are left out. */
  delivery(marker: string, write: () => void, timeoutMs: number): Promise<number[]>;
  close(): void;
}

/**
 * Opens `count` followed logs on raw connections, spread over `paths` and `tokens`, `batch` connecting at a time,
 * as a fleet of `kubectl logs -f` would; each only reads.
 */
export async function openFollows(
  baseUrl: string,
  options: { count: number; paths: string[]; tokens: string[]; batch?: number },
): Promise<OpenFollows> {
  const url = new URL(baseUrl);
  const followers: Follower[] = [];
  const headersMs: number[] = [];
  let failed = 0;
  const openOne = async (index: number) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.setEncoding('utf8');
    await once(socket, 'connect');
    const follower: Follower = { socket, received: '' };
    const started = performance.now();
    const answered = new Promise<boolean>((resolve) => {
      socket.on('data', (text: string) => {
        if (follower.received === '') {
          resolve(text.startsWith('HTTP/1.1 200'));
          headersMs.push(performance.now() - started);
        }
        follower.received += text;
        follower.onData?.();
      });
      socket.once('close', () => resolve(false));
      setTimeout(resolve, 10_000, false);
    });
    socket.on('error', () => {});
    const path = options.paths[index % options.paths.length]!;
    const token = options.tokens[index % options.tokens.length]!;
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/plain\r\nAuthorization: Bearer ${token}\r\n\r\n`,
    );
    if (await answered) followers.push(follower);
    else {
      failed += 1;
      socket.destroy();
    }
  };
  const batch = options.batch ?? 500;
  for (let start = 0; start < options.count; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, options.count - start) }, (_, offset) => openOne(start + offset)),
    );
  }
  return {
    headersMs,
    failed,
    delivery: async (marker, write, timeoutMs) => {
      const times: number[] = [];
      const started = performance.now();
      const arrivals = followers.map(
        (follower) =>
          new Promise<void>((resolve) => {
            const check = () => {
              if (!follower.received.includes(marker)) return;
              times.push(performance.now() - started);
              follower.onData = undefined;
              resolve();
            };
            follower.onData = check;
            setTimeout(resolve, timeoutMs);
          }),
      );
      write();
      await Promise.all(arrivals);
      return times;
    },
    close: () => {
      for (const { socket } of followers) socket.destroy();
    },
  };
}
