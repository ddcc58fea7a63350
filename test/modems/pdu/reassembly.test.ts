import test from 'ava';
import { buildDeliver, decodeDeliver, encodeDeliver, Reassembler, type DecodedPdu } from '../../../modems/pdu/index.ts';
import { vector } from './helpers.ts';

const ICCID = '8970100000000000001';
const at = Date.UTC(2024, 4, 6, 7, 8, 9);
const decoded = (name: string) => vector(name).pdus.map((hex) => decodeDeliver(hex));

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** A part built by hand: `userData` septets (DCS 0) or octets (DCS 8) with an 8-bit concatenation element. */
function part(from: string, ref: number, total: number, n: number, userData: number[], dcs = 8): DecodedPdu {
  const udh = [{ iei: 0x00, data: Uint8Array.of(ref, total, n) }];
  return decodeDeliver(buildDeliver({ from, dcs, timestamp: at + n * 1000, udh, userData }));
}
const utf16be = (text: string) => [...Buffer.from(text, 'utf16le').swap16()];

test('a single-part SMS passes straight through with its storage reference', (t) => {
  const r = new Reassembler();
  const [message, ...rest] = r.add(ICCID, decodeDeliver(vector('ucs2-cyrillic').pdus[0]!), 7);
  t.is(rest.length, 0);
  t.like(message, { iccid: ICCID, from: '+79161234567', text: 'Код подтверждения 123456', total: 1, missing: [], incomplete: false, storage: [7] });
  t.is(r.pending, 0);
});

test('parts arriving out of order make one message when the last one is in, with every storage reference', (t) => {
  const r = new Reassembler();
  const [p1, p2, p3] = decoded('gsm7-3part-8bit-extension');
  t.deepEqual(r.add(ICCID, p3!, 13), []);
  t.deepEqual(r.add(ICCID, p1!, 11), []);
  t.is(r.pending, 1);
  const [message] = r.add(ICCID, p2!, 12);
  t.like(message, { text: vector('gsm7-3part-8bit-extension').text, total: 3, incomplete: false, storage: [13, 11, 12] });
  t.is(message?.scts, p1!.scts);
  t.is(r.pending, 0);
});

test('duplicates of a part are read once, and every copy\'s storage reference is returned for deletion', (t) => {
  const r = new Reassembler();
  const [p1, p2] = decoded('ucs2-2part-8bit');
  t.deepEqual(r.add(ICCID, p1!, 1), []);
  t.deepEqual(r.add(ICCID, p1!, 1), []); // the same slot read again by a sweep
  t.deepEqual(r.add(ICCID, p1!, 4), []); // the network delivered it twice
  const [message] = r.add(ICCID, p2!, 2);
  t.is(message?.text, vector('ucs2-2part-8bit').text);
  t.deepEqual(message?.storage, [1, 4, 2]);
});

test('16-bit references (IEI 0x08) reassemble like 8-bit ones', (t) => {
  const r = new Reassembler();
  const out = decoded('ucs2-3part-16bit').reverse().flatMap((p, i) => r.add(ICCID, p, i));
  t.is(out.length, 1);
  t.is(out[0]?.text, vector('ucs2-3part-16bit').text);
});

test('a surrogate pair split between two UCS2 parts, and an escape split between two GSM parts, read whole', (t) => {
  const bytes = utf16be('Код 😀 ok'); // the emoji's high surrogate ends part 1, its low one starts part 2
  const cut = utf16be('Код ').length + 2;
  const r = new Reassembler();
  const first = part('+79161234567', 9, 2, 1, bytes.slice(0, cut));
  const second = part('+79161234567', 9, 2, 2, bytes.slice(cut));
  t.is(first.text, 'Код \ufffd'); // alone, half a pair is not a character
  t.deepEqual(r.add(ICCID, second, 2), []);
  t.is(r.add(ICCID, first, 1)[0]?.text, 'Код 😀 ok');
  const gsm = [part('Bank', 3, 2, 1, [0x50, 0x61, 0x79, 0x20, 0x35, 0x1b], 0), part('Bank', 3, 2, 2, [0x65], 0)];
  t.is(gsm.flatMap((p, i) => r.add(ICCID, p, 10 + i))[0]?.text, 'Pay 5€');
});

test('after the timeout (10 minutes by default) what arrived is delivered, flagged incomplete, gaps marked', (t) => {
  const c = clock();
  const r = new Reassembler({ now: c.now });
  const [p1, , p3] = decoded('gsm7-3part-8bit-extension');
  r.add(ICCID, p1!, 1);
  c.advance(60_000);
  r.add(ICCID, p3!, 3);
  t.is(r.nextDeadline(), 1_000_000 + 600_000);
  c.advance(539_999);
  t.deepEqual(r.expire(), []);
  c.advance(1);
  const [message, ...rest] = r.expire();
  t.is(rest.length, 0);
  t.like(message, { incomplete: true, missing: [2], total: 3, storage: [1, 3], receivedAt: 1_000_000 });
  t.is(message?.text, `${p1!.text}[…]${p3!.text}`);
  t.is(r.pending, 0);
  t.is(r.nextDeadline(), undefined);
});

