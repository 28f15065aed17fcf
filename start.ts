import { authConfig } from './auth-app/config.js';
import { startAuthService } from './auth-app/service.js';
import { logsConfig } from './logs-app/config.js';
import { startLogsService } from './logs-app/service.js';
import { runService } from './common/serve.js';

/** `npm start`: both services in one process on their embedded defaults, still talking HTTP to each other. */
await runService(async () => {
  const auth = await startAuthService(authConfig(process.env));
  const logs = await startLogsService(logsConfig({ LOGS_AUTH_URL: auth.url, ...process.env }));
  return {
    log: logs.log,
    stop: async () => {
      await logs.stop();
      await auth.stop();
    },
  };
});
