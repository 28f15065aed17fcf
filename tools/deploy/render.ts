import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './findings.js';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** Every overlay a platform team may apply: each folder of deploy/overlays/ (their own included). */
export function overlays(root = repoRoot): string[] {
  const dir = join(root, 'deploy', 'overlays');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => relative(root, join(dir, entry.name)))
    .sort();
}

/** An overlay as `kubectl kustomize` renders it (kubectl's own kustomize, as `kubectl apply -k` would). */
export function render(overlay: string, root = repoRoot): KubeObject[] {
  const text = execFileSync('kubectl', ['kustomize', join(root, overlay)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(text)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}
