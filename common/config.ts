import { readFileSync } from 'node:fs';
import { z } from 'zod';

export class ConfigError extends Error {}

/** One variable's error, worded as parseEnv words them. */
export const invalid = (name: string, message: string) =>
  new ConfigError(`Invalid configuration:\n  ${name}: ${message}`);

/** Parses the environment once at start; a bad value names the variable and what was expected. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

export const envInt = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const envPort = (fallback: number) => envInt(fallback, 0, 65535);

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

export const envBoolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => ['true', '1', 'yes'].includes(value));

const secretRule = 'at least 32 printable characters without spaces (e.g. openssl rand -hex 32)';

/** A secret shared by two services. */
export const envSecret = z
  .string()
  .regex(/^[\x21-\x7e]{32,}$/, secretRule)
  .optional();

/**
 * A secret given in `name` or in the file `name`_FILE names (a mounted Kubernetes secret), read once at start;
 * the file's final newline is not part of it.
 */
export function secretFrom(
  name: string,
  value: string | undefined,
  file: string | undefined,
  rule: { schema: z.ZodType<string | undefined>; says: string } = { schema: envSecret, says: secretRule },
): string | undefined {
  if (file === undefined) return value;
  if (value !== undefined) throw invalid(name, `set ${name} or ${name}_FILE, not both`);
  let content: string;
  try {
    content = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw invalid(`${name}_FILE`, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!rule.schema.safeParse(content).success) throw invalid(`${name}_FILE`, `${file} must hold ${rule.says}`);
  return content;
}
