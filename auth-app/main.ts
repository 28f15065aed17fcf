import { runService } from '../common/serve.js';
import { authConfig } from './config.js';
import { startAuthService } from './service.js';

await runService(() => startAuthService(authConfig(process.env)));
