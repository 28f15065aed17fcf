import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readHidden } from '../common/hidden-input.js';
import { signInWithBrowser } from './browser-sign-in.js';

/**
 * kubectl's exec credential plugin (client.authentication.k8s.io/v1) for pod-logs: prints a session token of
 * auth-app's, from a cache while auth-app still accepts it, else from a new login (the password typed on the
 * terminal kubectl lends, or read from POD_LOGS_PASSWORD_FILE), or, with --sign-in oidc, through auth-app's identity
 * provider in the browser. kubectl runs it again after a 401.
 */

interface Cached {
  token: string;
  expiresAt: string;
}

const { values } = parseArgs({
  options: { 'auth-server': { type: 'string' }, username: { type: 'string' }, 'sign-in': { type: 'string' } },
});
const authServer = (values['auth-server'] ?? '').replace(/\/$/, '');
/** `--sign-in oidc`: through auth-app's identity provider, in the browser, for users without a local password. */
const throughProvider = values['sign-in'] === 'oidc';
const username = values.username ?? '';

function fail(message: string): never {
  process.stderr.write(`pod-logs: ${message}\n`);
  process.exit(1);
}

if (!authServer || (!username && !throughProvider)) {
  fail('the kubeconfig must give --auth-server and --username (or --sign-in oidc)');
}

const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pod-logs');
const cacheFile = join(cacheDir, 'tokens.json');
const cacheKey = throughProvider ? `${authServer} oidc` : `${authServer} ${username}`;

function readCache(): Record<string, Cached> {
  try {
    return JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, Cached>;
  } catch {
    return {};
  }
}

function writeCache(cache: Record<string, Cached>): void {
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  writeFileSync(cacheFile, JSON.stringify(cache), { mode: 0o600 });
  chmodSync(cacheFile, 0o600);
}

/** Whether auth-app still takes the token: a revoked, idle or expired one is dropped, never handed to kubectl. */
async function live(cached: Cached): Promise<boolean> {
  if (Date.parse(cached.expiresAt) <= Date.now()) return false;
  const answer = await fetch(`${authServer}/auth/session`, { headers: { authorization: `Bearer ${cached.token}` } });
  return answer.ok;
}

async function password(interactive: boolean): Promise<string> {
  if (interactive && process.stdin.isTTY) {
    const typed = await readHidden(`Password for ${username} at ${authServer}: `, process.stdin, process.stderr);
    if (typed === undefined) fail('no password given');
    return typed;
  }
  const file = process.env.POD_LOGS_PASSWORD_FILE;
  if (!file) fail('no terminal to ask the password on: set POD_LOGS_PASSWORD_FILE to a file holding it');
  return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
}

async function login(interactive: boolean): Promise<Cached> {
  const answer = await fetch(`${authServer}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: await password(interactive) }),
  });
  const body = (await answer.json()) as { token?: string; expiresAt?: string; detail?: string };
  if (!answer.ok || !body.token || !body.expiresAt) fail(`auth-app refused the login: ${body.detail ?? answer.status}`);
  return { token: body.token, expiresAt: body.expiresAt };
}

async function credential(): Promise<Cached> {
  const cached = readCache()[cacheKey];
  if (cached && (await live(cached))) return cached;
  const execInfo = JSON.parse(process.env.KUBERNETES_EXEC_INFO ?? '{}') as { spec?: { interactive?: boolean } };
  const fresh = throughProvider
    ? await signInWithBrowser(authServer, (line) => process.stderr.write(`${line}\n`))
    : await login(execInfo.spec?.interactive ?? false);
  writeCache({ ...readCache(), [cacheKey]: fresh });
  return fresh;
}

const { token, expiresAt } = await credential().catch((error: unknown) =>
  fail(`auth-app at ${authServer} cannot be asked: ${(error as Error).cause ?? (error as Error).message}`),
);
process.stdout.write(
  `${JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token, expirationTimestamp: expiresAt },
  })}\n`,
);
