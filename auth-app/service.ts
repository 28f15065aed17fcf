import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from '../common/logger.js';
import { browserUrl, listen } from '../common/serve.js';
import { compileSpec, loadSpec } from '../common/spec.js';
import { createAuthApp } from './app.js';
import { BrowserCookies } from './browser-cookies.js';
import { BrowserSite } from './browser-site.js';
import { ChangeFeed } from './change-feed.js';
import type { AuthConfig } from './config.js';
import { ProviderSignIn } from './oidc/provider-sign-in.js';
import { RelyingParty } from './oidc/relying-party.js';
import { callbackPath } from './routes/provider-sign-in.js';
import { PasswordLogin } from './password-login.js';
import { Sessions, type Clock } from './sessions.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';
import { LoginThrottle } from './throttle.js';

export interface AuthService {
  url: string;
  /** Where browsers reach auth-app's pages: AUTH_PUBLIC_URL, or where it listens. */
  publicUrl: string;
  /** The name of the session cookie its sign-in page sets. */
  sessionCookie: string;
  log: Logger;
  store: Store;
  stop(): Promise<void>;
}

export interface AuthServiceOptions {
  now?: Clock;
  logDestination?: DestinationStream;
  /** Origins trusted besides AUTH_REDIRECT_ORIGINS, known only once another service listens (npm start's logs-app). */
  laterOrigins?: () => readonly string[];
}

/** env -> store -> app -> listen, plus the background purge of expired sessions and old login failures. */
export async function startAuthService(config: AuthConfig, options: AuthServiceOptions = {}): Promise<AuthService> {
  const now = options.now ?? Date.now;
  const logger = createLogger('auth-app', config.logLevel, options.logDestination);
  const spec = loadSpec('auth');
  const [store, operations] = await Promise.all([openStore(config.databaseUrl, config.postgres), compileSpec(spec)]);
  const sessions = new Sessions(store, config.session, now);
  const throttle = new LoginThrottle(store, config.throttle, now);
  const login = new PasswordLogin(store, sessions, throttle);
  let listeningUrl = '';
  const site = new BrowserSite(config.browser, () => listeningUrl, options.laterOrigins);
  const cookies = new BrowserCookies(config.browser.secure, config.browser.cookieDomain);
  const party =
    config.oidc &&
    (await RelyingParty.start(
      config.oidc,
      () => `${site.publicUrl}${callbackPath}`,
      logger,
      (origin) => site.formsMayLeadTo(origin),
    ).catch(async (error: unknown) => {
      await store.close();
      throw error;
    }));
  const provider = party && new ProviderSignIn(party, store, sessions, now);
  const changes = new ChangeFeed(store, logger);
  await changes.start(config.changes.pollMs);
  const stopping = new AbortController();
  const app = createAuthApp({
    config,
    spec,
    operations,
    store,
    sessions,
    login,
    changes,
    logger,
    stopping: stopping.signal,
    site,
    cookies,
    provider,
  });
  const listening = await listen(app, config.host, config.port, {
    service: { name: 'auth-app', hostVariable: 'AUTH_HOST', portVariable: 'AUTH_PORT' },
    tls: config.tls && {
      files: config.tls,
      variables: 'AUTH_TLS_CERT_FILE / AUTH_TLS_KEY_FILE',
      onRefused: (reason) => logger.warn({ reason }, 'new TLS files refused; the ones before are kept'),
    },
  });
  listeningUrl = browserUrl(listening.url);
  const purge = setInterval(() => {
    Promise.all([
      sessions.purgeExpired(),
      throttle.purgeExpired(),
      store.purgeChanges(now() - config.changes.retentionMs),
    ])
      .then(([sessionsPurged]) => sessionsPurged > 0 && logger.info({ sessionsPurged }, 'expired sessions purged'))
      .catch((error: unknown) => logger.warn({ err: error }, 'purge failed'));
  }, config.purgeIntervalMs);
  purge.unref();
  if (!config.serviceToken) {
    logger.warn(
      'no AUTH_SERVICE_TOKEN (or AUTH_SERVICE_TOKEN_FILE): POST /auth/validate and /auth/validate/batch refuse every call',
    );
  }
  logger.info(
    { url: listening.url, publicUrl: site.publicUrl, store: config.databaseUrl.split(':')[0] },
    'auth-app listening',
  );
  const stop = async () => {
    clearInterval(purge);
    party?.stop();
    stopping.abort();
    changes.close();
    await listening.close();
    await store.close();
  };
  let stopped: Promise<void> | undefined;
  return {
    url: listening.url,
    publicUrl: site.publicUrl,
    sessionCookie: cookies.sessionName,
    log: logger,
    store,
    stop: () => (stopped ??= stop()),
  };
}
