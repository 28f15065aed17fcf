import { createReadStream } from 'node:fs';
import Router from '@koa/router';
import Koa from 'koa';

/** The ceiling: Koa and @koa/router answering the same route shapes with fixed bodies, no checks, no I/O. */
const app = new Koa();
const router = new Router();
const lines = Array.from({ length: 10 }, (_, index) => `GET /api/v1/orders/1234567 200 12.3ms line ${index}`);
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
/** The streaming ceiling: the raw file as it is, piped by Koa, no conversion. */
router.get('/raw', (ctx) => {
  ctx.type = 'text/plain';
  ctx.body = createReadStream(process.env.BARE_STREAM_FILE ?? '/dev/null', { highWaterMark: 1024 * 1024 });
});
app.use(router.routes());
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ msg: 'bare koa listening', url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })}\n`,
  );
});
