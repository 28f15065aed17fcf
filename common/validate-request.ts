import type { Middleware } from 'koa';
import type { RequestState } from './logger.js';
import { Problem } from './problem.js';
import type { SpecValidator } from './spec.js';

export interface RequestInput {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface ValidatedState extends RequestState {
  operationId: string;
  input: RequestInput;
}

interface AjvError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: unknown;
}

const sectionNames: Record<string, string> = { path: 'path', query: 'query', header: 'header', requestBody: 'body' };

function describe(error: AjvError): { name: string; message: string } {
  const [section = '', ...rest] = (error.instancePath ?? '').split('/').filter(Boolean);
  const location = [sectionNames[section] ?? section, ...rest].filter(Boolean);
  const params = error.params as { additionalProperty?: string; missingProperty?: string } | undefined;
  const field = params?.additionalProperty ?? params?.missingProperty;
  if (field) location.push(field);
  const message =
    error.keyword === 'additionalProperties' ? 'is not an allowed field' : (error.message ?? 'is not valid');
  return { name: location.join('.') || 'request', message };
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = Number(headers['content-length'] ?? 0);
  return length > 0 || headers['transfer-encoding'] !== undefined;
}

/**
 * Checks path, query, headers and body against the operation the spec declares for this method and path.
 * Paths the spec does not declare pass through untouched (the router answers 404 or 405).
 */
export function validateRequests(validator: SpecValidator): Middleware<ValidatedState> {
  return async function validateRequest(ctx, next) {
    const operation = validator.match(ctx.method, ctx.path);
    if (!operation) return next();
    const declaresBody = operation.requestBody !== undefined;
    if (declaresBody && hasBody(ctx.headers) && !ctx.is('application/json')) {
      throw new Problem('unsupportedMediaType', { detail: 'Send the request body as application/json' });
    }
    const body = (ctx.request as { body?: unknown }).body;
    const request = {
      method: ctx.method,
      path: ctx.path,
      query: ctx.querystring,
      headers: ctx.headers as Record<string, string | string[]>,
      body: declaresBody && hasBody(ctx.headers) ? body : undefined,
    };
    const result = validator.api.validateRequest(request, operation);
    if (!result.valid) {
      const errors = (result.errors ?? []).map(describe);
      const detail = errors.map((error) => `${error.name} ${error.message}`).join('; ');
      throw new Problem('invalidParameters', { detail, errors });
    }
    ctx.state.operationId = operation.operationId ?? '';
    ctx.state.input = {
      path: (result.coerced?.params as Record<string, unknown> | undefined) ?? {},
      query: (result.coerced?.query as Record<string, unknown> | undefined) ?? {},
      body: request.body,
    };
    return next();
  };
}
