/** The browser session cookie's name. */
export const sessionCookie = 'getsms_session';

/** How long a browser session lasts from sign-in. */
export const sessionTtlMs = 30 * 86_400_000;

/** One cookie's value from a `Cookie` header; undefined when absent or repeated (a planted second copy is no session). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let found: string | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    if (found !== undefined) return undefined;
    found = part.slice(eq + 1).trim();
  }
  return found && /^[A-Za-z0-9_-]{20,100}$/.test(found) ? found : undefined;
}

/**
 * The `Set-Cookie` value for a session: HttpOnly (page scripts never see it),
 * SameSite=Lax (not sent on cross-site POSTs or subresource requests), Secure
 * when the request came over https. An empty token with max-age 0 clears it.
 */
export function sessionCookieValue(token: string, opts: { secure: boolean; maxAgeMs: number }): string {
  const parts = [`${sessionCookie}=${token}`, 'Path=/', `Max-Age=${Math.floor(opts.maxAgeMs / 1000)}`, 'HttpOnly', 'SameSite=Lax'];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}
