import { dnsLabel } from '../common/names.js';

const everyNamespace = 'logs:read';

export const permissionForms =
  'logs:read (every namespace) or logs:read:<namespace> (a DNS-1123 label: at most 63 lower-case letters, digits ' +
  'and dashes, starting and ending with a letter or digit), e.g. logs:read:team-a';

/** The permissions there are: `logs:read`, every namespace, and `logs:read:<namespace>`, a DNS-1123 label. */
export const isPermission = (text: string): boolean =>
  text === everyNamespace ||
  (text.startsWith(`${everyNamespace}:`) && dnsLabel.test(text.slice(everyNamespace.length + 1)));

/**
 * A held permission grants a required one when it is equal or a whole-segment prefix of it:
 * `logs:read` grants `logs:read:team-a`; `logs:read:team-a` grants neither `logs:read` nor `logs:read:team-b`.
 */
export function grants(held: readonly string[], required: string): boolean {
  return held.some((permission) => permission === required || required.startsWith(`${permission}:`));
}

/** What a user holds: the permissions granted to it and those its identity provider's groups map to, each once. */
export const heldPermissions = (granted: readonly string[], fromProvider: readonly string[]): string[] => [
  ...new Set([...granted, ...fromProvider]),
];
