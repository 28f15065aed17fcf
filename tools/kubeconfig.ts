import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';

const usage = `Usage: npm run --silent kubeconfig -- --server <logs-app https URL> [--certificate-authority <file>]
         --auth-server <auth-app URL> [--auth-certificate-authority <file>] (--username <name> | --sign-in oidc)

Prints a kubeconfig whose context, cluster and user are named pod-logs; its user is this product's exec
credential plugin, which signs in at auth-app once and caches the session token: with the user's password, or with
--sign-in oidc through auth-app's identity provider in the browser (it opens $BROWSER, or prints the address). Merge it into ~/.kube/config, or
point KUBECONFIG at it, then: kubectl --context pod-logs get pods`;

function refuse(message: string): never {
  process.stderr.write(`${message}\n\n${usage}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      server: { type: 'string' },
      'certificate-authority': { type: 'string' },
      'auth-server': { type: 'string' },
      'auth-certificate-authority': { type: 'string' },
      username: { type: 'string' },
      'sign-in': { type: 'string' },
      help: { type: 'boolean' },
    },
  }));
} catch (error) {
  refuse((error as Error).message);
}
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const { server, username } = values;
const authServer = values['auth-server'];
const signIn = values['sign-in'];
if (signIn !== undefined && signIn !== 'oidc') refuse(`--sign-in takes oidc, not ${signIn}`);
if (!server || !authServer || !username === (signIn === undefined)) {
  refuse('--server, --auth-server and one of --username or --sign-in oidc are required');
}
/** kubectl sends no token to a plain-HTTP server, so a kubeconfig for one could never work. */
if (!server.startsWith('https://'))
  refuse(`--server must be an https:// URL (kubectl sends no token over http): ${server}`);

const authority = values['certificate-authority'];
const authAuthority = values['auth-certificate-authority'];
const plugin = fileURLToPath(new URL('./kubectl-credential.js', import.meta.url));

const kubeconfig = {
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [
    {
      name: 'pod-logs',
      cluster: {
        server,
        ...(authority ? { 'certificate-authority-data': readFileSync(authority).toString('base64') } : {}),
      },
    },
  ],
  users: [
    {
      name: 'pod-logs',
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: [plugin, '--auth-server', authServer, ...(signIn ? ['--sign-in', signIn] : ['--username', username!])],
          env: authAuthority ? [{ name: 'NODE_EXTRA_CA_CERTS', value: resolve(authAuthority) }] : [],
          interactiveMode: 'IfAvailable',
          provideClusterInfo: false,
        },
      },
    },
  ],
  contexts: [{ name: 'pod-logs', context: { cluster: 'pod-logs', user: 'pod-logs' } }],
  'current-context': 'pod-logs',
};
process.stdout.write(stringify(kubeconfig));
