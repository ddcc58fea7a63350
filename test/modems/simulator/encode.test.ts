import test from 'ava';
import { spawnSync } from 'node:child_process';
import { deliverPdus, tpduLength } from '../../../modems/simulator/at/index.ts';

/**
 * The simulator stores real SMS-DELIVER PDUs: python3-gammu, an independent
 * codec, decodes what the default encoder makes (sender, coding, text, parts).
 * Its `Text` is not trusted after GSM extension characters (modem-notes §4.2),
 * so the texts here avoid them.
 */

interface Decoded { number: string; coding: string; text: string; udh: string; part: number; parts: number; time: string }

const decoder = `
import gammu, json, sys
out = []
for pdu in json.load(sys.stdin):
    d = gammu.DecodePDU(bytes.fromhex(pdu))
    out.append({'number': d['Number'], 'coding': d['Coding'], 'text': d['Text'], 'udh': d['UDH']['Type'],
                'part': d['UDH']['PartNumber'], 'parts': d['UDH']['AllParts'], 'time': str(d['DateTime'])})
print(json.dumps(out))
`;

function gammuDecode(pdus: string[]): Decoded[] | undefined {
  const r = spawnSync('/usr/bin/python3', ['-c', decoder], { input: JSON.stringify(pdus), encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout) as Decoded[];
}

const at = new Date('2024-05-06T07:08:09Z');

test('each part is a well-formed SMS-DELIVER that python3-gammu decodes to the same sender and text', (t) => {
  const cases = [
    { from: '+79161234567', text: 'Your code is 1234', coding: 'Default_No_Compression' },
    { from: '+79031112233', text: 'Код подтверждения: 5678', coding: 'Unicode_No_Compression' },
    { from: '+447700900123', text: 'Emoji 😀 survive as a surrogate pair', coding: 'Unicode_No_Compression' },
    { from: 'Telegram', text: 'Telegram code 12345', coding: 'Default_No_Compression' },
  ];
  const decoded = gammuDecode(cases.flatMap((c) => deliverPdus({ ...c, timestamp: at })));
  if (!decoded) return t.fail('python3-gammu is missing: apt-get install python3-gammu (.ci/run installs it)');
  t.deepEqual(
    decoded.map((d) => ({ from: d.number, text: d.text, coding: d.coding })),
    cases.map(({ from, text, coding }) => ({ from, text, coding })),
  );
  // 07:08:09Z stamped at +03:00, as Russian networks stamp it.
  t.true(decoded.every((d) => d.time === '2024-05-06 10:08:09'));
});

test('a long text becomes concatenated parts whose texts join to the original (GSM-7 and UCS2)', (t) => {
  for (const text of ['Long message body. '.repeat(12), 'Длинное сообщение. '.repeat(6)]) {
    const pdus = deliverPdus({ from: '+79161234567', text, timestamp: at });
    t.true(pdus.length >= 2);
    const decoded = gammuDecode(pdus);
    if (!decoded) return t.fail('python3-gammu is missing');
    t.deepEqual(decoded.map((d) => [d.part, d.parts]), pdus.map((_, i) => [i + 1, pdus.length]));
    t.true(decoded.every((d) => d.udh.startsWith('ConcatenatedMessages')));
    t.is(decoded.map((d) => d.text).join(''), text);
  }
});

test('tpduLength counts the octets after the SMSC field, as +CMGR prints them', (t) => {
  const [pdu] = deliverPdus({ from: '+79161234567', text: 'hi', timestamp: at });
  t.is(pdu!.slice(0, 2), '00'); // no SMSC: the length octet alone
  t.is(tpduLength(pdu!), pdu!.length / 2 - 1);
  t.is(tpduLength('07919761989901F0' + '0400'), 2);
});
