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
