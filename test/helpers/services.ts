import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeArguments, repoRoot } from './processes.js';

export interface Running {
  url: string;
  child: ChildProcess;
  /** Where its output goes: one JSON line a log record. */
  logPath: string;
  stop(): Promise<void>;
}

/** Where the process runs (the repo by default), and node's own flags before the script. */
export interface ProcessOptions {
  cwd?: string;
  nodeFlags?: string[];
}

/**
 * Starts an entry point in its own process (TypeScript through tsx, or the compiled JavaScript in dist/), its
 * output into a file, and waits for its "listening" line.
 */
export async function startProcess(
  script: string,
  env: Record<string, string>,
  logDir: string,
  name: string,
  { cwd = repoRoot, nodeFlags = [] }: ProcessOptions = {},
): Promise<Running> {
  const logPath = join(logDir, `${name}.log`);
  const out = openSync(logPath, 'w');
  const child = spawn(process.execPath, [...nodeFlags, ...nodeArguments(script)], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', out, 'inherit'],
  });
  closeSync(out);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = readFileSync(logPath, 'utf8')
      .split('\n')
      .find((each) => each.includes('listening'));
    if (line) {
      const { url } = JSON.parse(line) as { url: string };
      return {
        url,
        child,
        logPath,
        stop: async () => {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          await new Promise((resolve) => child.once('exit', resolve));
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start; see ${logPath}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Peak resident memory of a process so far, from the kernel's high-water mark. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}
