import { request } from 'node:http';
import test from 'ava';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

let stack: TestStack;
let token: string;

/**
 * About 16 MiB of CRI, 13 of text: long answers are read in 1 MiB chunks whose memory is reused once sent, and a
 * reader that stops reading leaves more unsent than the socket buffers hold.
 */
const lineCount = 60_000;
const raw: string[] = [];
const plain: string[] = [];
const stamped: string[] = [];
for (let index = 0; index < lineCount; index += 1) {
  const time = at(index / 1000);
  const content = `request ${index} ${'x'.repeat(index % 397)}`;
  if (index % 7 === 0) raw.push(cri(time, content.slice(0, 10), 'P'), cri(time, content.slice(10)));
  else raw.push(cri(time, content, 'F', index % 2 === 0 ? 'stdout' : 'stderr'));
  plain.push(content);
  stamped.push(`${time} ${content}`);
}
const asText = (lines: string[]) => `${lines.join('\n')}\n`;

test.before(async () => {
  stack = await startStack();
  token = await stack.tokenFor('reader', ['logs:read:default']);
  stack.writeLog('default', 'big', 'main', '0.log', raw);
});
test.after.always(() => stack.stop());

const read = (path: string, accept = 'text/plain') => stack.request(path, { token, headers: { accept } });

test('a log of several MiB arrives whole and exact, to several readers at once, as text and as JSON', async (t) => {
  const [text, again, withTimes, json] = await Promise.all([
    read('/logs/big'),
    read('/logs/big'),
    read('/logs/big?timestamps=true'),
    read('/logs/big', 'application/json'),
  ]);
  t.true(text.text.length > 12 * 1024 * 1024);
  t.is(text.text, asText(plain));
  t.is(again.text, asText(plain));
  t.is(withTimes.text, asText(stamped));
  t.deepEqual((json.json as { lines: string[] }).lines, plain);
});

test('a reader that leaves a long answer part way is recorded, and the next reader still gets all of it', async (t) => {
  const url = new URL(`${stack.logs.url}/logs/big`);
  await new Promise<void>((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { authorization: `Bearer ${token}`, accept: 'text/plain' },
      },
      (response) => {
        response.once('data', () => {
          response.pause();
          setTimeout(() => {
            outgoing.destroy();
            resolve();
          }, 100);
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
  const left = () =>
    stack.logLines.some((line) => line.includes('"pod":"big"') && line.includes('"outcome":"client-left"'));
  const deadline = Date.now() + 3000;
  while (!left() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  t.true(left());
  t.is((await read('/logs/big')).text, asText(plain));
});
