import test from 'ava';
import { decodeDeliver, encodeDeliver, PduError, Reassembler, type PduErrorCode } from '../../../modems/pdu/index.ts';
import { prng, randomText, seedOf, vectors } from './helpers.ts';

/**
 * ModemManager-style PDU fuzzing: random hex and mutated valid PDUs. Every
 * input gives a decoded PDU or a PduError with a stable code (never another
 * throw, never PDU_INTERNAL, never a hang); what decodes also goes through a
 * Reassembler, which must not throw either.
 */
const RANDOM = 8_000;
const MUTATED = 12_000;

function mutate(rnd: ReturnType<typeof prng>, octets: Uint8Array): Uint8Array {
  let out = Uint8Array.from(octets);
  for (let round = rnd.int(1, 3); round > 0; round--) {
    const at = rnd.int(0, Math.max(0, out.length - 1));
    switch (rnd.int(0, 6)) {
      case 0: // bit flips
        for (let n = rnd.int(1, 4); n > 0; n--) out[rnd.int(0, Math.max(0, out.length - 1))]! ^= 1 << rnd.int(0, 7);
        break;
      case 1: // truncation
        out = out.slice(0, rnd.int(0, out.length));
        break;
      case 2: // extension with random octets
        out = Uint8Array.from([...out, ...Array.from({ length: rnd.int(1, 40) }, () => rnd.int(0, 255))]);
        break;
      case 3: // one octet replaced, often a length or flag field near the front
        out[rnd.next() < 0.5 ? rnd.int(0, Math.min(30, out.length - 1)) : at] = rnd.pick([0, 1, 0x7f, 0x80, 0xff, rnd.int(0, 255)]);
        break;
      case 4: // an octet inserted
        out = Uint8Array.from([...out.slice(0, at), rnd.int(0, 255), ...out.slice(at)]);
        break;
      case 5: // an octet removed
        out = Uint8Array.from([...out.slice(0, at), ...out.slice(at + 1)]);
        break;
      default: // TP-UDHI toggled on the first octet after the SMSC
        if (out.length > 1) out[Math.min(out.length - 1, 1 + (out[0]! % 16))]! ^= 0x40;
    }
  }
  return out;
}

function randomHex(rnd: ReturnType<typeof prng>): string {
  const length = rnd.pick([rnd.int(0, 8), rnd.int(0, 200), rnd.int(150, 420)]);
  let hex = Array.from({ length }, () => rnd.int(0, 255).toString(16).padStart(2, '0')).join('');
  if (rnd.next() < 0.1) hex = hex.slice(1); // odd length
  if (rnd.next() < 0.1) hex = hex.replace(/.$/, rnd.pick('gZ \n-')); // not hex
  return hex;
}

test(`fuzz: ${RANDOM + MUTATED} random and mutated PDUs give a PDU or a coded PduError, never a throw or a hang`, (t) => {
  const seed = seedOf();
  const rnd = prng(seed);
  t.log(`seed ${seed} (replay with PDU_SEED=${seed})`);
  const seeds = [
    ...vectors.flatMap((v) => v.pdus),
    ...Array.from({ length: 40 }, () => encodeDeliver({ from: rnd.pick(['+79161234567', 'Telegram', '900']), text: randomText(rnd), timestamp: Date.UTC(2024, 0, 1) })).flat(),
  ].map((hex) => Uint8Array.from(Buffer.from(hex, 'hex')));
  const reassembler = new Reassembler({ maxPending: 16, now: () => 0 });
  const outcomes = new Map<PduErrorCode | 'decoded', number>();
  let slowest = 0;
  const started = performance.now();
  for (let i = 0; i < RANDOM + MUTATED; i++) {
    const hex = i < RANDOM ? randomHex(rnd) : Buffer.from(mutate(rnd, rnd.pick(seeds))).toString('hex');
    const t0 = performance.now();
    let outcome: PduErrorCode | 'decoded';
    try {
      const pdu = decodeDeliver(hex);
      reassembler.add('8970100000000000001', pdu, i);
      outcome = 'decoded';
    } catch (error) {
      if (!(error instanceof PduError) || error.code === 'PDU_INTERNAL') {
        t.fail(`input #${i} (seed ${seed}) ${hex}: ${error instanceof PduError ? `${error.message}: ${String(error.cause)}` : String(error)}`);
        return;
      }
      outcome = error.code;
    }
    slowest = Math.max(slowest, performance.now() - t0);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
  t.log(`${total} inputs tried in ${Math.round(performance.now() - started)} ms, slowest ${slowest.toFixed(2)} ms:`, Object.fromEntries(outcomes));
  t.is(total, RANDOM + MUTATED);
  t.true(slowest < 250, `one decode took ${slowest} ms`);
  t.true((outcomes.get('decoded') ?? 0) > 1000, 'the mutations should leave many PDUs decodable');
});
