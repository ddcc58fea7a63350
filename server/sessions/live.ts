import type { Store } from '../../actors/index.ts';
import { sessionTokenHash } from '../../actors/index.ts';
import type { Authenticator } from '../live/index.ts';
import { readCookie, sessionCookie } from './cookie.ts';
import { fromOwnOrigin } from './origin.ts';

/**
 * The live channel's browser authenticator: the session cookie, from a page of
 * our own origin. Browsers send cookies with cross-site WebSocket handshakes
 * too (SameSite=Lax does not stop them), so the Origin check is what keeps
 * another site from opening /ws as the user.
 */
export function sessionAuthenticator(store: Store, now: () => number = Date.now): Authenticator {
  return async (req) => {
    const token = readCookie(req.headers.cookie, sessionCookie);
    if (!token || !fromOwnOrigin({ origin: req.headers.origin, host: req.headers.host })) return undefined;
    const hash = sessionTokenHash(token);
    const account = await store.sessionOwner(hash, now());
    if (!account) return undefined;
    return {
      account,
      async stillValid() {
        const still = await store.sessionOwner(hash, now());
        return still !== undefined && still.role === account.role;
      },
    };
  };
}
