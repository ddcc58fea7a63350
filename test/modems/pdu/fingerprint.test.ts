import test from 'ava';
import { decodeDeliver, fingerprint, Reassembler } from '../../../modems/pdu/index.ts';
import { vector } from './helpers.ts';

const ICCID = '8970100000000000001';

test('the same SMS read again after a crash (new indexes, other order, later clock) has the same fingerprint', (t) => {
  const pdus = vector('ucs2-3part-16bit').pdus.map((hex) => decodeDeliver(hex));
  const before = new Reassembler({ now: () => 1_000 });
  const first = pdus.flatMap((p, i) => before.add(ICCID, p, i + 1));
  const after = new Reassembler({ now: () => 9_999_000 }); // the process restarted; the parts were still on the SIM
  const again = [...pdus].reverse().flatMap((p, i) => after.add(ICCID, p, 20 + i));
  t.is(first.length, 1);
  t.is(again[0]?.fingerprint, first[0]?.fingerprint);
  t.notDeepEqual(again[0]?.storage, first[0]?.storage);
  t.regex(first[0]!.fingerprint, /^[0-9a-f]{64}$/);
});

test('the fingerprint changes with the SIM, the sender, the time stamp or the text', (t) => {
  const base = { iccid: ICCID, from: 'Telegram', scts: Date.UTC(2024, 4, 6, 7, 8, 9), text: 'Telegram code: 12345' };
  const prints = new Set([
    fingerprint(base),
    fingerprint({ ...base, iccid: '8970100000000000002' }),
    fingerprint({ ...base, from: '+79161234567' }),
    fingerprint({ ...base, scts: base.scts + 1000 }),
    fingerprint({ ...base, text: 'Telegram code: 12346' }),
    fingerprint({ ...base, from: 'Telegram', text: ' code: 12345' }), // no ambiguity at field boundaries
  ]);
  t.is(prints.size, 6);
  t.is(fingerprint({ ...base }), fingerprint(base));
});
