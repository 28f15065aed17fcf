import test from 'ava';
import { maxLineBytes } from '../../logs-app/sources/segments.js';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

let stack: TestStack;
let token: string;

/** 20 MiB written as 16 KiB partial pieces that never end (an application that writes no newline), then one line. */
const pieceBytes = 16 * 1024;
const pieces = Array.from({ length: 1280 }, (_, index) => String.fromCharCode(97 + (index % 26)).repeat(pieceBytes));
const endless = pieces.join('');

test.before(async () => {
  stack = await startStack();
  token = await stack.tokenFor('reader', ['logs:read']);
  stack.writeLog('default', 'endless', 'main', '0.log', [
    ...pieces.map((piece, index) => cri(at(index / 1000), piece, 'P')),
    cri(at(2), ' the end'),
    cri(at(3), 'after'),
  ]);
});
test.after.always(() => stack.stop());

const read = (path: string, accept: string) => stack.request(path, { token, headers: { accept } });

const withinBound = (lines: string[]) => lines.every((line) => Buffer.byteLength(line) <= maxLineBytes);

test('a line joined from partial pieces is cut at the same bound in JSON, NDJSON and text', async (t) => {
  const json = (await read('/logs/endless', 'application/json')).json as { lines: string[] };
  const text = (await read('/logs/endless', 'text/plain')).text.split('\n').slice(0, -1);
  const ndjson = (await read('/logs/endless', 'application/x-ndjson')).text
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { line: string }).line);
  for (const [format, lines] of [
    ['json', json.lines],
    ['text', text],
    ['ndjson', ndjson],
  ] as const) {
    t.true(withinBound(lines), `${format}: no line past ${maxLineBytes} bytes`);
    t.is(lines.at(-1), 'after', format);
    t.is(lines.slice(0, -1).join(''), `${endless} the end`, `${format}: nothing lost or repeated`);
    t.is(lines.length, 4, `${format}: 20 MiB joined into lines of at most 8 MiB`);
  }
  t.deepEqual(json.lines, text);
  t.deepEqual(json.lines, ndjson);
});

test('a tail of such a log holds and walks back no more than the bound', async (t) => {
  const json = (await read('/logs/endless?tailLines=2', 'application/json')).json as { lines: string[] };
  t.is(json.lines.length, 2);
  t.true(withinBound(json.lines));
  t.true(json.lines[0]!.endsWith(' the end'));
  t.is(json.lines[1], 'after');
  const text = (await read('/logs/endless?tailLines=2&timestamps=true', 'text/plain')).text;
  t.true(Buffer.byteLength(text) <= maxLineBytes + 100);
  t.true(text.endsWith(`${at(3)} after\n`));
});
