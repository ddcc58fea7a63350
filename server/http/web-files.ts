import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Next } from 'koa';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Our pages may load only our own scripts, styles and connections, and may not
 * be framed (clickjacking of the order and move buttons).
 */
const pageHeaders = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
};

interface WebFile {
  type: string;
  body: Buffer;
}

/**
 * The browser application: every file under `web/`, read once at start (a few
 * dozen KiB, no build step), answered by path. `/` and any other path without a
 * dot outside /api (a page the app routes itself, such as `/history`) get `index.html`.
 */
export function webFiles(dir = fileURLToPath(new URL('../../web/', import.meta.url))) {
  const files = new Map<string, WebFile>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (types[extname(name)]) files.set('/' + relative(dir, path).split(sep).join('/'), { type: types[extname(name)]!, body: readFileSync(path) });
    }
  };
  walk(dir);
  const index = files.get('/index.html');
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/api' || ctx.path.startsWith('/api/')) return next(); // the JSON API answers its own 404s
    const file = files.get(ctx.path) ?? (!ctx.path.includes('.') ? index : undefined);
    if (!file) return next();
    ctx.set(pageHeaders);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = file.type;
    ctx.body = file.body;
  };
}
