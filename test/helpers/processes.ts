import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point of the repo in its own Node process, as `npm run` would. */
export function runScript(script: string, args: string[], env: Record<string, string>, stdin = ''): Promise<Finished> {
  const child = spawnScript(script, args, env);
  child.stdin?.end(stdin);
  return finished(child);
}

/** Node's arguments for an entry point: TypeScript through tsx, or the compiled JavaScript in dist/ as it is. */
export const nodeArguments = (script: string): string[] =>
  script.endsWith('.ts') ? ['--import=tsx', script] : [script];

export function spawnScript(script: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...nodeArguments(script), ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export async function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Resolves with the first stdout line that matches, e.g. a service's "listening" log line. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms: ${buffered}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((each) => pattern.test(each));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', () => reject(new Error(`exited before a line matching ${pattern}: ${buffered}`)));
  });
}
