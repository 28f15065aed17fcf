import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../auth-app/passwords.js';
import { openStore } from '../../auth-app/store/open.js';
import { testPassword } from './auth.js';
import { finished, spawnScript, waitForLine } from './processes.js';

export interface StartedPair {
  child: ChildProcess;
  authUrl: string;
  logsUrl: string;
  /** Where logs-app says browsers reach it. */
  logsPublicUrl: string;
  /** The log directory, empty, laid out like /var/log/pods. */
  podsDir: string;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
  /** Kills what is left and removes the files. */
  cleanUp(): void;
}

/** `npm start` (start.ts) in its own process on ephemeral ports, over a new SQLite file where alice already is. */
export async function startPair(permissions: string[], env: Record<string, string> = {}): Promise<StartedPair> {
  const dir = mkdtempSync(join(tmpdir(), 'start-'));
  const databaseUrl = `sqlite:${join(dir, 'auth.db')}`;
  const store = await openStore(databaseUrl, { poolSize: 1, connectTimeoutMs: 1000, queryTimeoutMs: 1000 });
  const passwordHash = await hashPassword(testPassword);
  await store.createUser({ id: randomUUID(), username: 'alice', passwordHash, permissions, createdAt: 0 });
  await store.close();
  const podsDir = join(dir, 'pods');
  mkdirSync(podsDir);
  const child = spawnScript('start.ts', [], {
    AUTH_PORT: '0',
    LOGS_PORT: '0',
    AUTH_DATABASE_URL: databaseUrl,
    LOGS_DIR: podsDir,
    ...env,
  });
  const cleanUp = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const authLine = waitForLine(child, /auth-app listening/);
  const lines = await Promise.all([authLine, waitForLine(child, /logs-app listening/)]).catch((error: unknown) => {
    cleanUp();
    throw error;
  });
  const [{ url: authUrl }, logs] = lines.map((line) => JSON.parse(line) as { url: string; publicUrl: string }) as [
    { url: string },
    { url: string; publicUrl: string },
  ];
  const exited = finished(child);
  return {
    child,
    authUrl,
    logsUrl: logs.url,
    logsPublicUrl: logs.publicUrl,
    podsDir,
    stop: async () => {
      child.kill('SIGTERM');
      return (await exited).code;
    },
    cleanUp,
  };
}
