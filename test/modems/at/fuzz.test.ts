import test from 'ava';
import { Duplex } from 'node:stream';
import { AtEngine, AtError, AtLineParser, type AtResult } from '../../../modems/at/index.ts';
import { pduLatin } from './fixtures.ts';

/**
 * Garbage in, never a throw, a hang or a growing buffer out (STYLE §8). Inputs
 * mix AT words, URCs, prompts and line ends with random bytes, split at random;
 * the PRNG is seeded, so a failure names the input that caused it.
 */

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
}

const pieces = [
  '\r\nOK\r\n', '\r\n+CSQ: 21,99\r\n', 'OK', 'ERROR', '+CME ERROR: 10', '+CMS ERROR: 321', '+CME ERROR: SIM busy', 'NO CARRIER', '\r\n', '\r', '\n', '\r\n\r\n',
  '> ', '>', ' ', '+CMTI: "SM",', '+CMT: ,34', pduLatin, '+CUSD: 0,"', '"', ',15', '+CREG: 1', '+CREG: 0,1', 'RING',
  '+CMGL: 0,1,,34', '^RSSI: 9', 'AT+CSQ', 'AT+CMGL=4', '\x1a', '\x1b', '\x00', '"', ',',
];

function garbage(next: () => number, size: number): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < size) {
    const part = next() < 0.7
      ? Buffer.from(pieces[Math.floor(next() * pieces.length)]!, 'latin1')
      : Buffer.from(Array.from({ length: 1 + Math.floor(next() * 40) }, () => Math.floor(next() * 256)));
    parts.push(part);
    length += part.length;
  }
  return Buffer.concat(parts);
}

function chunks(next: () => number, bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = 1 + Math.floor(next() * 64);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

async function parse(input: readonly Buffer[], maxLine: number, check?: (p: AtLineParser) => void): Promise<string[]> {
  const parser = new AtLineParser(maxLine);
  const tokens: string[] = [];
  parser.on('data', (token: string) => tokens.push(token));
  const ended = new Promise((resolve) => parser.on('end', resolve));
  for (const chunk of input) {
    parser.write(chunk);
    check?.(parser);
  }
  parser.end();
  await ended;
  return tokens;
}

test('parser: random bytes, random splits: the same tokens as unsplit, none over maxLine, the buffer bounded', async (t) => {
  const next = random(20240506);
  const maxLine = 64;
  let inputs = 0;
  let tokenCount = 0;
  for (; inputs < 3_000; inputs++) {
    const bytes = garbage(next, 1 + Math.floor(next() * 600));
    const whole = await parse([bytes], maxLine);
    let peak = 0;
    const split = await parse(chunks(next, bytes), maxLine, (p) => (peak = Math.max(peak, p.pendingLength)));
    t.deepEqual(split, whole, `input ${inputs}: ${bytes.toString('hex')}`);
    t.true(whole.every((token) => token.length <= maxLine), `input ${inputs}`);
    t.true(peak <= maxLine, `input ${inputs}: pending peaked at ${peak}`);
    tokenCount += whole.length;
  }
  t.log(`${inputs} random inputs, ${tokenCount} tokens`);
});

/** A bare Duplex: what the engine writes is recorded (and echoed, if asked); what the test pushes is what it reads. */
function wire(echo: boolean): Duplex {
  const d: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      if (echo) d.push(chunk);
      done();
    },
  });
  return d;
}

test('engine: random answers to concurrent commands settle every command, with bounded answers, and never throw', async (t) => {
  const next = random(77);
  const maxLine = 128;
  const maxLines = 16;
  let inputs = 0;
  const codes: Record<string, number> = {};
  for (; inputs < 400; inputs++) {
    const port = wire(next() < 0.3);
    const engine = new AtEngine(port, { timeoutMs: 1 + Math.floor(next() * 5), quietMs: 1 + Math.floor(next() * 3), maxLine, maxLines });
    engine.on('urc', () => {});
    engine.on('stray', () => {});
    const commands = Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) =>
      (next() < 0.2 ? engine.run(`AT+CMGS=${i}`, { input: '0011' }) : engine.run(`AT+C${i}`)));
    for (const chunk of chunks(next, garbage(next, Math.floor(next() * 2_000)))) {
      port.push(chunk);
      if (next() < 0.2) await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, next() * 8));
    const closed = new Promise((resolve) => engine.once('close', resolve));
    port.destroy();
    await closed;
    const settled = await Promise.allSettled(commands);
    for (const s of settled) {
      if (s.status === 'fulfilled') {
        const { lines } = s.value as AtResult;
        t.true(lines.length <= maxLines && lines.every((l) => l.length <= maxLine), `input ${inputs}`);
        codes.OK = (codes.OK ?? 0) + 1;
      } else {
        t.true(s.reason instanceof AtError, `input ${inputs}: ${String(s.reason)}`);
        const code = (s.reason as AtError).code;
        codes[code] = (codes[code] ?? 0) + 1;
      }
    }
    t.true(engine.closed);
    t.is(engine.pending, 0);
  }
  t.log(`${inputs} random sessions; outcomes ${JSON.stringify(codes)}`);
});
