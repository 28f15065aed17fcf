import type { z } from 'zod';

/** Every variable a service reads and what it makes of each: what a deployment's environment is checked against. */
export interface ServiceEnvironment {
  variables: readonly string[];
  /** The value the service would take from `raw` (undefined: the variable unset), or why it would refuse it. */
  parse(name: string, raw: string | undefined): { value: unknown } | { refused: string };
}

/** A service's schemas (each config module's), and the variables it reads beside them (`alsoRead`, as they are). */
export function serviceEnvironment(schemas: z.ZodObject[], alsoRead: readonly string[]): ServiceEnvironment {
  const fields: Record<string, z.ZodType> = Object.assign({}, ...schemas.map((schema) => schema.shape));
  return {
    variables: [...Object.keys(fields), ...alsoRead],
    parse(name, raw) {
      const field = fields[name];
      if (!field) return { value: raw };
      const result = field.safeParse(raw);
      return result.success
        ? { value: result.data }
        : { refused: result.error.issues.map((each) => each.message).join('; ') };
    },
  };
}
