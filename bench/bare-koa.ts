import { closeSync, openSync, readSync } from 'node:fs';
import Router from '@koa/router';
import Koa from 'koa';
import { ResponseStream } from '../logs-app/response-stream.js';
import { readBuffers } from '../logs-app/sources/read-buffers.js';
import { message } from './fixtures.js';

/** The ceiling: Koa and @koa/router answering the same route shapes with bodies of the same size, no checks, no I/O. */
const app = new Koa();
const router = new Router();
const lines = Array.from({ length: 10 }, () => message);
router.get('/logs/:podName', (ctx) => {
  ctx.body = {
    status: 'success',
    namespace: 'default',
    pod: ctx.params.podName,
    container: 'app',
    user: 'bench',
    lines,
  };
});
router.post('/auth/validate', (ctx) => {
  ctx.body = { active: true, sessionId: 'x', username: 'bench', permissions: ['logs:read'] };
});
async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const chunk = readBuffers.take();
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) return readBuffers.give(chunk);
      yield chunk.subarray(0, read);
    }
  } finally {
    closeSync(fd);
  }
}
/** The streaming ceiling: the raw file as it is, read and sent as logs-app sends a log, without converting it. */
router.get('/raw', (ctx) => {
  ctx.type = 'text/plain';
  ctx.body = new ResponseStream(fileChunks(process.env.BARE_STREAM_FILE ?? '/dev/null'), {
    release: (chunk) => readBuffers.give(chunk),
    writeTimeoutMs: 30_000,
  });
});
app.use(router.routes());
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ msg: 'bare koa listening', url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })}\n`,
  );
});
