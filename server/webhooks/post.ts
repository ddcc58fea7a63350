import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, privateHost, privateTargetCode } from './url.ts';

/** One webhook POST's outcome: the HTTP status, or why there was none. */
export type PostResult = { status: number } | { error: string };

/**
 * POSTs a body without following redirects. Unless `allowPrivate`, a URL whose host is a private IP literal
 * or `localhost` is refused before connecting, and a name is resolved by `guardedLookup`, which refuses a
 * private answer and hands the connection the very address it checked (no second lookup to rebind).
 */
export function post(url: string, body: string, headers: Record<string, string>, o: { timeoutMs: number; allowPrivate: boolean }): Promise<PostResult> {
  if (!o.allowPrivate) {
    const why = privateHost(url);
    if (why) return Promise.resolve({ error: `${privateTargetCode}: ${why.replace('"url" ', '')}` });
  }
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: PostResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = send(target, {
      method: 'POST', lookup: guardedLookup(o.allowPrivate), agent: false,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    }, (res) => {
      res.resume(); // the answer's body is not read: only its status counts
      finish({ status: res.statusCode ?? 0 });
    });
    const timer = setTimeout(() => {
      finish({ error: `no answer within ${o.timeoutMs} ms` });
      req.destroy();
    }, o.timeoutMs);
    req.on('error', (err: Error & { code?: string }) => {
      finish({ error: err.code === privateTargetCode ? `${privateTargetCode}: ${err.message}` : (err.code ?? err.message ?? 'request failed') });
    });
    req.end(body);
  });
}
