import test from 'ava';
import { AtError, type AtRunner } from '../../../modems/at/index.ts';
import { isUssdCode, ussdRequest, ussdText, ussdWireOf } from '../../../modems/drivers/ussd.ts';
import { portSpec } from '../../../modems/drivers/port-spec.ts';
import { wired } from './wired.ts';

test('USSD replies: UCS2 hex (DCS 72) decoded, GSM text as it came', (t) => {
  t.is(ussdText('04110430043B0430043D0441003A0020003100320033002E0034003500200440002E', 72), 'Баланс: 123.45 р.');
  t.is(ussdText('Balance: 12.50 RUB', 15), 'Balance: 12.50 RUB');
  t.is(ussdText('0031', 15), '0031', 'hex-looking text in the GSM alphabet is text');
});

test('a modem that packs (Huawei): DCS 15 hex is packed 7-bit, unpacked; what is no packing stays text', (t) => {
  t.is(ussdText('AA180C3602', 15, 'packed'), '*100#');
  t.is(ussdText('C2303BEC1E9775A098CC558381A45521', 15, 'packed'), 'Balance: 12.50 RUB');
  t.is(ussdText('AA180CA68A8D1A', 0x0f, 'packed'), '*100*1#', 'the <CR> filler dropped');
  t.is(ussdText('Balance: 1\nBonus: 0', 15, 'packed'), 'Balance: 1\nBonus: 0', 'a firmware answering text after all');
  t.is(ussdText('123', 15, 'packed'), '123', 'odd length: not a packing');
  t.is(ussdText('04110430043B0430043D0441', 72, 'packed'), 'Баланс', 'UCS2 is UCS2 on a Huawei too');
  t.is(ussdText('AA180C3602', 0x44, 'packed'), 'AA180C3602', '8-bit data is not unpacked');
});

test('"1234" from a modem that answers text stays "1234", packed-looking or not', (t) => {
  t.is(ussdText('1234', 15, 'text'), '1234');
  t.is(ussdText('AA180C3602', 15, 'text'), 'AA180C3602', 'a text modem\'s hex is the network\'s text');
  t.is(ussdText('1234', 15, 'packed'), 'Φh', 'while from a packing modem "1234" is two packed octets: 0x12 0x34');
});

test('a modem that did not say who made it: hex unpacks only when reading it as text makes less sense', (t) => {
  t.is(ussdText('AA180C3602', 15), '*100#');
  t.is(ussdText('C2303BEC1E9775A098CC558381A45521', 15), 'Balance: 12.50 RUB');
  for (const plain of ['1234', '0031', '100500', 'CAFE', 'DEADBEEF', 'ACCEDE', '3A7F12', 'aa180c3602', 'Balance 12']) {
    t.is(ussdText(plain, 15), plain, plain);
  }
});

test('requests: packed hex for a modem that packs, the code as it is otherwise', (t) => {
  t.is(ussdRequest('*100#', 'packed'), 'AA180C3602');
  t.is(ussdRequest('*100*1#', 'packed'), 'AA180CA68A8D1A');
  t.is(ussdRequest('*100#', 'text'), '*100#');
  t.is(ussdRequest('*100#', undefined), '*100#');
});

/** A runner answering from a script; a missing command answers ERROR, as a modem without it does. */
function scripted(answers: Record<string, string[]>): AtRunner & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    run: async (command) => {
      sent.push(command);
      const lines = answers[command];
      if (!lines) throw new AtError('AT_ERROR', `${command}: ERROR`);
      return { lines };
    },
  };
}

test('ussdWireOf: a Huawei packs unless ^USSDMODE says 0; other makers answer text; a silent maker is unknown', async (t) => {
  t.is(await ussdWireOf(scripted({ 'AT+CGMI': ['huawei'] })), 'packed', 'E173: no ^USSDMODE, always packs');
  t.is(await ussdWireOf(scripted({ 'AT+CGMI': ['huawei'], 'AT^USSDMODE?': ['^USSDMODE: 1'] })), 'packed');
  t.is(await ussdWireOf(scripted({ 'AT+CGMI': ['+CGMI: HUAWEI'], 'AT^USSDMODE?': ['^USSDMODE: 0'] })), 'text');
  const quectel = scripted({ 'AT+CGMI': ['Quectel'] });
  t.is(await ussdWireOf(quectel), 'text');
  t.deepEqual(quectel.sent, ['AT+CGMI'], 'no Huawei command sent to a Quectel');
  t.is(await ussdWireOf(scripted({})), undefined);
});

