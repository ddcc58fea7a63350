import test from 'ava';
import { simulatedSim } from '../../../modems/index.ts';
import { SimCard, vendors, type VendorName } from '../../../modems/simulator/at/index.ts';
import { channel, sims } from './helpers.ts';

/** The command table through a real PTY pair, with serialport on the host side. */

test('echo on by default: the command comes back before its answer; ATE0 turns it off', async (t) => {
  const { host } = await channel(t);
  t.is(await host.command('AT'), 'AT\r\r\nOK\r\n');
  t.is(await host.command('ATE0'), 'ATE0\r\r\nOK\r\n');
  t.is(await host.command('AT'), '\r\nOK\r\n');
  t.is(await host.command('ATE1'), '\r\nOK\r\n');
  t.is(await host.command('AT'), 'AT\r\r\nOK\r\n');
});

test('echo off from power-on when configured so', async (t) => {
  const { host } = await channel(t, { echo: false });
  t.is(await host.command('AT'), '\r\nOK\r\n');
});

const identity: Record<VendorName, { ati: string; iccid: Record<string, string | null> }> = {
  generic: { ati: 'getsms VM-1\r\nRevision: VM1.0.0', iccid: { '+CCID': '+CCID: ', '+ICCID': null, '+QCCID': null } },
  quectel: { ati: 'Quectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G', iccid: { '+CCID': '+CCID: ', '+ICCID': null, '+QCCID': '+QCCID: ' } },
  simcom: {
    ati: 'Manufacturer: SIMCOM INCORPORATED\r\nModel: SIMCOM_SIM7600E-H\r\nRevision: LE20B04SIM7600M22',
    iccid: { '+CCID': '', '+ICCID': '+ICCID: ', '+QCCID': null },
  },
  huawei: { ati: 'Manufacturer: huawei\r\nModel: E173\r\nRevision: 11.126.85.00.209', iccid: { '+CCID': '+CCID: ', '+ICCID': null, '+QCCID': null } },
};

for (const [name, expected] of Object.entries(identity) as [VendorName, (typeof identity)[VendorName]][]) {
  test(`${name}: ATI, +CGMI/+CGMM/+CGMR, the IMEI, and only its own ICCID commands answer`, async (t) => {
    const sim = simulatedSim(7);
    const { host, modem } = await channel(t, { vendor: name, echo: false, sims: [new SimCard(sim)] });
    const v = vendors[name];
    t.is(await host.command('ATI'), `\r\n${expected.ati}\r\n\r\nOK\r\n`);
    t.is(await host.command('AT+CGMI'), `\r\n${v.manufacturer}\r\n\r\nOK\r\n`);
    t.is(await host.command('AT+CGMM'), `\r\n${v.model}\r\n\r\nOK\r\n`);
    t.is(await host.command('AT+CGMR'), `\r\n${v.revision}\r\n\r\nOK\r\n`);
    t.is(await host.command('AT+CGSN'), `\r\n${modem.imei}\r\n\r\nOK\r\n`);
    await host.command('AT+CMEE=1');
    for (const [command, prefix] of Object.entries(expected.iccid)) {
      t.is(await host.command(`AT${command}`), prefix === null ? '\r\n+CME ERROR: 4\r\n' : `\r\n${prefix}${sim.iccid}\r\n\r\nOK\r\n`, command);
    }
  });
}

