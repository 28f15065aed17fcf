import { z } from 'zod';
import { tlsFilesFrom, tlsVariables, type TlsFiles } from '../common/tls.js';
import type { SessionPolicy } from './sessions.js';
import type { ThrottlePolicy } from './throttle.js';
import {
  ConfigError,
  envBoolean,
  envInt,
  envPort,
  envSecret,
  logLevel,
  parseEnv,
  secretFrom,
} from '../common/config.js';
import { serviceEnvironment } from '../common/service-environment.js';
import { originOf } from './browser-site.js';
import { oidcConfig, oidcSchema, type OidcConfig } from './oidc/config.js';

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
  AUTH_CHANGES_POLL_MS: envInt(10, 1, 60_000),
  AUTH_CHANGES_RETENTION: envInt(3600, 1),
  AUTH_REALM: z
    .string()
    .regex(/^[\w .-]{1,64}$/, 'letters, digits, space, dot, dash')
    .default('pod-logs'),
  AUTH_TRUST_PROXY: envBoolean(false),
  AUTH_SERVICE_TOKEN: envSecret,
  AUTH_SERVICE_TOKEN_FILE: z.string().min(1).optional(),
  AUTH_LOG_LEVEL: logLevel,
  AUTH_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .refine((url) => !/^https?:\/\/[^/]*@/.test(url) && !/[?#]/.test(url), 'a URL without user, query or fragment')
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  AUTH_REDIRECT_ORIGINS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const listed = text
        .split(',')
        .map((each) => each.trim())
        .filter(Boolean);
      const bad = listed.find((each) => originOf(each) === undefined);
      if (bad === undefined) return listed.map((each) => originOf(each)!);
      ctx.addIssue({ code: 'custom', message: `${bad} is not an origin: http(s)://host[:port], nothing after it` });
      return z.NEVER;
    }),
  AUTH_COOKIE_DOMAIN: z
    .string()
    .regex(/^\.?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lower-case domain name such as example.com')
    .transform((domain) => domain.replace(/^\./, ''))
    .optional(),
});

/** Where browsers reach auth-app's pages, whom its sign-in sends them back to, and how its cookie is scoped. */
export interface BrowserConfig {
  /** AUTH_PUBLIC_URL; undefined: the address auth-app listens on, once it does. */
  publicUrl: string | undefined;
  /** Whether the cookies are Secure (and prefixed): AUTH_PUBLIC_URL is https, or auth-app serves TLS itself. */
  secure: boolean;
  /** Origins besides auth-app's own that `rd` may lead to and that may post to its pages. */
  redirectOrigins: string[];
  /** The session cookie's Domain, shared with the subdomains; undefined: auth-app's host alone. */
  cookieDomain: string | undefined;
}

export interface ChangeFeedPolicy {
  /** How often another process's commit is looked for (SQLite's data_version; PostgreSQL NOTIFYs at once). */
  pollMs: number;
  /** How long changes are held for a subscriber that reconnects to be told what it missed. */
  retentionMs: number;
}

export interface AuthConfig {
  host: string;
  port: number;
  databaseUrl: string;
  postgres: { poolSize: number; connectTimeoutMs: number; queryTimeoutMs: number };
  session: SessionPolicy;
  throttle: ThrottlePolicy;
  purgeIntervalMs: number;
  changes: ChangeFeedPolicy;
  realm: string;
  trustProxy: boolean;
  /** What services send as X-Service-Token to ask for validations; without it those endpoints refuse every call. */
  serviceToken: string | undefined;
  /** HTTPS with these files; plain HTTP without (behind an ingress that terminates TLS). */
  tls: TlsFiles | undefined;
  browser: BrowserConfig;
  /** Sign-in through an OpenID Connect provider; undefined without AUTH_OIDC_ISSUER. */
  oidc: OidcConfig | undefined;
  logLevel: string;
}

function browserConfig(parsed: z.infer<typeof schema>, tls: TlsFiles | undefined): BrowserConfig {
  const publicUrl = parsed.AUTH_PUBLIC_URL;
  const domain = parsed.AUTH_COOKIE_DOMAIN;
  if (domain !== undefined) {
    const host = publicUrl === undefined ? undefined : new URL(publicUrl).hostname;
    if (host === undefined || (host !== domain && !host.endsWith(`.${domain}`))) {
      throw new ConfigError(
        `Invalid configuration:\n  AUTH_COOKIE_DOMAIN: ${domain} must be AUTH_PUBLIC_URL's host or a domain above it`,
      );
    }
  }
  return {
    publicUrl,
    secure: publicUrl === undefined ? tls !== undefined : publicUrl.startsWith('https:'),
    redirectOrigins: parsed.AUTH_REDIRECT_ORIGINS,
    cookieDomain: domain,
  };
}

export function authConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const parsed = parseEnv(schema, env);
  const idleTimeoutMs = parsed.AUTH_SESSION_IDLE_TIMEOUT * 1000;
  const tls = tlsFilesFrom('AUTH', env);
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
    changes: { pollMs: parsed.AUTH_CHANGES_POLL_MS, retentionMs: parsed.AUTH_CHANGES_RETENTION * 1000 },
    realm: parsed.AUTH_REALM,
    trustProxy: parsed.AUTH_TRUST_PROXY,
    serviceToken: secretFrom('AUTH_SERVICE_TOKEN', parsed.AUTH_SERVICE_TOKEN, parsed.AUTH_SERVICE_TOKEN_FILE),
    tls,
    browser: browserConfig(parsed, tls),
    oidc: oidcConfig(env),
    logLevel: parsed.AUTH_LOG_LEVEL,
  };
}

/** Every variable auth-app reads (deploy:check holds the image and the manifests to them). */
export const authEnvironment = serviceEnvironment([schema, oidcSchema], tlsVariables('AUTH'));
