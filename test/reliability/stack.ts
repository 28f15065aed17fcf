import { randomBytes, randomUUID } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../auth-app/passwords.js';
import { openStore } from '../../auth-app/store/open.js';
import { cri } from '../helpers/logs.js';
import { startProcess, type Running } from '../helpers/services.js';

export const password = 'reliability passphrase';
export const canary = 'CANARY-OUTSIDE-THE-LOG-DIRECTORY';

/** Both services as real processes on a SQLite file and a pods directory, their output kept in files. */
export class ReliabilityStack {
  readonly dir = mkdtempSync(join(tmpdir(), 'reliability-'));
  readonly pods = join(this.dir, 'pods');
  readonly databaseUrl = `sqlite:${join(this.dir, 'db', 'auth.db')}`;
  readonly serviceToken = randomBytes(32).toString('hex');
  auth!: Running;
  logs!: Running;
  private authPort = '0';
  private restarts = 0;

  async start(): Promise<void> {
    const lines = Array.from({ length: 200 }, (_, index) =>
      cri(new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(), `line ${index}`),
    );
    mkdirSync(join(this.pods, 'default_app_uid', 'main'), { recursive: true });
    writeFileSync(join(this.pods, 'default_app_uid', 'main', '0.log'), lines.map((line) => `${line}\n`).join(''));
    mkdirSync(join(this.dir, 'default_outside_uid', 'main'), { recursive: true });
    writeFileSync(join(this.dir, 'default_outside_uid', 'main', '0.log'), `${cri('2026-01-01T00:00:00Z', canary)}\n`);
    writeFileSync(join(this.dir, canary), canary);
    const store = await openStore(this.databaseUrl, { poolSize: 1, connectTimeoutMs: 1000, queryTimeoutMs: 1000 });
    for (const [username, permissions] of [
      ['reader', ['logs:read']],
      ['victim', []],
      ['owner', []],
    ] as const) {
      await store.createUser({
        id: randomUUID(),
        username,
        passwordHash: await hashPassword(password),
        permissions: [...permissions],
        createdAt: Date.now(),
      });
    }
    await store.close();
    await this.startAuth();
    this.logs = await startProcess(
      'logs-app/main.ts',
      {
        LOGS_PORT: '0',
        LOGS_DIR: this.pods,
        LOGS_AUTH_URL: this.auth.url,
        LOGS_AUTH_TIMEOUT_MS: '1000',
        LOGS_SERVICE_TOKEN: this.serviceToken,
      },
      this.dir,
      'logs',
    );
  }

  async startAuth(): Promise<void> {
    this.restarts += 1;
    this.auth = await startProcess(
      'auth-app/main.ts',
      {
        AUTH_PORT: this.authPort,
        AUTH_DATABASE_URL: this.databaseUrl,
        AUTH_TRUST_PROXY: 'true',
        AUTH_LOGIN_MAX_FAILURES: '5',
        /** One user logs in 100 times at once: a session ended by the cap would count as lost. */
        AUTH_MAX_SESSIONS_PER_USER: '1000',
        AUTH_SERVICE_TOKEN: this.serviceToken,
      },
      this.dir,
      `auth-${this.restarts}`,
    );
    this.authPort = new URL(this.auth.url).port;
  }

