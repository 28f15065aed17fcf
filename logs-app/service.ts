import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from '../common/logger.js';
import { browserUrl, listen } from '../common/serve.js';
import { compileSpec, loadSpec } from '../common/spec.js';
import { createLogsApp } from './app.js';
import { createAuthClient } from './auth-client.js';
import { ChangeFeed } from './change-feed.js';
import type { LogsConfig } from './config.js';
import { DirectorySource } from './sources/directory.js';
import { KubernetesSource } from './sources/kubernetes.js';
import type { LogSource } from './sources/source.js';
import { VerdictCache } from './verdict-cache.js';
import { Verdicts } from './verdicts.js';
import { loadViewerAssets } from './viewer-assets.js';

export interface LogsService {
  url: string;
  /** Where browsers reach logs-app: LOGS_PUBLIC_URL, or where it listens. */
  publicUrl: string;
  log: Logger;
  /** auth-app's change feed, which verdicts are kept by while it is live. */
  changeFeed: Pick<ChangeFeed, 'live' | 'whenLive'>;
  stop(): Promise<void>;
}

export interface LogsServiceOptions {
  logDestination?: DestinationStream;
  /** In place of the source the config names. */
  source?: LogSource;
}

/** A rotated gzip held at most the kubelet's rotation size (10 MiB by default); one far past it is refused. */
const maxGunzippedBytes = 256 * 1024 * 1024;

const sourceFor = (config: LogsConfig, logger: Logger): LogSource =>
  config.source.kind === 'dir'
    ? new DirectorySource({
        root: config.source.dir,
        pollMs: config.source.pollMs,
        gzip: { ...config.source.gzipCache, maxFileBytes: maxGunzippedBytes },
        onUnreadable: (file, reason) => logger.warn({ file, reason }, 'a rotated log file is left out'),
      })
    : new KubernetesSource(config.source, (status, message) =>
        logger.warn({ status, reason: message }, 'the Kubernetes API refused logs-app'),
      );

export async function startLogsService(config: LogsConfig, options: LogsServiceOptions = {}): Promise<LogsService> {
  const logger = createLogger('logs-app', config.logLevel, options.logDestination);
  const spec = loadSpec('logs');
  const operations = await compileSpec(spec);
  const source = options.source ?? sourceFor(config, logger);
  await source
    .ready()
    .catch((error: unknown) =>
      logger.warn(
        { reason: (error as Error).message },
        'the log source is not usable yet; /readyz says so until it is',
      ),
    );
  const authClient = createAuthClient({
    baseUrl: config.auth.url,
    timeoutMs: config.auth.timeoutMs,
    connections: config.auth.connections,
    serviceToken: config.auth.serviceToken,
    ca: config.auth.ca,
  });
  const verdicts: Verdicts = new Verdicts(authClient, new VerdictCache(config.auth.cacheSize), {
    live: (now) => changeFeed.live(now),
    get touchIntervalMs() {
      return changeFeed.touchIntervalMs;
    },
  });
  const changeFeed = new ChangeFeed(
    {
      baseUrl: config.auth.url,
      serviceToken: config.auth.serviceToken,
      ca: config.auth.ca,
      timeoutMs: config.auth.feedTimeoutMs,
    },
    verdicts,
    logger,
  );
  for (const ignored of config.ignored) logger.warn(ignored);
  const stopping = new AbortController();
  const viewer = loadViewerAssets();
  if (!viewer) logger.warn('the viewer was not built (npm run build): GET / answers 503 until it is');
  let publicUrl = config.browser.publicUrl;
  const app = createLogsApp({
    spec,
    operations,
    authClient,
    verdicts,
    source,
    realm: config.realm,
    logger,
    stopping: stopping.signal,
    follows: config.follows,
    writeTimeoutMs: config.writeTimeoutMs,
    browser: config.browser,
    publicUrl: () => publicUrl ?? '',
    viewer,
  });
  const listening = await listen(app, config.host, config.port, {
    service: { name: 'logs-app', hostVariable: 'LOGS_HOST', portVariable: 'LOGS_PORT' },
    maxConnections: config.maxConnections,
    tls: config.tls && {
      files: config.tls,
      variables: 'LOGS_TLS_CERT_FILE / LOGS_TLS_KEY_FILE',
      onRefused: (reason) => logger.warn({ reason }, 'new TLS files refused; the ones before are kept'),
    },
  });
  publicUrl ??= browserUrl(listening.url);
  changeFeed.start();
  logger.info(
    { url: listening.url, publicUrl, source: config.source.kind, authUrl: config.auth.url },
    'logs-app listening',
  );
  const stop = async () => {
    stopping.abort();
    await listening.close();
    await Promise.all([source.close(), authClient.close(), changeFeed.stop()]);
  };
  let stopped: Promise<void> | undefined;
  return { url: listening.url, publicUrl, log: logger, changeFeed, stop: () => (stopped ??= stop()) };
}
