import test from 'ava';
import { logsConfig } from '../../logs-app/config.js';
import { runScript } from '../helpers/processes.js';

test('a bad configuration value exits 2 naming the variable', async (t) => {
  const result = await runScript('logs-app/main.ts', [], { LOGS_AUTH_URL: 'not a url', LOGS_AUTH_TIMEOUT_MS: '0' });
  t.is(result.code, 2);
  t.regex(result.stderr, /LOGS_AUTH_URL/);
  t.regex(result.stderr, /LOGS_AUTH_TIMEOUT_MS/);
});

test('the Kubernetes source needs an API URL outside a cluster', async (t) => {
  const result = await runScript('logs-app/main.ts', [], { LOGS_SOURCE: 'kubernetes' });
  t.is(result.code, 2);
  t.regex(result.stderr, /LOGS_KUBE_API_URL/);
});

test('inside a cluster the service account is used', (t) => {
  const config = logsConfig({
    LOGS_SOURCE: 'kubernetes',
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
  });
  t.like(config.source, {
    kind: 'kubernetes',
    apiUrl: 'https://10.96.0.1:443',
    tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
    caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
  });
});
