import test from 'ava';
import { AtError, classify, finalResult, type Urc } from '../../../modems/at/index.ts';
import { pduLatin } from './fixtures.ts';

test('final result codes: OK, ERROR and the call words', (t) => {
  t.deepEqual(finalResult('OK'), { type: 'ok' });
  for (const word of ['ERROR', 'NO CARRIER', 'BUSY', 'NO ANSWER', 'NO DIALTONE', 'COMMAND NOT SUPPORT']) {
    t.deepEqual(finalResult(word), { type: 'error', line: word });
  }
  t.is(finalResult('OKAY'), undefined);
  t.is(finalResult('+CSQ: 1,2'), undefined);
});

test('+CME/+CMS ERROR: numeric, verbose text mapped back to its number, unknown text kept', (t) => {
  t.deepEqual(finalResult('+CME ERROR: 10'), { type: 'cme', n: 10, line: '+CME ERROR: 10' });
  t.deepEqual(finalResult('+CME ERROR: SIM not inserted'), { type: 'cme', n: 10, line: '+CME ERROR: SIM not inserted' });
  t.deepEqual(finalResult('+CME ERROR: sim busy'), { type: 'cme', n: 14, line: '+CME ERROR: sim busy' });
  t.deepEqual(finalResult('+CMS ERROR: 321'), { type: 'cms', n: 321, line: '+CMS ERROR: 321' });
  t.deepEqual(finalResult('+CMS ERROR: SIM busy'), { type: 'cms', n: 314, line: '+CMS ERROR: SIM busy' });
  t.deepEqual(finalResult('+CME ERROR: Ooops'), { type: 'cme', n: undefined, line: '+CME ERROR: Ooops' });
});

test('an AtError carries the meaning the actor acts on, from the tables', (t) => {
  const cme = (n: number) => new AtError('AT_CME', 'x', { n });
  const cms = (n: number) => new AtError('AT_CMS', 'x', { n });
  t.is(cme(10).meaning, 'simMissing');
  t.is(cme(11).meaning, 'simLocked');
  t.is(cme(13).meaning, 'simFailure');
  t.like(cme(14), { meaning: 'simBusy', retry: true });
  t.is(cme(15).meaning, 'simWrong');
  t.is(cms(310).meaning, 'simMissing');
  t.is(cms(313).meaning, 'simFailure');
  t.like(cms(314), { meaning: 'simBusy', retry: true });
  t.is(cms(321).meaning, 'invalidIndex');
  t.like(cms(322), { meaning: 'memoryFull', retry: false });
  t.is(cme(9999).meaning, undefined);
  t.is(new AtError('AT_ERROR', 'x', { n: 10 }).meaning, undefined, 'a number means something only with its code');
});

/** Classifies a URC line (with its continuation lines) and parses it as the engine would. */
function urc(lines: string[], command?: string): Urc {
  const kind = classify(lines[0]!, command);
  if (kind.kind !== 'urc') throw new Error(`${lines[0]} is ${kind.kind}`);
  return kind.row.parse(lines);
}

test('the URC table: new SMS, pushed SMS, status reports', (t) => {
  t.deepEqual(urc(['+CMTI: "SM",3']), { type: 'sms.stored', storage: 'SM', index: 3 });
  t.deepEqual(urc(['+CMTI: "ME",12']), { type: 'sms.stored', storage: 'ME', index: 12 });
  t.deepEqual(urc(['+CMT: ,34', pduLatin]), { type: 'sms.pushed', length: 34, pdu: pduLatin });
  t.deepEqual(urc(['+CMT: "Telegram",34', pduLatin.toLowerCase()]), { type: 'sms.pushed', length: 34, pdu: pduLatin });
  t.deepEqual(urc(['+CDSI: "SM",4']), { type: 'report.stored', storage: 'SM', index: 4 });
  t.deepEqual(urc(['+CDS: 25', '0006']), { type: 'report.pushed', length: 25, pdu: '0006' });
  t.deepEqual(urc(['+CMT: ,34']), { type: 'noise', line: '+CMT: ,34' }, 'a +CMT whose PDU never came');
});

