import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { z } from 'zod';
import { sessionCookieName } from '../common/session-cookie.js';
import { tlsFilesFrom, tlsVariables, type TlsFiles } from '../common/tls.js';
import { ConfigError, envInt, envPort, envSecret, logLevel, parseEnv, secretFrom } from '../common/config.js';
import { serviceEnvironment } from '../common/service-environment.js';
import type { FollowPolicy } from './follows.js';
import type { KubernetesOptions } from './sources/kubernetes.js';

const serviceAccount = '/var/run/secrets/kubernetes.io/serviceaccount';

const schema = z.object({
  LOGS_HOST: z.string().min(1).default('127.0.0.1'),
  LOGS_PORT: envPort(8000),
  LOGS_AUTH_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8001'),
  LOGS_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOGS_AUTH_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOGS_SESSION_COOKIE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a cookie name: letters, digits, dash, underscore')
    .optional(),
  LOGS_AUTH_CA_FILE: z.string().min(1).optional(),
  LOGS_AUTH_TIMEOUT_MS: envInt(2000, 1, 60_000),
  LOGS_AUTH_CACHE_SIZE: envInt(10_000, 0, 10_000_000),
  LOGS_AUTH_FEED_TIMEOUT_MS: envInt(2000, 400, 600_000),
  LOGS_AUTH_CONNECTIONS: envInt(64, 1, 10_000),
  LOGS_SERVICE_TOKEN: envSecret,
  LOGS_SERVICE_TOKEN_FILE: z.string().min(1).optional(),
  LOGS_SOURCE: z.enum(['dir', 'kubernetes']).default('dir'),
  LOGS_DIR: z.string().min(1).default('/var/log/pods'),
  LOGS_FOLLOW_POLL_MS: envInt(1000, 10, 60_000),
  LOGS_FOLLOW_RECHECK_MS: envInt(5000, 100, 600_000),
  LOGS_MAX_FOLLOWS: envInt(10_000, 1, 1_000_000),
  LOGS_MAX_FOLLOWS_PER_SESSION: envInt(50, 1, 1_000_000),
  LOGS_MAX_CONNECTIONS: envInt(16_384, 1, 1_000_000),
  LOGS_WRITE_TIMEOUT_MS: envInt(30_000, 100, 3_600_000),
  LOGS_GZIP_CACHE_DIR: z.string().min(1).default(tmpdir()),
  LOGS_GZIP_CACHE_MIB: envInt(1024, 1, 1_048_576),
  LOGS_KUBE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOGS_KUBE_TOKEN_FILE: z.string().min(1).optional(),
  LOGS_KUBE_CA_FILE: z.string().min(1).optional(),
  LOGS_KUBE_TIMEOUT_MS: envInt(10_000, 1, 600_000),
  KUBERNETES_SERVICE_HOST: z.string().optional(),
  KUBERNETES_SERVICE_PORT: z.string().optional(),
  LOGS_REALM: z
    .string()
    .regex(/^[\w .-]{1,64}$/, 'letters, digits, space, dot, dash')
    .default('pod-logs'),
  LOGS_LOG_LEVEL: logLevel,
});

export type SourceConfig =
  | { kind: 'dir'; dir: string; pollMs: number; gzipCache: { parent: string; maxBytes: number } }
  | ({ kind: 'kubernetes' } & KubernetesOptions);

export interface BrowserConfig {
  /** Where browsers reach logs-app; undefined: `http://127.0.0.1:<the port it listens on>`. */
  publicUrl: string | undefined;
  /** Where browsers reach auth-app's sign-in page. */
  authPublicUrl: string;
  /** The session cookie auth-app sets, which logs-app reads when no Bearer header is sent. */
  sessionCookie: string;
}

export interface LogsConfig {
  host: string;
  port: number;
  browser: BrowserConfig;
  auth: {
    url: string;
    timeoutMs: number;
    /** Verdicts kept while auth-app's change feed is live; 0 asks auth-app on every request. */
    cacheSize: number;
    /** With nothing heard on the change feed for this long (a heartbeat at least), it is taken as down. */
    feedTimeoutMs: number;
    connections: number;
    /** Sent as X-Service-Token: auth-app's AUTH_SERVICE_TOKEN. */
    serviceToken: string;
    /** The authority auth-app's HTTPS certificate is checked against, when the system's do not know it. */
    ca: string | undefined;
  };
  source: SourceConfig;
  follows: FollowPolicy;
  /** A streamed answer whose client takes nothing for this long is cut off. */
  writeTimeoutMs: number;
  /** Open connections at most; one more is answered 503 and closed. */
  maxConnections: number;
  /** HTTPS with these files (kubectl sends no token to a plain-HTTP server); plain HTTP without. */
  tls: TlsFiles | undefined;
  realm: string;
  logLevel: string;
  /** Variables set that no longer do anything, and why: warned of at start. */
  ignored: string[];
}

