import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { logsConfig } from '../../logs-app/config.js';
import { startLogsService } from '../../logs-app/service.js';
import type { LogSource } from '../../logs-app/sources/source.js';
import { startAuth, testPassword, testServiceToken } from '../helpers/auth.js';
import { contractClient } from '../helpers/http.js';

/** A log source whose file read fails as a real one does on a broken node (here opening a directory: EISDIR). */
function failingSource(path: string): LogSource {
  return {
    open: async () => {
      closeSync(openSync(path, 'r+'));
      throw new Error('unreachable: opening a directory for writing fails');
    },
    catalog: {
      namespaces: () => Promise.reject(new Error('no pods here')),
      pods: () => Promise.reject(new Error('no pods here')),
      pod: () => Promise.reject(new Error('no pods here')),
      summaries: () => Promise.reject(new Error('no pods here')),
    },
    ready: async () => {},
    close: async () => {},
  };
}

test('a log file logs-app cannot read: 500 files-unreadable per the spec, the file named in its log, not in the answer', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  const dir = mkdtempSync(join(tmpdir(), 'unreadable-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logLines: string[] = [];
  const logs = await startLogsService(
    logsConfig({
      LOGS_PORT: '0',
      LOGS_AUTH_URL: auth.url,
      LOGS_SERVICE_TOKEN: testServiceToken,
      LOGS_DIR: dir,
      LOGS_LOG_LEVEL: 'info',
    }),
    { source: failingSource(dir), logDestination: { write: (line: string) => void logLines.push(line) } },
  );
  t.teardown(() => logs.stop());
  await auth.addUser('reader', testPassword, ['logs:read:default']);
  const token = await auth.login('reader', testPassword);

  const response = await contractClient('logs', () => logs.url)('/logs/app', { token });

  t.is(response.status, 500);
  t.is(response.contentType, 'application/problem+json');
  const problem = JSON.parse(response.text) as { type: string; detail: string };
  t.regex(problem.type, /files-unreadable$/);
  t.regex(problem.detail, /EISDIR/);
  t.false(response.text.includes(dir), 'the answer does not disclose paths on the node');
  const audit = logLines.find((line) => line.includes('"audit":"log-access"'));
  t.regex(audit ?? '', /"outcome":"files-unreadable"/);
  t.true(logLines.some((line) => line.includes('"status":500') && line.includes(dir)));
});
