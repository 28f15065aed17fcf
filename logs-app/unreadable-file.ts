import { Problem } from '../common/problem.js';

const fileSyscalls = new Set(['open', 'read', 'scandir', 'stat', 'lstat', 'fstat']);

/** A log file or directory logs-app may not read (permissions, an I/O error) is the node's problem, not the request's. */
export function unreadableFile(error: unknown): Problem | undefined {
  const { syscall, code } = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || syscall === undefined || !fileSyscalls.has(syscall)) return undefined;
  return new Problem('filesUnreadable', {
    detail: `logs-app cannot read a file this answer needs (${code ?? 'error'}); its log has the cause`,
  });
}
