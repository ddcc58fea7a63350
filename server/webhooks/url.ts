import { lookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

export type UrlCheck = { ok: true; url: string } | { ok: false; error: string };

/** A webhook URL as an account may set it: absolute http(s), no credentials in it, at most 2,000 characters. */
export function webhookUrl(text: unknown): UrlCheck {
  if (typeof text !== 'string' || text.trim() === '') return { ok: false, error: '"url" must be an http:// or https:// URL' };
  if (text.length > 2000) return { ok: false, error: '"url" must be at most 2,000 characters' };
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, error: `"url" is not a URL: "${text.slice(0, 100)}"` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, error: `"url" must be http:// or https://, not ${url.protocol.replace(/:$/, '')}` };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, error: '"url" must not carry a user name or password' };
  return { ok: true, url: url.href };
}

/**
 * True for an address a webhook must not reach unless WEBHOOK_ALLOW_PRIVATE is set (SSRF): loopback,
 * RFC 1918 and shared (100.64/10) ranges, link-local (cloud metadata at 169.254.169.254), unspecified,
 * multicast and reserved, IPv6 unique-local and link-local, and IPv4 mapped into IPv6.
 */
export function isPrivateAddress(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) return privateV4(ip);
  if (v !== 6) return true; // not an address at all: refuse rather than guess
  const a = ip.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^(?:0:)*:?(?:0:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return privateV4(mapped[1]!);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (hex) {
    const n = (parseInt(hex[1]!, 16) << 16 >>> 0) + parseInt(hex[2]!, 16);
    return privateV4([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'));
  }
  if (a === '::' || a === '::1') return true;
  const first = parseInt(a.split(':')[0] || '0', 16);
  return (first & 0xfe00) === 0xfc00 // fc00::/7 unique local
    || (first & 0xffc0) === 0xfe80 // fe80::/10 link-local
    || (first & 0xffc0) === 0xfec0 // fec0::/10 site-local (deprecated, still routed inside some networks)
    || (first & 0xff00) === 0xff00 // multicast
    || first === 0x64 && a.startsWith('64:ff9b:') // NAT64 of an IPv4 address: its v4 may be private
    || first === 0x2001 && /^2001:0?db8:/.test(a); // documentation
}

function privateV4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number, number, number];
  return a === 0 || a === 10 || a === 127 || a >= 224 // this network, private, loopback, multicast and reserved
    || (a === 100 && b >= 64 && b <= 127) // carrier-grade NAT
    || (a === 169 && b === 254) // link-local, cloud metadata
    || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
    || (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19)); // IETF protocol assignments, benchmarking
}

/**
 * Why a webhook URL's host is refused as written (a private IP literal, or a `localhost` name), else undefined.
 * Names are checked again when a delivery resolves them (DNS rebinding): see `guardedLookup`.
 */
export function privateHost(href: string): string | undefined {
  const host = new URL(href).hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return `"url" points at ${host}, a loopback name`;
  if (isIP(host) !== 0 && isPrivateAddress(host)) return `"url" points at ${host}, a private, loopback or link-local address`;
  return undefined;
}

/** The code a delivery fails with when its host resolves to a private address. */
export const privateTargetCode = 'WEBHOOK_PRIVATE_ADDRESS';

/**
 * A `lookup` for http.request that refuses private addresses. The connection uses exactly the address
 * checked here, so a name that resolves to a public address for the check and a private one for the
 * connection (DNS rebinding) cannot slip between the two.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((x) => isPrivateAddress(x.address));
      if (bad || list.length === 0) {
        const e = Object.assign(new Error(`${hostname} resolves to ${bad?.address ?? 'nothing'}, a private address`), { code: privateTargetCode });
        return callback(e, '', 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
