import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { startAuth, testServiceToken } from '../helpers/auth.js';
import { runScript } from '../helpers/processes.js';

const admin = (databaseUrl: string, args: string[]) =>
  runScript('auth-app/admin.ts', args, { AUTH_DATABASE_URL: databaseUrl });

async function startAuthApp(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'oidc-config-'));
  try {
    return await runScript('auth-app/main.ts', [], {
      AUTH_PORT: '0',
      AUTH_DATABASE_URL: `sqlite:${join(dir, 'auth.db')}`,
      AUTH_SERVICE_TOKEN: testServiceToken,
      ...env,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const client = { AUTH_OIDC_CLIENT_ID: 'pod-logs', AUTH_OIDC_CLIENT_SECRET: 'a-client-secret' };

for (const [title, env, named] of [
  [
    'an issuer over plain http off loopback',
    { AUTH_OIDC_ISSUER: 'http://idp.example.com', ...client },
    'AUTH_OIDC_ISSUER',
  ],
  [
    'no client id',
    { AUTH_OIDC_ISSUER: 'https://idp.example.com', AUTH_OIDC_CLIENT_SECRET: 'x' },
    'AUTH_OIDC_CLIENT_ID',
  ],
  [
    'no client secret',
    { AUTH_OIDC_ISSUER: 'https://idp.example.com', AUTH_OIDC_CLIENT_ID: 'x' },
    'AUTH_OIDC_CLIENT_SECRET',
  ],
  ['a provider setting without an issuer', { AUTH_OIDC_CLIENT_ID: 'x' }, 'AUTH_OIDC_CLIENT_ID'],
  [
    'a group mapped to something not a permission',
    { AUTH_OIDC_ISSUER: 'https://idp.example.com', ...client, AUTH_OIDC_GROUP_PERMISSIONS: 'dev=logs:write' },
    'AUTH_OIDC_GROUP_PERMISSIONS',
  ],
  [
    'scopes without openid',
    { AUTH_OIDC_ISSUER: 'https://idp.example.com', ...client, AUTH_OIDC_SCOPES: 'profile' },
    'AUTH_OIDC_SCOPES',
  ],
] as const) {
  test(`${title}: exit 2 naming ${named}`, async (t) => {
    const result = await startAuthApp(env);
    t.is(result.code, 2, result.stderr);
    t.regex(result.stderr, new RegExp(named));
  });
}

test('an issuer whose discovery names another issuer: exit 2 naming AUTH_OIDC_ISSUER, before listening', async (t) => {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ issuer: 'https://someone-else.example', authorization_endpoint: 'https://x/auth' }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const result = await startAuthApp({ AUTH_OIDC_ISSUER: issuer, ...client });
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, /AUTH_OIDC_ISSUER: .* answers discovery wrongly/);
  t.notRegex(result.stdout, /listening/);
});

test('the CLI lists a provider user with its source and refuses it a password', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  await auth.service.store.createUser({
    id: randomUUID(),
    username: 'pat',
    permissions: ['logs:read:ops'],
    providerPermissions: ['logs:read:dev'],
    identity: { issuer: 'https://idp.example.com/', subject: 'subject-pat' },
    createdAt: Date.now(),
  });
  const listed = await admin(auth.databaseUrl, ['user', 'list']);
  t.like(JSON.parse(listed.stdout.trim()), {
    username: 'pat',
    source: 'oidc',
    issuer: 'https://idp.example.com/',
    providerPermissions: ['logs:read:dev'],
    permissions: ['logs:read:ops'],
  });
  const passwd = await admin(auth.databaseUrl, ['user', 'passwd', 'pat']);
  t.is(passwd.code, 1);
  t.regex(passwd.stderr, /pat signs in through https:\/\/idp\.example\.com\/ and has no local password/);
  const revoke = await admin(auth.databaseUrl, ['user', 'revoke', 'pat', 'logs:read:dev']);
  t.is(revoke.code, 1);
  t.regex(revoke.stderr, /it comes from https:\/\/idp\.example\.com\/'s groups, to be changed there/);
});
