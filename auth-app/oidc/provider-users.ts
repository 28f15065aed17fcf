import { randomUUID } from 'node:crypto';
import type { ProviderIdentity, Store, UserRecord } from '../store/store.js';
import { isUsername, usernameRule } from '../usernames.js';
import type { OidcConfig } from './config.js';
import type { ProviderClaims } from './relying-party.js';

export type ProviderUser = { user: UserRecord } | { refused: string };

const groupsOf = (value: unknown): string[] => {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((each): each is string => typeof each === 'string') : [];
};

/** The permissions the groups map to, each once, in the mapping's order. */
export function permissionsOfGroups(config: Pick<OidcConfig, 'groupPermissions'>, groups: string[]): string[] {
  const held = new Set(groups);
  return [...config.groupPermissions]
    .filter(([group]) => held.has(group))
    .flatMap(([, permissions]) => permissions)
    .filter((permission, index, all) => all.indexOf(permission) === index);
}

async function refreshed(store: Store, user: UserRecord, permissions: string[]): Promise<ProviderUser> {
  if (user.disabled) return { refused: `${user.username} is disabled here; ask an administrator` };
  if (user.providerPermissions.join('\n') !== permissions.join('\n')) {
    await store.setProviderPermissions(user.id, permissions);
  }
  return { user: { ...user, providerPermissions: permissions } };
}

/**
 * The user the provider vouched for: found by issuer and subject, or made at its first sign-in with the username
 * its claim gives. Its group permissions are computed again at every sign-in. A username another user holds is
 * refused, never merged: the two could be different people.
 */
export async function providerUser(
  store: Store,
  config: Pick<OidcConfig, 'usernameClaim' | 'groupsClaim' | 'groupPermissions' | 'name'>,
  vouched: ProviderClaims,
  now: number,
): Promise<ProviderUser> {
  const identity: ProviderIdentity = { issuer: vouched.issuer, subject: vouched.subject };
  const permissions = permissionsOfGroups(config, groupsOf(vouched.claims[config.groupsClaim]));
  const known = await store.findUserByIdentity(identity);
  if (known) return refreshed(store, known, permissions);
  const username = vouched.claims[config.usernameClaim];
  if (typeof username !== 'string' || !isUsername(username)) {
    return {
      refused: `${config.name} gave no usable ${config.usernameClaim} (a username here is ${usernameRule}); ask an administrator`,
    };
  }
  const user = {
    id: randomUUID(),
    username,
    permissions: [],
    providerPermissions: permissions,
    identity,
    createdAt: now,
  };
  if (await store.createUser(user)) {
    return { user: { ...user, passwordHash: undefined, disabled: false } };
  }
  const madeMeanwhile = await store.findUserByIdentity(identity);
  if (madeMeanwhile) return refreshed(store, madeMeanwhile, permissions);
  return {
    refused: `A user named ${username} exists here already, and is not your ${config.name} account; ask an administrator`,
  };
}
