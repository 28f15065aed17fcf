import type { Routes } from './routes.js';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Document } from 'openapi-backend';

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

/** Serves the spec and an API reference page whose assets come from node_modules, never from a CDN. */
export function addDocsRoutes(router: Routes, spec: Document, title: string): void {
  const specJson = JSON.stringify(spec);
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = specJson;
  });
  router.get('/docs', (ctx) => {
    ctx.set('Content-Security-Policy', docsPolicy);
    ctx.type = 'text/html';
    ctx.body = page(title);
  });
  router.get('/docs/init.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = init;
  });
  router.get('/docs/assets/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    const type = Object.hasOwn(assets, file) ? assets[file] : undefined;
    if (!type) return;
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = await readFile(join(assetDir, file));
  });
}
