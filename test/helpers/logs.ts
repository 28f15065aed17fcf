import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logsConfig } from '../../logs-app/config.js';
import { startLogsService, type LogsService } from '../../logs-app/service.js';
import { startAuth, testPassword, testServiceToken, type TestAuth } from './auth.js';
import { contractClient, type Client } from './http.js';

export interface TestStack {
  auth: TestAuth;
  logs: LogsService;
  request: Client;
  logLines: string[];
  /** The directory laid out like /var/log/pods. */
  podsDir: string;
  containerDir(namespace: string, pod: string, container: string): string;
  writeLog(namespace: string, pod: string, container: string, file: string, lines: string[]): string;
  appendLog(path: string, lines: string[]): void;
  tokenFor(username: string, permissions: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** A CRI log line as containerd writes it. */
export const cri = (time: string, content: string, tag: 'F' | 'P' = 'F', stream = 'stdout'): string =>
  `${time} ${stream} ${tag} ${content}`;

/** ISO time `seconds` after a fixed instant, with nanoseconds as the kubelet writes them. */
export const at = (seconds: number, base = Date.parse('2026-03-01T10:00:00Z')): string =>
  new Date(base + seconds * 1000).toISOString().replace('Z', '123456Z');

/** Real auth-app and logs-app on ephemeral ports, a temp pods directory; logs-app calls auth-app over HTTP. */
export async function startStack(
  logsEnv: Record<string, string | undefined> = {},
  authEnv: Record<string, string | undefined> = {},
): Promise<TestStack> {
  const auth = await startAuth(authEnv);
  const root = mkdtempSync(join(tmpdir(), 'logs-test-'));
  const podsDir = join(root, 'pods');
  mkdirSync(podsDir);
  const logLines: string[] = [];
  const config = logsConfig({
    LOGS_PORT: '0',
    LOGS_DIR: podsDir,
    LOGS_AUTH_URL: auth.url,
    LOGS_SERVICE_TOKEN: testServiceToken,
    LOGS_FOLLOW_POLL_MS: '50',
    LOGS_LOG_LEVEL: 'info',
    ...logsEnv,
  });
  const logs = await startLogsService(config, {
    logDestination: { write: (line: string) => void logLines.push(line) },
  });
  /**
   * Warm paths are what most tests mean: verdicts are kept only once the change feed is live. With another service
   * token than auth-app's it never is, and that stack asks auth-app for every check.
   */
  if (config.auth.serviceToken === testServiceToken) await logs.changeFeed.whenLive();
  const containerDir = (namespace: string, pod: string, container: string) =>
    join(podsDir, `${namespace}_${pod}_0b7f5e58-uid-${pod.length}`, container);
  let users = 0;
  return {
    auth,
    logs,
    request: contractClient('logs', () => logs.url),
    logLines,
    podsDir,
    containerDir,
    writeLog: (namespace, pod, container, file, lines) => {
      const dir = containerDir(namespace, pod, container);
      mkdirSync(dir, { recursive: true });
      const path = join(dir, file);
      writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
      return path;
    },
    appendLog: (path, lines) => appendFileSync(path, lines.map((line) => `${line}\n`).join('')),
    tokenFor: async (username, permissions) => {
      users += 1;
      const name = `${username}${users}`;
      await auth.addUser(name, testPassword, permissions);
      return auth.login(name, testPassword);
    },
    stop: async () => {
      await logs.stop();
      await auth.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
