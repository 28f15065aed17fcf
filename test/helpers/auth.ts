import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authConfig, type AuthConfig } from '../../auth-app/config.js';
import { hashPassword } from '../../auth-app/passwords.js';
import { startAuthService, type AuthService } from '../../auth-app/service.js';
import { contractClient, type Client } from './http.js';

export class TestClock {
  constructor(public current = Date.now()) {}
  readonly now = (): number => this.current;
  advance(seconds: number): void {
    this.current += seconds * 1000;
  }

  /** Keeps in step with real time (for a test where another service's clock, the real one, must agree); stops when told. */
  keepUp(): () => void {
    const step = setInterval(() => (this.current = Date.now()), 5);
    this.current = Date.now();
    return () => clearInterval(step);
  }
}

export interface TestAuth {
  service: AuthService;
  url: string;
  dir: string;
  databaseUrl: string;
  clock: TestClock;
  logLines: string[];
  request: Client;
  addUser(username: string, password: string, permissions?: string[]): Promise<void>;
  login(username: string, password: string): Promise<string>;
  /** Stops and starts again on the same port and database, after `whileDown` when given. */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export const testPassword = 'correct horse battery staple';

export const testServiceToken = 'service-token-for-tests-0123456789abcdef';

/** What a service sends to be answered by POST /auth/validate and /auth/validate/batch. */
export const serviceHeaders = { 'x-service-token': testServiceToken };

/**
 * A real auth-app on an ephemeral port with its own SQLite file (or the given database), the test service token,
 * a test clock and captured logs.
 */
export async function startAuth(env: Record<string, string | undefined> = {}): Promise<TestAuth> {
  const dir = mkdtempSync(join(tmpdir(), 'auth-test-'));
  const databaseUrl = env.AUTH_DATABASE_URL ?? `sqlite:${join(dir, 'auth.db')}`;
  const config: AuthConfig = authConfig({
    AUTH_PORT: '0',
    AUTH_LOG_LEVEL: 'info',
    AUTH_SERVICE_TOKEN: testServiceToken,
    ...env,
    AUTH_DATABASE_URL: databaseUrl,
  });
  const clock = new TestClock();
  const logLines: string[] = [];
  const logDestination = { write: (line: string) => void logLines.push(line) };
  const start = (port = config.port) => startAuthService({ ...config, port }, { now: clock.now, logDestination });
  let service = await start();
  const auth: TestAuth = {
    get service() {
      return service;
    },
    get url() {
      return service.url;
    },
    dir,
    databaseUrl,
    clock,
    logLines,
    request: contractClient('auth', () => service.url),
    addUser: async (username, password, permissions = []) => {
      const passwordHash = await hashPassword(password);
      await service.store.createUser({ id: randomUUID(), username, passwordHash, permissions, createdAt: clock.now() });
    },
    login: async (username, password) => {
      const response = await auth.request('/auth/login', { method: 'POST', json: { username, password } });
      if (response.status !== 200)
        throw new Error(`login of ${username} answered ${response.status}: ${response.text}`);
      return (response.json as { token: string }).token;
    },
    restart: async (whileDown) => {
      const port = Number(new URL(service.url).port);
      await service.stop();
      await whileDown?.();
      service = await start(port);
    },
    stop: async () => {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return auth;
}
