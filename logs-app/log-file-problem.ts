import { Problem } from '../common/problem.js';
import { RefusedLogFile } from './sources/log-files.js';

const fileSyscalls = new Set(['open', 'read', 'scandir', 'stat', 'lstat', 'fstat', 'realpath', 'readlink']);

/**
 * A log file or directory logs-app may not read (permissions, an I/O error), or one it refuses (it leads out of
 * the log directory, or is no regular file), is the node's problem, not the request's; the answer names no path.
 */
export function logFileProblem(error: unknown): Problem | undefined {
  if (error instanceof RefusedLogFile) {
    return new Problem('fileRefused', {
      detail:
        'logs-app refused a file this answer needs (it is no regular file inside the log directory); its log names it',
    });
  }
  const { syscall, code } = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || syscall === undefined || !fileSyscalls.has(syscall)) return undefined;
  return new Problem('filesUnreadable', {
    detail: `logs-app cannot read a file this answer needs (${code ?? 'error'}); its log has the cause`,
  });
}