test('a timed-out message also comes out of the next add, and leading or adjacent gaps get one mark each', (t) => {
  const c = clock();
  const r = new Reassembler({ now: c.now, timeoutMs: 5_000, missingMark: '<?>' });
  r.add(ICCID, part('+1', 1, 5, 3, utf16be('three')), 3);
  c.advance(5_000);
  const out = r.add(ICCID, decodeDeliver(vector('gsm7-short').pdus[0]!), 9);
  t.deepEqual(out.map((m) => [m.text, m.missing]), [['<?>three<?>', [1, 2, 4, 5]], ['Your code is 123456', []]]);
  t.is(out[0]?.scts, at + 3_000); // the earliest part present gives the time stamp
});

test('interleaved messages from two senders (or to two SIMs) with the same reference stay apart', (t) => {
  const r = new Reassembler();
  const a = encodeDeliver({ from: '+79161234567', text: 'A'.repeat(300), timestamp: at, parts: { ref: 42 } }).map((h) => decodeDeliver(h));
  const b = encodeDeliver({ from: 'Telegram', text: 'B'.repeat(300), timestamp: at, parts: { ref: 42 } }).map((h) => decodeDeliver(h));
  const out = [
    ...r.add(ICCID, a[0]!, 1), ...r.add(ICCID, b[1]!, 2), ...r.add('8970199999999999999', a[1]!, 1),
    ...r.add(ICCID, b[0]!, 3), ...r.add(ICCID, a[1]!, 4),
  ];
  t.deepEqual(out.map((m) => [m.from, m.text, m.storage]), [['Telegram', 'B'.repeat(300), [2, 3]], ['+79161234567', 'A'.repeat(300), [1, 4]]]);
  t.is(r.pending, 1); // the part that went to the other SIM waits on its own
});

test('memory is bounded: past maxPending the oldest waiting message is delivered incomplete', (t) => {
  const r = new Reassembler({ maxPending: 3 });
  const firsts = [1, 2, 3, 4, 5].map((ref) => part('+7900', ref, 2, 1, utf16be(`m${ref}`)));
  t.deepEqual(firsts.slice(0, 3).flatMap((p, i) => r.add(ICCID, p, i)), []);
  t.deepEqual(r.add(ICCID, firsts[3]!, 3).map((m) => [m.text, m.incomplete]), [['m1[…]', true]]);
  t.deepEqual(r.add(ICCID, firsts[4]!, 4).map((m) => m.text), ['m2[…]']);
  t.is(r.pending, 3);
});

test('a different part under a waiting key means the reference came round again: the old message is closed', (t) => {
  const r = new Reassembler();
  r.add(ICCID, part('+7900', 5, 2, 1, utf16be('old ')), 1);
  const out = r.add(ICCID, part('+7900', 5, 2, 1, utf16be('new ')), 2);
  t.deepEqual(out.map((m) => [m.text, m.storage]), [['old […]', [1]]]);
  t.deepEqual(r.add(ICCID, part('+7900', 5, 2, 2, utf16be('one')), 3).map((m) => [m.text, m.storage]), [['new one', [2, 3]]]);
});

test('a late copy of a delivered part gives the same message again (same fingerprint) with the copy\'s storage', (t) => {
  const c = clock();
  const r = new Reassembler({ now: c.now });
  const [p1, p2] = decoded('gsm7-2part-8bit');
  const [message] = [...r.add(ICCID, p1!, 1), ...r.add(ICCID, p2!, 2)];
  c.advance(1_000);
  const [again, ...rest] = r.add(ICCID, p1!, 1);
  t.is(rest.length, 0);
  t.deepEqual({ ...again, storage: [] }, { ...message!, storage: [] });
  t.deepEqual(again?.storage, [1]);
  t.is(r.pending, 0);
});

test('parts in different alphabets are each decoded in their own', (t) => {
  const r = new Reassembler();
  const out = [...r.add(ICCID, part('+7900', 8, 2, 1, [0x48, 0x69, 0x20], 0), 1), ...r.add(ICCID, part('+7900', 8, 2, 2, utf16be('мир')), 2)];
  t.is(out[0]?.text, 'Hi мир');
});

test('options are checked at construction', (t) => {
  t.throws(() => new Reassembler({ timeoutMs: 0 }), { instanceOf: RangeError });
  t.throws(() => new Reassembler({ maxPending: 0 }), { instanceOf: RangeError });
});
