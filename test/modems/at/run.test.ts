import test from 'ava';
import {
  AtError, iccid, replaceRows, runSequence, simCheck, startUp,
  type AtResult, type AtRunOptions, type AtRunner, type AtSequence,
} from '../../../modems/at/index.ts';
import { pduCyrillic, pduLatin, pduTelegram } from './fixtures.ts';
import { scriptedModem } from './mock-modem.ts';
import { qualcommCrsm, quectelEc25, sim800, sim800NoSim, simcom7600 } from './vendors.ts';

/** A runner that answers from a table, without a port: lines, or an AtError to reject with. */
function runner(answers: Readonly<Record<string, string[] | AtError>>): AtRunner & { asked: string[]; timeouts: number[] } {
  const asked: string[] = [];
  const timeouts: number[] = [];
  return {
    asked, timeouts,
    async run(command: string, options: AtRunOptions = {}): Promise<AtResult> {
      asked.push(command);
      timeouts.push(options.timeoutMs ?? 0);
      const answer = answers[command] ?? new AtError('AT_ERROR', `${command}: ERROR`, { command });
      if (answer instanceof AtError) throw answer;
      return { lines: answer };
    },
  };
}

const timeout = (command: string) => new AtError('AT_TIMEOUT', `${command}: no answer`, { command });

test('firstOf stops at the first alternative that answers OK and reads; each gets the row timeout', async (t) => {
  const at = runner({ 'AT+ICCID': ['+ICCID: '], 'AT+QCCID': ['+QCCID: 8970199180212345678F'], 'AT+CICCID': ['never asked'] });
  const rows: AtSequence<{ iccid: string }> = [{ name: 'iccid', firstOf: ['AT+CCID', 'AT+ICCID', 'AT+QCCID', 'AT+CICCID'], timeoutMs: 3_000, read: iccid }];
  const report = await runSequence(at, rows);
  t.deepEqual(report, { values: { iccid: '8970199180212345678' }, skipped: [] });
  t.deepEqual(at.asked, ['AT+CCID', 'AT+ICCID', 'AT+QCCID'], 'ERROR, then an answer that did not parse, then OK');
  t.deepEqual(at.timeouts, [3_000, 3_000, 3_000]);
});

test('when no alternative works the row fails with the last error', async (t) => {
  const at = runner({ 'AT+CCID': new AtError('AT_CME', 'x', { n: 10 }) });
  const report = await runSequence(at, [{ name: 'iccid', firstOf: ['AT+QCCID', 'AT+CCID'], timeoutMs: 1, read: iccid }]);
  t.like(report.stopped, { row: 'iccid', error: { code: 'AT_CME', n: 10, meaning: 'simMissing' } });
});

test('an optional row that fails is recorded and the sequence goes on; a required one stops it, values kept', async (t) => {
  const at = runner({
    'AT+CPIN?': ['+CPIN: READY'], 'AT+CCID': ['+CCID: 89701012417659373214'],
    'AT+CIMI': new AtError('AT_CME', 'AT+CIMI: +CME ERROR: 11', { command: 'AT+CIMI', n: 11 }),
  });
  const report = await runSequence(at, simCheck);
  t.deepEqual(report.values, { pin: { code: 'READY', ready: true }, iccid: '89701012417659373214' });
  t.like(report.stopped, { row: 'imsi', error: { code: 'AT_CME', meaning: 'simLocked' } });
  t.false(at.asked.includes('AT+CNUM'), 'nothing after the stop');

  const noNumber = await runSequence(runner({ 'AT+CPIN?': ['+CPIN: READY'], 'AT+CCID': ['89701012417659373214'], 'AT+CIMI': ['250017654321012'] }), simCheck);
  t.is(noNumber.stopped, undefined);
  t.deepEqual(noNumber.skipped.map((f) => [f.row, f.error.code]), [['number', 'AT_ERROR']]);
});

test('a timeout stops the sequence even on an optional row, and stops firstOf too', async (t) => {
  const at = runner({ 'AT+CPIN?': ['+CPIN: READY'], 'AT+CCID': timeout('AT+CCID') });
  const report = await runSequence(at, simCheck);
  t.like(report.stopped, { row: 'iccid', error: { code: 'AT_TIMEOUT' } });
  t.deepEqual(at.asked, ['AT+CPIN?', 'AT+CCID'], 'no alternatives after a timeout');

  const optional = runner({ 'AT+CNUM': timeout('AT+CNUM') });
  const r2 = await runSequence(optional, [{ name: 'number', send: 'AT+CNUM', timeoutMs: 1, optional: true }, { name: 'after', send: 'AT', timeoutMs: 1 }]);
  t.like(r2.stopped, { row: 'number', error: { code: 'AT_TIMEOUT' } });
});

test('a read that finds nothing fails its row with AT_ANSWER, naming the command', async (t) => {
  const report = await runSequence(runner({ 'AT+CIMI': ['ERROR?'] }), [{ name: 'imsi', send: 'AT+CIMI', timeoutMs: 1, read: () => iccid([]) }]);
  t.like(report.stopped, { row: 'imsi', error: { code: 'AT_ANSWER', command: 'AT+CIMI' } });
});