test('only digits, * and # make a USSD code: nothing can break out of the AT argument', (t) => {
  t.true(isUssdCode('*100#'));
  t.true(isUssdCode('*111*0887#'));
  t.false(isUssdCode('*100#";+CFUN=0'));
  t.false(isUssdCode(''));
});

test('MODEM_PORTS entries: path, or path@baud from the standard rates', (t) => {
  t.deepEqual(portSpec('/dev/ttyUSB0'), { path: '/dev/ttyUSB0', baudRate: 115200 });
  t.deepEqual(portSpec(' /dev/serial/by-id/usb-Quectel_EC25-if02@921600 '), { path: '/dev/serial/by-id/usb-Quectel_EC25-if02', baudRate: 921600 });
  t.is(portSpec('/dev/ttyUSB0@1234'), undefined);
  t.is(portSpec('two words'), undefined);
});

test('MODEM_CONFIG: per-port slots, slot dialect and number USSD, refused in a sentence when wrong', async (t) => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { loadPortConfig, numberIn, PortConfigError } = await import('../../../modems/drivers/port-config.ts');
  const dir = mkdtempSync(join(tmpdir(), 'getsms-portconf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'modems.json');
  writeFileSync(file, JSON.stringify({ '/dev/ttyUSB0': { slots: 4, slotDialect: 'quimslot', numberUssd: '*205#' } }));
  t.deepEqual(loadPortConfig(file).get('/dev/ttyUSB0'), { slots: 4, slotDialect: 'quimslot', numberUssd: '*205#' });
  writeFileSync(file, JSON.stringify({ '/dev/ttyUSB0': { slotDialect: 'magic' } }));
  t.throws(() => loadPortConfig(file), { instanceOf: PortConfigError, message: /port \/dev\/ttyUSB0: "slotDialect" must be one of/ });
  writeFileSync(file, JSON.stringify({ '/dev/ttyUSB0': { slot: 2 } }));
  t.throws(() => loadPortConfig(file), { message: /unknown setting slot/ });
  writeFileSync(file, '{ not json');
  t.throws(() => loadPortConfig(file), { message: /MODEM_CONFIG/ });
  t.is(numberIn('Ваш номер: +7 (926) 123-45-67'), '79261234567');
  t.is(numberIn('Balance 12.50'), undefined);
});


test('over a PTY, a Huawei: the request goes packed, the packed reply comes back as text, Cyrillic as UCS2', async (t) => {
  const { card, channel, sent } = await wired(t, 'huawei');
  card.ussd['*100#'] = 'Balance: 12.50 RUB';
  card.ussd['*111*0887#'] = 'Ваш номер: +79161234567';
  t.is(await channel.ussd('*100#'), 'Balance: 12.50 RUB');
  t.regex(sent(), /AT\+CUSD=1,"AA180C3602",15\r/);
  t.is(await channel.ussd('*111*0887#'), 'Ваш номер: +79161234567');
  t.is(sent().match(/AT\+CGMI\r/g)?.length, 1, 'the maker is asked once per open port');
});

test('over a PTY, a Huawei switched to ^USSDMODE=0 and a generic modem: a "1234" reply stays "1234"', async (t) => {
  const huawei = await wired(t, 'huawei');
  huawei.modem.settings.ussdPacked = false;
  huawei.card.ussd['*102#'] = '1234';
  t.is(await huawei.channel.ussd('*102#'), '1234');
  t.regex(huawei.sent(), /AT\+CUSD=1,"\*102#",15\r/);
  const generic = await wired(t, 'generic');
  generic.card.ussd['*102#'] = '1234';
  t.is(await generic.channel.ussd('*102#'), '1234');
  t.notRegex(generic.sent(), /USSDMODE/);
});
