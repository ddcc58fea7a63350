// The JSON API under /api, with the session cookie (sent by the browser) and the CSRF token on every write.

let csrfToken = '';

/** Remembers the session's CSRF token (from GET /api/session or a sign-in). */
export function useCsrf(token) {
  csrfToken = token ?? '';
}

/** An API refusal: its HTTP status, stable code and sentence. */
export class ApiRefusal extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the API; resolves to the JSON answer, rejects with ApiRefusal on a 4xx/5xx. */
export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res;
  try {
    res = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiRefusal(0, 'offline', 'network');
  }
  const text = await res.text();
  const json = text ? safeJson(text) : {};
  if (!res.ok) throw new ApiRefusal(res.status, json.code ?? `http${res.status}`, json.error ?? res.statusText);
  return json;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
