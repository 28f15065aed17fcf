import { randomBytes } from 'node:crypto';
import { authConfig } from './auth-app/config.js';
import { startAuthService } from './auth-app/service.js';
import { logsConfig } from './logs-app/config.js';
import { startLogsService } from './logs-app/service.js';
import { runService } from './common/serve.js';

/**
 * `npm start`: both services in one process on their embedded defaults, still talking HTTP to each other, sharing
 * AUTH_SERVICE_TOKEN when it is set and a new random service token otherwise.
 */
await runService(async () => {
  const config = authConfig(process.env);
  const serviceToken = config.serviceToken ?? randomBytes(32).toString('base64url');
  const auth = await startAuthService({ ...config, serviceToken });
  const logs = await startLogsService(
    logsConfig({
      LOGS_AUTH_URL: auth.url,
      ...process.env,
      LOGS_SERVICE_TOKEN: serviceToken,
      LOGS_SERVICE_TOKEN_FILE: undefined,
    }),
  );
  return {
    log: logs.log,
    stop: async () => {
      await logs.stop();
      await auth.stop();
    },
  };
});
