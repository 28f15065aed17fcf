import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What `npm run build:viewer` writes beside the bundle: the names esbuild gave the entry's script and style. */
interface Manifest {
  script: string;
  style: string;
}

export interface ViewerAsset {
  type: 'application/javascript' | 'text/css';
  body: Buffer;
}

export interface ViewerAssets {
  script: string;
  style: string;
  files: ReadonlyMap<string, ViewerAsset>;
}

/** dist/viewer/, whether this module runs from dist/logs-app/ (npm start) or from logs-app/ (tsx, the tests). */
const candidates = [new URL('../viewer/', import.meta.url), new URL('../dist/viewer/', import.meta.url)].map((url) =>
  fileURLToPath(url),
);

const typeOf = (file: string): ViewerAsset['type'] => (file.endsWith('.css') ? 'text/css' : 'application/javascript');

/** The built viewer, read once at start; undefined when it was not built (logs-app serves its API all the same). */
export function loadViewerAssets(): ViewerAssets | undefined {
  const dir = candidates.find((each) => existsSync(`${each}manifest.json`));
  if (!dir) return undefined;
  const manifest = JSON.parse(readFileSync(`${dir}manifest.json`, 'utf8')) as Manifest;
  const files = new Map(
    [manifest.script, manifest.style].map((file) => [file, { type: typeOf(file), body: readFileSync(dir + file) }]),
  );
  return { script: manifest.script, style: manifest.style, files };
}
