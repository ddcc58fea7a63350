import test from 'ava';
import { parse } from 'node-pdu';
import { buildDeliver, decodeDeliver, PduError, tpduLengthOf, type PduErrorCode } from '../../../modems/pdu/index.ts';
import { reassemble, vector, vectors } from './helpers.ts';

const at = Date.UTC(2024, 4, 6, 7, 8, 9);
const pduError = (t: import('ava').ExecutionContext, fn: () => unknown, code: PduErrorCode, field?: string) => {
  const error = t.throws(fn, { instanceOf: PduError });
  t.is(error?.code, code, error?.message);
  if (field !== undefined) t.is(error?.field, field);
  return error;
};

test('every python3-gammu vector decodes to the text, sender, SMSC, time stamp and parts gammu encoded', (t) => {
  for (const v of vectors) {
    const parts = v.pdus.map((hex) => decodeDeliver(hex));
    for (const [i, p] of parts.entries()) {
      t.is(p.from, v.from, v.name);
      t.is(p.smsc, v.smsc, v.name);
      t.is(new Date(p.scts).toISOString(), v.scts.replace('Z', '.000Z'), v.name);
      t.is(p.sctsOffsetMinutes, v.tzMinutes, v.name);
      t.is(p.dcs.alphabet, v.alphabet, v.name);
      t.is(p.concat?.refBits ?? null, v.refBits, v.name);
      if (v.pdus.length > 1) t.deepEqual([p.concat?.part, p.concat?.total, p.concat?.ref], [i + 1, v.pdus.length, parts[0]!.concat?.ref], v.name);
    }
    const [message, ...more] = reassemble(v.pdus);
    t.is(more.length, 0, v.name);
    t.is(message?.text, v.text, v.name);
    t.false(message?.incomplete, v.name);
    if (v.pdus.length === 1) t.is(parts[0]!.text, v.text, v.name);
  }
  t.log(`${vectors.length} vectors, ${vectors.reduce((n, v) => n + v.pdus.length, 0)} PDUs`);
});

test('senders: international with +, national digits as given, an alphanumeric name unpacked from GSM 7-bit', (t) => {
  t.like(decodeDeliver(vector('gsm7-short').pdus[0]!), { from: '+79161234567', fromType: 'international' });
  t.like(decodeDeliver(vector('national-sender').pdus[0]!), { from: '89161234567', fromType: 'unknown' });
  t.like(decodeDeliver(vector('short-code-sender').pdus[0]!), { from: '900', fromType: 'unknown' });
  t.like(decodeDeliver(vector('alphanumeric-sender').pdus[0]!), { from: 'Telegram', fromType: 'alphanumeric' });
});

test('the SCTS zone is honoured: 07:08:09 at +03:00 is 04:08:09Z, at -05:00 is 12:08:09Z', (t) => {
  t.like(decodeDeliver(vector('timezone-plus-3').pdus[0]!), { scts: Date.UTC(2024, 4, 6, 4, 8, 9), sctsOffsetMinutes: 180 });
  t.like(decodeDeliver(vector('timezone-minus-5').pdus[0]!), { scts: Date.UTC(2024, 4, 6, 12, 8, 9), sctsOffsetMinutes: -300 });
});

test('UCS2 user data is exposed as the raw big-endian octets; GSM 7-bit as one septet code per element', (t) => {
  const v = vector('ucs2-cyrillic');
  const p = decodeDeliver(v.pdus[0]!);
  t.deepEqual(Buffer.from(p.userData), Buffer.from(v.text, 'utf16le').swap16());
  const g = decodeDeliver(vector('gsm7-short').pdus[0]!);
  t.deepEqual([...g.userData.subarray(0, 4)], [0x59, 0x6f, 0x75, 0x72]); // "Your"
});

test('national single shift tables (IEI 0x24): Turkish, Spanish and Portuguese decode; a locking shift is noted', (t) => {
  for (const name of ['turkish-single-shift', 'spanish-single-shift', 'portuguese-single-shift']) {
    t.is(decodeDeliver(vector(name).pdus[0]!).text, vector(name).text, name);
  }
  const locking = decodeDeliver(buildDeliver({ from: '+905321234567', dcs: 0, timestamp: at, udh: [{ iei: 0x25, data: Uint8Array.of(1) }], userData: [0x41] }));
  t.is(locking.udh?.lockingShift, 1);
  t.is(locking.text, 'A'); // read with the default table: locking shift tables are not decoded
});

