import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import test from 'ava';
import { Agent, fetch } from 'undici';
import { authConfig } from '../../auth-app/config.js';
import { Sessions } from '../../auth-app/sessions.js';
import { logsConfig } from '../../logs-app/config.js';
import { startLogsService } from '../../logs-app/service.js';
import { startAuth, testPassword, testServiceToken } from '../helpers/auth.js';
import { makeCertificate } from '../helpers/certificates.js';
import { startStack } from '../helpers/logs.js';
import { runScript } from '../helpers/processes.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The certificate a new connection to `url` is shown. */
function servedCertificate(url: string, ca: string): Promise<PeerCertificate> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}

test('with LOGS_TLS_* logs-app serves HTTPS, and a rotated certificate is served from the next connection on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = makeCertificate(dir, 'first');
  const second = makeCertificate(dir, 'second');
  const served = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  copyFileSync(first.certFile, served.certFile);
  copyFileSync(first.keyFile, served.keyFile);
  const stack = await startStack({ LOGS_TLS_CERT_FILE: served.certFile, LOGS_TLS_KEY_FILE: served.keyFile });
  t.teardown(() => stack.stop());
  t.regex(stack.logs.url, /^https:\/\//);
  const ca = readFileSync(first.certFile, 'utf8');
  const agent = new Agent({ connect: { ca, servername: 'localhost' } });
  t.teardown(() => agent.close());
  t.is((await fetch(`${stack.logs.url}/healthz`, { dispatcher: agent })).status, 200);
  t.is((await servedCertificate(stack.logs.url, ca)).subject.CN, 'first');

  copyFileSync(second.keyFile, served.keyFile);
  await pause(6000);
  t.is((await servedCertificate(stack.logs.url, ca)).subject.CN, 'first', 'a half-rotated pair is refused');
  t.true(stack.logLines.some((line) => line.includes('new TLS files refused')));
  copyFileSync(second.certFile, served.certFile);
  const secondCa = readFileSync(second.certFile, 'utf8');
  let now: string | undefined = '';
  for (let waited = 0; waited < 12_000 && now !== 'second'; waited += 500) {
    await pause(500);
    now = String((await servedCertificate(stack.logs.url, secondCa).catch(() => ({ subject: { CN: '' } }))).subject.CN);
  }
  t.is(now, 'second');
});

test('TLS configuration that cannot work exits 2 naming the variables', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-bad-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = makeCertificate(dir);
  const run = (env: Record<string, string>) =>
    runScript('logs-app/main.ts', [], { LOGS_SERVICE_TOKEN: testServiceToken, LOGS_DIR: dir, LOGS_PORT: '0', ...env });
  const alone = await run({ LOGS_TLS_CERT_FILE: files.certFile });
  t.is(alone.code, 2);
  t.regex(alone.stderr, /LOGS_TLS_KEY_FILE: set LOGS_TLS_CERT_FILE and LOGS_TLS_KEY_FILE together/);
  const missing = await run({ LOGS_TLS_CERT_FILE: files.certFile, LOGS_TLS_KEY_FILE: join(dir, 'nope.key') });
  t.is(missing.code, 2);
  t.regex(missing.stderr, /LOGS_TLS_CERT_FILE \/ LOGS_TLS_KEY_FILE: .*nope\.key/);
  const auth = await runScript('auth-app/main.ts', [], {
    AUTH_PORT: '0',
    AUTH_DATABASE_URL: `sqlite:${join(dir, 'auth.db')}`,
    AUTH_TLS_KEY_FILE: files.keyFile,
  });
  t.is(auth.code, 2);
  t.regex(auth.stderr, /AUTH_TLS_CERT_FILE: set AUTH_TLS_CERT_FILE and AUTH_TLS_KEY_FILE together/);
});

test('auth-app over HTTPS too: logs-app checks sessions with it, trusting LOGS_AUTH_CA_FILE', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-auth-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = makeCertificate(dir, 'auth');
  const auth = await startAuth({ AUTH_TLS_CERT_FILE: files.certFile, AUTH_TLS_KEY_FILE: files.keyFile });
  t.teardown(() => auth.stop());
  t.regex(auth.url, /^https:\/\//);
  await auth.addUser('erin', testPassword, ['logs:read']);
  const user = (await auth.service.store.findUser('erin'))!;
  const { token } = await new Sessions(auth.service.store, authConfig({}).session, Date.now).start(user, {
    clientAddress: '127.0.0.1',
    userAgent: 'test',
  });
  const pods = join(dir, 'pods', 'default_app_uid', 'main');
  mkdirSync(pods, { recursive: true });
  writeFileSync(join(pods, '0.log'), '2026-01-01T00:00:00.000000000Z stdout F over https\n');
  const lines: string[] = [];
  const logs = await startLogsService(
    logsConfig({
      LOGS_PORT: '0',
      LOGS_DIR: join(dir, 'pods'),
      LOGS_AUTH_URL: auth.url,
      LOGS_AUTH_CA_FILE: files.certFile,
      LOGS_SERVICE_TOKEN: testServiceToken,
    }),
    { logDestination: { write: (line: string) => void lines.push(line) } },
  );
  t.teardown(() => logs.stop());
  const answer = await fetch(`${logs.url}/logs/app`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/plain' },
  });
  t.is(answer.status, 200);
  t.is(await answer.text(), 'over https\n');
  const untrusting = await startLogsService(
    logsConfig({
      LOGS_PORT: '0',
      LOGS_DIR: join(dir, 'pods'),
      LOGS_AUTH_URL: auth.url,
      LOGS_SERVICE_TOKEN: testServiceToken,
      LOGS_LOG_LEVEL: 'silent',
    }),
  );
  t.teardown(() => untrusting.stop());
  const refused = await fetch(`${untrusting.url}/logs/app`, { headers: { authorization: `Bearer ${token}` } });
  t.is(refused.status, 503, 'without the authority, auth-app is not trusted: it fails closed');
});
