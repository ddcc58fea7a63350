import test from 'ava';
import fc from 'fast-check';
import { Duplex } from 'node:stream';
import { AtEngine, AtLineParser, finalResult, type Urc } from '../../modems/at/index.ts';
import { decodeDeliver, encodeDeliver, PduError, Reassembler, tpduLengthOf, type DecodedPdu } from '../../modems/pdu/index.ts';
import { runs, seed } from './runs.ts';

/**
 * The serial floor under property-based fuzzing (fast-check): arbitrary bytes never make the AT line
 * parser or the engine throw, and never swallow a final result code that follows them; random and
 * mutated PDUs decode or fail with a PduError and nothing else; the Reassembler takes whatever decodes.
 */

const atWords = ['\r\n', '\r', '\n', '> ', '>', 'OK', 'ERROR', '+CME ERROR: ', '+CMS ERROR: 321', '+CMT: ,34', '+CMTI: "SM",', '+CDS: 26',
  '+CUSD: 0,"', '"', ',15', '+CREG: 1', 'RING', '+CLIP: "', '\x1a', '\x00', '\xff', '0791'];
/** Bytes: random ones, AT words and URC prefixes, mixed. */
const noise = fc.array(fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.constantFrom(...atWords).map((w) => Buffer.from(w, 'latin1')),
), { maxLength: 40 }).map((parts) => Buffer.concat(parts));
/** Where to cut bytes into chunks, as a serial port hands them over. */
const cuts = fc.array(fc.integer({ min: 1, max: 32 }), { minLength: 1, maxLength: 16 });

function split(bytes: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

function tokensOf(chunks: Buffer[], maxLine: number): string[] {
  const parser = new AtLineParser(maxLine);
  const tokens: string[] = [];
  parser.on('data', (token: string) => tokens.push(token));
  for (const c of chunks) parser.write(c);
  return tokens;
}

test('AtLineParser: arbitrary bytes never throw, and an OK or +CMS ERROR after them is always the last token', (t) => {
  const n = runs(2_000);
  let tried = 0;
  fc.assert(fc.property(noise, cuts, fc.constantFrom('OK', 'ERROR', '+CMS ERROR: 500', '+CME ERROR: 10'), fc.integer({ min: 2, max: 200 }), (bytes, sizes, word, maxLine) => {
    tried++;
    const input = Buffer.concat([bytes, Buffer.from(`\r\n${word}\r\n`, 'latin1')]);
    const tokens = tokensOf(split(input, sizes), Math.max(maxLine, word.length));
    return tokens.at(-1) === word && finalResult(tokens.at(-1)!) !== undefined;
  }), { numRuns: n, seed: seed() });
  t.log(`${tried} byte streams (FUZZ_RUNS scales)`);
  t.pass();
});

/** A bare port: the engine's writes vanish, the test pushes what the modem "says". */
function wire(): Duplex {
  return new Duplex({ read() {}, write(_c, _e, done) { done(); } });
}

test('AtEngine: after any noise and half-open URCs, a command is still settled by the OK that answers it, its line kept', async (t) => {
  const n = runs(300);
  let tried = 0;
  let urcCount = 0;
  await fc.assert(fc.asyncProperty(noise, cuts, async (bytes, sizes) => {
    tried++;
    const port = wire();
    // A generous timeout: the property is "answered", not "answered fast"; a lost OK fails as a timeout.
    const engine = new AtEngine(port, { timeoutMs: 60_000, quietMs: 1, maxLine: 256 });
    engine.on('urc', (_u: Urc) => urcCount++);
    engine.on('stray', () => {});
    try {
      for (const c of split(bytes, sizes)) port.push(c);
      port.push(Buffer.from('\r\n', 'latin1')); // noise ends; whatever line it left open ends with it
      await new Promise((resolve) => setImmediate(resolve));
      const answer = engine.run('AT+CSQ');
      await new Promise((resolve) => setImmediate(resolve));
      port.push(Buffer.from('\r\n+CSQ: 21,99\r\n\r\nOK\r\n', 'latin1'));
      const result = await answer; // settled by the OK: a timeout would reject, failing the property
      // Its information line too, even after a +CUSD whose quote never closed (see the regression test below).
      return result.lines.includes('+CSQ: 21,99');
    } finally {
      engine.close();
      port.destroy();
    }
  }), { numRuns: n, seed: seed() });
  t.log(`${tried} noisy preludes, ${urcCount} URCs recognised on the way, every command settled by its OK with its line`);
  t.pass();
});

const validPdus = [
  ...encodeDeliver({ from: '+79161234567', text: 'Ваш код 1234', timestamp: Date.UTC(2024, 0, 1) }),
  ...encodeDeliver({ from: 'Telegram', text: 'Telegram code 55555. '.repeat(12), timestamp: Date.UTC(2024, 0, 1), parts: { ref: 7 } }),
  ...encodeDeliver({ from: '900', text: '€ [x] ^ {y} 😀 '.repeat(8), timestamp: Date.UTC(2024, 0, 1), alphabet: 'ucs2', parts: { ref: 300, refBits: 16 } }),
];

/** A valid PDU with octets flipped, replaced, cut or added. */
const mutatedPdu = fc.tuple(
  fc.constantFrom(...validPdus),
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'xor', 'xor', 'cut', 'insert', 'drop')), { minLength: 1, maxLength: 3 }),
).map(([hex, edits]) => {
  let octets = [...Buffer.from(hex, 'hex')];
  for (const [at, value, how] of edits) {
    const i = octets.length === 0 ? 0 : at % octets.length;
    if (how === 'set') octets[i] = value;
    else if (how === 'xor') octets[i] = (octets[i] ?? 0) ^ (value || 1);
    else if (how === 'cut') octets = octets.slice(0, i);
    else if (how === 'insert') octets.splice(i, 0, value);
    else octets.splice(i, 1);
  }
  return Buffer.from(octets).toString('hex').toUpperCase();
});
const randomPdu = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('hex')),
  fc.string({ maxLength: 300 }), // not even hex: odd lengths, spaces, unicode
);

