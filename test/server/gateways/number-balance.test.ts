import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { balanceUssdSetting } from '../../../actors/index.ts';
import { run } from '../../../server/cli/index.ts';
import { startSimulatorProcess } from '../../helpers/simulator-process.ts';
import { startTestSystem, type TestSystem } from '../../helpers/system.ts';
import { until } from '../../helpers/until.ts';

const numberOf = (answer: string) => /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(answer)?.slice(1) as [string, string] | undefined;

/** A number bought with forward=1 and forwarded (the forwarding taken), as Avito+Redirection clients do. */
async function forwarded(sys: TestSystem, key: string, country = 'ru'): Promise<{ id: string; phone: string }> {
  const [id, phone] = numberOf(await sys.api({ api_key: key, action: 'getNumber', service: 'av', country, forward: 1 }))!;
  if ((await sys.api({ api_key: key, action: 'setStatus', id, status: 1, forward: '79261234567' })) !== 'ACCESS_READY') {
    throw new Error('forwarding refused');
  }
  await until('the forwarding set', async () => ((await sys.store.forwarding(Number(id)))?.state === 'set' ? true : undefined), 60_000);
  return { id, phone };
}

/** Asks getNumberBalance until the answer is not ORDER_ACCEPTED, as the spec tells clients to. */
function settledBalance(sys: TestSystem, key: string, num: string): Promise<string> {
  return until('an answer other than ORDER_ACCEPTED', async () => {
    const answer = await sys.api({ api_key: key, action: 'getNumberBalance', num });
    return answer === 'ORDER_ACCEPTED' ? undefined : answer;
  }, 90_000);
}

test('WRONG_NUMBER for a number the account never used with forwarding; the balance by USSD once it did (in-memory farm)', async (t) => {
  const sys = await startTestSystem();
  t.teardown(() => sys.close());
  const { key } = await sys.account();
  t.is(await sys.api({ api_key: key, action: 'getNumberBalance', num: '79261234567' }), 'WRONG_NUMBER');
  t.is(await sys.api({ api_key: key, action: 'getNumberBalance' }), 'WRONG_NUMBER');
  t.is(await sys.api({ api_key: key, action: 'getNumberBalance', num: 'abc' }), 'WRONG_NUMBER');
  const [, plain] = numberOf(await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'ru' }))!;
  t.is(await sys.api({ api_key: key, action: 'getNumberBalance', num: plain }), 'WRONG_NUMBER', 'bought, but not with forwarding');

  const { phone } = await forwarded(sys, key);
  const sim = (await sys.store.simByPhone(phone))!;
  t.is(await sys.api({ api_key: key, action: 'getNumberBalance', num: phone }), 'ORDER_ACCEPTED');
  // The simulated network answers each SIM's balance code with the same figure the AT simulator's SIMs give.
  const expected = (Number(sim.iccid.slice(-5)) / 100).toFixed(2);
  t.is(await settledBalance(sys, key, `+${phone}`), `NUM_BALANCE: ${expected}`);
  t.is(await sys.api({ api_key: key, action: 'getNumberBalance', num: phone }), `NUM_BALANCE: ${expected}`, 'given again while fresh');

  const other = await sys.account();
  t.is(await sys.api({ api_key: other.key, action: 'getNumberBalance', num: phone }), 'WRONG_NUMBER', 'another account never used it');

  // An operator without a balance code (an admin says so): the balance cannot be read.
  let out = '';
  const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (out += s), env: { DATA_DIR: sys.dataDir } };
  t.is(await run(['ussd', 'balance', '--operator', `${sim.country}/${sim.operator}`, '--code', 'none'], io), 0, out);
  t.is(await sys.api({ api_key: key, action: 'getNumberBalance', num: phone }), 'CANT_GET_BALANCE_FROM_THIS_NUMBER');
  t.is(await run(['ussd', 'list', '--json'], io), 0);
  t.true(out.includes(`"operator": "${sim.country}/${sim.operator}"`), out);
});

test('a USSD that never gets an answer: ORDER_ACCEPTED at once, TEMPORARY_ERROR after the timeout, asked again only after the back-off', async (t) => {
  const sys = await startTestSystem({ USSD_TIMEOUT_MS: '500', NUMBER_BALANCE_BACKOFF_MS: '3000' });
  t.teardown(() => sys.close());
  const { key } = await sys.account();
  const { phone } = await forwarded(sys, key);
  const sim = (await sys.store.simByPhone(phone))!;
  // An admin's own code for this operator, which the simulated network never answers.
  await sys.store.setSetting(balanceUssdSetting(sim.country, sim.operator), '*122#');
  sys.lines.simulated!.setUssd(sim.iccid, '*122#', null);
  t.is(await sys.api({ api_key: key, action: 'getNumberBalance', num: phone }), 'ORDER_ACCEPTED');
  t.is(await settledBalance(sys, key, phone), 'TEMPORARY_ERROR');
  // Back-off over: the operator is asked again (and this time answers).
  sys.lines.simulated!.setUssd(sim.iccid, '*122#', 'Баланс: минус 7,5 р.');
  await until('asked again', async () => {
    const a = await sys.api({ api_key: key, action: 'getNumberBalance', num: phone });
    return a === 'ORDER_ACCEPTED' ? a : undefined;
  }, 60_000);
  t.is(await settledBalance(sys, key, phone), 'NUM_BALANCE: -7.50');
});

