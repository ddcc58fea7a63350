import test from 'ava';
import { decodeDeliver, encodeDeliver, Reassembler } from '../../../modems/pdu/index.ts';
import { GSM_BASIC, GSM_EXT, gammu, gammuMissing, hasGammu, prng, randomText, seedOf, type Vector } from './helpers.ts';

const isGsm = (text: string) => [...text].every((ch) => (GSM_BASIC + GSM_EXT).includes(ch));

/**
 * Differential tests against python3-gammu, an encoder and decoder written
 * independently of ours. CI installs python3-gammu; elsewhere these skip.
 */
const withGammu = hasGammu ? test : test.skip;
if (!hasGammu) console.warn(`test/modems/pdu/gammu.test.ts: ${gammuMissing}`);

withGammu('fresh gammu PDUs of random texts decode and reassemble, in any order, to exactly gammu\'s input', (t) => {
  const seed = seedOf();
  t.log(`seed ${seed} (replay with PDU_SEED=${seed})`);
  const { vectors } = gammu<{ vectors: Vector[] }>(['--random', '48', '--seed', String(seed)]);
  const rnd = prng(seed);
  const r = new Reassembler<string>({ now: () => 0 });
  let pdus = 0;
  for (const v of vectors) {
    const order = v.pdus.map((hex, i) => ({ hex, i, key: rnd.next() })).sort((a, b) => a.key - b.key);
    const out = order.flatMap(({ hex, i }) => r.add('8970100000000000001', decodeDeliver(hex), `${v.name}/${i}`));
    pdus += v.pdus.length;
    t.is(out.length, 1, v.name);
    t.is(out[0]?.text, v.text, `${v.name} (seed ${seed})`);
    t.is(out[0]?.from, v.from, v.name);
    t.is(out[0]?.total, v.pdus.length, v.name);
    t.deepEqual(out[0]?.storage.length, v.pdus.length, v.name);
    if (v.pdus.length > 1) t.is(decodeDeliver(v.pdus[0]!).concat?.refBits, v.refBits ?? undefined, v.name);
  }
  t.is(r.pending, 0);
  t.log(`${vectors.length} messages, ${pdus} PDUs from gammu`);
});

/**
 * Gammu's own quirks, not ours: it has no form feed in its extension table, and
 * in Unicode text python-gammu reads '~' plus a character as its own escape.
 */
function forGammu(text: string): string {
  const plain = text.replaceAll('\f', ' ') || 'x';
  return isGsm(plain) ? plain : plain.replaceAll('~', '-');
}

interface GammuReading {
  texts: string[];
  parts: Array<{ number: string; coding: string; udh: string; ref8: number; ref16: number; part: number; total: number }>;
}

withGammu('gammu reads our encoder\'s PDUs as the same text, sender and concatenation', (t) => {
  const seed = seedOf();
  t.log(`seed ${seed} (replay with PDU_SEED=${seed})`);
  const rnd = prng(seed);
  const cases = [
    { text: 'x'.repeat(160), refBits: 8 as const, from: '+79161234567' },
    { text: `${'x'.repeat(152)}€tail tail tail`, refBits: 8 as const, from: 'Telegram' },
    { text: `${'Я'.repeat(66)}😀${'Я'.repeat(5)}`, refBits: 16 as const, from: '900' },
    ...Array.from({ length: 60 }, () => ({
      text: forGammu(randomText(rnd)),
      refBits: rnd.pick([8, 16] as const),
      from: rnd.pick(['+79161234567', '89035550101', 'Telegram', 'VK']),
    })),
  ];
  const groups = cases.map((c) => encodeDeliver({ from: c.from, text: c.text, timestamp: Date.UTC(2024, 4, 6, 7, 8, 9), smsc: '+79168999100', parts: { refBits: c.refBits } }));
  const readings = gammu<GammuReading[]>(['--decode'], groups);
  for (const [i, c] of cases.entries()) {
    const reading = readings[i]!;
    const label = `case ${i} (seed ${seed}): ${JSON.stringify(c.text.slice(0, 40))}`;
    t.deepEqual(reading.texts, [c.text], label);
    const total = groups[i]!.length;
    for (const [n, part] of reading.parts.entries()) {
      t.is(part.number, c.from, label);
      if (total === 1) continue;
      t.is(part.udh, c.refBits === 8 ? 'ConcatenatedMessages' : 'ConcatenatedMessages16bit', label);
      t.deepEqual([part.part, part.total], [n + 1, total], label);
    }
  }
  t.log(`${cases.length} messages, ${groups.flat().length} PDUs read back by gammu`);
});