test('decodeDeliver: random and mutated valid PDUs decode or throw a PduError, nothing else; the Reassembler never throws', (t) => {
  const n = runs(2_000);
  let tried = 0;
  let decoded = 0;
  let reassembled = 0;
  const reassembler = new Reassembler<number>({ maxPending: 8, now: () => tried * 1000, timeoutMs: 50_000 });
  const input = fc.oneof({ arbitrary: fc.constantFrom(...validPdus), weight: 1 }, { arbitrary: mutatedPdu, weight: 6 }, { arbitrary: randomPdu, weight: 3 });
  // The <length> a modem reports beside the PDU: absent, the right one (tpduLengthOf) or any number.
  const length = fc.oneof(fc.constant<'none' | 'right'>('none'), fc.constant<'none' | 'right'>('right'), fc.nat({ max: 300 }));
  fc.assert(fc.property(input, length, (hex, reported) => {
    tried++;
    let pdu: DecodedPdu;
    try {
      const tpduLength = reported === 'right' ? tpduLengthOf(hex) : reported;
      pdu = decodeDeliver(hex, tpduLength === 'none' ? {} : { tpduLength });
    } catch (err) {
      return err instanceof PduError && err.code !== 'PDU_INTERNAL';
    }
    decoded++;
    reassembled += reassembler.add(String(tried % 3), pdu, tried).length;
    reassembled += reassembler.expire().length;
    return true;
  }), { numRuns: n, seed: seed() });
  t.log(`${tried} PDUs: ${decoded} decoded, ${reassembled} messages out of the Reassembler`);
  t.pass();
});

test('regression: a +CUSD left open by line noise does not swallow the +CMTI or the answer line that follows it', async (t) => {
  const port = wire();
  const engine = new AtEngine(port, { timeoutMs: 60_000, quietMs: 1 });
  const seen: Urc[] = [];
  engine.on('urc', (u: Urc) => seen.push(u));
  engine.on('stray', () => {});
  t.teardown(() => { engine.close(); port.destroy(); });
  port.push(Buffer.from('\r\n+CUSD: 0,"Balance 1\r\n+CMTI: "SM",3\r\n', 'latin1'));
  await new Promise((resolve) => setImmediate(resolve));
  const answer = engine.run('AT+CSQ');
  port.push(Buffer.from('\r\n+CUSD: 0,"cut off\r\n+CSQ: 21,99\r\n\r\nOK\r\n', 'latin1'));
  t.deepEqual((await answer).lines, ['+CSQ: 21,99']);
  t.like(seen.find((u) => u.type === 'sms.stored'), { storage: 'SM', index: 3 });
  // A genuine multi-line USSD still reads whole.
  port.push(Buffer.from('\r\n+CUSD: 0,"Balance: 1\r\nBonus: 0",15\r\n', 'latin1'));
  await new Promise((resolve) => setImmediate(resolve));
  t.like(seen.at(-1), { type: 'ussd', text: 'Balance: 1\nBonus: 0' });
});
