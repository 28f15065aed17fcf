import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished, repoRoot } from './processes.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real kubectl (on the PATH), with a kubeconfig and a discovery cache of its own so nothing of the machine's
 * leaks in. Runs asynchronously: the services under test often live in the test's own process.
 */
export class Kubectl {
  readonly dir = mkdtempSync(join(tmpdir(), 'kubectl-'));
  readonly kubeconfig = join(this.dir, 'config');

  constructor(private readonly env: Record<string, string> = {}) {
    writeFileSync(this.kubeconfig, '');
  }

  private args(args: string[]): string[] {
    return ['--kubeconfig', this.kubeconfig, '--cache-dir', join(this.dir, 'cache'), ...args];
  }

  private environment(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.dir, ...this.env };
  }

  run(...args: string[]): Promise<KubectlResult> {
    return new Promise((resolve) => {
      execFile('kubectl', this.args(args), { env: this.environment(), timeout: 30_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** A kubectl that keeps running (`logs -f`), its output read as it comes. */
  start(...args: string[]): ChildProcess {
    return spawn('kubectl', this.args(args), { env: this.environment(), stdio: ['ignore', 'pipe', 'pipe'] });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `npm run kubeconfig -- <args>`, as a user makes their kubeconfig. */
export const kubeconfigFor = (...args: string[]) =>
  finished(
    spawn('npm', ['run', '--silent', 'kubeconfig', '--', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
