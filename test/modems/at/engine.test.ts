import test from 'ava';
import { once } from 'node:events';
import { AtEngine, AtError, type Urc } from '../../../modems/at/index.ts';
import { pduCyrillic, pduLatin, pduTelegram } from './fixtures.ts';
import { mockModem, turns } from './mock-modem.ts';

/** The AtError a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<AtError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof AtError)) throw new Error(`expected an AtError, got ${String(error)}`);
  return error;
}

function urcs(engine: AtEngine): Urc[] {
  const seen: Urc[] = [];
  engine.on('urc', (u) => seen.push(u));
  return seen;
}

test('OK: the information lines, without the final code; the command goes out with CR', async (t) => {
  const m = await mockModem(t);
  const answer = m.engine.run('AT+CSQ');
  t.is(await m.nextWrite(), 'AT+CSQ\r');
  m.send('\r\n+CSQ: 21,99\r\n\r\nOK\r\n');
  t.deepEqual(await answer, { lines: ['+CSQ: 21,99'] });
});

test('ERROR, +CME ERROR and +CMS ERROR reject with stable codes and numbers', async (t) => {
  const m = await mockModem(t);
  const cases: [string, string, Partial<AtError>][] = [
    ['AT+CCID', '\r\nERROR\r\n', { code: 'AT_ERROR', n: undefined, command: 'AT+CCID' }],
    ['AT+CPIN?', '\r\n+CME ERROR: 10\r\n', { code: 'AT_CME', n: 10, meaning: 'simMissing' }],
    ['AT+CIMI', '\r\n+CME ERROR: SIM PIN required\r\n', { code: 'AT_CME', n: 11, meaning: 'simLocked' }],
    ['AT+CMGR=9', '\r\n+CMS ERROR: 321\r\n', { code: 'AT_CMS', n: 321, meaning: 'invalidIndex' }],
    ['AT+CMGL=4', '\r\n+CMS ERROR: 314\r\n', { code: 'AT_CMS', n: 314, meaning: 'simBusy', retry: true }],
    ['ATD+79161234567;', '\r\nNO CARRIER\r\n', { code: 'AT_ERROR', line: 'NO CARRIER' }],
  ];
  for (const [command, reply, want] of cases) {
    const answer = m.engine.run(command);
    await m.nextWrite();
    m.send(reply);
    t.like(await failure(answer), want, command);
  }
});

test('echo on: the echoed command, the ATE0 artifact included, is skipped', async (t) => {
  const m = await mockModem(t, { echo: true }); // the mock binding echoes every write, as an ATE1 modem does
  const off = m.engine.run('ATE0');
  await m.nextWrite();
  m.send('\r\nOK\r\n');
  t.deepEqual(await off, { lines: [] });
  const imsi = m.engine.run('AT+CIMI');
  await m.nextWrite();
  m.send('\r\n250027912345678\r\n\r\nOK\r\n');
  t.deepEqual(await imsi, { lines: ['250027912345678'] });
});

test('echo off after echo on: the engine needs no setting', async (t) => {
  const m = await mockModem(t);
  const first = m.engine.run('AT+CSQ');
  await m.nextWrite();
  m.send('AT+CSQ\r\r\n+CSQ: 9,99\r\n\r\nOK\r\n');
  t.deepEqual(await first, { lines: ['+CSQ: 9,99'] });
  const second = m.engine.run('AT+CSQ');
  await m.nextWrite();
  m.send('\r\n+CSQ: 10,99\r\n\r\nOK\r\n');
  t.deepEqual(await second, { lines: ['+CSQ: 10,99'] });
});

test('commands queue: one in flight, the next goes out only after the final code, in order', async (t) => {
  const m = await mockModem(t);
  const answers = ['AT+CGMI', 'AT+CGMM', 'AT+CGMR'].map((c) => m.engine.run(c));
  t.is(m.engine.pending, 3);
  for (const [i, reply] of ['Quectel', 'EC25', 'EC25EFAR06A06M4G'].entries()) {
    t.is(await m.nextWrite(), `${['AT+CGMI', 'AT+CGMM', 'AT+CGMR'][i]}\r`);
    await turns();
    t.is(m.writes.length, i + 1, 'nothing else written while a command is in flight');
    m.send(`\r\n${reply}\r\n\r\nOK\r\n`);
  }
  t.deepEqual(await Promise.all(answers), [{ lines: ['Quectel'] }, { lines: ['EC25'] }, { lines: ['EC25EFAR06A06M4G'] }]);
  t.is(m.engine.pending, 0);
});

test('a URC inside a +CMGL answer goes to urc listeners; the PDU lines stay with the answer', async (t) => {
  const m = await mockModem(t);
  const seen = urcs(m.engine);
  const answer = m.engine.run('AT+CMGL=4');
  await m.nextWrite();
  m.send(`\r\n+CMGL: 0,1,,38\r\n${pduTelegram}\r\n^RSSI: 17\r\n+CMGL: 1,0,,65\r\n+CMTI: "SM",2\r\n${pduCyrillic}\r\n\r\nOK\r\n`);
  t.deepEqual(await answer, { lines: ['+CMGL: 0,1,,38', pduTelegram, '+CMGL: 1,0,,65', pduCyrillic] });
  t.deepEqual(seen, [{ type: 'noise', line: '^RSSI: 17' }, { type: 'sms.stored', storage: 'SM', index: 2 }]);
});

test('a two-line +CMT URC in the middle of an answer takes its PDU line with it', async (t) => {
  const m = await mockModem(t);
  const seen = urcs(m.engine);
  const answer = m.engine.run('AT+CSQ');
  await m.nextWrite();
  m.send(`\r\n+CMT: ,34\r\n${pduLatin}\r\n+CSQ: 21,99\r\n\r\nOK\r\n`);
  t.deepEqual(await answer, { lines: ['+CSQ: 21,99'] });
  t.deepEqual(seen, [{ type: 'sms.pushed', length: 34, pdu: pduLatin }]);
});

test('between commands, URCs and unknown lines are reported; a USSD answer may span lines', async (t) => {
  const m = await mockModem(t);
  const seen = urcs(m.engine);
  m.send('\r\nRING\r\n\r\n+CLIP: "+79161234567",145,,,,0\r\n+CUSD: 0,"Balance: 1\r\nBonus: 0",15\r\nHELLO\r\n');
  await turns(200);
  t.deepEqual(seen, [
    { type: 'ring' },
    { type: 'caller', number: '+79161234567', numberType: 145 },
    { type: 'ussd', m: 0, text: 'Balance: 1\nBonus: 0', dcs: 15 },
    { type: 'noise', line: 'HELLO' },
  ]);
});

test('the answer to AT+CPIN? is the command\'s; the same line during another command is a URC', async (t) => {
  const m = await mockModem(t);
  const seen = urcs(m.engine);
  const asked = m.engine.run('AT+CPIN?');
  await m.nextWrite();
  m.send('\r\n+CPIN: READY\r\n\r\nOK\r\n');
  t.deepEqual(await asked, { lines: ['+CPIN: READY'] });
  const other = m.engine.run('AT+CREG?');
  await m.nextWrite();
  m.send('\r\n+CPIN: READY\r\n+CREG: 1,"1A2B","0C3D"\r\n+CREG: 0,1\r\n\r\nOK\r\n');
  t.deepEqual(await other, { lines: ['+CREG: 0,1'] });
  t.deepEqual(seen.map((u) => u.type), ['sim.status', 'registration']);
});

test('a timeout rejects AT_TIMEOUT; the late answer is stray and the next command gets its own', async (t) => {
  const m = await mockModem(t, { engine: { quietMs: 60_000 } });
  const strays: string[] = [];
  m.engine.on('stray', (line) => strays.push(line));
  const slow = m.engine.run('AT+COPS?', { timeoutMs: 30 });
  await m.nextWrite();
  t.like(await failure(slow), { code: 'AT_TIMEOUT', command: 'AT+COPS?' });

  const next = m.engine.run('AT+CIMI');
  await turns();
  t.is(m.writes.length, 1, 'nothing is sent while the late answer may still come');
  m.send('\r\n+COPS: 0,0,"MegaFon",7\r\n\r\nOK\r\n');
  t.is(await m.nextWrite(), 'AT+CIMI\r', 'the stray OK ends the wait at once, not after quietMs');
  m.send('\r\n250027912345678\r\n\r\nOK\r\n');
  t.deepEqual(await next, { lines: ['250027912345678'] });
  t.deepEqual(strays, ['+COPS: 0,0,"MegaFon",7', 'OK']);
});

test('a timeout with no late answer: the next command goes out after the quiet period; URCs do not delay it', async (t) => {
  const m = await mockModem(t, { engine: { quietMs: 50 } });
  const seen = urcs(m.engine);
  const lost = m.engine.run('AT+CSQ', { timeoutMs: 20 });
  await m.nextWrite();
  t.is((await failure(lost)).code, 'AT_TIMEOUT');
  const next = m.engine.run('AT+CSQ');
  m.send('\r\n+CMTI: "SM",1\r\n');
  t.is(await m.nextWrite(), 'AT+CSQ\r');
  m.send('\r\n+CSQ: 20,99\r\n\r\nOK\r\n');
  t.deepEqual(await next, { lines: ['+CSQ: 20,99'] });
  t.deepEqual(seen, [{ type: 'sms.stored', storage: 'SM', index: 1 }]);
});

test('AT+CMGS: the input goes out after the > prompt, ended by Ctrl-Z', async (t) => {
  const m = await mockModem(t);
  const pdu = '0001000B919761214365F7000005C8329BFD06';
  const sent = m.engine.run('AT+CMGS=18', { input: pdu, timeoutMs: 1_000 });
  t.is(await m.nextWrite(), 'AT+CMGS=18\r');
  m.send('\r\n> ');
  t.is(await m.nextWrite(), `${pdu}\x1a`);
  m.send('\r\n+CMGS: 42\r\n\r\nOK\r\n');
  t.deepEqual(await sent, { lines: ['+CMGS: 42'] });
});

test('AT+CMGS with echo on, as a SIM800 does it: the echoed PDU is not an answer line', async (t) => {
  const m = await mockModem(t, { echo: true });
  const pdu = '0001000B919761214365F7000005C8329BFD06';
  const sent = m.engine.run('AT+CMGS=18', { input: pdu });
  await m.nextWrite();
  m.send('\r\n> ');
  await m.nextWrite();
  m.send('\r\n+CMGS: 43\r\n\r\nOK\r\n');
  t.deepEqual(await sent, { lines: ['+CMGS: 43'] });
});

test('a prompt command that times out is cancelled with ESC; an unexpected prompt too', async (t) => {
  const m = await mockModem(t, { engine: { quietMs: 20 } });
  const strays: string[] = [];
  m.engine.on('stray', (line) => strays.push(line));
  const sent = m.engine.run('AT+CMGS=18', { input: '00', timeoutMs: 20 });
  await m.nextWrite();
  t.is((await failure(sent)).code, 'AT_TIMEOUT');
  t.is(await m.nextWrite(), '\x1b');
  m.send('\r\n> ');
  t.is(await m.nextWrite(), '\x1b');
  t.deepEqual(strays, ['> ']);
});

test('the port closing mid-command rejects it and the queue with AT_CLOSED and emits close once', async (t) => {
  const m = await mockModem(t);
  const closes: unknown[] = [];
  m.engine.on('close', (e) => closes.push(e));
  const inFlight = m.engine.run('AT+CMGL=4');
  const queued = m.engine.run('AT+CSQ');
  await m.nextWrite();
  m.send('\r\n+CMGL: 0,1,,38\r\n');
  await new Promise((resolve) => m.port.close(resolve));
  t.like(await failure(inFlight), { code: 'AT_CLOSED', command: 'AT+CMGL=4' });
  t.like(await failure(queued), { code: 'AT_CLOSED', command: 'AT+CSQ' });
  t.true(m.engine.closed);
  t.deepEqual(closes, [undefined]);
  t.is((await failure(m.engine.run('AT'))).code, 'AT_CLOSED', 'and every later command');
});

test('a port error is a close: pending commands get AT_CLOSED, close carries the error', async (t) => {
  const m = await mockModem(t);
  const inFlight = m.engine.run('AT+CSQ');
  await m.nextWrite();
  const closed = once(m.engine, 'close');
  m.port.destroy(new Error('device unplugged'));
  t.is((await failure(inFlight)).code, 'AT_CLOSED');
  t.is(((await closed)[0] as Error).message, 'device unplugged');
});

test('close() lets go: pending commands are rejected, the port stays open for its owner', async (t) => {
  const m = await mockModem(t);
  const inFlight = m.engine.run('AT+CSQ');
  await m.nextWrite();
  m.engine.close();
  t.is((await failure(inFlight)).code, 'AT_CLOSED');
  t.true(m.port.isOpen);
});

test('an answer keeps at most maxLines information lines', async (t) => {
  const m = await mockModem(t, { engine: { maxLines: 3 } });
  const answer = m.engine.run('AT+CMGL=4');
  await m.nextWrite();
  m.send('A1\r\nA2\r\nA3\r\nA4\r\nA5\r\nOK\r\n');
  t.deepEqual(await answer, { lines: ['A1', 'A2', 'A3'] });
});

test('programming errors throw at once: a CR in a command, a bad timeout or option', async (t) => {
  const m = await mockModem(t);
  t.throws(() => m.engine.run('AT+CSQ\rAT'), { instanceOf: TypeError });
  t.throws(() => m.engine.run(''), { instanceOf: TypeError });
  t.throws(() => m.engine.run('AT+CMGS=2', { input: 'AB\x1a' }), { instanceOf: TypeError });
  t.throws(() => m.engine.run('AT', { timeoutMs: -1 }), { instanceOf: RangeError });
  t.throws(() => new AtEngine(m.port, { quietMs: 0 }), { instanceOf: RangeError });
});

test('a port that babbles on after a timeout is waited for ten quiet periods at most', async (t) => {
  const m = await mockModem(t, { engine: { quietMs: 10 } });
  const lost = m.engine.run('AT+CMGL=4', { timeoutMs: 10 });
  await m.nextWrite();
  t.is((await failure(lost)).code, 'AT_TIMEOUT');
  const babble = setInterval(() => m.send('+CMGL: 0,1,,38\r\n'), 2);
  t.teardown(() => clearInterval(babble));
  const started = Date.now();
  const next = m.engine.run('AT+CSQ');
  t.is(await m.nextWrite(), 'AT+CSQ\r');
  clearInterval(babble);
  t.true(Date.now() - started < 1_000, `waited ${Date.now() - started} ms`);
  m.send('\r\n+CSQ: 5,99\r\n\r\nOK\r\n');
  const { lines } = await next;
  t.is(lines.at(-1), '+CSQ: 5,99', 'babble still in the pipe lands before it; the answer itself is whole');
});
