/**
 * A held permission grants a required one when it is equal or a whole-segment prefix of it:
 * `logs:read` grants `logs:read:team-a`; `logs:read:team-a` grants neither `logs:read` nor `logs:read:team-b`.
 */
export function grants(held: readonly string[], required: string): boolean {
  return held.some((permission) => permission === required || required.startsWith(`${permission}:`));
}
