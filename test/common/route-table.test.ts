import type { AddressInfo } from 'node:net';
import test from 'ava';
import Koa, { type Middleware } from 'koa';
import type { Document } from 'openapi-backend';
import { requestEnvelope } from '../../common/envelope.js';
import { createLogger } from '../../common/logger.js';
import { Routes } from '../../common/routes.js';
import { compileSpec } from '../../common/spec.js';
import type { ValidatedState } from '../../common/validate-request.js';
import { rawRequest } from '../helpers/http.js';

/** A spec with the route README.md shows how to add, and a form post like the sign-in page's. */
const spec = {
  openapi: '3.0.3',
  info: { title: 'route table test', version: '1' },
  paths: {
    '/logs/{podName}/summary': {
      get: {
        operationId: 'getPodLogSummary',
        parameters: [
          { name: 'podName', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9-]+$' } },
          { name: 'namespace', in: 'query', schema: { type: 'string', default: 'default' } },
          { name: 'errorsOnly', in: 'query', schema: { type: 'boolean', default: false } },
        ],
        responses: {
          '200': {
            description: 'a summary',
            content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
          },
        },
      },
    },
    '/forms/sign-in': {
      post: {
        operationId: 'signIn',
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['username'],
                properties: { username: { type: 'string', minLength: 1 } },
              },
            },
          },
        },
        responses: { '204': { description: 'signed in' } },
      },
    },
  },
} as unknown as Document;

interface Operations {
  getPodLogSummary: {
    parameters: { path: { podName: string }; query?: { namespace?: string; errorsOnly?: boolean } };
    responses: { 200: { content: { 'application/json': Record<string, unknown> } } };
  };
  signIn: {
    parameters: object;
    requestBody: { content: { 'application/x-www-form-urlencoded': { username: string } } };
    responses: { 204: { content?: never } };
  };
}

interface Caller {
  caller: string;
}

const whoAsks: Middleware<ValidatedState & Caller> = async (ctx, next) => {
  ctx.state.caller = ctx.get('x-caller') || 'nobody';
  await next();
};

async function serve(register: (routes: Routes<Operations>) => void): Promise<{ url: string; close(): void }> {
  const routes = new Routes<Operations>(await compileSpec(spec), 'the test spec');
  register(routes);
  const app = new Koa();
  app.use(requestEnvelope({ logger: createLogger('route-table', 'silent') }));
  routes.serve(app);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const bothRoutes = (routes: Routes<Operations>) => {
  routes.operation('getPodLogSummary', whoAsks, (ctx, { path, query }) => ({
    status: 200,
    body: { pod: path.podName, namespace: query.namespace, errorsOnly: query.errorsOnly, caller: ctx.state.caller },
  }));
  routes.operation('signIn', (ctx, { body }) => {
    ctx.state.requestLine.fields.signedIn = body.username;
    return { status: 204 };
  });
};

test('a route added the way README shows: validated input, typed, exactly its path; HEAD follows GET', async (t) => {
  const service = await serve(bothRoutes);
  t.teardown(() => service.close());
  const get = (path: string, method = 'GET') =>
    rawRequest(service.url, { method, path, headers: { 'x-caller': 'alice' } });
  const ok = await get('/logs/web-1/summary?errorsOnly=t');
  t.is(ok.status, 200);
  t.deepEqual(JSON.parse(ok.text), { pod: 'web-1', namespace: 'default', errorsOnly: true, caller: 'alice' });
  t.is((await get('/logs/Web_1/summary')).status, 400, 'the path parameter is validated');
  const unknown = await get('/logs/web-1/summary?errors-only=1');
  t.is(unknown.status, 400);
  t.regex(unknown.text, /errors-only is not a parameter of this operation; did you mean errorsOnly\?/);
  t.is((await get('/logs/web-1/summary/')).status, 404);
  t.is((await get('/LOGS/web-1/summary')).status, 404);
  const head = await get('/logs/web-1/summary', 'HEAD');
  t.is(head.status, 200);
  t.is(head.text, '');
  t.is((await get('/logs/web-1/summary', 'POST')).status, 405);
});

test('a form post is parsed for an operation that declares one, and checked like JSON', async (t) => {
  const service = await serve(bothRoutes);
  t.teardown(() => service.close());
  const post = (body: string, type = 'application/x-www-form-urlencoded') =>
    rawRequest(service.url, { method: 'POST', path: '/forms/sign-in', headers: { 'content-type': type }, body });
  t.is((await post('username=alice')).status, 204);
  const extra = await post('username=alice&admin=1');
  t.is(extra.status, 400);
  t.regex(extra.text, /body\.admin/);
  t.is((await post('{"username":"alice"}', 'application/json')).status, 415, 'only the declared media type');
  t.is((await post(`username=${'a'.repeat(17 * 1024)}`)).status, 413);
});

test('an operationId the spec lacks cannot be routed, and an operation without a route keeps the service from starting', async (t) => {
  const routes = new Routes<Operations & { nope: Operations['signIn'] }>(await compileSpec(spec), 'the test spec');
  t.throws(() => routes.operation('nope', () => ({ status: 204 })), {
    message: 'the test spec declares no operation nope: it cannot be routed',
  });
  routes.operation('signIn', () => ({ status: 204 }));
  t.throws(() => routes.serve(new Koa()), {
    message: 'the test spec declares operations no route serves: getPodLogSummary',
  });
});
