import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { Problem } from '../common/problem.js';
import type { ClientInfo } from './sessions.js';

/** RFC 5952's spelling of a valid IPv6 address, as the URL parser writes it; a zone (`%eth0`) is dropped. */
const canonicalIpv6 = (address: string): string => new URL(`http://[${address.split('%')[0]}]/`).hostname.slice(1, -1);

/** The eight 16-bit groups of a canonical IPv6 address. */
function groupsOf(canonical: string): number[] {
  const [head = '', tail] = canonical.split('::');
  const before = head ? head.split(':') : [];
  const after = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array.from({ length: 8 - before.length - after.length }, () => '0');
  return [...before, ...zeros, ...after].map((group) => parseInt(group, 16));
}

/**
 * An address in one spelling: IPv4 as it is, IPv6 in canonical form, an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`,
 * how a dual-stack socket reports an IPv4 client) as its IPv4 address. Undefined for anything that is not an address.
 */
export function normalisedAddress(text: string): string | undefined {
  const version = isIP(text);
  if (version === 4) return text;
  if (version !== 6) return undefined;
  const canonical = canonicalIpv6(text);
  const groups = groupsOf(canonical);
  const [, , , , , marker, high = 0, low = 0] = groups;
  if (marker !== 0xffff || groups.slice(0, 5).some((group) => group !== 0)) return canonical;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** What login regulation counts an address as: an IPv4 address alone, an IPv6 one by its /64, one subscriber's share. */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const prefix = groupsOf(canonicalIpv6(address)).slice(0, 4);
  return `${canonicalIpv6(`${prefix.map((group) => group.toString(16)).join(':')}::`)}/64`;
}

/**
 * The client's address: the socket's, or behind a trusted proxy the last X-Forwarded-For entry, the one the proxy
 * appends (those before it are whatever the client sent). Undefined when that entry is not an IP address.
 */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string | undefined {
  const forwarded = trustProxy ? request.headers['x-forwarded-for'] : undefined;
  const last = forwarded === undefined ? request.socket.remoteAddress : String(forwarded).split(',').at(-1)?.trim();
  return normalisedAddress(last ?? '');
}

/** Who signs in, as regulation counts and the session records it; 400 when the proxy's entry is not an address. */
export function signInClient(request: IncomingMessage, trustProxy: boolean): ClientInfo {
  const address = clientAddress(request, trustProxy);
  if (address === undefined) {
    throw new Problem('invalidClientAddress', {
      detail: 'X-Forwarded-For must end with the IP address the proxy in front of auth-app saw',
    });
  }
  return { clientAddress: address, userAgent: request.headers['user-agent'] ?? '' };
}
