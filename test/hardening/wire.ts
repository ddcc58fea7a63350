import { connect } from 'node:net';

/** What came back on a raw connection: the status (0: none) and the body. */
export interface WireAnswer {
  status: number;
  body: string;
}

/**
 * Bytes written as they are to the server (Node's http client refuses bad request targets, which a fuzzer
 * must send), read back until the server closes. HTTP/1.0, so the answer is never chunked.
 */
export function rawHttp(port: number, request: Buffer | string, giveUpMs = 60_000): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${giveUpMs} ms to ${JSON.stringify(String(request).slice(0, 200))}`));
    }, giveUpMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {}); // a reset after the answer is still an answer; none at all is status 0
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const head = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: head ? Number(head[1]) : 0, body: split === -1 ? '' : text.slice(split + 4) });
    });
    // Not end(): a half-closed socket lets Node's server drop an answer still being computed (allowHalfOpen is off).
    socket.write(request);
  });
}

/** A GET with this request target, as raw bytes. */
export function rawGet(port: number, target: string | Buffer, headers = ''): Promise<WireAnswer> {
  return rawHttp(port, Buffer.concat([Buffer.from('GET '), Buffer.from(target), Buffer.from(` HTTP/1.0\r\nHost: 127.0.0.1\r\n${headers}\r\n`)]));
}

/** A POST of this form body to this path. */
export function rawPost(port: number, path: string, body: string | Buffer, contentType = 'application/x-www-form-urlencoded'): Promise<WireAnswer> {
  const bytes = Buffer.from(body);
  return rawHttp(port, Buffer.concat([
    Buffer.from(`POST ${path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${bytes.length}\r\n\r\n`), bytes,
  ]));
}

/** handler_api's grammar: one protocol word (`NO_KEY`, `ACCESS_NUMBER:…`, `STATUS_OK:…`) or a JSON document. */
export function isHandlerApiAnswer(body: string): boolean {
  if (/^[A-Z][A-Z0-9_]*(?::[^\n]*)?$/.test(body)) return true;
  return isJson(body);
}

/** sms-reg's grammar: a JSON object (or a list of them) whose `response` is a string. */
export function isSmsRegAnswer(body: string): boolean {
  if (!isJson(body)) return false;
  const v = JSON.parse(body) as unknown;
  const one = (x: unknown) => x !== null && typeof x === 'object' && typeof (x as { response?: unknown }).response === 'string';
  return Array.isArray(v) ? v.every((x) => x !== null && typeof x === 'object') : one(v);
}

function isJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/** Never a stack trace or an internal message in an answer. */
export function leaksInternals(body: string): boolean {
  return /\n\s+at |SQLITE|sqlite|mongo|TypeError|ReferenceError|node_modules|\/work\//.test(body);
}
