import test from 'ava';
import { decodeDeliver, encodeDeliver, PduError, type DeliverInput } from '../../../modems/pdu/index.ts';
import { GSM_BASIC, GSM_EXT, prng, randomText, reassemble, seedOf } from './helpers.ts';

const at = Date.UTC(2024, 4, 6, 7, 8, 9);
const encode = (text: string, over: Partial<DeliverInput> = {}) => encodeDeliver({ from: '+79161234567', text, timestamp: at, ...over });
const isGsm = (text: string) => [...text].every((ch) => (GSM_BASIC + GSM_EXT).includes(ch));

test('random texts survive our encoder and our decoder + reassembly unchanged, within the SMS size limits', (t) => {
  const seed = seedOf();
  const rnd = prng(seed);
  t.log(`seed ${seed} (replay with PDU_SEED=${seed})`);
  let pdus = 0;
  for (let i = 0; i < 1500; i++) {
    const text = randomText(rnd);
    const from = rnd.pick(['+79161234567', '89035550101', '900', 'Telegram', 'VK', 'Sber-Bank']);
    const offsetMinutes = rnd.pick([0, 180, -300, 345]);
    const hexes = encode(text, { from, offsetMinutes, parts: { refBits: rnd.pick([8, 16] as const) } });
    pdus += hexes.length;
    const parts = hexes.map((hex) => decodeDeliver(hex));
    for (const p of parts) {
      t.true(p.tpduLength <= 163, `seed ${seed} #${i}`); // MTI, OA of 12, PID, DCS, SCTS of 7, UDL, 140 of UD
      t.is(p.dcs.alphabet, isGsm(text) ? 'gsm7' : 'ucs2', `seed ${seed} #${i}`);
    }
    const [message, ...rest] = reassemble([...hexes].reverse());
    if (message?.text !== text || rest.length || message.from !== from || message.scts !== at) {
      t.fail(`seed ${seed} #${i}: ${JSON.stringify(text)} came back as ${JSON.stringify(message?.text)} from ${message?.from}`);
      return;
    }
  }
  t.log(`1500 texts, ${pdus} PDUs`);
  t.pass();
});

test('one SMS holds 160 GSM 7-bit characters or 70 UCS2 code units; longer texts take 153 / 67 per part', (t) => {
  const parts = (text: string, refBits: 8 | 16 = 8) => encode(text, { parts: { refBits } }).map((hex) => decodeDeliver(hex).userData.length);
  t.deepEqual(parts('x'.repeat(160)), [160]);
  t.deepEqual(parts('x'.repeat(161)), [153, 8]);
  t.deepEqual(parts('x'.repeat(161), 16), [152, 9]);
  t.deepEqual(parts('€'.repeat(80)), [160]); // two septets each
  t.deepEqual(parts('€'.repeat(81)), [152, 10]); // an escape pair is never cut
  t.deepEqual(parts('Я'.repeat(70)), [140]);
  t.deepEqual(parts('Я'.repeat(71)), [134, 8]);
  t.deepEqual(parts('Я'.repeat(71), 16), [132, 10]);
  t.deepEqual(parts(`${'Я'.repeat(66)}😀${'Я'.repeat(5)}`), [132, 14]); // the pair would straddle: the first part ends one unit early
  t.deepEqual(parts(''), [0]);
});

test('long texts carry an 8-bit reference by default, a 16-bit one on request, in TP-UDHI PDUs', (t) => {
  const eight = encode('x'.repeat(400), { parts: { ref: 0xab } }).map((hex) => decodeDeliver(hex));
  t.deepEqual(eight.map((p) => p.concat), [1, 2, 3].map((part) => ({ ref: 0xab, refBits: 8, total: 3, part })));
  t.deepEqual(eight.map((p) => p.firstOctet), [0x44, 0x44, 0x44]);
  const sixteen = encode('x'.repeat(400), { parts: { ref: 0xbeef, refBits: 16 } }).map((hex) => decodeDeliver(hex).concat);
  t.deepEqual(sixteen[2], { ref: 0xbeef, refBits: 16, total: 3, part: 3 });
  t.is(decodeDeliver(encode('short')[0]!).firstOctet, 0x04);
});

test('senders, SMSC and time stamp zone are written as given', (t) => {
  t.like(decodeDeliver(encode('a', { from: 'Telegram' })[0]!), { from: 'Telegram', fromType: 'alphanumeric' });
  t.like(decodeDeliver(encode('a', { from: 'ABCDEFGHIJK' })[0]!), { from: 'ABCDEFGHIJK', fromType: 'alphanumeric' });
  t.like(decodeDeliver(encode('a', { from: '89161234567' })[0]!), { from: '89161234567', fromType: 'unknown' });
  t.like(decodeDeliver(encode('a', { smsc: '+79168999100' })[0]!), { smsc: '+79168999100' });
  t.like(decodeDeliver(encode('a')[0]!), { smsc: undefined, scts: at, sctsOffsetMinutes: 0 });
  t.like(decodeDeliver(encode('a', { offsetMinutes: 180, timestamp: new Date(at) })[0]!), { scts: at, sctsOffsetMinutes: 180 });
  t.like(decodeDeliver(encode('a', { offsetMinutes: -210 })[0]!), { scts: at, sctsOffsetMinutes: -210 });
});

test('UCS2 can be forced for text that fits GSM 7-bit; GSM 7-bit cannot be forced on text that does not', (t) => {
  t.like(decodeDeliver(encode('Hello', { alphabet: 'ucs2' })[0]!), { text: 'Hello', dcs: { alphabet: 'ucs2', value: 8, messageClass: undefined } });
  t.is(t.throws(() => encode('Привет', { alphabet: 'gsm7' }), { instanceOf: PduError })?.code, 'PDU_BAD_INPUT');
});

test('impossible inputs are refused with PDU_BAD_INPUT naming the input', (t) => {
  const bad = (over: Partial<DeliverInput>, field: string, text = 'a') => {
    const error = t.throws(() => encode(text, over), { instanceOf: PduError });
    t.deepEqual([error?.code, error?.field], ['PDU_BAD_INPUT', field]);
  };
  bad({ from: 'ABCDEFGHIJKL' }, 'from');
  bad({ from: 'Сбербанк' }, 'from');
  bad({ from: '' }, 'from');
  bad({ smsc: 'SMSC' }, 'smsc');
  bad({ offsetMinutes: 10 }, 'timestamp');
  bad({ timestamp: Number.NaN }, 'timestamp');
  bad({ parts: { ref: 256 } }, 'parts.ref');
  bad({ parts: { refBits: 12 as 8 } }, 'parts.refBits');
  bad({}, 'text', 'x'.repeat(153 * 255 + 1));
});
