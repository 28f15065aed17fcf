import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { build } from 'esbuild';

const outdir = 'dist/viewer';

/**
 * `npm run build:viewer`: the browser viewer bundled into dist/viewer/ (a script and a style sheet named by their
 * content, so logs-app can let browsers cache them for a year), with the manifest logs-app reads their names from.
 */
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  entryPoints: ['logs-app/viewer/main.tsx'],
  bundle: true,
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari17'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  legalComments: 'none',
  entryNames: '[name]-[hash]',
  outdir,
  metafile: true,
  logLevel: 'warning',
});
const [script, output] = Object.entries(result.metafile.outputs).find(([, each]) => each.entryPoint) ?? [];
if (!script || !output?.cssBundle) throw new Error('esbuild made no script and style sheet for the viewer');
writeFileSync(
  `${outdir}/manifest.json`,
  `${JSON.stringify({ script: basename(script), style: basename(output.cssBundle) })}\n`,
);
