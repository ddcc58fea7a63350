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
