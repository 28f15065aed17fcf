import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { finished, repoRoot } from '../helpers/processes.js';

const build = () =>
  finished(spawn('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] }));

test('npm start builds only what changed: a second build leaves the compiled output as it was', async (t) => {
  t.is((await build()).code, 0);
  const compiled = join(repoRoot, 'dist', 'start.js');
  const before = statSync(compiled).mtimeMs;
  t.is((await build()).code, 0);
  t.is(statSync(compiled).mtimeMs, before, 'dist/start.js was not compiled again');
});
