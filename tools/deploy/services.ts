import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { authEnvironment } from '../../auth-app/config.js';
import type { ServiceEnvironment } from '../../common/service-environment.js';
import { tlsVariables } from '../../common/tls.js';
import { loadSpec } from '../../common/spec.js';
import { logsEnvironment } from '../../logs-app/config.js';
import { repoRoot } from './render.js';

/** One of the product's services, as the image runs it and as its config and spec say it listens. */
export interface Service {
  name: 'auth-app' | 'logs-app';
  environment: ServiceEnvironment;
  portVariable: string;
  /** Set, the service serves HTTPS, and so must its probes ask. */
  tlsVariable: string;
  /** The paths of the spec's `health` and `readiness` operations. */
  probes: { liveness: string; readiness: string };
}

function probePaths(spec: 'auth' | 'logs'): Service['probes'] {
  const paths = loadSpec(spec).paths as Record<string, { get?: { operationId?: string } }>;
  const pathOf = (operationId: string) => {
    const found = Object.entries(paths).find(([, item]) => item.get?.operationId === operationId);
    if (!found) throw new Error(`openapi/${spec}.yaml declares no GET ${operationId}`);
    return found[0];
  };
  return { liveness: pathOf('health'), readiness: pathOf('readiness') };
}

function service(name: Service['name'], environment: ServiceEnvironment, prefix: 'AUTH' | 'LOGS'): Service {
  return {
    name,
    environment,
    portVariable: `${prefix}_PORT`,
    tlsVariable: tlsVariables(prefix)[0],
    probes: probePaths(prefix === 'AUTH' ? 'auth' : 'logs'),
  };
}

export const authApp = service('auth-app', authEnvironment, 'AUTH');
export const logsApp = service('logs-app', logsEnvironment, 'LOGS');

/** What a container of the image may run (node's argument after its own flags), and whether it listens. */
export interface Entry {
  script: string;
  service: Service;
  serves: boolean;
}

export const entries: Entry[] = [
  { script: 'dist/auth-app/main.js', service: authApp, serves: true },
  { script: 'dist/auth-app/admin.js', service: authApp, serves: false },
  { script: 'dist/logs-app/main.js', service: logsApp, serves: true },
];

/** The TypeScript a compiled entry is built from: `dist/auth-app/main.js` from `auth-app/main.ts`. */
export const sourceOf = (script: string): string => script.replace(/^dist\//, '').replace(/\.js$/, '.ts');

export const entryExists = (script: string, root = repoRoot): boolean => existsSync(join(root, sourceOf(script)));

/** The entry node runs with these arguments: the first that is not one of node's own flags. */
export function entryOf(args: readonly string[]): Entry | string | undefined {
  const script = args.find((each) => !each.startsWith('-'));
  if (script === undefined) return undefined;
  return entries.find((each) => each.script === script) ?? script;
}

/** What the service makes of a variable in this environment: its value, or its default when unset. */
export function valueOf(service: Service, env: Record<string, string>, name: string): unknown {
  const parsed = service.environment.parse(name, env[name]);
  return 'value' in parsed ? parsed.value : undefined;
}
