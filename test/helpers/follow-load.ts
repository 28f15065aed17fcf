import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

/** What the kernel says of a process: CPU seconds so far, resident memory, open descriptors. */
export function processUsage(pid: number): { cpuSeconds: number; rssMb: number; fds: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  /** utime and stime, in clock ticks: 100 a second on Linux. */
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuSeconds, rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

const eachDescriptor = (pid: number, read: (fd: string) => string): string[] =>
  readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [read(fd)];
    } catch {
      /** Closed since it was listed. */
      return [];
    }
  });

/** Where each open descriptor of a process leads: a path, `socket:[inode]`, `anon_inode:inotify`, ... */
export const descriptorTargets = (pid: number): string[] =>
  eachDescriptor(pid, (fd) => readlinkSync(`/proc/${pid}/fd/${fd}`));

/** The inode each inotify watch of a process is on, one a watch (`inotify wd:` lines of /proc/<pid>/fdinfo). */
export const inotifyWatches = (pid: number): number[] =>
  eachDescriptor(pid, (fd) => readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8')).flatMap((info) =>
    [...info.matchAll(/^inotify wd:\S+ ino:([0-9a-f]+)/gm)].map((match) => Number.parseInt(match[1]!, 16)),
  );

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
  path: string;
  /** Takes what arrives after the status line was seen; nothing is kept when none listens. */
  onText?: (text: string) => void;
}

export interface OpenFollows {
  /** Milliseconds from each request to its answer's status line. */
  headersMs: number[];
  /** How many were refused or never answered. */
  failed: number;
  /** The path each open follower follows, in the order `listen` numbers them. */
  paths: string[];
  /** Milliseconds from `write()` until each follower received `marker`; undelivered ones are left out. */
  delivery(marker: string, write: () => void, timeoutMs: number): Promise<number[]>;
  /** Hands what each follower receives from now on to `onText`, as it arrives, for a run of many lines. */
  listen(onText: (follower: number, text: string) => void): void;
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
    const path = options.paths[index % options.paths.length]!;
    const follower: Follower = { socket, path };
    const started = performance.now();
    let statusSeen = false;
    const answered = new Promise<boolean>((resolve) => {
      socket.on('data', (text: string) => {
        if (!statusSeen) {
          statusSeen = true;
          resolve(text.startsWith('HTTP/1.1 200'));
          headersMs.push(performance.now() - started);
        }
        follower.onText?.(text);
      });
      socket.once('close', () => resolve(false));
      setTimeout(resolve, 10_000, false);
    });
    socket.on('error', () => {});
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
    paths: followers.map((follower) => follower.path),
    delivery: async (marker, write, timeoutMs) => {
      const times: number[] = [];
      const started = performance.now();
      const arrivals = followers.map(
        (follower) =>
          new Promise<void>((resolve) => {
            let received = '';
            follower.onText = (text) => {
              received += text;
              if (!received.includes(marker)) return;
              times.push(performance.now() - started);
              follower.onText = undefined;
              resolve();
            };
            setTimeout(resolve, timeoutMs);
          }),
      );
      write();
      await Promise.all(arrivals);
      return times;
    },
    listen: (onText) => followers.forEach((follower, index) => (follower.onText = (text) => onText(index, text))),
    close: () => {
      for (const { socket } of followers) socket.destroy();
    },
  };
}