test('node-pdu 2.1.1 agrees on every gammu vector but one: it reads GSM 0x5F as a backtick, not §', (t) => {
  for (const v of vectors.filter((x) => !x.handBuilt && x.pdus.length === 1)) {
    const theirs = parse(v.pdus[0]!) as ReturnType<typeof parse> & { data: { getText(): string } };
    const expected = v.name === 'gsm7-default-alphabet' ? v.text.replace('§', '`') : v.text;
    t.is(theirs.data.getText(), expected, v.name);
  }
  t.is(decodeDeliver(vector('gsm7-default-alphabet').pdus[0]!).text, vector('gsm7-default-alphabet').text);
});

test('escapes: ESC before an undefined code shows the default character, ESC ESC a space, a dangling ESC nothing', (t) => {
  const text = (userData: number[]) => decodeDeliver(buildDeliver({ from: '900', dcs: 0, timestamp: at, userData })).text;
  t.is(text([0x1b, 0x41, 0x1b, 0x65]), 'A€');
  t.is(text([0x41, 0x1b, 0x1b, 0x42]), 'A B');
  t.is(text([0x41, 0x1b]), 'A');
});

test('a truncated PDU is an error naming the field it cut, never a shorter text', (t) => {
  const hex = vector('gsm7-short').pdus[0]!; // SMSC 8, MTI 1, OA 8, PID, DCS, SCTS 7, UDL, UD 17
  const fields: Array<[number, string]> = [
    [0, 'SMSC length'], [1, 'SMSC type'], [2, 'SMSC digits'], [8, 'TP-MTI'], [9, 'TP-OA length'], [10, 'TP-OA type'],
    [11, 'TP-OA digits'], [17, 'TP-PID'], [18, 'TP-DCS'], [19, 'TP-SCTS'], [26, 'TP-UDL'],
  ];
  for (const [octets, field] of fields) pduError(t, () => decodeDeliver(hex.slice(0, octets * 2)), 'PDU_TOO_SHORT', field);
  for (let octets = 27; octets < hex.length / 2; octets++) pduError(t, () => decodeDeliver(hex.slice(0, octets * 2)), 'PDU_UDL_MISMATCH', 'TP-UDL');
  for (const v of vectors) {
    for (const pdu of v.pdus) {
      for (let cut = 2; cut < pdu.length; cut += 2) t.throws(() => decodeDeliver(pdu.slice(0, cut)), { instanceOf: PduError });
    }
  }
});

test('user data beyond TP-UDL is refused too', (t) => {
  pduError(t, () => decodeDeliver(vector('ucs2-cyrillic').pdus[0]! + '0041'), 'PDU_UDL_MISMATCH', 'TP-UDL');
  pduError(t, () => decodeDeliver(vector('gsm7-160').pdus[0]! + '00'), 'PDU_UDL_MISMATCH', 'TP-UDL');
});

test('hex: case and surrounding whitespace are tolerated; odd lengths, other characters and huge inputs are not', (t) => {
  const hex = vector('gsm7-short').pdus[0]!;
  t.is(decodeDeliver(` ${hex.toLowerCase()}\r\n`).text, 'Your code is 123456');
  pduError(t, () => decodeDeliver(hex.slice(1)), 'PDU_BAD_HEX', 'PDU');
  pduError(t, () => decodeDeliver(hex.replace('91', 'G1')), 'PDU_BAD_HEX');
  pduError(t, () => decodeDeliver(`${hex.slice(0, 10)} ${hex.slice(10)}`), 'PDU_BAD_HEX');
  pduError(t, () => decodeDeliver(''), 'PDU_TOO_SHORT', 'SMSC length');
  pduError(t, () => decodeDeliver('00'.repeat(401)), 'PDU_TOO_LONG');
});

test('SMS-SUBMIT and status reports (listed by AT+CMGL=4) are not an SMS-DELIVER; a reserved TP-MTI is read as one', (t) => {
  pduError(t, () => decodeDeliver('0011000B919761214365F70000AA05C8329BFD06'), 'PDU_NOT_DELIVER', 'TP-MTI');
  pduError(t, () => decodeDeliver('000602'), 'PDU_NOT_DELIVER', 'TP-MTI');
  const hex = vector('gsm7-short').pdus[0]!;
  t.is(decodeDeliver(hex.slice(0, 16) + '03' + hex.slice(18)).text, 'Your code is 123456');
});

test('the TPDU length a modem reports is checked when given, and tpduLengthOf computes it', (t) => {
  const hex = vector('gsm7-160').pdus[0]!;
  t.is(tpduLengthOf(hex), 159); // modem-notes §5: an SMSC of 8 octets and a 159-octet TPDU
  t.is(decodeDeliver(hex, { tpduLength: 159 }).tpduLength, 159);
  pduError(t, () => decodeDeliver(hex, { tpduLength: 158 }), 'PDU_LENGTH_MISMATCH', '<length>');
});

