import test from 'ava';
import { SimCard, SmsCentre, tpduLength } from '../../../modems/simulator/at/index.ts';
import { simulatedSim } from '../../../modems/index.ts';
import { channel } from './helpers.ts';

/** SMS in PDU mode through a real PTY: storage, indications, list/read/delete, send, memory full. */

const sms = (text: string, from = '+79161234567') => ({ from, text, timestamp: new Date('2024-05-06T07:08:09Z') });

test('+CPMS: the SIM memory in all three forms, the 3-storage read answer smsd needs', async (t) => {
  const { host, modem } = await channel(t, { echo: false });
  modem.receive(sms('one'));
  t.is(await host.command('AT+CPMS=?'), '\r\n+CPMS: ("SM"),("SM"),("SM")\r\n\r\nOK\r\n');
  t.is(await host.command('AT+CPMS?'), '\r\n+CPMS: "SM",1,30,"SM",1,30,"SM",1,30\r\n\r\nOK\r\n');
  t.is(await host.command('AT+CPMS="SM","SM","SM"'), '\r\n+CPMS: 1,30,1,30,1,30\r\n\r\nOK\r\n');
  t.is(await host.command('AT+CPMS="SM","SM"'), '\r\n+CPMS: 1,30,1,30,1,30\r\n\r\nOK\r\n');
  t.is(await host.command('AT+CPMS="ME"'), '\r\n+CMS ERROR: 302\r\n');
});

test('+CMTI announces a stored SMS only when +CNMI <mt> is 1 or 3', async (t) => {
  const { host, modem } = await channel(t, { echo: false });
  t.is(await host.command('AT+CNMI?'), '\r\n+CNMI: 0,0,0,0,0\r\n\r\nOK\r\n');
  t.deepEqual(modem.receive(sms('silent')).outcomes, [{ stored: 1 }]);
  await t.throwsAsync(host.urc(300)); // mt=0: stored, nothing said
  t.is(await host.command('AT+CNMI=2,1,0,0,0'), '\r\nOK\r\n');
  modem.receive(sms('announced'));
  t.is(await host.urc(), '\r\n+CMTI: "SM",2\r\n');
  t.is(await host.command('AT+CNMI=2,3'), '\r\nOK\r\n');
  modem.receive(sms('announced too'));
  t.is(await host.urc(), '\r\n+CMTI: "SM",3\r\n');
  t.is(await host.command('AT+CNMI=?'), '\r\n+CNMI: (0-3),(0-3),(0-3),(0-2),(0,1)\r\n\r\nOK\r\n');
});

test('+CNMI <mt>=2 pushes +CMT with the PDU straight to the host and stores nothing', async (t) => {
  const { host, modem } = await channel(t, { echo: false });
  await host.command('AT+CNMI=2,2,0,0,0');
  const { pdus, outcomes } = modem.receive(sms('direct'));
  t.deepEqual(outcomes, [{ direct: true }]);
  t.is(await host.next(/\r\n[0-9A-F]+\r\n$/), `\r\n+CMT: ,${tpduLength(pdus[0]!)}\r\n${pdus[0]}\r\n`);
  t.is(modem.sim!.storage.used, 0);
});

test('a 2-part SMS takes two cells, each announced', async (t) => {
  const { host, modem } = await channel(t, { echo: false });
  await host.command('AT+CNMI=2,1,0,0,0');
  const { pdus } = modem.receive(sms('Long message body. '.repeat(12)));
  t.is(pdus.length, 2);
  t.is(await host.urc(), '\r\n+CMTI: "SM",1\r\n');
  t.is(await host.urc(), '\r\n+CMTI: "SM",2\r\n');
});

