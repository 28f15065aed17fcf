import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { overlays } from '../../tools/deploy/render.js';
import { finished, repoRoot } from '../helpers/processes.js';

const deployCheck = (...args: string[]) =>
  finished(
    spawn('npm', ['run', '--silent', 'deploy:check', '--', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );

test('npm run deploy:check passes on this checkout and says what it checked in each overlay', async (t) => {
  const { code, stdout, stderr } = await deployCheck();
  t.is(code, 0, stdout + stderr);
  t.true(overlays().length >= 3);
  for (const overlay of overlays()) t.regex(stdout, new RegExp(`^${overlay} \\(\\d+ objects\\)$`, 'm'));
  for (const topic of [
    'schemas:',
    'pod security:',
    'containers:',
    'rbac:',
    'traffic:',
    'linted with dockerfile-utils',
  ]) {
    t.true(stdout.includes(topic), topic);
  }
  t.regex(stdout, /the image and \d+ overlays, 0 violations$/m);
});

test('a violation makes deploy:check exit 1 and name the object, the container and the rule', async (t) => {
  const copy = mkdtempSync(join(tmpdir(), 'deploy-check-'));
  cpSync(join(repoRoot, 'deploy'), join(copy, 'deploy'), { recursive: true });
  cpSync(join(repoRoot, 'Dockerfile'), join(copy, 'Dockerfile'));
  const manifest = join(copy, 'deploy', 'base', 'auth-app.yaml');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('AUTH_SERVICE_TOKEN_FILE', 'AUTH_SERVICE_TOKEN_PATH'));
  const { code, stdout } = await deployCheck(copy);
  t.is(code, 1);
  t.regex(
    stdout,
    /VIOLATION Deployment pod-logs\/auth-app, container auth-app: sets AUTH_SERVICE_TOKEN_PATH, which auth-app does not read/,
  );
  t.regex(stdout, /the image and \d+ overlays, [1-9]\d* violations$/m);
});
