import Koa from 'koa';
import type { Document } from 'openapi-backend';
import { docsHandlers } from '../common/docs.js';
import { logStreamFailures, requestEnvelope } from '../common/envelope.js';
import { healthHandlers } from '../common/health.js';
import type { Logger } from '../common/logger.js';
import { Problem } from '../common/problem.js';
import { Routes } from '../common/routes.js';
import type { CompiledSpec } from '../common/spec.js';
import type { operations } from '../generated/auth.js';
import type { BrowserCookies } from './browser-cookies.js';
import type { BrowserSite } from './browser-site.js';
import type { ChangeFeed } from './change-feed.js';
import type { AuthConfig } from './config.js';
import type { ProviderSignIn } from './oidc/provider-sign-in.js';
import { problemPages } from './pages/layout.js';
import type { PasswordLogin } from './password-login.js';
import { requireService } from './require-service.js';
import { requireSession } from './require-session.js';
import { addCliSignInRoutes } from './routes/cli-sign-in.js';
import { addChangeRoutes } from './routes/changes.js';
import { addCurrentSessionRoutes } from './routes/current-session.js';
import { addForwardAuthRoutes } from './routes/forward-auth.js';
import { addLoginRoutes } from './routes/login.js';
import { addProviderSignInRoutes } from './routes/provider-sign-in.js';
import { addSessionListRoutes } from './routes/session-list.js';
import { addSignInRoutes } from './routes/sign-in.js';
import { addSignOutRoutes } from './routes/sign-out.js';
import { addValidateRoutes } from './routes/validate.js';
import type { Sessions } from './sessions.js';
import { StoreUnavailableError } from './store/driver.js';
import type { Store } from './store/store.js';

export interface AuthAppParts {
  config: AuthConfig;
  spec: Document;
  operations: CompiledSpec;
  store: Store;
  sessions: Sessions;
  login: PasswordLogin;
  changes: ChangeFeed;
  logger: Logger;
  /** Where browsers reach auth-app and whom it trusts; its cookies. */
  site: BrowserSite;
  cookies: BrowserCookies;
  /** Sign-in through the identity provider, when one is set up. */
  provider: ProviderSignIn | undefined;
  /** Aborted when the service stops: change feeds end then. */
  stopping: AbortSignal;
}

const storeFailure = (error: unknown) =>
  error instanceof StoreUnavailableError
    ? new Problem('unavailable', { detail: 'The session store is unreachable', headers: { 'Retry-After': '5' } })
    : undefined;

/** Every operation of openapi/auth.yaml, routed; the table refuses an operationId the spec lacks. */
function authRoutes(parts: AuthAppParts): Routes<operations> {
  const { config, sessions, site, cookies } = parts;
  const routes = new Routes<operations>(parts.operations, 'openapi/auth.yaml', {
    serviceToken: requireService(config.serviceToken, config.realm),
  });
  /** What a service asks about is the token it was sent; a user's own calls may come from its browser instead. */
  const bearer = requireSession(sessions, { realm: config.realm });
  const user = requireSession(sessions, { realm: config.realm, browser: { cookies, site } });
  routes.handlers(healthHandlers([{ name: 'the session store', check: () => parts.store.ping() }]));
  routes.handlers(docsHandlers(parts.spec, 'auth-app API'));
  addLoginRoutes(routes, parts.login, config);
  addValidateRoutes(routes, bearer, sessions, config.session, config.realm);
  addCurrentSessionRoutes(routes, user, sessions, config.session);
  addSessionListRoutes(routes, user, sessions, config.session);
  const { provider } = parts;
  const pages = { site, cookies, sessions, login: parts.login, trustProxy: config.trustProxy, provider };
  addSignInRoutes(routes, pages);
  addSignOutRoutes(routes, pages);
  addProviderSignInRoutes(routes, pages, provider);
  addCliSignInRoutes(routes, pages, provider, config);
  addForwardAuthRoutes(routes, user, site, config.realm);
  addChangeRoutes(routes, parts.changes, config.session.touchIntervalMs, parts.stopping);
  return routes;
}

export function createAuthApp(parts: AuthAppParts): Koa {
  const app = new Koa();
  logStreamFailures(app, parts.logger);
  app.use(
    requestEnvelope({
      logger: parts.logger,
      translate: storeFailure,
      headers: { 'Cache-Control': 'no-store' },
      writeProblem: problemPages(parts.site),
    }),
  );
  authRoutes(parts).serve(app);
  return app;
}
