import type { IncomingMessage } from 'node:http';
import { apiKeyHash, type KeyOwner, type Store } from '../../actors/index.ts';

/** Who a live connection belongs to, and how to tell later that the credential still holds. */
export interface Session {
  account: KeyOwner;
  /** Asked at every heartbeat: false (a changed key, an expired browser session) closes the connection. */
  stillValid(): Promise<boolean>;
}

/**
 * Looks at an upgrade request and names its account, or undefined when the
 * request carries no credential of its kind (or a wrong one). The live channel
 * tries its authenticators in order: API keys now, a browser session cookie
 * later (which must also check the Origin header, as cookies travel cross-site).
 */
export type Authenticator = (req: IncomingMessage, url: URL) => Promise<Session | undefined>;

/** `?api_key=<key>` or `Authorization: Bearer <key>`, as the gateways and the JSON API take keys. */
export function apiKeyAuthenticator(store: Store): Authenticator {
  return async (req, url) => {
    const key = bearerKey(req.headers.authorization) ?? queryKey(url);
    if (key === undefined) return undefined;
    const hash = apiKeyHash(key);
    const account = await store.keyOwner(hash);
    if (!account) return undefined;
    return {
      account,
      async stillValid() {
        const now = await store.keyOwner(hash);
        return now !== undefined && now.id === account.id && now.role === account.role;
      },
    };
  };
}

function bearerKey(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S{1,256})$/i.exec(header ?? '');
  return m?.[1];
}

function queryKey(url: URL): string | undefined {
  const all = url.searchParams.getAll('api_key');
  // One flat value only, as on the gateways: a repeated key is no key.
  return all.length === 1 && all[0]!.length > 0 && all[0]!.length <= 256 ? all[0] : undefined;
}