test('+CMGL lists by stat and marks unread read; +CMGR reads and marks; +CMGD deletes one or, with a flag, many', async (t) => {
  const { host, modem } = await channel(t, { echo: false });
  const [a] = modem.receive(sms('first')).pdus;
  const [b] = modem.receive(sms('second')).pdus;
  const row = (i: number, stat: number, pdu: string) => `+CMGL: ${i},${stat},,${tpduLength(pdu)}\r\n${pdu}`;
  t.is(await host.command('AT+CMGL=0'), `\r\n${row(1, 0, a!)}\r\n${row(2, 0, b!)}\r\n\r\nOK\r\n`);
  t.is(await host.command('AT+CMGL=0'), '\r\nOK\r\n'); // listing marked them read
  t.is(await host.command('AT+CMGL=1'), `\r\n${row(1, 1, a!)}\r\n${row(2, 1, b!)}\r\n\r\nOK\r\n`);
  const [c] = modem.receive(sms('third')).pdus;
  t.is(await host.command('AT+CMGR=3'), `\r\n+CMGR: 0,,${tpduLength(c!)}\r\n${c}\r\n\r\nOK\r\n`);
  t.is(await host.command('AT+CMGR=3'), `\r\n+CMGR: 1,,${tpduLength(c!)}\r\n${c}\r\n\r\nOK\r\n`);
  t.is(await host.command('AT+CMGD=1'), '\r\nOK\r\n');
  t.is(await host.command('AT+CMGL=4'), `\r\n${row(2, 1, b!)}\r\n${row(3, 1, c!)}\r\n\r\nOK\r\n`);
  t.is(await host.command('AT+CMGR=1'), '\r\nOK\r\n'); // an empty cell: bare OK
  t.is(await host.command('AT+CMGR=31'), '\r\n+CMS ERROR: 321\r\n'); // past the capacity
  t.is(await host.command('AT+CMGD=0,4'), '\r\nOK\r\n');
  t.is(await host.command('AT+CPMS?'), '\r\n+CPMS: "SM",0,30,"SM",0,30,"SM",0,30\r\n\r\nOK\r\n');
});

const submit = '0001000B919761214365F7000005E8329BFD06'; // SMS-SUBMIT "hello" to +79161234567, no SMSC

test('+CMGS: the "> " prompt, the PDU up to Ctrl-Z, then +CMGS: <mr>; the SIM keeps a copy', async (t) => {
  const { host, modem } = await channel(t, { echo: false });
  t.is(await host.command('AT+CMGS=18'), '\r\n> ');
  t.is(await host.send(`${submit}\x1a`), '\r\n+CMGS: 0\r\n\r\nOK\r\n');
  t.is(await host.command('AT+CMGS=18'), '\r\n> ');
  t.is(await host.send(`${submit}\x1a`), '\r\n+CMGS: 1\r\n\r\nOK\r\n');
  t.deepEqual(modem.sim!.sent.map((s) => [s.mr, s.pdu]), [[0, submit], [1, submit]]);
  t.is(await host.command('AT+CMGS=17'), '\r\n> ');
  t.is(await host.send(`${submit}\x1a`), '\r\n+CMS ERROR: 304\r\n'); // <length> does not match the TPDU
  t.is(await host.command('AT+CMGS=18'), '\r\n> ');
  t.is(await host.send(`${submit}\x1b`), '\r\nOK\r\n'); // Esc: cancelled, nothing sent
  t.is(modem.sim!.sent.length, 2);
});

test('+CMGS with echo on: the PDU is echoed before the answer', async (t) => {
  const { host } = await channel(t);
  t.is(await host.command('AT+CMGS=18'), 'AT+CMGS=18\r\r\n> ');
  t.is(await host.send(`${submit}\x1a`), `${submit}\r\n+CMGS: 0\r\n\r\nOK\r\n`);
});

test('memory full: the SMS is refused with the vendor\'s noise line, held by the network, stored once a cell frees', async (t) => {
  const card = new SimCard(simulatedSim(0), { capacity: 2 });
  const { host, modem } = await channel(t, { echo: false, sims: [card] });
  const centre = new SmsCentre((iccid) => (modem.sim?.identity.iccid === iccid ? modem : undefined));
  modem.on('storage.freed', (sim) => centre.retry(sim.identity.iccid));
  await host.command('AT+CNMI=2,1,0,0,0');
  const deliver = (text: string) => centre.submit(card.identity.iccid, modem.encode(sms(text)));
  t.like(deliver('one'), { stored: [1], pending: 0 });
  t.like(deliver('two'), { stored: [2], pending: 0 });
  t.is(await host.next(/"SM",2\r\n/), '\r\n+CMTI: "SM",1\r\n\r\n+CMTI: "SM",2\r\n');
  t.like(deliver('three'), { stored: [], pending: 1 });
  t.is(await host.urc(), '\r\n^SMMEMFULL: "SM"\r\n');
  t.is(centre.held(card.identity.iccid), 1);
  t.is(await host.command('AT+CMGD=1'), '\r\nOK\r\n');
  t.is(await host.urc(), '\r\n+CMTI: "SM",1\r\n'); // the network retried into the freed cell
  t.is(centre.held(card.identity.iccid), 0);
});