  /** Users made straight in the store (one hash for all) and logged in: a token each, for `count` sessions. */
  async sessions(count: number, prefix: string): Promise<string[]> {
    const store = await openStore(this.databaseUrl, { poolSize: 1, connectTimeoutMs: 1000, queryTimeoutMs: 1000 });
    const passwordHash = await hashPassword(password);
    for (let index = 0; index < count; index += 1) {
      await store.createUser({
        id: randomUUID(),
        username: `${prefix}-${index}`,
        passwordHash,
        permissions: ['logs:read'],
        createdAt: Date.now(),
      });
    }
    await store.close();
    const tokens: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const { token } = await this.login(`${prefix}-${index}`, `10.8.${index >> 8}.${index & 255}`);
      if (!token) throw new Error(`${prefix}-${index} could not log in`);
      tokens.push(token);
    }
    return tokens;
  }

  /** The directory of a pod's only container, made empty. */
  containerDir(pod: string): string {
    const dir = join(this.pods, `default_${pod}_uid`, 'main');
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** The lines logs-app has written so far. */
  logsOutput(): string {
    return readFileSync(join(this.dir, 'logs.log'), 'utf8');
  }

  /** How many calls auth-app has answered on `path` so far. */
  authCalls(path: string): number {
    return readdirSync(this.dir)
      .filter((name) => name.startsWith('auth-') && name.endsWith('.log'))
      .map((name) => readFileSync(join(this.dir, name), 'utf8').split(`"path":"${path}"`).length - 1)
      .reduce((sum, each) => sum + each, 0);
  }

  async killAuth(): Promise<void> {
    const exited = new Promise((resolve) => this.auth.child.once('exit', resolve));
    this.auth.child.kill('SIGKILL');
    await exited;
  }

  async login(username = 'reader', address = '10.9.9.9'): Promise<{ status: number; token?: string }> {
    const response = await fetch(`${this.auth.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ username, password }),
    });
    const body = (await response.json()) as { token?: string };
    return { status: response.status, token: body.token };
  }

  /**
   * How many login attempts of `username` from `address` auth-app logged with each outcome since it last started,
   * once `expected` are logged (its log is written asynchronously) or 5 s have passed.
   */
  async loginOutcomes(username: string, address: string, expected: number): Promise<Record<string, number>> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const counts: Record<string, number> = {};
      for (const line of readFileSync(join(this.dir, `auth-${this.restarts}.log`), 'utf8').split('\n')) {
        if (!line.includes('"login attempt"')) continue;
        const entry = JSON.parse(line) as { username?: string; clientAddress?: string; outcome?: string };
        if (entry.username !== username || entry.clientAddress !== address || !entry.outcome) continue;
        counts[entry.outcome] = (counts[entry.outcome] ?? 0) + 1;
      }
      const logged = Object.values(counts).reduce((sum, count) => sum + count, 0);
      if (logged >= expected || Date.now() > deadline) return counts;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** What the services wrote: their logs and the database files. */
  filesWritten(): string[] {
    const logs = readdirSync(this.dir)
      .filter((name) => name.endsWith('.log'))
      .map((name) => join(this.dir, name));
    return [...logs, ...readdirSync(join(this.dir, 'db')).map((name) => join(this.dir, 'db', name))];
  }

  /**
   * Which of `secrets` (base64url, as token secrets are) and `phrases` occur in anything the services wrote. Files
   * are read 64 MiB at a time: the logs of a long run outgrow the longest string V8 makes.
   */
  written(secrets: string[], phrases: string[]): { found: string[]; bytes: number } {
    const wanted = new Set(secrets);
    const lengths = [...new Set(secrets.map((secret) => secret.length))];
    const longest = Math.max(...lengths, ...phrases.map((phrase) => phrase.length));
    /** Runs are matched at most 4 KiB at a time (a longer quantifier overflows the regexp stack), overlapping. */
    const maxRun = 4096;
    const runs = new RegExp(`[A-Za-z0-9_-]{${Math.min(...lengths)},${maxRun}}`, 'g');
    const found = new Set<string>();
    const buffer = Buffer.allocUnsafe(64 * 1024 * 1024);
    let bytes = 0;
    for (const path of this.filesWritten()) {
      const fd = openSync(path, 'r');
      try {
        let carried = '';
        for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
          bytes += read;
          const text = carried + buffer.toString('latin1', 0, read);
          for (const phrase of phrases) if (text.includes(phrase)) found.add(phrase);
          for (let match = runs.exec(text); match; match = runs.exec(text)) {
            const run = match[0];
            for (const length of lengths) {
              for (let start = 0; start + length <= run.length; start += 1) {
                const window = run.slice(start, start + length);
                if (wanted.has(window)) found.add(window);
              }
            }
            if (run.length === maxRun) runs.lastIndex = match.index + maxRun - longest + 1;
          }
          carried = text.slice(1 - longest);
        }
      } finally {
        closeSync(fd);
      }
    }
    return { found: [...found], bytes };
  }

  async stop(): Promise<void> {
    await this.logs?.stop();
    await this.auth?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
