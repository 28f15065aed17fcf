import { spawn } from 'node:child_process';
import test from 'ava';
import { startAuth, testPassword } from '../helpers/auth.js';
import { finished, repoRoot } from '../helpers/processes.js';

/**
 * The admin CLI on a real pseudo-terminal (util-linux `script`), so what the terminal echoes is part of what
 * the test reads: everything shown is in `shown()`; `type()` sends keys once a prompt has appeared.
 */
function onTerminal(args: string[], databaseUrl: string) {
  const command = [process.execPath, '--import=tsx', 'auth-app/admin.ts', ...args].join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AUTH_DATABASE_URL: databaseUrl },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let shown = '';
  child.stdout.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  const exited = finished(child);
  /** Keys typed before the prompt could be echoed by the terminal itself; a CLI that never prompts gets them late. */
  const prompted = async (prompt: string) => {
    for (const deadline = Date.now() + 15_000; !shown.includes(prompt) && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return {
    shown: () => shown,
    type: async (prompt: string, keys: string) => {
      await prompted(prompt);
      child.stdin.write(keys);
    },
    exited: async () => (await exited).code,
  };
}

test('on a terminal the password is asked twice and never shown', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  const terminal = onTerminal(['user', 'add', 'alice'], auth.databaseUrl);
  await terminal.type('New password: ', `${testPassword}x\u007f\r`);
  await terminal.type('Again: ', `${testPassword}\r`);
  t.is(await terminal.exited(), 0, terminal.shown());
  t.false(terminal.shown().includes(testPassword.slice(0, 6)), 'no part of the password is echoed');
  t.regex(terminal.shown(), /New password: \r?\nAgain: \r?\nuser alice added/);
  t.truthy(await auth.login('alice', testPassword), 'Backspace took back the x');
});

test('on a terminal two different passwords are refused and nothing is changed', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  await auth.addUser('bob', testPassword);
  const terminal = onTerminal(['user', 'passwd', 'bob'], auth.databaseUrl);
  await terminal.type('New password: ', 'a brand new passphrase\r');
  await terminal.type('Again: ', 'a brand new passphrasf\r');
  t.is(await terminal.exited(), 1);
  t.false(terminal.shown().includes('brand new'), 'no part of the password is echoed');
  t.regex(terminal.shown(), /refused: the two passwords typed differ/);
  t.truthy(await auth.login('bob', testPassword), 'the old password still holds');
});