test('addresses of impossible length are refused', (t) => {
  pduError(t, () => decodeDeliver('0C91' + '00'.repeat(40)), 'PDU_BAD_ADDRESS', 'SMSC length');
  pduError(t, () => decodeDeliver('0004' + '1591' + '00'.repeat(40)), 'PDU_BAD_ADDRESS', 'TP-OA length');
});

test('a timestamp with a non-decimal digit or an impossible month is refused', (t) => {
  const hex = vector('gsm7-short').pdus[0]!; // SCTS starts at octet 19
  pduError(t, () => decodeDeliver(hex.slice(0, 38) + 'A2' + hex.slice(40)), 'PDU_BAD_SCTS', 'TP-SCTS year');
  pduError(t, () => decodeDeliver(hex.slice(0, 40) + '31' + hex.slice(42)), 'PDU_BAD_SCTS', 'TP-SCTS month');
});

test('DCS: classes, 8-bit, UCS2 message-waiting, reserved groups as GSM 7-bit; compressed text is refused', (t) => {
  const dcs = (value: number, userData: number[] = [0x41]) => decodeDeliver(buildDeliver({ from: '900', dcs: value, timestamp: at, userData })).dcs;
  t.like(dcs(0x10), { alphabet: 'gsm7', messageClass: 0 });
  t.like(dcs(0x00), { alphabet: 'gsm7', messageClass: undefined });
  t.like(dcs(0xf4), { alphabet: '8bit', messageClass: 0 });
  t.like(dcs(0xf1), { alphabet: 'gsm7', messageClass: 1 });
  t.like(dcs(0x18, [0x04, 0x1a]), { alphabet: 'ucs2', messageClass: 0 });
  t.like(dcs(0xe0, [0x04, 0x1a]), { alphabet: 'ucs2' });
  t.like(dcs(0x0c), { alphabet: 'gsm7' });
  t.like(dcs(0x80), { alphabet: 'gsm7' });
  t.like(dcs(0x48, [0x04, 0x1a]), { alphabet: 'ucs2' });
  pduError(t, () => dcs(0x20), 'PDU_UNSUPPORTED_DCS', 'TP-DCS');
});

test('UDH: unknown elements are kept and skipped; a void concatenation element is ignored; lengths must fit', (t) => {
  const pdu = (udh: Array<{ iei: number; data: number[] }>, userData = [0x48, 0x69]) =>
    buildDeliver({ from: '900', dcs: 0, timestamp: at, udh: udh.map((e) => ({ iei: e.iei, data: Uint8Array.from(e.data) })), userData });
  const kept = decodeDeliver(pdu([{ iei: 0x05, data: [0x0b, 0x84, 0x23, 0xf0] }, { iei: 0x00, data: [7, 2, 1] }]));
  t.is(kept.text, 'Hi');
  t.deepEqual(kept.udh?.elements.map((e) => e.iei), [0x05, 0x00]);
  t.deepEqual(kept.concat, { ref: 7, refBits: 8, total: 2, part: 1 });
  t.is(decodeDeliver(pdu([{ iei: 0x00, data: [7, 2, 0] }])).concat, undefined);
  t.is(decodeDeliver(pdu([{ iei: 0x00, data: [7, 2, 3] }])).concat, undefined);
  t.is(decodeDeliver(pdu([{ iei: 0x00, data: [7, 2] }])).concat, undefined); // wrong length: kept, not read
  t.deepEqual(decodeDeliver(pdu([{ iei: 0x08, data: [0x12, 0x34, 3, 3] }])).concat, { ref: 0x1234, refBits: 16, total: 3, part: 3 });
  // 8-bit data: UDHL 5 in 3 octets of user data; then an element whose length runs past UDHL
  const head = '0044' + buildDeliver({ from: '900', dcs: 4, timestamp: at, userData: [] }).slice(4, -2); // TP-UDHI set, no UDL
  pduError(t, () => decodeDeliver(head + '03' + '050001'), 'PDU_BAD_UDH', 'TP-UDHL');
  pduError(t, () => decodeDeliver(head + '05' + '0403000541'), 'PDU_BAD_UDH', 'UDH IE 0x5');
  pduError(t, () => decodeDeliver(head + '02' + '0103'), 'PDU_BAD_UDH', 'UDH IE');
  pduError(t, () => decodeDeliver(head + '00'), 'PDU_BAD_UDH', 'TP-UDHL');
  // GSM 7-bit: a 6-octet header needs 7 septets; a TP-UDL of 6 cannot hold it
  pduError(t, () => decodeDeliver(`${head.slice(0, 14)}00${head.slice(16)}` + '06' + '050003070201'), 'PDU_BAD_UDH', 'TP-UDHL');
});
