/**
 * Whether a request with a session cookie comes from our own pages: its
 * `Origin` (browsers send it on every POST, PUT, DELETE and WebSocket
 * handshake), else its `Referer`, must name the host the request was sent to.
 * Neither header: refused, since a browser request always carries one of them
 * unless a referrer policy hides it, and our pages set none.
 */
export function fromOwnOrigin(h: { origin?: string | undefined; referer?: string | undefined; host?: string | undefined }): boolean {
  const host = h.host?.toLowerCase();
  if (!host) return false;
  const source = h.origin && h.origin !== 'null' ? h.origin : h.referer;
  if (!source) return false;
  try {
    return new URL(source).host.toLowerCase() === host;
  } catch {
    return false;
  }
}
