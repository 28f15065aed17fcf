import { bodyParser } from '@koa/bodyparser';
import type { Middleware, ParameterizedContext } from 'koa';
import { Problem } from './problem.js';
import type { CompiledOperation } from './spec.js';

const bodyLimit = '16kb';

const parserTypes = {
  'application/json': 'json',
  'application/x-www-form-urlencoded': 'form',
} as const;

type MediaType = keyof typeof parserTypes;

const hasBody = (headers: Record<string, string | string[] | undefined>): boolean =>
  Number(headers['content-length'] ?? 0) > 0 || headers['transfer-encoding'] !== undefined;

/**
 * koa-bodyparser's successor, set up once for one media type. The type was already checked, so the parser is told
 * it rather than matching the header against its lists again (type-is cost as much as the parse).
 */
function parserFor(type: MediaType): Middleware {
  const json = type === 'application/json';
  return bodyParser({
    enableTypes: [parserTypes[type]],
    detectJSON: () => json,
    jsonLimit: bodyLimit,
    formLimit: bodyLimit,
    jsonStrict: false,
    encoding: 'utf-8',
  });
}

const isMediaType = (type: string): type is MediaType => Object.hasOwn(parserTypes, type);

export type BodyReader = (ctx: ParameterizedContext) => Promise<unknown>;

/**
 * Reads an operation's declared body, only when one was sent: one of its media types (else 415), uncompressed
 * UTF-8 (else 415), at most 16 KiB (413), its length as announced and well-formed (400).
 */
export function bodyReader(declared: NonNullable<CompiledOperation['body']>): BodyReader {
  const parsers = new Map<string, Middleware>(
    declared.mediaTypes.filter(isMediaType).map((type) => [type, parserFor(type)]),
  );
  return async function readBody(ctx) {
    if (!hasBody(ctx.headers)) return undefined;
    /** The media type without its parameters; type-is would parse the whole header again for the same answer. */
    const type = ctx.request.type.trim().toLowerCase();
    const parse = parsers.get(type);
    if (!parse) {
      throw new Problem('unsupportedMediaType', {
        detail: `Send the request body as ${declared.mediaTypes.join(' or ')}`,
      });
    }
    const encoding = ctx.get('content-encoding').toLowerCase();
    const charset = ctx.request.charset.toLowerCase();
    if ((encoding && encoding !== 'identity') || (charset && charset !== 'utf-8')) {
      throw new Problem('unsupportedMediaType', { detail: 'Send the request body uncompressed, in UTF-8' });
    }
    await parse(ctx, async () => {});
    return ctx.request.body;
  };
}
