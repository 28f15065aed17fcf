import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { OpenAPIBackend, type Document } from 'openapi-backend';
import { parse } from 'yaml';

const specDir = fileURLToPath(new URL('../openapi/', import.meta.url));

export function loadSpec(name: 'auth' | 'logs'): Document {
  return parse(readFileSync(`${specDir}${name}.yaml`, 'utf8')) as Document;
}

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: object;
}

interface OperationObject {
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: object }> };
}

type Section = 'path' | 'query' | 'header';

export interface DeclaredParameter {
  section: Section;
  name: string;
  type: unknown;
}

export interface CompiledOperation {
  method: string;
  pattern: RegExp;
  pathNames: string[];
  headerNames: string[];
  /** Validates `{ path, query, header }`, coercing strings to the declared types and filling defaults. */
  parameters: ValidateFunction;
  /** The declared parameters and their schema types, for what Ajv's coercion would let through. */
  declared: DeclaredParameter[];
  body?: { required: boolean; validate: ValidateFunction };
}

export interface SpecValidator {
  match(method: string, path: string): { operation: CompiledOperation; rawParams: string[] } | undefined;
}

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

function newAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: coerce, useDefaults: true });
  addFormats.default(ajv);
  return ajv;
}

function sectionSchema(parameters: ParameterObject[], location: ParameterObject['in']): object {
  const declared = parameters.filter((parameter) => parameter.in === location);
  return {
    type: 'object',
    properties: Object.fromEntries(declared.map((parameter) => [sectionName(parameter), parameter.schema ?? {}])),
    required: declared.filter((parameter) => parameter.required).map(sectionName),
  };
}

const sectionName = (parameter: ParameterObject): string =>
  parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name;

const schemaType = (schema: object | undefined): unknown => (schema as { type?: unknown } | undefined)?.type;

function compile(
  path: string,
  method: string,
  operation: OperationObject,
  ajvs: { params: Ajv; body: Ajv },
): CompiledOperation {
  const parameters = operation.parameters ?? [];
  const pathNames: string[] = [];
  const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
    pathNames.push(name);
    return '([^/]+)';
  });
  const json = operation.requestBody?.content?.['application/json']?.schema;
  return {
    method: method.toUpperCase(),
    pattern: new RegExp(`^${source}$`),
    pathNames,
    headerNames: parameters
      .filter((parameter) => parameter.in === 'header')
      .map((parameter) => parameter.name.toLowerCase()),
    parameters: ajvs.params.compile({
      type: 'object',
      properties: {
        path: sectionSchema(parameters, 'path'),
        query: sectionSchema(parameters, 'query'),
        header: sectionSchema(parameters, 'header'),
      },
    }),
    declared: parameters
      .filter((parameter): parameter is ParameterObject & { in: Section } => parameter.in !== 'cookie')
      .map((parameter) => ({
        section: parameter.in,
        name: sectionName(parameter),
        type: schemaType(parameter.schema),
      })),
    body: json ? { required: operation.requestBody?.required ?? false, validate: ajvs.body.compile(json) } : undefined,
  };
}

/** Dereferences a spec once (openapi-backend also checks it is a valid OpenAPI document) and compiles a validator per operation. */
export async function createSpecValidator(spec: Document): Promise<SpecValidator> {
  const api = new OpenAPIBackend({ definition: structuredClone(spec), validate: false, quick: true });
  await api.init();
  const definition = api.definition;
  const ajvs = { params: newAjv(true), body: newAjv(false) };
  const operations: CompiledOperation[] = [];
  for (const [path, item] of Object.entries(definition.paths ?? {})) {
    for (const method of methods) {
      const operation = (item as Record<string, OperationObject | undefined>)[method];
      if (operation) operations.push(compile(path, method, operation, ajvs));
    }
  }
  return {
    match(method, path) {
      /** HEAD is GET without the content (RFC 9110 section 9.3.2); the router answers it with the GET route. */
      const wanted = method === 'HEAD' ? 'GET' : method;
      for (const operation of operations) {
        if (operation.method !== wanted) continue;
        const found = operation.pattern.exec(path);
        if (found) return { operation, rawParams: found.slice(1) };
      }
      return undefined;
    },
  };
}

export type { ErrorObject };
