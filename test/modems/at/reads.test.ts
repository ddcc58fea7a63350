import test from 'ava';
import {
  AtError, iccid, imsi, messageStorage, operator, ownNumber, pin, registration, signal, storedPdu, storedPdus,
} from '../../../modems/at/index.ts';
import { pduCyrillic, pduLatin, pduTelegram } from './fixtures.ts';

const answerError = { instanceOf: AtError, code: 'AT_ANSWER' } as const;

test('ICCID: SIM800 bare digits, +CCID, +ICCID (SIM7600), +QCCID with F padding, quotes', (t) => {
  t.is(iccid(['89701012417659373214']), '89701012417659373214');
  t.is(iccid(['+CCID: "89701012417659373214"']), '89701012417659373214');
  t.is(iccid(['+ICCID: 89860318760235618932']), '89860318760235618932');
  t.is(iccid(['+QCCID: 8970199180212345678F']), '8970199180212345678');
  t.is(iccid(['^ICCID: 897019918021234567']), '897019918021234567', '18 digits is the shortest');
});

test('ICCID through AT+CRSM: EF_ICCID nibbles swapped back; a bad status word is no ICCID', (t) => {
  t.is(iccid(['+CRSM: 144,0,"98700110142167579312"']), '89071001411276753921');
  t.throws(() => iccid(['+CRSM: 148,4,""']), answerError);
});

test('ICCID: too short, letters or nothing throws AT_ANSWER', (t) => {
  t.throws(() => iccid(['+CCID: 8970101241765']), answerError);
  t.throws(() => iccid(['+ICCID: 898600700907A6019125']), answerError);
  t.throws(() => iccid([]), answerError);
});

test('IMSI: 15 digits, a +CIMI: prefix tolerated', (t) => {
  t.is(imsi(['250017654321012']), '250017654321012');
  t.is(imsi(['+CIMI: 250027912345678']), '250027912345678');
  t.throws(() => imsi(['25001765432']), answerError);
});

test('own number: +CNUM with or without +, several lines, absent', (t) => {
  t.is(ownNumber(['+CNUM: "","+79161234567",145']), '+79161234567');
  t.is(ownNumber(['+CNUM: "Voice","+79161234567",145,7,4']), '+79161234567');
  t.is(ownNumber(['+CNUM: ,"79161234567",145']), '+79161234567', 'type 145 is international');
  t.is(ownNumber(['+CNUM: "","89161234567",129']), '89161234567', 'type 129 stays as given');
  t.is(ownNumber(['+CNUM: "",""', '+CNUM: "Fax","+79031112233",145']), '+79031112233');
  t.is(ownNumber([]), undefined);
  t.is(ownNumber(['+CNUM: "","",129']), undefined);
});

test('operator: long, short and numeric formats; no operator', (t) => {
  t.deepEqual(operator(['+COPS: 0,0,"MegaFon",7']), { mode: 0, format: 'long', name: 'MegaFon', act: 7 });
  t.deepEqual(operator(['+COPS: 0,0,"MegaFon"']), { mode: 0, format: 'long', name: 'MegaFon' });
  t.deepEqual(operator(['+COPS: 1,1,"MTS"']), { mode: 1, format: 'short', name: 'MTS' });
  t.deepEqual(operator(['+COPS: 0,2,"25002",7']), { mode: 0, format: 'numeric', name: '25002', act: 7 });
  t.is(operator(['+COPS: 0']), undefined);
  t.throws(() => operator([]), answerError);
});

test('registration: stat 1 home and 5 roaming are registered; location and access technology kept', (t) => {
  t.like(registration(['+CREG: 0,1']), { stat: 1, state: 'home', registered: true, roaming: false });
  t.like(registration(['+CREG: 0,5']), { stat: 5, state: 'roaming', registered: true, roaming: true });
  t.like(registration(['+CREG: 0,2']), { state: 'searching', registered: false });
  t.like(registration(['+CREG: 0,3']), { state: 'denied', registered: false });
  t.deepEqual(registration(['+CREG: 2,1,"1A2B","0C3D",7']),
    { stat: 1, state: 'home', registered: true, roaming: false, lac: '1A2B', ci: '0C3D', act: 7 });
  t.like(registration(['+CEREG: 0,6']), { state: 'smsOnlyHome', registered: true });
  t.throws(() => registration(['+CREG: 0']), answerError);
});

