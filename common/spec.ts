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

type SecurityRequirement = Record<string, string[]>;

interface OperationObject {
  operationId?: string;
  security?: SecurityRequirement[];
  /** `ignore`: query parameters the operation does not declare pass unremarked, as the Kubernetes API lets them. */
  'x-unknown-query'?: 'ignore';
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
  id: string;
  method: string;
  /** The path as the spec writes it, `/logs/{podName}`. */
  path: string;
  pattern: RegExp;
  pathNames: string[];
  headerNames: string[];
  /** Validates `{ path, query, header }`, coercing strings to the declared types and filling defaults. */
  parameters: ValidateFunction;
  /** The declared parameters and their schema types, for what Ajv's coercion would let through. */
  declared: DeclaredParameter[];
  queryNames: string[];
  /** The security schemes the operation asks for (every one of its first requirement); none when it is public. */
  security: string[];
  /** Whether a query parameter it does not declare is refused (400 naming it) or passes unremarked. */
  refusesUnknownQuery: boolean;
  /** A declared body: its media types (JSON, or an HTML form's), each validated by the same schema. */
  body?: { required: boolean; mediaTypes: string[]; validate: ValidateFunction };
}

/** Every operation of a spec by its operationId, compiled once. */
export type CompiledSpec = ReadonlyMap<string, CompiledOperation>;

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

const bodyMediaTypes = ['application/json', 'application/x-www-form-urlencoded'];

function compile(
  path: string,
  method: string,
  operation: OperationObject,
  defaults: { security: SecurityRequirement[]; ajvs: { params: Ajv; body: Ajv } },
): CompiledOperation {
  const { ajvs } = defaults;
  if (!operation.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
  const parameters = operation.parameters ?? [];
  const pathNames: string[] = [];
  const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
    pathNames.push(name);
    return '([^/]+)';
  });
  const content = operation.requestBody?.content ?? {};
  const mediaTypes = bodyMediaTypes.filter((type) => content[type]?.schema);
  const schema = mediaTypes[0] === undefined ? undefined : content[mediaTypes[0]]?.schema;
  return {
    id: operation.operationId,
    method: method.toUpperCase(),
    path,
    security: Object.keys((operation.security ?? defaults.security)[0] ?? {}),
    refusesUnknownQuery: operation['x-unknown-query'] !== 'ignore',
    queryNames: parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
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
    body: schema
      ? { required: operation.requestBody?.required ?? false, mediaTypes, validate: ajvs.body.compile(schema) }
      : undefined,
  };
}

/** Dereferences a spec once (openapi-backend also checks it is a valid OpenAPI document) and compiles each operation. */
export async function compileSpec(spec: Document): Promise<CompiledSpec> {
  const api = new OpenAPIBackend({ definition: structuredClone(spec), validate: false, quick: true });
  await api.init();
  const defaults = {
    security: (api.definition.security ?? []) as SecurityRequirement[],
    ajvs: { params: newAjv(true), body: newAjv(false) },
  };
  const operations = new Map<string, CompiledOperation>();
  for (const [path, item] of Object.entries(api.definition.paths ?? {})) {
    for (const method of methods) {
      const operation = (item as Record<string, OperationObject | undefined>)[method];
      if (!operation) continue;
      const compiled = compile(path, method, operation, defaults);
      operations.set(compiled.id, compiled);
    }
  }
  return operations;
}

export type { ErrorObject };
