import { closeSync } from 'node:fs';
import type { FileHandle } from './segments.js';

interface SharedFile {
  readonly fd: number;
  readers: number;
  retired: boolean;
}

const maxOpenFiles = 1024;

/**
 * Descriptors of log files kept open across requests while their directory is unchanged: a name then still
 * names the same inode, so a tail needs no open or close. Retired when the directory changes; closed once
 * the last reader lets go.
 */
export class SharedFiles {
  private readonly open = new Map<string, SharedFile>();

  constructor(private readonly openFile: (path: string) => number) {}

  acquire(path: string): FileHandle {
    let file = this.open.get(path);
    if (!file) {
      if (this.open.size >= maxOpenFiles) this.retire(this.open.keys().next().value!);
      file = { fd: this.openFile(path), readers: 0, retired: false };
      this.open.set(path, file);
    }
    const shared = file;
    shared.readers += 1;
    return {
      fd: shared.fd,
      release: () => {
        shared.readers -= 1;
        if (shared.retired && shared.readers === 0) closeSync(shared.fd);
      },
    };
  }

  /** Stops sharing the files directly inside `directory` (renamed, removed or replaced ones among them). */
  retireIn(directory: string): void {
    for (const path of this.open.keys()) {
      if (path.startsWith(directory) && path.lastIndexOf('/') === directory.length) this.retire(path);
    }
  }

  retireAll(): void {
    for (const path of this.open.keys()) this.retire(path);
  }

  private retire(path: string): void {
    const file = this.open.get(path)!;
    this.open.delete(path);
    file.retired = true;
    if (file.readers === 0) closeSync(file.fd);
  }
}