test('signal: rssi 0–31 in dBm, 99 unknown, ber 99 unknown', (t) => {
  t.deepEqual(signal(['+CSQ: 21,99']), { rssi: 21, dbm: -71 });
  t.deepEqual(signal(['+CSQ: 0,0']), { rssi: 0, dbm: -113, ber: 0 });
  t.deepEqual(signal(['+CSQ: 31,3']), { rssi: 31, dbm: -51, ber: 3 });
  t.deepEqual(signal(['+CSQ: 99,99']), { rssi: 99 });
  t.throws(() => signal(['+CSQ: ,']), answerError);
});

test('PIN state: READY, and what the others mean', (t) => {
  t.deepEqual(pin(['+CPIN: READY']), { code: 'READY', ready: true });
  t.deepEqual(pin(['+CPIN: SIM PIN']), { code: 'SIM PIN', ready: false, meaning: 'simLocked' });
  t.deepEqual(pin(['+CPIN: SIM PUK']), { code: 'SIM PUK', ready: false, meaning: 'simBlocked' });
  t.deepEqual(pin(['+CPIN: NOT INSERTED']), { code: 'NOT INSERTED', ready: false, meaning: 'simMissing' });
  t.deepEqual(pin(['+CPIN: "READY"']), { code: 'READY', ready: true });
});

test('message storage: the 3-storage query answer, SIM800 SM_P, the unnamed set answer', (t) => {
  t.deepEqual(messageStorage(['+CPMS: "SM",3,30,"SM",3,30,"SM",3,30']), {
    read: { mem: 'SM', used: 3, total: 30 }, write: { mem: 'SM', used: 3, total: 30 }, receive: { mem: 'SM', used: 3, total: 30 },
  });
  t.like(messageStorage(['+CPMS: "SM_P",2,30,"ME_P",0,50,"SM_P",2,30']), { write: { mem: 'ME_P', used: 0, total: 50 } });
  t.deepEqual(messageStorage(['+CPMS: 5,50,5,50,5,50']).read, { mem: '', used: 5, total: 50 });
  t.deepEqual(messageStorage(['+CPMS: "ME",1,255']), { read: { mem: 'ME', used: 1, total: 255 } });
  t.throws(() => messageStorage(['+CPMS: "SM"']), answerError);
});

test('stored PDUs (+CMGL): generic, SIM800 with "" alpha, Pantech without the alpha field', (t) => {
  t.deepEqual(storedPdus(['+CMGL: 0,1,,38', pduTelegram, '+CMGL: 1,0,,65', pduCyrillic]), [
    { index: 0, stat: 1, length: 38, pdu: pduTelegram },
    { index: 1, stat: 0, length: 65, pdu: pduCyrillic },
  ]);
  t.deepEqual(storedPdus(['+CMGL: 1,1,"",34', pduLatin]), [{ index: 1, stat: 1, length: 34, pdu: pduLatin }]);
  t.deepEqual(storedPdus(['+CMGL: 17,3,34', pduLatin.toLowerCase()]), [{ index: 17, stat: 3, length: 34, pdu: pduLatin }]);
  t.deepEqual(storedPdus([]), [], 'an empty storage answers a bare OK');
});

test('stored PDUs: a header without its PDU line is skipped, the next message still read', (t) => {
  t.deepEqual(storedPdus(['+CMGL: 0,1,,38', '+CMGL: 1,0,,34', pduLatin, '+CMGL: 2,0,,5', 'XYZ']), [
    { index: 1, stat: 0, length: 34, pdu: pduLatin },
  ]);
});

test('one stored PDU (+CMGR); an empty index is undefined', (t) => {
  t.deepEqual(storedPdu(['+CMGR: 0,,34', pduLatin]), { stat: 0, length: 34, pdu: pduLatin });
  t.deepEqual(storedPdu(['+CMGR: 1,"",34', pduLatin]), { stat: 1, length: 34, pdu: pduLatin });
  t.is(storedPdu([]), undefined);
  t.is(storedPdu(['+CMGR: 0,,0', '00']), undefined);
});
