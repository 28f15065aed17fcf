import { runService } from '../common/serve.js';
import { logsConfig } from '../logs-app/config.js';
import { startLogsService } from '../logs-app/service.js';
import type { LogEntry, LogSource } from '../logs-app/sources/source.js';
import { message } from './fixtures.js';

/**
 * logs-app whole (session check, spec validation, audit line, rendering) with ten lines kept in memory in place of
 * its log files: what a log answer costs before any file is read, the floor of scenario 1.
 */
const lines: LogEntry[] = Array.from({ length: 10 }, () => ({ stream: 'stdout', line: message }));

const noPods = { kind: 'PodList', apiVersion: 'v1', items: [] };

const inMemory: LogSource = {
  open: async () => ({ container: 'app', entries: () => [lines] }),
  catalog: {
    namespaces: async () => noPods,
    pods: async () => noPods,
    pod: async () => noPods,
    summaries: async () => [],
  },
  ready: async () => {},
  close: async () => {},
};

await runService(() => startLogsService(logsConfig(process.env), { source: inMemory }));
