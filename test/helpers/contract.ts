import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { OpenAPIBackend } from 'openapi-backend';
import { loadSpec } from '../../common/spec.js';

interface MediaObject {
  schema?: object;
}

interface ResponseObject {
  content?: Record<string, MediaObject>;
}

export interface CheckedResponse {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  json: unknown;
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

const backends = new Map<string, Promise<OpenAPIBackend>>();

function backendFor(name: 'auth' | 'logs'): Promise<OpenAPIBackend> {
  let backend = backends.get(name);
  if (!backend) {
    const api = new OpenAPIBackend({ definition: loadSpec(name), validate: false, quick: true });
    backend = api.init().then(() => api);
    backends.set(name, backend);
  }
  return backend;
}

/** openapi-backend's matcher also takes another case and a trailing slash; the services do not. */
const exactly = (template: string, path: string): boolean =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path);

/**
 * Throws unless the status is declared for the operation, the media type is declared for that status and the body
 * fits its schema. HEAD is held to its GET operation, with no body.
 */
export async function assertMatchesSpec(
  spec: 'auth' | 'logs',
  method: string,
  path: string,
  response: CheckedResponse,
): Promise<void> {
  const api = await backendFor(spec);
  const head = method.toUpperCase() === 'HEAD';
  const asMethod = head ? 'get' : method.toLowerCase();
  const bare = path.split('?')[0] ?? path;
  const matched = api.matchOperation({ method: asMethod, path: bare, headers: {} });
  const operation = matched?.method === asMethod && exactly(matched.path, bare) ? matched : undefined;
  if (!operation) {
    if (response.status === 404 || response.status === 405) return;
    throw new Error(`${method} ${path} is not in openapi/${spec}.yaml but answered ${response.status}`);
  }
  const responses = operation.responses as Record<string, ResponseObject>;
  const declared = responses[String(response.status)] ?? responses.default;
  if (!declared) throw new Error(`${operation.operationId} does not declare status ${response.status}`);
  const content = declared.content;
  if (!content) {
    if (response.text.length > 0) throw new Error(`${operation.operationId} ${response.status} declares no body`);
    return;
  }
  const media = content[response.contentType];
  if (!media) {
    throw new Error(
      `${operation.operationId} ${response.status} does not declare ${response.contentType || 'an empty body'}`,
    );
  }
  if (head) {
    if (response.text.length > 0) throw new Error(`HEAD ${path} answered a body`);
    return;
  }
  if (!media.schema || !response.contentType.includes('json')) return;
  const validate = validatorFor(media.schema);
  const bodies = response.contentType === 'application/x-ndjson' ? ndjson(response.text) : [response.json];
  for (const body of bodies) {
    if (!validate(body)) {
      throw new Error(
        `${operation.operationId} ${response.status} body breaks the spec: ${ajv.errorsText(validate.errors)}`,
      );
    }
  }
}

const ndjson = (text: string): unknown[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);