test('the IMEI passes the Luhn check', async (t) => {
  const { modem } = await channel(t);
  const digits = [...modem.imei].map(Number);
  const sum = digits.reduce((s, d, i) => s + (i % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
  t.is(modem.imei.length, 15);
  t.is(sum % 10, 0);
});

test('unknown commands: ERROR, then +CME ERROR: 4 with CMEE=1, then its text with CMEE=2', async (t) => {
  const { host } = await channel(t, { echo: false });
  t.is(await host.command('AT+XYZZY'), '\r\nERROR\r\n');
  t.is(await host.command('AT+CMEE=1'), '\r\nOK\r\n');
  t.is(await host.command('AT+XYZZY'), '\r\n+CME ERROR: 4\r\n');
  t.is(await host.command('AT+CMEE=2'), '\r\nOK\r\n');
  t.is(await host.command('AT+XYZZY'), '\r\n+CME ERROR: operation not supported\r\n');
  t.is(await host.command('AT+CMEE?'), '\r\n+CMEE: 2\r\n\r\nOK\r\n');
});

test('several commands on one line answer once, stopping at the first error', async (t) => {
  const { host } = await channel(t, { echo: false });
  t.is(await host.command('AT+CMEE=1;+CREG=2'), '\r\nOK\r\n');
  t.regex(await host.command('AT+CMEE?;+CREG?'), /^\r\n\+CMEE: 1\r\n\+CREG: 2,1,"[0-9A-F]{4}","[0-9A-F]{7}"\r\n\r\nOK\r\n$/);
  t.is(await host.command('ATE0V1'), '\r\nOK\r\n');
  t.is(await host.command('AT+CMEE?;+NOPE;+CSQ'), '\r\n+CMEE: 1\r\n\r\n+CME ERROR: 4\r\n');
});

test('SIM status and identity: +CPIN READY, +CIMI, +CNUM; an empty slot answers +CME ERROR: 10', async (t) => {
  const sim = simulatedSim(3);
  const { host } = await channel(t, { echo: false, sims: [new SimCard(sim)] });
  t.is(await host.command('AT+CPIN?'), '\r\n+CPIN: READY\r\n\r\nOK\r\n');
  t.is(await host.command('AT+CIMI'), `\r\n${sim.imsi}\r\n\r\nOK\r\n`);
  t.is(await host.command('AT+CNUM'), `\r\n+CNUM: "","+${sim.phone}",145\r\n\r\nOK\r\n`);
  const empty = await channel(t, { echo: false, sims: [undefined] });
  await empty.host.command('AT+CMEE=1');
  t.is(await empty.host.command('AT+CPIN?'), '\r\n+CME ERROR: 10\r\n');
  t.is(await empty.host.command('AT+CIMI'), '\r\n+CME ERROR: 10\r\n');
  t.is(await empty.host.command('AT+CMGL=4'), '\r\n+CMS ERROR: 310\r\n');
  t.is(await empty.host.command('AT+CREG?'), '\r\n+CREG: 0,0\r\n\r\nOK\r\n');
});

test('a SIM without its number on it answers +CNUM with a bare OK', async (t) => {
  const { host } = await channel(t, { echo: false, sims: [new SimCard(simulatedSim(1), { numberOnSim: false })] });
  t.is(await host.command('AT+CNUM'), '\r\nOK\r\n');
});

test('operator, registration and signal: +COPS (long and numeric), +CREG, +CSQ', async (t) => {
  const [sim] = sims(1, 4);
  const { host, modem } = await channel(t, { echo: false, sims: [sim] });
  const { imsi, operator } = sim!.identity;
  t.is(await host.command('AT+COPS?'), `\r\n+COPS: 0,0,"${operator.toUpperCase()}",0\r\n\r\nOK\r\n`);
  t.is(await host.command('AT+COPS=3,2'), '\r\nOK\r\n');
  t.is(await host.command('AT+COPS?'), `\r\n+COPS: 0,2,"${imsi.slice(0, 5)}",0\r\n\r\nOK\r\n`);
  t.is(await host.command('AT+CREG?'), '\r\n+CREG: 0,1\r\n\r\nOK\r\n');
  t.is(await host.command('AT+CSQ'), '\r\n+CSQ: 20,99\r\n\r\nOK\r\n');
  modem.signal = 7;
  t.is(await host.command('AT+CSQ'), '\r\n+CSQ: 7,99\r\n\r\nOK\r\n');
  t.is(await host.command('AT+CFUN=4'), '\r\nOK\r\n'); // radio off: no signal, no registration
  t.is(await host.command('AT+CSQ;+CREG?'), '\r\n+CSQ: 99,99\r\n+CREG: 0,0\r\n\r\nOK\r\n');
  t.is(await host.command('AT+CFUN=1'), '\r\nOK\r\n');
});

test('USSD: OK at once, then +CUSD from the SIM\'s script (Cyrillic as UCS2 hex, DCS 72); unknown codes +CUSD: 4', async (t) => {
  const card = new SimCard(simulatedSim(0), { ussd: { '*111#': 'Tariff: Basic' } });
  card.ussd['*100#'] = 'Баланс: 12.50 р.';
  const { host } = await channel(t, { echo: false, sims: [card] });
  t.is(await host.command('AT+CUSD=1,"*111#",15'), '\r\nOK\r\n');
  t.is(await host.urc(), '\r\n+CUSD: 0,"Tariff: Basic",15\r\n');
  await host.command('AT+CUSD=1,"*100#",15');
  const ucs2 = Buffer.from('Баланс: 12.50 р.', 'utf16le').swap16().toString('hex').toUpperCase();
  t.is(await host.urc(), `\r\n+CUSD: 0,"${ucs2}",72\r\n`);
  await host.command('AT+CUSD=1,"*999#",15');
  t.is(await host.urc(), '\r\n+CUSD: 4\r\n');
  t.is(await host.command('AT+CUSD=2'), '\r\nOK\r\n');
});

test('USSD on a Huawei: packed 7-bit hex both ways (DCS 15) until ^USSDMODE=0; Cyrillic still UCS2', async (t) => {
  const card = new SimCard(simulatedSim(0), { ussd: { '*100#': 'Balance: 12.50 RUB', '*102#': 'Баланс' } });
  const { host } = await channel(t, { vendor: 'huawei', echo: false, sims: [card] });
  t.is(await host.command('AT^USSDMODE?'), '\r\n^USSDMODE: 1\r\n\r\nOK\r\n');
  t.is(await host.command('AT+CUSD=1,"AA180C3602",15'), '\r\nOK\r\n');
  t.is(await host.urc(), '\r\n+CUSD: 0,"C2303BEC1E9775A098CC558381A45521",15\r\n');
  await host.command('AT+CUSD=1,"AA184C3602",15'); // "*102#"
  t.is(await host.urc(), '\r\n+CUSD: 0,"04110430043B0430043D0441",72\r\n');
  await host.command('AT+CUSD=1,"*100#",15');
  t.is(await host.urc(), '\r\n+CUSD: 4\r\n', 'plain text read as a packing: no such code');
  t.is(await host.command('AT^USSDMODE=0'), '\r\nOK\r\n');
  await host.command('AT+CUSD=1,"*100#",15');
  t.is(await host.urc(), '\r\n+CUSD: 0,"Balance: 12.50 RUB",15\r\n');
});

test('call forwarding: register, query, disable, erase; a SIM whose operator forbids it is refused', async (t) => {
  const card = new SimCard({ ...simulatedSim(0), canForward: true });
  const { host } = await channel(t, { echo: false, sims: [card] });
  await host.command('AT+CMEE=1');
  t.is(await host.command('AT+CCFC=0,2'), '\r\n+CCFC: 0,7\r\n\r\nOK\r\n');
  t.is(await host.command('AT+CCFC=0,3,"+79161234567",145'), '\r\nOK\r\n');
  t.is(await host.command('AT+CCFC=0,2'), '\r\n+CCFC: 1,1,"+79161234567",145\r\n\r\nOK\r\n');
  t.deepEqual(card.forwarding.get(0), { active: true, number: '+79161234567', type: 145, class: 1 });
  t.is(await host.command('AT+CCFC=0,0'), '\r\nOK\r\n');
  t.is(await host.command('AT+CCFC=0,2'), '\r\n+CCFC: 0,7\r\n\r\nOK\r\n');
  t.is(await host.command('AT+CCFC=0,1'), '\r\nOK\r\n'); // re-enabled: the number was kept
  t.is(await host.command('AT+CCFC=4,4'), '\r\nOK\r\n'); // erase all
  t.is(card.forwarding.size, 0);
  const refusing = await channel(t, { echo: false, sims: [new SimCard({ ...simulatedSim(1), canForward: false })] });
  await refusing.host.command('AT+CMEE=1');
  t.is(await refusing.host.command('AT+CCFC=0,3,"+79161234567",145'), '\r\n+CME ERROR: 3\r\n');
});

test('a hung modem answers nothing, not even echo; after resume it answers again', async (t) => {
  const { host, modem } = await channel(t);
  modem.hang();
  host.port.write('AT\r');
  await t.throwsAsync(host.next(/./, 300));
  modem.resume();
  t.is(await host.command('AT'), 'AT\r\r\nOK\r\n');
});

test('injected garbage reaches the host as raw bytes, and the modem still answers after it', async (t) => {
  const { host, modem } = await channel(t, { echo: false });
  modem.inject(Buffer.from([0x00, 0xff, 0x7e, 0x0d]));
  t.deepEqual([...Buffer.from(await host.next(/^[^]{4}/), 'latin1')], [0x00, 0xff, 0x7e, 0x0d]);
  t.is(await host.command('AT'), '\r\nOK\r\n');
});

test('AT+CFUN=1,1 restarts: settings back to defaults, boot lines, the SIM busy, then ready', async (t) => {
  const { host } = await channel(t, { vendor: 'quectel', simBusyMs: 150 });
  await host.command('ATE0');
  await host.command('AT+CMEE=1');
  t.is(await host.command('AT+CFUN=1,1'), '\r\nOK\r\n');
  t.is(await host.urc(), '\r\nRDY\r\n');
  t.is(await host.command('AT+CPIN?'), 'AT+CPIN?\r\r\nERROR\r\n'); // echo on again, CMEE back to 0
  t.is(await host.next(/SMS DONE\r\n/), '\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n');
  t.is(await host.command('AT+CPIN?'), 'AT+CPIN?\r\r\n+CPIN: READY\r\n\r\nOK\r\n');
});

test('an answer waits out its configured delay', async (t) => {
  const { host } = await channel(t, { echo: false, delays: { '+CMGL': 120 } });
  const start = performance.now();
  await host.command('AT+CMGL=4');
  t.true(performance.now() - start >= 120);
});
