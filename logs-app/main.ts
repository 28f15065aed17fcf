import { runService } from '../common/serve.js';
import { logsConfig } from './config.js';
import { startLogsService } from './service.js';

await runService(() => startLogsService(logsConfig(process.env)));
