import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { assembleRuntime } from '../../tools/deploy/runtime-layout.js';
import { testPassword, testServiceToken } from '../helpers/auth.js';
import { container, overlay } from '../helpers/deploy.js';
import { cri, at } from '../helpers/logs.js';
import { finished } from '../helpers/processes.js';
import { startProcess, type Running } from '../helpers/services.js';

/** node's flags and the entry script of a container's command line. */
const split = (args: string[]) => {
  const at = args.findIndex((each) => !each.startsWith('-'));
  return { nodeFlags: args.slice(0, at), script: args[at] ?? '' };
};

const loopback = (running: Running) => running.url.replace('0.0.0.0', '127.0.0.1');

test("the image's files, laid out as its COPY lines say, run both services as the image and the manifests start them", async (t) => {
  t.timeout(180_000);
  const scratch = mkdtempSync(join(tmpdir(), 'runtime-layout-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const layout = assembleRuntime(join(scratch, 'app'));
  const { dir, image } = layout;

  t.true(existsSync(join(dir, 'dist', 'openapi', 'auth.yaml')), 'the specs, copied into dist by the build');
  t.true(existsSync(join(dir, 'dist', 'auth-app', 'main.js')), "built from the build stage's COPY lines alone");
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string };
  t.is(manifest.type, 'module', 'dist/ is ES modules: without package.json Node would only guess it from the syntax');
  t.true(existsSync(join(dir, 'dist', 'auth-app', 'common-passwords.txt')));
  t.true(existsSync(join(dir, 'dist', 'viewer', 'manifest.json')));
  for (const production of ['koa', 'better-sqlite3', 'swagger-ui-dist', 'pg']) {
    t.true(existsSync(join(dir, 'node_modules', production)), production);
  }
  for (const development of ['typescript', 'ava', 'kubernetes-models', '.bin']) {
    t.false(existsSync(join(dir, 'node_modules', development)), development);
  }
  t.false(existsSync(join(dir, 'auth-app')), 'no TypeScript source beside dist/');
  t.false(existsSync(join(dir, 'dist', 'tools', 'deploy')), 'deploy:check is not built into the image');

  const [node, ...entrypointArgs] = image.entrypoint ?? [];
  t.is(node, 'node');
  const tokenFile = join(scratch, 'service-token');
  writeFileSync(tokenFile, `${testServiceToken}\n`);

  const admin = spawn(
    process.execPath,
    [...entrypointArgs, 'dist/auth-app/admin.js', 'user', 'add', 'alice', '--permission', 'logs:read'],
    {
      cwd: dir,
      env: { PATH: process.env.PATH, ...layout.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  admin.stdin.end(`${testPassword}\n`);
  const added = await finished(admin);
  t.is(added.code, 0, added.stderr);
  t.true(
    existsSync(layout.env.AUTH_DATABASE_URL?.replace(/^sqlite:/, '') ?? ''),
    'the SQLite file, in the data volume',
  );

  const auth = split([...entrypointArgs, ...(image.cmd ?? [])]);
  t.is(auth.script, 'dist/auth-app/main.js', "the image's command is auth-app");
  const authApp = await startProcess(
    auth.script,
    { ...layout.env, AUTH_PORT: '0', AUTH_SERVICE_TOKEN_FILE: tokenFile },
    scratch,
    'auth-app',
    { cwd: dir, nodeFlags: auth.nodeFlags },
  );
  t.teardown(() => authApp.stop());
  const authUrl = loopback(authApp);

  const pods = join(scratch, 'pods', 'default_hello_0b5c2f1e-0000-4000-8000-000000000001', 'app');
  mkdirSync(pods, { recursive: true });
  writeFileSync(join(pods, '0.log'), `${cri(at(0), 'hello from the image')}\n`);
  const logs = split(container(overlay('node-logs'), 'DaemonSet', 'logs-app').args ?? []);
  t.is(logs.script, 'dist/logs-app/main.js');
  const logsApp = await startProcess(
    logs.script,
    {
      ...layout.env,
      LOGS_PORT: '0',
      LOGS_DIR: join(scratch, 'pods'),
      LOGS_AUTH_URL: authUrl,
      LOGS_SERVICE_TOKEN_FILE: tokenFile,
    },
    scratch,
    'logs-app',
    { cwd: dir, nodeFlags: [...entrypointArgs, ...logs.nodeFlags] },
  );
  t.teardown(() => logsApp.stop());
  const logsUrl = loopback(logsApp);

  for (const url of [authUrl, logsUrl]) {
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs', '/docs/assets/swagger-ui.css']) {
      t.is((await fetch(`${url}${path}`)).status, 200, `${url}${path}`);
    }
  }
  const login = await fetch(`${authUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: testPassword }),
  });
  t.is(login.status, 200, 'Argon2 and SQLite, native, from production dependencies');
  const { token } = (await login.json()) as { token: string };
  const read = await fetch(`${logsUrl}/logs/hello`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/plain' },
  });
  t.is(read.status, 200);
  t.is(await read.text(), 'hello from the image\n');

  t.is((await fetch(`${logsUrl}/`, { redirect: 'manual' })).status, 303, 'the viewer sends a browser to sign in');
  t.is((await fetch(`${authUrl}/login`)).status, 200, "auth-app's sign-in page");
  const { script } = JSON.parse(readFileSync(join(dir, 'dist', 'viewer', 'manifest.json'), 'utf8')) as {
    script: string;
  };
  t.is((await fetch(`${logsUrl}/viewer/${script}`)).status, 200, "the viewer's bundle, from dist/viewer");

  for (const running of [logsApp, authApp]) {
    running.child.kill('SIGTERM');
    const [code] = (await once(running.child, 'exit')) as [number | null];
    t.is(code, 0, 'SIGTERM drains and exits 0: node needs no init as PID 1');
  }
});
