import { createReadStream, createWriteStream, fstatSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** Told of a rotated file that cannot be read (corrupt, cut short, too large once decompressed), once a file. */
export type OnUnreadable = (path: string, reason: string) => void;

export type Decompressed = Copy | { refused: string };

interface Copy {
  file: string;
  size: number;
}

interface Entry {
  result: Promise<Decompressed>;
  usedAt: number;
  /** Set once the copy is on disk, or once the file is refused. */
  stored?: Copy | 'refused';
}

export interface GzipCacheOptions {
  /** Where the private directory of decompressed copies is made. */
  parent: string;
  /** Decompressed bytes kept on disk at most; the least recently used copies go first. */
  maxBytes: number;
  /** A rotated file holds at most the kubelet's rotation size (10 MiB by default); more is refused as a bomb. */
  maxFileBytes: number;
  onUnreadable: OnUnreadable;
}

class TooLarge extends Error {}

const maxRemembered = 4096;

/**
 * Decompressed copies of rotated `.gz` logs, made once as a stream in zlib's worker threads (never on the event
 * loop, never whole in memory) and shared by every reader; a file that cannot be decompressed is remembered as
 * refused. A file is known by device, inode, size and modification time, so a replaced one is decompressed anew.
 */
export class GzipCache {
  private readonly entries = new Map<string, Entry>();
  private directory: string | undefined;
  private total = 0;

  constructor(private readonly options: GzipCacheOptions) {}

  /** The copy of the gzip open at `fd` (which this takes over and closes), made now or earlier. */
  decompressed(fd: number, path: string): Promise<Decompressed> {
    const stats = fstatSync(fd, { bigint: true });
    const key = `${stats.dev}-${stats.ino}-${stats.size}-${stats.mtimeNs}`;
    const source = createReadStream('', { fd });
    let entry = this.entries.get(key);
    if (entry) {
      source.destroy();
    } else {
      let directory: string;
      try {
        directory = this.directory ??= mkdtempSync(join(this.options.parent, 'logs-app-gzip-'));
      } catch (error) {
        source.destroy();
        return Promise.resolve(this.unwritable(path, error));
      }
      entry = { result: this.decompress(source, path, join(directory, key), key), usedAt: 0 };
      this.entries.set(key, entry);
      this.forgetRefused();
    }
    entry.usedAt = performance.now();
    return entry.result;
  }

  /** A full or unwritable cache may clear: it is said, and not held against the file. */
  private unwritable(path: string, error: unknown): Decompressed {
    const reason = `its decompressed copy cannot be written under ${this.options.parent}: ${(error as Error).message}`;
    this.options.onUnreadable(path, reason);
    return { refused: reason };
  }

  close(): void {
    this.entries.clear();
    if (this.directory) rmSync(this.directory, { recursive: true, force: true });
    this.directory = undefined;
    this.total = 0;
  }

  private async decompress(
    source: NodeJS.ReadableStream,
    path: string,
    file: string,
    key: string,
  ): Promise<Decompressed> {
    const { maxFileBytes } = this.options;
    let size = 0;
    const bounded = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(size > maxFileBytes ? new TooLarge() : null, chunk);
      },
    });
    try {
      await pipeline(source, createGunzip(), bounded, createWriteStream(file, { mode: 0o600 }));
    } catch (error) {
      rmSync(file, { force: true });
      if (!(error instanceof TooLarge || ((error as NodeJS.ErrnoException).code ?? '').startsWith('Z_'))) {
        this.entries.delete(key);
        return this.unwritable(path, error);
      }
      const reason =
        error instanceof TooLarge
          ? `it is over ${maxFileBytes} bytes once decompressed`
          : `it cannot be decompressed: ${(error as Error).message}`;
      this.options.onUnreadable(path, reason);
      this.settle(key, 'refused');
      return { refused: reason };
    }
    this.settle(key, { file, size });
    return { file, size };
  }

  private settle(key: string, stored: Copy | 'refused'): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.stored = stored;
    if (stored === 'refused') return;
    this.total += stored.size;
    this.evict(key);
  }

  /** Least recently used copies first, never the one just made; a reader that has one open keeps reading it. */
  private evict(keep: string): void {
    const copies: Array<[string, number, Copy]> = [];
    for (const [key, { stored, usedAt }] of this.entries) {
      if (key !== keep && typeof stored === 'object') copies.push([key, usedAt, stored]);
    }
    copies.sort(([, a], [, b]) => a - b);
    for (const [key, , { file, size }] of copies) {
      if (this.total <= this.options.maxBytes) return;
      this.entries.delete(key);
      rmSync(file, { force: true });
      this.total -= size;
    }
  }

  private forgetRefused(): void {
    if (this.entries.size <= maxRemembered) return;
    for (const [key, entry] of this.entries) {
      if (entry.stored === 'refused') {
        this.entries.delete(key);
        return;
      }
    }
  }
}
