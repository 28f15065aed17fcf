import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const message = 'GET /api/v1/orders/1234567 200 12.3ms user=42 trace=4bf92f3577b34da6a3ce929d0e0e4736';

/** A CRI log of about `bytes`, one line a millisecond from `startMs`; made once and reused between runs. */
export function criFile(dir: string, name: string, bytes: number, startMs: number): string {
  const path = join(dir, name);
  if (existsSync(path) && statSync(path).size >= bytes) return path;
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  let written = 0;
  let time = startMs;
  while (written < bytes) {
    const lines: string[] = [];
    for (let index = 0; index < 32_768; index += 1) {
      lines.push(`${new Date(time).toISOString().slice(0, -1)}000000Z stdout F ${message}\n`);
      time += 1;
    }
    written += writeSync(fd, lines.join(''));
  }
  closeSync(fd);
  renameSync(partial, path);
  return path;
}

export const lineTime = (path: string, startMs: number, fraction: number): string => {
  const lineBytes = `${new Date(startMs).toISOString().slice(0, -1)}000000Z stdout F ${message}\n`.length;
  const lines = Math.floor(statSync(path).size / lineBytes);
  return new Date(startMs + Math.floor(lines * fraction)).toISOString();
};
