import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, testProp } from '@fast-check/ava';
import test from 'ava';
import { LineJoiner } from '../../logs-app/sources/cri.js';
import { CriTextConverter } from '../../logs-app/sources/cri-text.js';
import { ForwardReader } from '../../logs-app/sources/forward.js';
import { FileSegment, maxLineBytes, privately, type Position, type Segment } from '../../logs-app/sources/segments.js';
import { sinceStart } from '../../logs-app/sources/since.js';
import type { LogEntry } from '../../logs-app/sources/source.js';
import { tailStart } from '../../logs-app/sources/tail.js';
import { at, cri } from '../helpers/logs.js';

interface Generated {
  files: string[][];
  lines: Array<{ time: string; text: string }>;
}

/** Logical lines, some split into P pieces, with non-decreasing times, spread over rotated files. */
const logs = fc
  .array(
    fc.record({
      pieces: fc.integer({ min: 1, max: 3 }),
      length: fc.integer({ min: 0, max: 3000 }),
      gap: fc.integer({ min: 0, max: 2 }),
    }),
    {
      minLength: 0,
      maxLength: 120,
    },
  )
  .chain((specs) => fc.tuple(fc.constant(specs), fc.array(fc.integer({ min: 0, max: specs.length }), { maxLength: 2 })))
  .map(([specs, cuts]): Generated => {
    let seconds = 0;
    const raw: string[] = [];
    const lines = specs.map((spec, index) => {
      seconds += spec.gap;
      const time = at(seconds);
      const text = `${index}:${'x'.repeat(spec.length)}`;
      const size = Math.ceil(text.length / spec.pieces);
      for (let piece = 0; piece < spec.pieces; piece += 1) {
        const last = piece === spec.pieces - 1;
        raw.push(cri(time, text.slice(piece * size, last ? undefined : (piece + 1) * size), last ? 'F' : 'P'));
      }
      return { time, text };
    });
    const boundaries = [...new Set(cuts)]
      .sort((a, b) => a - b)
      .map((cut) => raw.findIndex((line) => line.startsWith(lines[cut]?.time ?? '~')));
    const files: string[][] = [];
    let from = 0;
    for (const boundary of boundaries.filter((value) => value > 0)) {
      if (!raw[boundary - 1]?.includes(' F ')) continue;
      files.push(raw.slice(from, boundary));
      from = boundary;
    }
    files.push(raw.slice(from));
    return { files, lines };
  });

function withChain<T>(generated: Generated, use: (chain: Segment[]) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'positions-'));
  try {
    const chain = generated.files.map((lines, index) => {
      const path = join(dir, `part-${index}`);
      writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
      return new FileSegment(
        path,
        privately((file) => openSync(file, 'r')),
      );
    });
    return use(chain);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readFrom(chain: Segment[], start: Position): string[] {
  const reader = new ForwardReader(chain, start);
  const joiner = new LineJoiner();
  const entries: LogEntry[] = [];
  const push = (chunk: Buffer) => {
    if (chunk.length > 0)
      for (const raw of chunk.toString('utf8', 0, chunk.length - 1).split('\n')) joiner.push(raw, entries);
  };
  for (let chunk = reader.next(); chunk; chunk = reader.next()) push(chunk);
  const rest = reader.takeCarry();
  if (rest !== undefined) push(rest);
  joiner.flush(entries);
  for (const segment of chain) segment.close();
  return entries.map((entry) => entry.line);
}

testProp(
  'tailLines starts exactly N joined lines before the end, across files',
  [logs, fc.nat({ max: 130 })],
  (t, generated, count) => {
    const got = withChain(generated, (chain) => readFrom(chain, tailStart(chain, count)));
    const expected = generated.lines.slice(Math.max(0, generated.lines.length - count)).map((line) => line.text);
    t.deepEqual(got, count === 0 ? [] : expected);
  },
);

testProp(
  'sinceTime starts at the first joined line at or after it, as a linear scan would',
  [logs, fc.integer({ min: -1, max: 250 })],
  (t, generated, seconds) => {
    const sinceMs = Date.parse(at(seconds));
    const got = withChain(generated, (chain) => readFrom(chain, sinceStart(chain, sinceMs)));
    const expected = generated.lines.filter((line) => Date.parse(line.time) >= sinceMs).map((line) => line.text);
    t.deepEqual(got.slice(got.length - expected.length), expected);
    t.true(got.length - expected.length <= 0, `${got.length - expected.length} extra lines before the first match`);
  },
);

testProp(
  'the byte-level text path gives the same text as rendering joined entries',
  [logs, fc.boolean()],
  (t, generated, timestamps) => {
    const raw = Buffer.from(
      generated.files
        .flat()
        .map((line) => `${line}\n`)
        .join(''),
    );
    const converter = new CriTextConverter(timestamps);
    const text = Buffer.concat([converter.convert(raw), converter.finish() ?? Buffer.alloc(0)]).toString();
    const expected = generated.lines.map((line) => `${timestamps ? `${line.time} ` : ''}${line.text}\n`).join('');
    t.is(text, expected);
  },
);

test('lines that are not CRI pass through the text path whole, as the entry parser keeps them', (t) => {
  const raw = ['not a cri line at all', `${at(0)} stdout F ok`, 'short', `${at(1)} stdin F odd stream`, ''].join('\n');
  const converter = new CriTextConverter(false);
  const text = converter.convert(Buffer.from(raw)).toString();
  const joiner = new LineJoiner();
  const entries: LogEntry[] = [];
  for (const line of raw.split('\n').slice(0, -1)) joiner.push(line, entries);
  t.is(text, entries.map((entry) => `${entry.line}\n`).join(''));
});

test('bytes without a newline for longer than any raw line are taken as lines of that bound: a tail reads a bounded amount', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'long-line-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'long');
  const long = 40 * 1024 * 1024;
  writeFileSync(path, `${cri(at(0), 'x'.repeat(long))}\n${cri(at(1), 'after')}\n`);
  const segment = new FileSegment(
    path,
    privately((file) => openSync(file, 'r')),
  );
  let bytesRead = 0;
  const counted: Segment = {
    path: segment.path,
    inode: () => segment.inode(),
    size: (fresh) => segment.size(fresh),
    read: (position, length) => {
      bytesRead += length;
      return segment.read(position, length);
    },
    readInto: (target, at_, position, length) => segment.readInto(target, at_, position, length),
    close: () => segment.close(),
  };
  const start = tailStart([counted], 1);
  t.deepEqual(readFrom([counted], start), ['after']);
  t.true(bytesRead < 2.5 * maxLineBytes, `${bytesRead} bytes read to find the last line`);
  const whole = readFrom([counted], { segment: 0, offset: 0 });
  t.is(whole.at(-1), 'after');
  t.true(whole.slice(0, -1).every((line) => line.length < 1.5 * maxLineBytes));
  t.is(whole.slice(0, -1).join('').length, Buffer.byteLength(cri(at(0), 'x'.repeat(long))) - at(0).length - 10);
  segment.close();
});
