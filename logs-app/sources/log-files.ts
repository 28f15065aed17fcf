import { closeSync, constants, fstatSync, openSync, readlinkSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';

/** A file named like a log that is not one to serve: it leads out of the log directory, or is not a regular file. */
export class RefusedLogFile extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'RefusedLogFile';
  }
}

/** O_NOFOLLOW: a link swapped in after the path was resolved is not followed; O_NONBLOCK: a pipe does not block. */
const readFlags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

const inside = (root: string, path: string): boolean => path === root || path.startsWith(root + sep);

/** Where an open descriptor really leads, as the kernel says; undefined without /proc. */
function openedPath(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/**
 * Opens a log file for reading, only when it is a regular file that is, and stays, inside `root` (itself a real
 * path): links are resolved first, and where the descriptor leads is checked once it is open, so a directory
 * swapped for a link in between is caught too.
 */
export function openLogFile(root: string, path: string): number {
  const real = realpathSync.native(path);
  if (!inside(root, real)) throw new RefusedLogFile(path, `it leads out of the log directory, to ${real}`);
  const fd = openSync(real, readFlags);
  try {
    if (!fstatSync(fd).isFile()) throw new RefusedLogFile(path, 'it is not a regular file');
    const opened = openedPath(fd);
    if (opened !== undefined && !inside(root, opened)) {
      throw new RefusedLogFile(path, `it leads out of the log directory, to ${opened}`);
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