/** A MODEM_CONFIG file making the given ports' SIMs forward-capable. */
function forwardingConfig(t: { teardown(fn: () => void): void }, ports: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-modem-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'modems.json');
  writeFileSync(file, JSON.stringify(Object.fromEntries(ports.map((p) => [p, { canForward: true }]))));
  return file;
}

test.serial('over real serial I/O: the operator\'s USSD reply on the SIM\'s modem becomes NUM_BALANCE', async (t) => {
  const sim = await startSimulatorProcess(['--channels', '2', '--slots', '1', '--sim-busy-ms', '100']);
  t.teardown(() => sim.stop());
  // The farm's second SIM is an MTS one: its balance code is *100#.
  const sys = await startTestSystem({ MODEM_PORTS: sim.ports.join(','), MODEM_CONFIG: forwardingConfig(t, [sim.ports[1]!]) });
  t.teardown(() => sys.close());
  const card = await until('the MTS SIM on sale with forwarding', async () =>
    (await sys.store.sims()).find((s) => s.online && s.canForward), 60_000);
  t.like(card, { country: 'ru', operator: 'mts' });
  await sim.call('PUT', `/sims/${card.phone}/ussd`, { code: '*100#', reply: 'Баланс: 123,45 р. Пакеты: 10 ГБ до 30.11' });
  const { key } = await sys.account();
  const { phone } = await forwarded(sys, key);
  t.is(phone, card.phone);
  t.is(await sys.api({ api_key: key, action: 'getNumberBalance', num: phone }), 'ORDER_ACCEPTED');
  t.is(await settledBalance(sys, key, phone), 'NUM_BALANCE: 123.45');
});

test.serial('over real serial I/O: a modem whose network never answers the USSD does not hang the request; TEMPORARY_ERROR, then the back-off holds', async (t) => {
  // The simulated network takes a minute to answer any USSD: far past our timeout.
  const sim = await startSimulatorProcess(['--channels', '2', '--slots', '1', '--sim-busy-ms', '100', '--ussd-delay-ms', '60000']);
  t.teardown(() => sim.stop());
  const sys = await startTestSystem({
    MODEM_PORTS: sim.ports.join(','), MODEM_CONFIG: forwardingConfig(t, [sim.ports[1]!]), USSD_TIMEOUT_MS: '1500',
  });
  t.teardown(() => sys.close());
  await until('the MTS SIM on sale with forwarding', async () => (await sys.store.sims()).find((s) => s.online && s.canForward), 60_000);
  const { key } = await sys.account();
  const { phone } = await forwarded(sys, key);
  t.is(await sys.api({ api_key: key, action: 'getNumberBalance', num: phone }), 'ORDER_ACCEPTED', 'answered at once, the USSD runs on');
  t.is(await settledBalance(sys, key, phone), 'TEMPORARY_ERROR');
  t.is(await sys.api({ api_key: key, action: 'getNumberBalance', num: phone }), 'TEMPORARY_ERROR', 'the 10-minute back-off holds');
  // The channel still works meanwhile: an SMS reaches the activation.
  const [id] = numberOf(await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'or' }))!;
  const tgPhone = (await sys.store.activation(Number(id)))!.phone;
  await sim.call('POST', '/sms', { to: tgPhone, from: 'Telegram', text: 'Telegram code: 55555' });
  t.is(await until('the code', async () => {
    const s = await sys.api({ api_key: key, action: 'getStatus', id });
    return s.startsWith('STATUS_OK') ? s : undefined;
  }, 60_000), 'STATUS_OK:55555');
});

test.serial('npm start\'s own farm (SIMULATOR=at): forward=1, forwarding by AT+CCFC and the balance by the operator\'s own code, out of the box', async (t) => {
  const sys = await startTestSystem({ SIMULATOR: 'at' });
  t.teardown(() => sys.close());
  t.is(sys.farm.kind, 'at', 'socat is there: the AT farm runs');
  const { key } = await sys.account();
  const { phone } = await forwarded(sys, key);
  const sim = (await sys.store.simByPhone(phone))!;
  t.true(sim.canForward);
  const expected = (Number(sim.iccid.slice(-5)) / 100).toFixed(2);
  t.is(await sys.api({ api_key: key, action: 'getNumberBalance', num: phone }), 'ORDER_ACCEPTED');
  t.is(await settledBalance(sys, key, phone), `NUM_BALANCE: ${expected}`, `${sim.operator}'s balance code answered`);
});
