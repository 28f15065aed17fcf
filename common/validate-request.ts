import type { Middleware } from 'koa';
import type { RequestState } from './logger.js';
import { Problem } from './problem.js';
import { bodyReader } from './request-body.js';
import { readParameters, type FieldError } from './request-parameters.js';
import type { CompiledOperation, ErrorObject } from './spec.js';

export interface RequestInput {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface ValidatedState extends RequestState {
  input: RequestInput;
}

function describe(error: ErrorObject, prefix?: string): FieldError {
  const location = [prefix, ...error.instancePath.split('/').filter(Boolean)].filter(Boolean) as string[];
  const params = error.params as { additionalProperty?: string; missingProperty?: string };
  const field = params.additionalProperty ?? params.missingProperty;
  if (field) location.push(field);
  const message =
    error.keyword === 'additionalProperties' ? 'is not an allowed field' : (error.message ?? 'is not valid');
  return { name: location.join('.') || 'request', message };
}

const invalid = (errors: FieldError[]) =>
  new Problem('invalidParameters', {
    detail: errors.map((error) => `${error.name} ${error.message}`).join('; '),
    errors,
  });

/**
 * The first middleware of an operation's route: checks path, query, declared headers and body against what the
 * spec declares for it, and puts the coerced values (defaults filled in) on ctx.state.input.
 */
export function validateRequest(operation: CompiledOperation): Middleware<ValidatedState> {
  const readBody = operation.body && bodyReader(operation.body);
  return async function validateRequest(ctx, next) {
    const { parameters, errors } = readParameters(operation, ctx);
    if (!operation.parameters(parameters)) {
      const flagged = new Set(errors.map((error) => error.name));
      const found = (operation.parameters.errors ?? []).map((error) => describe(error));
      errors.push(...found.filter((error) => !flagged.has(error.name)));
    }
    const body = readBody ? await readBody(ctx) : undefined;
    if (operation.body) {
      if (body === undefined && operation.body.required) errors.push({ name: 'body', message: 'is required' });
      if (body !== undefined && !operation.body.validate(body)) {
        errors.push(...(operation.body.validate.errors ?? []).map((error) => describe(error, 'body')));
      }
    }
    if (errors.length > 0) throw invalid(errors);
    ctx.state.input = { path: parameters.path, query: parameters.query, body };
    return next();
  };
}
