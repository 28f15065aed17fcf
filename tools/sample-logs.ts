import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Writes a small directory laid out like a node's /var/log/pods, for trying the product on a laptop. */
const root = resolve(process.argv[2] ?? 'data/sample-pods');
const now = Date.now();
const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString().replace('Z', '000Z');

function write(namespace: string, pod: string, container: string, restart: number, lines: string[]): void {
  const dir = join(
    root,
    `${namespace}_${pod}_5f0c1d2e-0000-4000-8000-${pod.length.toString().padStart(12, '0')}`,
    container,
  );
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${restart}.log`), lines.map((line) => `${line}\n`).join(''));
}

const requests = Array.from({ length: 50 }, (_, index) => {
  const stream = index % 10 === 9 ? 'stderr' : 'stdout';
  return `${at(600 - index * 10)} ${stream} F GET /api/items/${index} ${stream === 'stderr' ? 500 : 200}`;
});
write('default', 'hello', 'app', 0, [`${at(700)} stdout F starting hello v1`, ...requests]);
write('default', 'web', 'nginx', 0, [
  `${at(300)} stdout F nginx ready`,
  `${at(200)} stdout P a long line writ`,
  `${at(200)} stdout F ten in two pieces`,
]);
write('default', 'web', 'sidecar', 1, [`${at(100)} stdout F sidecar restarted`]);
write('default', 'web', 'sidecar', 0, [`${at(900)} stdout F sidecar first run`, `${at(800)} stderr F sidecar crashed`]);
write('team-a', 'worker', 'worker', 0, [`${at(60)} stdout F team-a worker running`]);
process.stdout.write(`sample pod logs written to ${root}\n`);
