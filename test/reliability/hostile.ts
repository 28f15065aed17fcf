import { fc } from '@fast-check/ava';

export interface HostileRequest {
  spec: 'auth' | 'logs';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const traversal = fc.constantFrom(
  '..',
  '../..',
  '%2e%2e',
  '..%2F..%2Fetc%2Fpasswd',
  'a%2F..%2Fb',
  '%00',
  'app%00',
  '.',
  '%',
  '%zz',
  '%E0%A4%A',
  '~root',
);
const validName = fc.constantFrom('app', 'outside', 'default', 'main', 'a.b-c');
const anyText = fc.string({ maxLength: 80, unit: 'binary' });
const hugeNumber = fc.constantFrom('99999999999999999999999', '-1', '0', '1e309', 'NaN', '0x10', '1.5', '', ' 1', '+1');

/** A name as a path segment: valid, traversal, arbitrary unicode (encoded or raw-but-legal), upper case, too long. */
const segment = fc.oneof(
  validName,
  traversal,
  anyText.map((text) => encodeURIComponent(text)),
  fc.constantFrom('App', 'a_b', 'x'.repeat(300), '-lead', 'trail-', 'a..b'),
);

const queryValue = fc.oneof(
  validName,
  traversal,
  hugeNumber.map(encodeURIComponent),
  anyText.map(encodeURIComponent),
  fc.constantFrom('true', 'false', 'maybe', '2026-01-01T00:00:00Z', 'yesterday'),
);
const queryName = fc.constantFrom(
  'namespace',
  'container',
  'tailLines',
  'sinceSeconds',
  'sinceTime',
  'timestamps',
  'previous',
  'limitBytes',
  'follow',
  'unknown',
  '__proto__',
  'constructor',
);

const query = fc
  .array(fc.tuple(queryName, queryValue), { maxLength: 6 })
  .map((pairs) => (pairs.length ? `?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}` : ''));

const headerValue = fc.oneof(
  fc.constantFrom(
    '',
    'Bearer',
    'Bearer x',
    'Basic Zm9vOmJhcg==',
    `Bearer ${'A'.repeat(22)}.${'B'.repeat(43)}`,
    `Bearer ${'t'.repeat(8000)}`,
  ),
  fc.string({ maxLength: 200, unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) }),
);

const accept = fc.constantFrom(
  '*/*',
  'application/json',
  'text/plain',
  'application/x-ndjson',
  'image/png',
  'text/*',
  '',
  'application/json;q=0',
);

const jsonBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc
    .record({
      username: fc.oneof(anyText, fc.integer(), fc.constant('reader')),
      password: fc.oneof(anyText, fc.constant(null)),
    })
    .map((value) => JSON.stringify(value)),
  fc
    .record({ permission: fc.oneof(anyText, fc.constant('logs:read:default'), fc.integer()) })
    .map((value) => JSON.stringify(value)),
  fc
    .record({
      checks: fc.oneof(
        fc.array(
          fc.record({
            token: fc.oneof(anyText, fc.integer()),
            permission: fc.oneof(anyText, fc.constant('logs:read')),
          }),
          { maxLength: 80 },
        ),
        anyText,
      ),
    })
    .map((value) => JSON.stringify(value)),
  fc.constantFrom('{', '[]', 'null', '"x"', `{"username":"${'u'.repeat(40_000)}","password":"x"}`, '\u0000\u0001'),
);

export const logsRequests = fc
  .record({
    pod: segment,
    query,
    authorization: fc.option(headerValue),
    accept,
    method: fc.constantFrom('GET', 'HEAD'),
  })
  .map(({ pod, query: search, authorization, accept: accepted, method }): HostileRequest => ({
    spec: 'logs',
    method,
    path: `/logs/${pod}${search}`,
    headers: { ...(authorization === null ? {} : { authorization }), ...(accepted ? { accept: accepted } : {}) },
  }));

export const authRequests = fc
  .record({
    target: fc.constantFrom(
      '/auth/login',
      '/auth/validate',
      '/auth/validate/batch',
      '/auth/session',
      '/auth/logout',
      '/auth/sessions',
      '/auth/sessions/',
    ),
    id: segment,
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'DELETE', 'PUT'),
    body: fc.option(jsonBody),
    contentType: fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      '',
    ),
    authorization: fc.option(headerValue),
    /** `service` stands for the real service token; the others are wrong. */
    serviceToken: fc.option(fc.constantFrom('service', 'x', '', 'A'.repeat(64))),
  })
  .map(({ target, id, method, body, contentType, authorization, serviceToken }): HostileRequest => ({
    spec: 'auth',
    method,
    path: target.endsWith('/') ? `${target}${id}` : target,
    headers: {
      ...(authorization === null ? {} : { authorization }),
      ...(serviceToken === null ? {} : { 'x-service-token': serviceToken }),
      ...(contentType && body !== null ? { 'content-type': contentType } : {}),
    },
    ...(body === null ? {} : { body }),
  }));