/** Gone, with what replaced them. */
const removedVariables: Record<string, string> = {
  LOGS_AUTH_CACHE_TTL:
    "ignored: verdicts are kept while auth-app's change feed is live and forgotten as each change commits, with no TTL",
};

function kubernetesSource(env: z.infer<typeof schema>): SourceConfig {
  if (env.LOGS_KUBE_API_URL) {
    return {
      kind: 'kubernetes',
      apiUrl: env.LOGS_KUBE_API_URL.replace(/\/$/, ''),
      tokenFile: env.LOGS_KUBE_TOKEN_FILE,
      caFile: env.LOGS_KUBE_CA_FILE,
      timeoutMs: env.LOGS_KUBE_TIMEOUT_MS,
    };
  }
  if (!env.KUBERNETES_SERVICE_HOST) {
    throw new ConfigError(
      'Invalid configuration:\n  LOGS_KUBE_API_URL: required with LOGS_SOURCE=kubernetes outside a cluster',
    );
  }
  const host = env.KUBERNETES_SERVICE_HOST.includes(':')
    ? `[${env.KUBERNETES_SERVICE_HOST}]`
    : env.KUBERNETES_SERVICE_HOST;
  return {
    kind: 'kubernetes',
    apiUrl: `https://${host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`,
    tokenFile: env.LOGS_KUBE_TOKEN_FILE ?? `${serviceAccount}/token`,
    caFile: env.LOGS_KUBE_CA_FILE ?? `${serviceAccount}/ca.crt`,
    timeoutMs: env.LOGS_KUBE_TIMEOUT_MS,
  };
}

function serviceToken(env: z.infer<typeof schema>): string {
  const token = secretFrom('LOGS_SERVICE_TOKEN', env.LOGS_SERVICE_TOKEN, env.LOGS_SERVICE_TOKEN_FILE);
  if (token !== undefined) return token;
  throw new ConfigError(
    "Invalid configuration:\n  LOGS_SERVICE_TOKEN: required (or LOGS_SERVICE_TOKEN_FILE): auth-app's AUTH_SERVICE_TOKEN",
  );
}

function readCa(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration:\n  ${variable}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
}

const withoutSlash = (url: string): string => url.replace(/\/+$/, '');

function browserConfig(env: z.infer<typeof schema>): BrowserConfig {
  const authPublicUrl = withoutSlash(env.LOGS_AUTH_PUBLIC_URL ?? env.LOGS_AUTH_URL);
  return {
    publicUrl: env.LOGS_PUBLIC_URL === undefined ? undefined : withoutSlash(env.LOGS_PUBLIC_URL),
    authPublicUrl,
    sessionCookie: env.LOGS_SESSION_COOKIE ?? sessionCookieName(authPublicUrl.startsWith('https:'), undefined),
  };
}

export function logsConfig(environment: NodeJS.ProcessEnv): LogsConfig {
  const env = parseEnv(schema, environment);
  return {
    host: env.LOGS_HOST,
    port: env.LOGS_PORT,
    browser: browserConfig(env),
    auth: {
      url: withoutSlash(env.LOGS_AUTH_URL),
      timeoutMs: env.LOGS_AUTH_TIMEOUT_MS,
      cacheSize: env.LOGS_AUTH_CACHE_SIZE,
      feedTimeoutMs: env.LOGS_AUTH_FEED_TIMEOUT_MS,
      connections: env.LOGS_AUTH_CONNECTIONS,
      serviceToken: serviceToken(env),
      ca: env.LOGS_AUTH_CA_FILE === undefined ? undefined : readCa('LOGS_AUTH_CA_FILE', env.LOGS_AUTH_CA_FILE),
    },
    source:
      env.LOGS_SOURCE === 'dir'
        ? {
            kind: 'dir',
            dir: env.LOGS_DIR,
            pollMs: env.LOGS_FOLLOW_POLL_MS,
            gzipCache: { parent: env.LOGS_GZIP_CACHE_DIR, maxBytes: env.LOGS_GZIP_CACHE_MIB * 1024 * 1024 },
          }
        : kubernetesSource(env),
    follows: {
      maxFollows: env.LOGS_MAX_FOLLOWS,
      maxFollowsPerSession: env.LOGS_MAX_FOLLOWS_PER_SESSION,
      recheckMs: env.LOGS_FOLLOW_RECHECK_MS,
    },
    writeTimeoutMs: env.LOGS_WRITE_TIMEOUT_MS,
    maxConnections: env.LOGS_MAX_CONNECTIONS,
    tls: tlsFilesFrom('LOGS', environment),
    realm: env.LOGS_REALM,
    logLevel: env.LOGS_LOG_LEVEL,
    ignored: Object.entries(removedVariables)
      .filter(([name]) => environment[name] !== undefined)
      .map(([name, why]) => `${name}: ${why}`),
  };
}

/** Every variable logs-app reads (deploy:check holds the image and the manifests to them). */
export const logsEnvironment = serviceEnvironment([schema], tlsVariables('LOGS'));
