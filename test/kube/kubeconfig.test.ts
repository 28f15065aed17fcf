import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { testPassword } from '../helpers/auth.js';
import { makeCertificate } from '../helpers/certificates.js';
import { Kubectl, kubeconfigFor } from '../helpers/kubectl.js';
import { at, cri, startStack } from '../helpers/logs.js';
import { finished } from '../helpers/processes.js';

test('the one-time setup: a kubeconfig whose plugin signs in once, reuses its session, and signs in again when it ends', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const certificate = makeCertificate(dir);
  const stack = await startStack({ LOGS_TLS_CERT_FILE: certificate.certFile, LOGS_TLS_KEY_FILE: certificate.keyFile });
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'hello', 'main', '0.log', [cri(at(0), 'hello from the plugin')]);
  await stack.auth.addUser('carol', testPassword, ['logs:read:default']);
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${testPassword}\n`, { mode: 0o600 });

  const made = await kubeconfigFor(
    '--server',
    stack.logs.url,
    '--certificate-authority',
    certificate.certFile,
    '--auth-server',
    stack.auth.url,
    '--username',
    'carol',
  );
  t.is(made.code, 0, made.stderr);
  t.regex(made.stdout, /certificate-authority-data: /);
  const cache = join(dir, 'cache');
  const kubectl = new Kubectl({ XDG_CACHE_HOME: cache, POD_LOGS_PASSWORD_FILE: passwordFile });
  t.teardown(() => kubectl.remove());
  writeFileSync(kubectl.kubeconfig, made.stdout);

  const sessions = async () => (await stack.auth.service.store.listUsers()).find((user) => user.username === 'carol');
  const liveSessions = async () => {
    const carol = await sessions();
    return carol
      ? (await stack.auth.service.store.listSessions(carol.id, { now: Date.now(), lastSeenAfter: 0 })).length
      : 0;
  };
  const first = await kubectl.run('--context', 'pod-logs', 'logs', 'hello');
  t.is(first.code, 0, first.stderr);
  t.is(first.stdout, 'hello from the plugin\n');
  t.is(await liveSessions(), 1);
  t.is(statSync(join(cache, 'pod-logs', 'tokens.json')).mode & 0o777, 0o600);
  t.is(statSync(join(cache, 'pod-logs')).mode & 0o777, 0o700);

  const second = await kubectl.run('--context', 'pod-logs', 'get', 'pods', '-o', 'name');
  t.is(second.stdout, 'pod/hello\n');
  t.is(await liveSessions(), 1, 'a second kubectl call makes no new session');

  const cached = JSON.parse(readFileSync(join(cache, 'pod-logs', 'tokens.json'), 'utf8')) as Record<
    string,
    { token: string }
  >;
  const [entry] = Object.values(cached);
  t.is((await stack.auth.request('/auth/logout', { method: 'POST', token: entry!.token })).status, 204);
  const again = await kubectl.run('--context', 'pod-logs', 'logs', 'hello');
  t.is(again.code, 0, again.stderr);
  t.is(again.stdout, 'hello from the plugin\n', 'a token auth-app refuses is dropped and the plugin signs in again');
  t.is(await liveSessions(), 1);

  const nowhere = new Kubectl({ XDG_CACHE_HOME: join(dir, 'empty-cache') });
  t.teardown(() => nowhere.remove());
  writeFileSync(nowhere.kubeconfig, made.stdout);
  const refused = await nowhere.run('--context', 'pod-logs', 'get', 'pods');
  t.not(refused.code, 0);
  t.regex(refused.stderr, /no terminal to ask the password on: set POD_LOGS_PASSWORD_FILE/);
});

test('the setup refuses a plain-HTTP server (kubectl would send it no token) and says what it takes', async (t) => {
  const result = await kubeconfigFor(
    '--server',
    'http://127.0.0.1:8000',
    '--auth-server',
    'http://a',
    '--username',
    'x',
  );
  t.is(result.code, 2);
  t.regex(result.stderr, /--server must be an https:\/\/ URL/);
  const help = await kubeconfigFor('--help');
  t.is(help.code, 0);
  t.regex(help.stdout, /kubectl --context pod-logs get pods/);
});

test('on a terminal the plugin asks for the password, without showing it, through kubectl', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-tty-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const certificate = makeCertificate(dir);
  const stack = await startStack({ LOGS_TLS_CERT_FILE: certificate.certFile, LOGS_TLS_KEY_FILE: certificate.keyFile });
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'hello', 'main', '0.log', [cri(at(0), 'hello')]);
  await stack.auth.addUser('dave', testPassword, ['logs:read:default']);
  const made = await kubeconfigFor(
    '--server',
    stack.logs.url,
    '--certificate-authority',
    certificate.certFile,
    '--auth-server',
    stack.auth.url,
    '--username',
    'dave',
  );
  const kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, made.stdout);
  const command = `kubectl --kubeconfig ${kubeconfig} --cache-dir ${join(dir, 'discovery')} --context pod-logs get pods -o name`;
  const terminal = spawn('script', ['-qec', command, '/dev/null'], {
    env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: join(dir, 'cache') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let shown = '';
  terminal.stdout.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  const exited = finished(terminal);
  for (const deadline = Date.now() + 15_000; !shown.includes('Password for dave') && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  terminal.stdin.write(`${testPassword}\r`);
  t.is((await exited).code, 0, shown);
  t.regex(shown, /Password for dave at http:\/\/127\.0\.0\.1:\d+: \r?\n/);
  t.regex(shown, /pod\/hello/);
  t.false(shown.includes(testPassword.slice(0, 6)), 'the password is not shown');
});
