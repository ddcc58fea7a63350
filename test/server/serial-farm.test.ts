import test from 'ava';
import { startSimulatorProcess } from '../helpers/simulator-process.ts';
import { startTestSystem, type TestSystem } from '../helpers/system.ts';
import { until } from '../helpers/until.ts';


const online = async (sys: TestSystem) => (await sys.store.sims()).filter((s) => s.online);

test('end to end over real serial I/O: MODEM_PORTS on simulated modems, an SMS to getStatus, deleted only once stored', async (t) => {
  const sim = await startSimulatorProcess(['--channels', '2', '--slots', '1', '--sim-busy-ms', '100']);
  t.teardown(() => sim.stop());
  const sys = await startTestSystem({ MODEM_PORTS: sim.ports.join(',') });
  t.teardown(() => sys.close());
  t.is(sys.simulator, undefined, 'with MODEM_PORTS only the real ports make the farm');

  const sims = await until('both SIMs online', async () => ((await online(sys)).length === 2 ? online(sys) : undefined));
  t.deepEqual(sims.map((s) => s.channel).sort(), [...sim.ports].sort());
  // Operators see each channel's state and SIM.
  const operator = await sys.account({ role: 'operator' });
  type Picture = { channel: string; state: string; sim: { iccid: string } | null; registered: boolean };
  const channels = await until('both channels ready', async () => {
    const res = await fetch(`${sys.url}/api/channels`, { headers: { authorization: `Bearer ${operator.key}` } });
    const all = ((await res.json()) as { channels: Picture[] }).channels;
    return all.every((c) => c.state === 'ready') ? all : undefined;
  });
  t.deepEqual(channels.map((c) => c.channel).sort(), [...sim.ports].sort());
  t.true(channels.every((c) => c.registered && c.sim !== null));
  // … and the store keeps that picture for other processes (the CLI) and the next start.
  const stored = await until('the stored pictures', async () => {
    const all = await sys.store.channels();
    return all.length === 2 && all.every((c) => c.state === 'ready') ? all : undefined;
  });
  t.deepEqual(stored.map((c) => c.iccid).sort(), sims.map((s) => s.iccid).sort());

  const { key } = await sys.account();
  const got = await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'or' });
  const [, id, phone] = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(got) ?? [];
  t.truthy(phone, got);
  t.true(sims.some((s) => s.phone === phone));

  await sim.call('POST', '/sms', { to: phone, from: 'Telegram', text: 'Telegram code: 24680\n\nDo not give this code to anyone' });
  const status = await until('the code', async () => {
    const s = await sys.api({ api_key: key, action: 'getStatus', id: id! });
    return s.startsWith('STATUS_OK') ? s : undefined;
  });
  t.is(status, 'STATUS_OK:24680');
  const storage = await until('the SIM storage emptied', async () => {
    const left = await sim.call<unknown[]>('GET', `/sims/${phone}/storage`);
    return left.length === 0 ? left : undefined;
  });
  t.deepEqual(storage, []);

  // A Cyrillic, two-part SMS arrives whole.
  const text = 'Код подтверждения Avito: 731905. Никому не сообщайте этот код, даже сотрудникам Avito. '.repeat(2).trim();
  const [, id2] = /^ACCESS_NUMBER:(\d+):/.exec(await sys.api({ api_key: key, action: 'getNumber', service: 'av', country: 'or' })) ?? [];
  const phone2 = (await sys.store.activation(Number(id2)))!.phone;
  await sim.call('POST', '/sms', { to: phone2, from: 'AVITO', text });
  const full = await until('the two-part SMS', async () => {
    const s = await sys.api({ api_key: key, action: 'getFullSms', id: id2! }, { host: 'api.sms-activate.org' });
    return s.startsWith('FULL_SMS') ? s : undefined;
  });
  t.is(full, `FULL_SMS:${text}`);
});

test('an unplugged channel takes its SIM offline; replugged, it comes back', async (t) => {
  const sim = await startSimulatorProcess(['--channels', '1', '--slots', '1', '--sim-busy-ms', '100']);
  t.teardown(() => sim.stop());
  const sys = await startTestSystem({ MODEM_PORTS: sim.ports.join(',') });
  t.teardown(() => sys.close());
  await until('the SIM online', async () => ((await online(sys)).length === 1 ? true : undefined));
  await sim.call('POST', '/channels/sim-001/unplug');
  await until('the SIM offline', async () => ((await online(sys)).length === 0 ? true : undefined), 90_000);
  const states = sys.channels!.channels().map((c) => c.state);
  t.true(['reconnecting', 'connecting', 'degraded', 'simCheck'].includes(states[0]!), states.join());
  await sim.call('POST', '/channels/sim-001/replug');
  await until('the SIM online again', async () => ((await online(sys)).length === 1 ? true : undefined), 90_000);
  t.pass();
});

