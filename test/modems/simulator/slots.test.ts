import test from 'ava';
import type { SlotDialect } from '../../../modems/simulator/at/index.ts';
import { channel, sims } from './helpers.ts';

/** Multi-slot channels: switching in each dialect, and a SIM moved between slots. */

const dialects: Record<SlotDialect, { to2: string; read: (slot: number) => string; test: string }> = {
  '3gpp': { to2: 'AT+CSUS=1', read: (s) => `+CSUS: ${s - 1}`, test: '+CSUS: (0-1)' },
  quectel: { to2: 'AT+QUIMSLOT=2', read: (s) => `+QUIMSLOT: ${s}`, test: '+QUIMSLOT: (1-2)' },
  simcom: { to2: 'AT+SMSIMCFG=1,2', read: (s) => `+SMSIMCFG: 1,${s}`, test: '+SMSIMCFG: (1),(1-2)' },
};

for (const [dialect, d] of Object.entries(dialects) as [SlotDialect, (typeof dialects)[SlotDialect]][]) {
  test(`${dialect}: after a slot switch the SIM is busy (+CME ERROR: 14), then the new SIM's identity answers`, async (t) => {
    const cards = sims(2, 10);
    const { host } = await channel(t, { echo: false, slots: 2, sims: cards, slotDialect: dialect, simBusyMs: 150 });
    await host.command('AT+CMEE=1;+CREG=1');
    const read = d.read(1).split(':')[0]!.replace('+', 'AT+') + '?';
    t.is(await host.command(read), `\r\n${d.read(1)}\r\n\r\nOK\r\n`);
    t.is(await host.command(read.replace('?', '=?')), `\r\n${d.test}\r\n\r\nOK\r\n`);
    t.is(await host.command('AT+CCID'), `\r\n+CCID: ${cards[0]!.identity.iccid}\r\n\r\nOK\r\n`);
    t.is(await host.command(d.to2), '\r\nOK\r\n');
    t.is(await host.urc(), '\r\n+CREG: 2\r\n'); // searching while the new SIM initialises
    t.is(await host.command('AT+CPIN?'), '\r\n+CME ERROR: 14\r\n');
    t.is(await host.command('AT+CCID'), '\r\n+CME ERROR: 14\r\n');
    t.is(await host.command('AT+CMGL=4'), '\r\n+CMS ERROR: 314\r\n');
    t.is(await host.next(/\+CREG: 1\r\n/), '\r\n+CPIN: READY\r\n\r\n+CREG: 1\r\n');
    t.is(await host.command('AT+CPIN?'), '\r\n+CPIN: READY\r\n\r\nOK\r\n');
    t.is(await host.command('AT+CCID'), `\r\n+CCID: ${cards[1]!.identity.iccid}\r\n\r\nOK\r\n`);
    t.is(await host.command('AT+CIMI'), `\r\n${cards[1]!.identity.imsi}\r\n\r\nOK\r\n`);
    t.is(await host.command(read), `\r\n${d.read(2)}\r\n\r\nOK\r\n`);
  });
}

test('a slot the channel does not have is refused; switching to the active slot changes nothing', async (t) => {
  const { host, modem } = await channel(t, { echo: false, slots: 2, sims: sims(2), vendor: 'quectel' });
  await host.command('AT+CMEE=1');
  t.is(await host.command('AT+QUIMSLOT=3'), '\r\n+CME ERROR: 50\r\n');
  t.is(await host.command('AT+QUIMSLOT=1'), '\r\nOK\r\n');
  t.is(modem.simState, 'ready');
});

test('a SIM moved from the active slot to another: the host sees it go, and it comes back with its ICCID and its stored SMS', async (t) => {
  const cards = sims(2, 20);
  const { host, modem } = await channel(t, { echo: false, slots: 3, sims: [cards[0], undefined, cards[1]], simBusyMs: 100 });
  await host.command('AT+CMEE=1');
  modem.receive({ from: '+79161234567', text: 'kept on the card', timestamp: new Date() });
  const moved = modem.eject(1)!;
  t.is(await host.urc(), '\r\n+CPIN: NOT INSERTED\r\n');
  t.is(await host.command('AT+CPIN?'), '\r\n+CME ERROR: 10\r\n');
  modem.insert(2, moved);
  t.is(await host.command('AT+CSUS=1'), '\r\nOK\r\n');
  t.is(await host.urc(), '\r\n+CPIN: READY\r\n');
  t.is(await host.command('AT+CCID'), `\r\n+CCID: ${cards[0]!.identity.iccid}\r\n\r\nOK\r\n`);
  t.regex(await host.command('AT+CMGL=4'), /^\r\n\+CMGL: 1,0,,\d+\r\n[0-9A-F]+\r\n\r\nOK\r\n$/);
  t.is(modem.simIn(1), undefined);
  t.is(modem.simIn(3), cards[1]);
});

test('a SIM inserted into the empty active slot initialises and answers', async (t) => {
  const [card] = sims(1, 30);
  const { host, modem } = await channel(t, { echo: false, sims: [undefined], simBusyMs: 100 });
  await host.command('AT+CMEE=1');
  t.is(await host.command('AT+CPIN?'), '\r\n+CME ERROR: 10\r\n');
  modem.insert(1, card!);
  t.is(await host.command('AT+CPIN?'), '\r\n+CME ERROR: 14\r\n');
  t.is(await host.urc(), '\r\n+CPIN: READY\r\n');
  t.is(await host.command('AT+CIMI'), `\r\n${card!.identity.imsi}\r\n\r\nOK\r\n`);
});