test('replaceRows: a driver swaps a row by name or drops it; an unknown name throws', (t) => {
  const quectel = replaceRows(startUp, {
    iccid: { name: 'iccid', send: 'AT+QCCID', timeoutMs: 3_000, read: iccid },
    number: null,
  });
  t.is(quectel.length, startUp.length - 1);
  t.deepEqual(quectel.find((r) => r.name === 'iccid'), { name: 'iccid', send: 'AT+QCCID', timeoutMs: 3_000, read: iccid });
  t.is(quectel.find((r) => r.name === 'number'), undefined);
  t.deepEqual(quectel.map((r) => r.name), startUp.map((r) => r.name).filter((n) => n !== 'number'), 'order kept');
  t.throws(() => replaceRows(startUp, { nope: null }), { instanceOf: RangeError });
});

test('the start-up table lists the issue\'s commands in order, each row named once', (t) => {
  const names = startUp.map((r) => r.name);
  t.is(new Set(names).size, names.length);
  t.deepEqual(startUp.map((r) => r.send ?? r.firstOf[0]), [
    'ATE0', 'AT+CMEE=1', 'AT+CMGF=0', 'AT+CNMI=2,1,0,0,0', 'AT+CPMS?', 'AT+CPIN?', 'AT+CCID', 'AT+CIMI', 'AT+CNUM',
    'AT+COPS?', 'AT+CREG?', 'AT+CSQ', 'AT+CMGL=4',
  ]);
});

test('start-up on a SIM800L with echo on, through the engine and a mock port', async (t) => {
  const m = await scriptedModem(t, sim800, { echo: true });
  const report = await runSequence(m.engine, startUp);
  t.is(report.stopped, undefined);
  t.deepEqual(report.skipped, []);
  t.deepEqual(report.values, {
    storage: { read: { mem: 'SM_P', used: 2, total: 30 }, write: { mem: 'SM_P', used: 2, total: 30 }, receive: { mem: 'SM_P', used: 2, total: 30 } },
    pin: { code: 'READY', ready: true },
    iccid: '89701012417659373214',
    imsi: '250017654321012',
    number: '+79161234567',
    operator: { mode: 0, format: 'long', name: 'MegaFon' },
    registration: { stat: 1, state: 'home', registered: true, roaming: false },
    signal: { rssi: 18, dbm: -77, ber: 0 },
    stored: [
      { index: 1, stat: 1, length: 34, pdu: pduLatin },
      { index: 2, stat: 0, length: 65, pdu: pduCyrillic },
    ],
  });
});

test('start-up on a Quectel EC25: AT+QCCID after two refusals, no own number, roaming', async (t) => {
  const m = await scriptedModem(t, quectelEc25);
  const report = await runSequence(m.engine, startUp);
  t.is(report.stopped, undefined);
  t.like(report.values, {
    iccid: '8970199180212345678', imsi: '250027912345678', number: undefined,
    operator: { name: 'MegaFon', act: 7 }, registration: { registered: true, roaming: true }, signal: { dbm: -51 },
    stored: [{ index: 0, stat: 1, length: 38, pdu: pduTelegram }],
  });
  t.deepEqual(m.heard.filter((c) => /CCID/.test(c)), ['AT+CCID', 'AT+ICCID', 'AT+QCCID']);
});

test('start-up on a SIMCom SIM7600: AT+CICCID, numeric operator, nothing stored', async (t) => {
  const m = await scriptedModem(t, simcom7600);
  const { values, stopped } = await runSequence(m.engine, startUp);
  t.is(stopped, undefined);
  t.like(values, { iccid: '89860318760235618932', number: '+79161234567', operator: { format: 'numeric', name: '25002' } });
  t.like(values.registration, { lac: '1A2B', ci: '0C3D', act: 7 });
  t.deepEqual(values.stored, []);
});

test('start-up on a Qualcomm-style modem: the CNMI fall-back row, the AT+CRSM ICCID, unknown signal', async (t) => {
  const m = await scriptedModem(t, qualcommCrsm);
  const { values, stopped, skipped } = await runSequence(m.engine, startUp);
  t.is(stopped, undefined);
  t.deepEqual(skipped, []);
  t.true(m.heard.includes('AT+CNMI=1,1,0,0,0'));
  t.is(values.iccid, '89071001411276753921');
  t.deepEqual(values.signal, { rssi: 99 });
});

test('start-up with no SIM stops at the PIN row with a meaning the actor acts on', async (t) => {
  const m = await scriptedModem(t, sim800NoSim);
  const report = await runSequence(m.engine, startUp);
  t.like(report.stopped, { row: 'pin', error: { code: 'AT_CME', n: 10, meaning: 'simMissing' } });
  t.deepEqual(Object.keys(report.values), ['storage']);
});
