import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Document } from 'openapi-backend';
import { Problem } from './problem.js';
import type { Handlers } from './routes.js';

const require = createRequire(import.meta.url);
const assetDir = dirname(require.resolve('swagger-ui-dist/package.json'));
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css',
  'swagger-ui-bundle.js': 'application/javascript',
};

function page(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;
}

/** Swagger UI's own scripts and styles (it sets style attributes and inlines its icons), and calls to this service. */
const docsPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'";

const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });`;

interface Text<Type extends string> {
  content: { [T in Type]: string };
}

/** The shape of the docs operations, the same in both specs. */
interface DocsOperations {
  getSpec: { parameters: object; responses: { 200: { content: { 'application/json': Record<string, unknown> } } } };
  getDocsPage: { parameters: object; responses: { 200: Text<'text/html'> } };
  getDocsScript: { parameters: object; responses: { 200: Text<'application/javascript'> } };
  getDocsAsset: {
    parameters: { path: { file: string } };
    responses: {
      200: Text<'application/javascript' | 'text/css'>;
      404: { content: { 'application/problem+json': unknown } };
    };
  };
}

/**
 * Serves the spec and an API reference page whose assets come from node_modules, never from a CDN. The spec's
 * server is the origin it was asked at, so "Try it out" calls this service wherever it listens.
 */
export function docsHandlers(spec: Document, title: string): Handlers<DocsOperations> {
  const byOrigin = new Map<string, Record<string, unknown>>();
  return {
    getSpec: (ctx) => {
      const origin = `${ctx.protocol}://${ctx.host}`;
      let served = byOrigin.get(origin);
      if (!served) {
        served = { ...spec, servers: [{ url: origin }] };
        if (byOrigin.size < 16) byOrigin.set(origin, served);
      }
      return { status: 200, body: served };
    },
    getDocsPage: () => ({
      status: 200,
      type: 'text/html',
      headers: { 'Content-Security-Policy': docsPolicy },
      body: page(title),
    }),
    getDocsScript: () => ({ status: 200, type: 'application/javascript', body: init }),
    getDocsAsset: async (_ctx, { path }) => {
      const type = Object.hasOwn(assets, path.file) ? assets[path.file] : undefined;
      if (!type) throw new Problem('notFound', { detail: `No asset ${path.file}` });
      return {
        status: 200,
        type,
        headers: { 'Cache-Control': 'public, max-age=86400' },
        body: await readFile(join(assetDir, path.file)),
      };
    },
  };
}
