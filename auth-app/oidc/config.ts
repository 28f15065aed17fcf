import { z } from 'zod';
import { envBoolean, invalid, parseEnv, secretFrom } from '../../common/config.js';
import { isPermission, permissionForms } from '../permissions.js';

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** On the button: "Sign in with <name>". */
  name: string;
  scopes: string[];
  usernameClaim: string;
  groupsClaim: string;
  /** Group name to the permissions its members hold. */
  groupPermissions: ReadonlyMap<string, readonly string[]>;
  /** Whether the password form stays beside the provider's button. */
  localLogin: boolean;
}

const loopback = new Set(['127.0.0.1', '[::1]', 'localhost']);

const issuerUrl = z
  .url({ protocol: /^https?$/ })
  .transform((text) => new URL(text))
  .refine((url) => url.protocol === 'https:' || loopback.has(url.hostname), 'https (http only on loopback)')
  .refine((url) => !url.search && !url.hash, 'no query or fragment');

const claimName = z.string().regex(/^[\w.:-]{1,64}$/, 'a claim name');

export const oidcSchema = z.object({
  AUTH_OIDC_ISSUER: issuerUrl.optional(),
  AUTH_OIDC_CLIENT_ID: z.string().min(1).max(255).optional(),
  AUTH_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  AUTH_OIDC_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  AUTH_OIDC_NAME: z
    .string()
    .regex(/^[^<>"&\n]{1,64}$/, 'at most 64 characters, no markup')
    .optional(),
  AUTH_OIDC_SCOPES: z
    .string()
    .default('openid profile email groups')
    .transform((text) => text.split(/\s+/).filter(Boolean))
    .refine((scopes) => scopes.includes('openid'), 'must include openid'),
  AUTH_OIDC_USERNAME_CLAIM: claimName.default('preferred_username'),
  AUTH_OIDC_GROUPS_CLAIM: claimName.default('groups'),
  AUTH_OIDC_GROUP_PERMISSIONS: z.string().default(''),
  AUTH_OIDC_LOCAL_LOGIN: envBoolean(true),
});

/** `dev=logs:read:default;ops=logs:read,logs:read:team-a`: each group with the permissions its members hold. */
export function parseGroupPermissions(text: string): Map<string, string[]> {
  const mapping = new Map<string, string[]>();
  for (const entry of text.split(';').filter((each) => each.trim() !== '')) {
    const [group, permissions, extra] = entry.split('=').map((each) => each.trim());
    if (!group || permissions === undefined || extra !== undefined) {
      throw invalid('AUTH_OIDC_GROUP_PERMISSIONS', `"${entry}" is not group=permission[,permission...]`);
    }
    const listed = permissions.split(',').map((each) => each.trim());
    const wrong = listed.find((permission) => !isPermission(permission));
    if (wrong !== undefined) {
      throw invalid(
        'AUTH_OIDC_GROUP_PERMISSIONS',
        `"${wrong}" (group ${group}) is not a permission: ${permissionForms}`,
      );
    }
    mapping.set(group, [...new Set([...(mapping.get(group) ?? []), ...listed])]);
  }
  return mapping;
}

/** Sign-in through an OpenID Connect provider, when `AUTH_OIDC_ISSUER` is set; every other `AUTH_OIDC_` needs it. */
export function oidcConfig(env: NodeJS.ProcessEnv): OidcConfig | undefined {
  const parsed = parseEnv(oidcSchema, env);
  if (parsed.AUTH_OIDC_ISSUER === undefined) {
    const orphan = Object.keys(env).find((name) => name.startsWith('AUTH_OIDC_') && env[name] !== undefined);
    if (orphan !== undefined) throw invalid(orphan, 'set AUTH_OIDC_ISSUER too, or unset it');
    return undefined;
  }
  const clientSecret = secretFrom(
    'AUTH_OIDC_CLIENT_SECRET',
    parsed.AUTH_OIDC_CLIENT_SECRET,
    parsed.AUTH_OIDC_CLIENT_SECRET_FILE,
    { schema: z.string().min(1), says: 'the client secret the provider issued' },
  );
  if (parsed.AUTH_OIDC_CLIENT_ID === undefined) throw invalid('AUTH_OIDC_CLIENT_ID', 'required with AUTH_OIDC_ISSUER');
  if (clientSecret === undefined) {
    throw invalid('AUTH_OIDC_CLIENT_SECRET', 'required with AUTH_OIDC_ISSUER (or AUTH_OIDC_CLIENT_SECRET_FILE)');
  }
  return {
    issuer: parsed.AUTH_OIDC_ISSUER,
    clientId: parsed.AUTH_OIDC_CLIENT_ID,
    clientSecret,
    name: parsed.AUTH_OIDC_NAME ?? parsed.AUTH_OIDC_ISSUER.host,
    scopes: parsed.AUTH_OIDC_SCOPES,
    usernameClaim: parsed.AUTH_OIDC_USERNAME_CLAIM,
    groupsClaim: parsed.AUTH_OIDC_GROUPS_CLAIM,
    groupPermissions: parseGroupPermissions(parsed.AUTH_OIDC_GROUP_PERMISSIONS),
    localLogin: parsed.AUTH_OIDC_LOCAL_LOGIN,
  };
}
