import type { Context } from 'koa';

/** A compatibility answer: a bare word or a JSON value, always HTTP 200 (classic clients read the body). */
export type Answer = { text: string } | { json: unknown };

export const word = (text: string): Answer => ({ text });
export const json = (value: unknown): Answer => ({ json: value });

/** Writes an answer byte-exact: no trailing newline, the content type clients expect. */
export function send(ctx: Context, answer: Answer) {
  // Koa answers 200 for a body; the header is set before the body, so Koa looks no MIME type up on this hot path.
  if ('text' in answer) {
    ctx.set('Content-Type', 'text/html; charset=utf-8');
    ctx.body = answer.text;
  } else {
    ctx.set('Content-Type', 'application/json');
    ctx.body = JSON.stringify(answer.json);
  }
}
