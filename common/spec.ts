import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import addFormats from 'ajv-formats';
import { OpenAPIBackend, type Document, type Operation } from 'openapi-backend';
import { parse } from 'yaml';

const specDir = fileURLToPath(new URL('../openapi/', import.meta.url));

export function loadSpec(name: 'auth' | 'logs'): Document {
  return parse(readFileSync(`${specDir}${name}.yaml`, 'utf8')) as Document;
}

export interface SpecValidator {
  readonly api: OpenAPIBackend;
  match(method: string, path: string): Operation | undefined;
}

/** Builds the Ajv validators of one spec once; requests and (in tests) responses are checked against them. */
export async function createSpecValidator(definition: Document): Promise<SpecValidator> {
  const api = new OpenAPIBackend({
    definition: structuredClone(definition),
    validate: true,
    coerceTypes: true,
    ajvOpts: { allErrors: true, strict: false, useDefaults: true },
    customizeAjv: (ajv) => {
      addFormats.default(ajv);
      return ajv;
    },
  });
  await api.init();
  return {
    api,
    match: (method, path) => api.matchOperation({ method, path, headers: {} }),
  };
}