test('USSD and call forwarding through a real channel: the operator\'s reply, forwarding set, read back and cleared', async (t) => {
  const sim = await startSimulatorProcess(['--channels', '2', '--slots', '1', '--sim-busy-ms', '100']);
  t.teardown(() => sim.stop());
  const sys = await startTestSystem({ MODEM_PORTS: sim.ports.join(',') });
  t.teardown(() => sys.close());
  const cards = await until('the SIMs online', async () => ((await online(sys)).length === 2 ? online(sys) : undefined));
  // The simulated farm's second SIM is Russian: its operator lets it forward calls.
  const card = cards.find((c) => c.country === 'ru')!;
  t.truthy(card, 'a Russian SIM in the simulated farm');
  await sim.call('PUT', `/sims/${card.phone}/ussd`, { code: '*100#', reply: 'Баланс: 123.45 р.' });
  t.is(await sys.channels!.ussd(card.channel, '*100#'), 'Баланс: 123.45 р.', 'a UCS2 reply, decoded');
  await t.throwsAsync(sys.channels!.ussd(card.channel, '*999#'), { message: /refused USSD/ });
  await t.throwsAsync(sys.channels!.ussd(card.channel, '*100#"+CFUN=0'), { message: /not a USSD code/ });
  t.true(await sys.channels!.setForwarding(card.channel, '79001234567'));
  const rules = JSON.stringify(await sim.call('GET', `/sims/${card.phone}/forwarding`));
  t.regex(rules, /79001234567/);
  await sys.channels!.setForwarding(card.channel, null);
  t.notRegex(JSON.stringify(await sim.call('GET', `/sims/${card.phone}/forwarding`)), /79001234567/);
});

test('a SIM whose AT+CNUM is empty: its number from the operator\'s USSD (MODEM_CONFIG), else an operator types it in', async (t) => {
  const sim = await startSimulatorProcess(['--channels', '2', '--slots', '1', '--sim-busy-ms', '100']);
  t.teardown(() => sim.stop());
  const channels = await sim.call<{ slots: { sim: { phone: string; iccid: string; country: string; operator: string } | null }[] }[]>('GET', '/channels');
  const [ua, mts] = channels.map((c) => c.slots[0]!.sim!);
  t.is(`${mts!.country}/${mts!.operator}`, 'ru/mts', 'the farm\'s second SIM is an MTS one (its number code is *111*0887#)');
  for (const card of [ua!, mts!]) await sim.call('PUT', `/sims/${card.phone}/number-on-sim`, { value: false });
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'getsms-modem-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'modems.json');
  writeFileSync(config, JSON.stringify({ [sim.ports[1]!]: { numberUssd: '*111*0887#' } }));
  const sys = await startTestSystem({ MODEM_PORTS: sim.ports.join(','), MODEM_CONFIG: config });
  t.teardown(() => sys.close());
  const [known] = await until('the MTS SIM online with its number', async () => {
    const on = await online(sys);
    return on.length === 1 ? on : undefined;
  });
  t.is(known!.phone, mts!.phone);
  const unknown = await until('the other SIM seen', async () => (await sys.store.simByIccid(ua!.iccid)) ?? undefined);
  t.like(unknown, { phone: '', online: false }, 'no number, not for sale');
  const operator = await sys.account({ role: 'operator' });
  const res = await fetch(`${sys.url}/api/sims/number`, {
    method: 'PUT', headers: { authorization: `Bearer ${operator.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ iccid: ua!.iccid, phone: `+${ua!.phone}` }),
  });
  t.is(res.status, 200);
  t.is((await sys.store.simByIccid(ua!.iccid))!.phone, ua!.phone);
});

test('a multi-slot channel knows the SIM in every slot; switching makes another one the SIM on sale', async (t) => {
  const sim = await startSimulatorProcess(['--channels', '1', '--slots', '3', '--sim-busy-ms', '100']);
  t.teardown(() => sim.stop());
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'getsms-modem-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'modems.json');
  writeFileSync(config, JSON.stringify({ [sim.ports[0]!]: { slots: 3, slotDialect: 'csus' } }));
  const sys = await startTestSystem({ MODEM_PORTS: sim.ports.join(','), MODEM_CONFIG: config });
  t.teardown(() => sys.close());
  const all = await until('all three SIMs known', async () => {
    const sims = await sys.store.sims();
    return sims.length === 3 && (await online(sys)).length === 1 ? sims : undefined;
  });
  t.deepEqual(all.map((s) => s.slot).sort(), [1, 2, 3]);
  t.deepEqual(all.filter((s) => s.online).map((s) => s.slot), [1], 'only the active slot\'s SIM is on sale');
  const second = all.find((s) => s.slot === 2)!;

  const operator = await sys.account({ role: 'operator' });
  const res = await fetch(`${sys.url}/api/channels/switch`, {
    method: 'POST', headers: { authorization: `Bearer ${operator.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: sim.ports[0], slot: 2 }),
  });
  t.is(res.status, 202);
  await until('slot 2 active and on sale', async () => {
    const on = await online(sys);
    return on.length === 1 && on[0]!.iccid === second.iccid ? true : undefined;
  });
  const { key } = await sys.account();
  const got = await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'or' });
  t.regex(got, new RegExp(`^ACCESS_NUMBER:\\d+:${second.phone}$`));
  const [, id] = got.split(':');
  await sim.call('POST', '/sms', { to: second.phone, from: 'Telegram', text: 'Telegram code: 97531' });
  t.is(await until('the code', async () => {
    const s = await sys.api({ api_key: key, action: 'getStatus', id: id! });
    return s.startsWith('STATUS_OK') ? s : undefined;
  }), 'STATUS_OK:97531');
});
