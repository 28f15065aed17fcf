import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** A gzip of `mib` MiB of zeros: a few hundred KiB on disk, far past what any rotated log decompresses to. */
export async function gzipBomb(path: string, mib: number): Promise<void> {
  const zeros = Buffer.alloc(1024 * 1024);
  const chunks = (function* () {
    for (let index = 0; index < mib; index += 1) yield zeros;
  })();
  await pipeline(Readable.from(chunks), createGzip({ level: 1 }), createWriteStream(path));
}
