import test from 'ava';
import { isUssdCode, ussdText } from '../../../modems/drivers/ussd.ts';
import { portSpec } from '../../../modems/drivers/port-spec.ts';

test('USSD replies: UCS2 hex (DCS 72) decoded, GSM text as it came', (t) => {
  t.is(ussdText('04110430043B0430043D0441003A0020003100320033002E0034003500200440002E', 72), 'Баланс: 123.45 р.');
  t.is(ussdText('Balance: 12.50 RUB', 15), 'Balance: 12.50 RUB');
  t.is(ussdText('0031', 15), '0031', 'hex-looking text in the GSM alphabet is text');
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
