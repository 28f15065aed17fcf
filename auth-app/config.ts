import { z } from 'zod';
import { tlsFilesFrom, type TlsFiles } from '../common/tls.js';
import type { SessionPolicy } from './sessions.js';
import type { ThrottlePolicy } from './throttle.js';
import { envBoolean, envInt, envPort, envSecret, logLevel, parseEnv, secretFrom } from '../common/config.js';

const schema = z.object({
  AUTH_HOST: z.string().min(1).default('127.0.0.1'),
  AUTH_PORT: envPort(8001),
  AUTH_DATABASE_URL: z.string().min(1).default('sqlite:data/auth.db'),
  AUTH_DATABASE_POOL_SIZE: envInt(10, 1, 1000),
  AUTH_DATABASE_TIMEOUT_MS: envInt(1500, 100, 60_000),
  AUTH_SESSION_IDLE_TIMEOUT: envInt(1800, 1),
  AUTH_SESSION_MAX_AGE: envInt(43_200, 1),
  AUTH_SESSION_TOUCH_INTERVAL: envInt(60, 0),
  AUTH_MAX_SESSIONS_PER_USER: envInt(50, 1, 10_000),
  AUTH_LOGIN_MAX_FAILURES: envInt(5, 1, 10_000),
  AUTH_LOGIN_WINDOW: envInt(900, 1),
  AUTH_LOGIN_ACCOUNT_MAX_FAILURES: envInt(100, 2, 100_000),
  AUTH_LOGIN_ACCOUNT_WINDOW: envInt(3600, 1),
  AUTH_PURGE_INTERVAL: envInt(60, 1),
  AUTH_REALM: z
    .string()
    .regex(/^[\w .-]{1,64}$/, 'letters, digits, space, dot, dash')
    .default('pod-logs'),
  AUTH_TRUST_PROXY: envBoolean(false),
  AUTH_SERVICE_TOKEN: envSecret,
  AUTH_SERVICE_TOKEN_FILE: z.string().min(1).optional(),
  AUTH_LOG_LEVEL: logLevel,
});

export interface AuthConfig {
  host: string;
  port: number;
  databaseUrl: string;
  postgres: { poolSize: number; connectTimeoutMs: number; queryTimeoutMs: number };
  session: SessionPolicy;
  throttle: ThrottlePolicy;
  purgeIntervalMs: number;
  realm: string;
  trustProxy: boolean;
  /** What services send as X-Service-Token to ask for validations; without it those endpoints refuse every call. */
  serviceToken: string | undefined;
  /** HTTPS with these files; plain HTTP without (behind an ingress that terminates TLS). */
  tls: TlsFiles | undefined;
  logLevel: string;
}

export function authConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const parsed = parseEnv(schema, env);
  const idleTimeoutMs = parsed.AUTH_SESSION_IDLE_TIMEOUT * 1000;
  return {
    host: parsed.AUTH_HOST,
    port: parsed.AUTH_PORT,
    databaseUrl: parsed.AUTH_DATABASE_URL,
    postgres: {
      poolSize: parsed.AUTH_DATABASE_POOL_SIZE,
      connectTimeoutMs: parsed.AUTH_DATABASE_TIMEOUT_MS,
      queryTimeoutMs: parsed.AUTH_DATABASE_TIMEOUT_MS,
    },
    session: {
      idleTimeoutMs,
      maxAgeMs: parsed.AUTH_SESSION_MAX_AGE * 1000,
      touchIntervalMs: Math.min(parsed.AUTH_SESSION_TOUCH_INTERVAL * 1000, idleTimeoutMs / 2),
      maxPerUser: parsed.AUTH_MAX_SESSIONS_PER_USER,
    },
    throttle: {
      maxFailures: parsed.AUTH_LOGIN_MAX_FAILURES,
      windowMs: parsed.AUTH_LOGIN_WINDOW * 1000,
      accountMaxFailures: parsed.AUTH_LOGIN_ACCOUNT_MAX_FAILURES,
      accountWindowMs: parsed.AUTH_LOGIN_ACCOUNT_WINDOW * 1000,
    },
    purgeIntervalMs: parsed.AUTH_PURGE_INTERVAL * 1000,
    realm: parsed.AUTH_REALM,
    trustProxy: parsed.AUTH_TRUST_PROXY,
    serviceToken: secretFrom('AUTH_SERVICE_TOKEN', parsed.AUTH_SERVICE_TOKEN, parsed.AUTH_SERVICE_TOKEN_FILE),
    tls: tlsFilesFrom('AUTH', env),
    logLevel: parsed.AUTH_LOG_LEVEL,
  };
}
