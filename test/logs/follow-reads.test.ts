import { appendFileSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ForwardReader } from '../../logs-app/sources/forward.js';
import { readBuffers } from '../../logs-app/sources/read-buffers.js';
import { FileSegment, privately } from '../../logs-app/sources/segments.js';
import { at, cri } from '../helpers/logs.js';

test('a followed log read a line at a time takes a buffer of its size, never a pooled megabyte', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'follow-reads-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, '0.log');
  writeFileSync(path, `${cri(at(0), 'started')}\n`);
  const segment = new FileSegment(
    path,
    privately((file) => openSync(file, 'r')),
  );
  t.teardown(() => segment.close());
  const reader = new ForwardReader([segment], { segment: 0, offset: 0 }, true);
  t.is(reader.next()?.toString(), `${cri(at(0), 'started')}\n`);
  for (let index = 1; index <= 20; index += 1) {
    const line = `${cri(at(index), `line ${index}`)}\n`;
    appendFileSync(path, line);
    const chunk = reader.next()!;
    t.is(chunk.toString(), line);
    t.true(chunk.buffer.byteLength < readBuffers.size, `read ${index} took ${chunk.buffer.byteLength} bytes`);
    t.is(reader.next(), undefined);
  }
  const block = `${cri(at(21), 'x'.repeat(1000))}\n`.repeat(2000);
  appendFileSync(path, block);
  const large = reader.next()!;
  t.is(large.buffer.byteLength, readBuffers.size, 'a long stretch still streams through the pool');
  readBuffers.give(large);
});
