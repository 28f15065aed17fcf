import test from 'ava';
import { container, overlay, violations } from '../helpers/deploy.js';

const setEnv = (objects: ReturnType<typeof overlay>, workload: string, name: string, value: string | undefined) => {
  const running = container(objects, 'Deployment', workload);
  running.env = (running.env ?? []).filter((each) => each.name !== name);
  if (value !== undefined) running.env.push({ name, value });
};

const where = 'Deployment pod-logs/logs-app, container logs-app';

test('the ingress example and the port-forward overlays send browsers between the services and back', (t) => {
  t.deepEqual(violations(overlay('ingress-example')), []);
  t.deepEqual(violations(overlay('kubernetes-api')), []);
});

test('without AUTH_COOKIE_DOMAIN the cookie stays on the sign-in host and takes another name', (t) => {
  const objects = overlay('ingress-example');
  setEnv(objects, 'auth-app', 'AUTH_COOKIE_DOMAIN', undefined);
  t.deepEqual(violations(objects), [
    `${where}: reads the cookie __Secure-pod-logs-session, but auth-app sets __Host-pod-logs-session`,
    `${where}: auth-app's cookie (host auth.logs.example.com) never reaches logs.example.com`,
  ]);
});

test("the viewer's origin missing from AUTH_REDIRECT_ORIGINS, or another sign-in address, fails", (t) => {
  const objects = overlay('ingress-example');
  setEnv(objects, 'auth-app', 'AUTH_REDIRECT_ORIGINS', 'https://other.example.com');
  setEnv(objects, 'logs-app', 'LOGS_AUTH_PUBLIC_URL', 'https://sso.logs.example.com');
  t.deepEqual(violations(objects), [
    `${where}: sends browsers to sign in at https://sso.logs.example.com, but auth-app's AUTH_PUBLIC_URL is https://auth.logs.example.com`,
    `${where}: https://logs.example.com is not in auth-app's AUTH_REDIRECT_ORIGINS: sign-in would not send browsers back`,
  ]);
});