test('the URC table: USSD, registration, ring, caller', (t) => {
  t.deepEqual(urc(['+CUSD: 0,"Balance 100 r.",15']), { type: 'ussd', m: 0, text: 'Balance 100 r.', dcs: 15 });
  t.deepEqual(urc(['+CUSD: 2']), { type: 'ussd', m: 2, text: undefined, dcs: undefined });
  t.deepEqual(urc(['+CUSD: 0,"Balance: 1', 'Bonus: 0",15']), { type: 'ussd', m: 0, text: 'Balance: 1\nBonus: 0', dcs: 15 });
  t.like(urc(['+CREG: 1']), { type: 'registration', of: 'CREG', stat: 1, state: 'home', registered: true, roaming: false });
  t.like(urc(['+CREG: 5,"1A2B","0C3D",7']), { type: 'registration', stat: 5, roaming: true, lac: '1A2B', ci: '0C3D', act: 7 });
  t.like(urc(['+CEREG: 2']), { type: 'registration', of: 'CEREG', state: 'searching', registered: false });
  t.deepEqual(urc(['RING']), { type: 'ring' });
  t.deepEqual(urc(['+CRING: VOICE']), { type: 'ring' });
  t.deepEqual(urc(['+CLIP: "+79161234567",145,,,,0']), { type: 'caller', number: '+79161234567', numberType: 145 });
});

test('vendor chatter is noise', (t) => {
  for (const line of ['^BOOT:20952548,0,0,0,75', '^RSSI: 17', '^MODE: 5,4', 'RDY', 'SMS Ready', 'Call Ready',
    '+QIND: SMS DONE', '+CFUN: 1', 'PB DONE', '*PSUTTZ: 24,5,6,7,8,9,"+12",0', 'NORMAL POWER DOWN']) {
    t.deepEqual(urc([line]), { type: 'noise', line });
  }
});

test('a SIM pulled or put back is a URC of its own: +CPIN (27.007), ^SIMST (Huawei: 255 no SIM, 0 invalid)', (t) => {
  t.deepEqual(urc(['+CPIN: NOT INSERTED']), { type: 'sim.status', ready: false });
  t.deepEqual(urc(['+CPIN: NOT READY']), { type: 'sim.status', ready: false });
  t.deepEqual(urc(['+CPIN: READY']), { type: 'sim.status', ready: true });
  t.deepEqual(urc(['^SIMST: 255']), { type: 'sim.status', ready: false });
  t.deepEqual(urc(['^SIMST: 0']), { type: 'sim.status', ready: false });
  t.deepEqual(urc(['^SIMST: 1']), { type: 'sim.status', ready: true });
  t.deepEqual(urc(['^SIMST: x']), { type: 'noise', line: '^SIMST: x' });
  t.is(classify('+CPIN: READY', 'AT+CPIN?').kind, 'answer', 'asked for, it is the answer');
});

test('+CREG: n,stat is the answer to AT+CREG?, +CREG: stat is a URC, whatever is in flight', (t) => {
  t.is(classify('+CREG: 0,1', 'AT+CREG?').kind, 'answer');
  t.is(classify('+CREG: 2,1,"1A2B","0C3D",7', 'AT+CREG?').kind, 'answer');
  t.is(classify('+CREG: 1,"1A2B","0C3D"', 'AT+CREG?').kind, 'urc');
  t.is(classify('+CREG: 1', 'AT+CREG?').kind, 'urc');
  t.is(classify('+CREG: 1', 'AT+CSQ').kind, 'urc');
});

test('a URC prefix the command asks for (its ? or =? form) is the answer; in any other command it is a URC', (t) => {
  t.is(classify('+CPIN: READY', 'AT+CPIN?').kind, 'answer');
  t.is(classify('+CPIN: READY', 'at+cpin?').kind, 'answer');
  t.is(classify('+CPIN: READY', 'AT+CPIN="1234"').kind, 'urc');
  t.is(classify('+CPIN: READY', 'AT+CIMI').kind, 'urc');
  t.is(classify('+CFUN: 1', 'AT+CFUN?').kind, 'answer');
  t.is(classify('+CUSD: 1', 'AT+CUSD?').kind, 'answer');
  t.is(classify('+CUSD: 0,"Balance",15', 'AT+CUSD=1,"*100#",15').kind, 'urc');
  t.is(classify('^RSSI: 17', 'AT^RSSI?').kind, 'answer');
});

test('information lines and PDU lines are answers; a prefix is matched whole (+CMT: is not +CMTI:)', (t) => {
  t.is(classify('+CMGL: 0,1,,38', 'AT+CMGL=4').kind, 'answer');
  t.is(classify(pduLatin, 'AT+CMGL=4').kind, 'answer');
  t.is(classify('250027912345678', 'AT+CIMI').kind, 'answer');
  const cmti = classify('+CMTI: "SM",1');
  t.true(cmti.kind === 'urc' && cmti.row.prefix === '+CMTI:');
});
