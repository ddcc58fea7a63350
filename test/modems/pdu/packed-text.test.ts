import test from 'ava';
import { spawnSync } from 'node:child_process';
import { packText, unpackText } from '../../../modems/pdu/index.ts';
import { GSM_BASIC, gammuMissing, hasGammu, prng, python, seedOf } from './helpers.ts';

/**
 * Packed GSM 7-bit hex as USSD carries it (TS 23.038 §6.1.2.3). Vectors whose
 * length leaves no 7 spare bits are the user data python3-gammu packs into an
 * SMS-SUBMIT (gammu.EncodePDU, Coding Default_No_Compression); the <CR>-filled
 * ones were packed independently, bit by bit (LSB first, as hsmr.cc's perl
 * one-liner for the Huawei E173 does), with the filler appended by hand.
 */
const vectors: readonly [text: string, hex: string][] = [
  ['*100#', 'AA180C3602'], // gammu; the Huawei example of the issue
  ['1234', '31D98C06'], // gammu
  ['Balance: 12.50 RUB', 'C2303BEC1E9775A098CC558381A45521'], // gammu
  ['Your balance is 10.00', 'D9775D0E1287D961F7B80C4ACF4131980B0603'], // gammu
  ['Saldo: 5 €', 'D3309BFCD6816AA04D19'], // gammu: € is ESC + 0x65
  ['*100*11#', 'AA180CA68AC546'], // 8 septets fill 7 octets exactly: no filler needed
  ['*100*1#', 'AA180CA68A8D1A'], // 7 septets leave 7 spare bits: <CR> (0x0D) fills them
  ['*111*0887*1234#', 'AA582CA682E17037554C36A38D1A'], // 15 septets: the same
];

test('packText: the vectors, upper-case hex', (t) => {
  for (const [text, hex] of vectors) t.is(packText(text), hex, JSON.stringify(text));
});

test('unpackText: the vectors back, the <CR> filler dropped, lower-case hex read too', (t) => {
  for (const [text, hex] of vectors) t.is(unpackText(hex), text, hex);
  t.is(unpackText('aa180c3602'), '*100#');
});

test('a text ending in <CR> on an octet boundary gets a second <CR> (§6.1.2.3.1), so the wanted one survives', (t) => {
  t.is(packText('ABCDEFG\r'), '41E19058341E1B0D');
  t.is(unpackText('41E19058341E1B0D'), 'ABCDEFG\r\r'); // a <CR><CR> means the same as one <CR>
});

test('only well-formed packings unpack: odd length, non-hex, set fill bits are refused', (t) => {
  t.is(unpackText(''), undefined);
  t.is(unpackText('AA180C360'), undefined);
  t.is(unpackText('Balance'), undefined);
  t.is(unpackText('AA180C36G2'), undefined);
  t.is(unpackText('AA180CF6'), undefined, '4 octets hold 4 septets and 4 fill bits, which must be 0');
  t.is(packText('Баланс'), undefined, 'outside the GSM alphabet');
});

test('random GSM texts survive pack and unpack', (t) => {
  const seed = seedOf();
  const rnd = prng(seed);
  const alphabet = GSM_BASIC.replace('\r', '') + '€[]{}|^~\\';
  for (let i = 0; i < 500; i++) {
    const text = Array.from({ length: rnd.int(1, 182) }, () => rnd.pick<string>(alphabet)).join('');
    t.is(unpackText(packText(text)!), text, `seed ${seed}: ${JSON.stringify(text)}`);
  }
});

const withGammu = hasGammu ? test : test.skip;
if (!hasGammu) console.warn(`test/modems/pdu/packed-text.test.ts: ${gammuMissing}`);

/** Gammu's packed user data of each text (from an SMS-SUBMIT: the UD follows UDL, the PDU's last field). */
const gammuPacks = `
import gammu, json, sys
out = []
for text in json.load(sys.stdin):
    sms = {'Number': '+79161234567', 'SMSC': {'Location': 0, 'Number': '+79168999100'}, 'Text': text,
           'Coding': 'Default_No_Compression', 'Type': 'Submit', 'Class': -1, 'Folder': 0, 'Location': 0,
           'InboxFolder': 0, 'Memory': 'SM', 'Unicode': False}
    pdu = gammu.EncodePDU(sms, 'Submit')
    octets = (len(text) * 7 + 7) // 8
    out.append(pdu[-octets:].hex().upper())
print(json.dumps(out))
`;

withGammu('packText matches python3-gammu\'s packing of random texts that need no <CR> filler', (t) => {
  const seed = seedOf();
  const rnd = prng(seed);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 *#.,:;!?-+=/()@$%&\'"<>';
  const texts: string[] = [];
  while (texts.length < 60) {
    const text = Array.from({ length: rnd.int(1, 160) }, () => rnd.pick<string>(alphabet)).join('');
    if (text.length % 8 !== 7) texts.push(text); // gammu's SMS packing has a length field, so no filler
  }
  const run = spawnSync(python, ['-c', gammuPacks], { input: JSON.stringify(texts), encoding: 'utf8' });
  t.is(run.status, 0, run.stderr);
  const packed = JSON.parse(run.stdout) as string[];
  texts.forEach((text, i) => t.is(packText(text), packed[i], `seed ${seed}: ${JSON.stringify(text)}`));
});
