import test, { type ExecutionContext } from 'ava';
import { seedCatalogue, type ActivationView, type OrderRequest } from '../../actors/index.ts';
import type { IncomingSms } from '../../modems/index.ts';
import { domain, type Domain } from './helpers.ts';

/**
 * Where an SMS goes: a one-SIM simulated farm wired through `inventory` (as
 * server/system.ts wires it), the inbox, the registry and a real SQLite store.
 */

async function farm(t: ExecutionContext): Promise<Domain & { phone: string; iccid: string; a: number }> {
  const d = await domain(t, { farm: { channels: 1, slots: 1 } });
  await seedCatalogue(d.store);
  const { sim } = d.farm!.slots()[0]!;
  return Object.assign(d, { phone: sim.phone, iccid: sim.iccid, a: await d.account(1_000_000) });
}

const req = (accountId: number, service: string, over: Partial<OrderRequest> = {}): OrderRequest => ({
  accountId, service, filter: {}, forwarding: false, dialect: 'getsms', count: 1, ...over,
});

async function ordered(d: Domain, r: OrderRequest): Promise<ActivationView> {
  const got = await d.registry.order(r);
  if (!got.ok) throw new Error(`order refused: ${got.code}`);
  return got.activation;
}

const view = async (d: Domain, a: ActivationView) => (await d.registry.view(a.accountId, a.id))!;

/** The last SMS the SIM received, as stored. */
async function lastSms(d: Domain & { iccid: string }) {
  return (await d.store.smsOfSim(d.iccid, 1))[0]!;
}

let fingerprints = 0;
function copy(d: Domain & { iccid: string }, from: string, text: string): IncomingSms {
  return { iccid: d.iccid, from, text, receivedAt: d.clock.now(), fingerprint: `re-read-${++fingerprints}` };
}

test('an SMS reaches only the live activation whose service it names', async (t) => {
  const d = await farm(t);
  const tg = await ordered(d, req(d.a, 'telegram'));
  const wa = await ordered(d, req(d.a, 'whatsapp'));
  t.is(tg.iccid, d.iccid);
  t.is(wa.iccid, d.iccid);

  await d.farm!.deliver(d.phone, 'Telegram', 'Telegram code: 51234\n\nYou can also tap on this link to log in:\nhttps://t.me/login/51234');
  t.like(await view(d, tg), { state: 'codeArrived', code: '51234' });
  t.like(await view(d, wa), { state: 'waitingForReady', code: null, messages: [] });
  t.deepEqual((await lastSms(d)).activationIds, [tg.id]);

  await d.farm!.deliver(d.phone, 'WhatsApp', "Your WhatsApp code: 123-456\nDon't share this code with others");
  t.like(await view(d, wa), { state: 'codeArrived', code: '123456' });
  t.like(await view(d, tg), { code: '51234' });
  t.is((await view(d, tg)).messages.length, 1);
  t.deepEqual((await lastSms(d)).activationIds, [wa.id]);
  t.like(await d.store.activation(wa.id), { state: 'codeArrived', code: '123456' });
  t.is(d.farm!.pending(), 0);
  t.deepEqual(d.log.errors, []);
});

test('the code is taken by the service’s rule, else the first group of 4 to 8 digits', async (t) => {
  const d = await farm(t);
  const ig = await ordered(d, req(d.a, 'instagram'));
  const tg = await ordered(d, req(d.a, 'telegram'));
  const wa = await ordered(d, req(d.a, 'whatsapp'));
  await d.farm!.deliver(d.phone, 'Instagram', 'Use 482 913 to verify your Instagram account.');
  await d.farm!.deliver(d.phone, 'Telegram', 'Telegram: account 79001234567 login code 40213, valid 5 min');
  // WhatsApp's rule wants 123-456; without a dash the first digit group is the code.
  await d.farm!.deliver(d.phone, 'WhatsApp', 'WhatsApp code 778899');
  t.is((await view(d, ig)).code, '482913');
  t.is((await view(d, tg)).code, '40213');
  t.is((await view(d, wa)).code, '778899');
});

test('the catch-all service takes an SMS that names no live service, and only such an SMS', async (t) => {
  const d = await farm(t);
  const other = await ordered(d, req(d.a, 'other'));
  const tg = await ordered(d, req(d.a, 'telegram'));
  await d.farm!.deliver(d.phone, 'Telegram', 'Telegram code: 60606');
  t.like(await view(d, tg), { code: '60606' });
  t.like(await view(d, other), { state: 'waitingForReady', code: null });
  await d.farm!.deliver(d.phone, 'MyBank', 'Your code 9090. Do not tell anyone.');
  t.like(await view(d, other), { state: 'codeArrived', code: '9090' });
  t.is((await view(d, tg)).messages.length, 1);
  t.deepEqual((await lastSms(d)).activationIds, [other.id]);
});

test('an SMS nobody takes is stored on the SIM with no activation', async (t) => {
  const d = await farm(t);
  await d.farm!.deliver(d.phone, 'Telegram', 'Telegram code: 11111');
  t.like(await lastSms(d), { iccid: d.iccid, phone: d.phone, sender: 'Telegram', text: 'Telegram code: 11111', activationIds: [] });
  const tg = await ordered(d, req(d.a, 'telegram'));
  await d.farm!.deliver(d.phone, 'WhatsApp', 'Your WhatsApp code: 333-444');
  t.like(await lastSms(d), { sender: 'WhatsApp', activationIds: [] });
  t.like(await view(d, tg), { state: 'waitingForReady', code: null });
  t.is((await d.store.smsOfSim(d.iccid, 10)).length, 2);
  t.is(d.farm!.pending(), 0);
});

test('a copy with a fingerprint already stored is not delivered twice', async (t) => {
  const d = await farm(t);
  const tg = await ordered(d, req(d.a, 'telegram', { dialect: 'smsActivate' }));
  const sms = copy(d, 'Telegram', 'Telegram code: 24680');
  const first = await d.inbox.receive(sms);
  t.false(first.duplicate);
  t.deepEqual(first.activationIds, [tg.id]);
  const again = await d.inbox.receive({ ...sms });
  t.true(again.duplicate);
  t.is(again.sms.id, first.sms.id);
  t.deepEqual(again.sms.activationIds, [tg.id]);
  t.like(await view(d, tg), { state: 'codeArrived', code: '24680' });
  t.is((await view(d, tg)).messages.length, 1);
  // Waiting for another code, a re-read of the first one is not it.
  t.true((await d.registry.command(d.a, tg.id, 'client.retry')).ok);
  await d.inbox.receive({ ...sms });
  t.like(await view(d, tg), { state: 'waitingForRetry' });
  t.is((await view(d, tg)).messages.length, 1);
  t.is((await d.store.smsOfSim(d.iccid, 10)).length, 1);
  const next = await d.inbox.receive(copy(d, 'Telegram', 'Telegram code: 13579'));
  t.false(next.duplicate);
  t.like(await view(d, tg), { state: 'codeArrived', code: '13579' });
  t.is((await view(d, tg)).messages.length, 2);
});

test('a re-read copy of an old SMS is not the code of an activation opened after it arrived', async (t) => {
  const d = await farm(t);
  const tg = await ordered(d, req(d.a, 'telegram'));
  const old = copy(d, 'Telegram', 'Telegram code: 10101');
  t.deepEqual((await d.inbox.receive(old)).activationIds, [tg.id]);
  t.true((await d.registry.command(d.a, tg.id, 'client.finish')).ok);
  d.clock.increment(30_000);
  const repeat = await d.registry.repeat(d.a, d.phone, 'telegram', 'getsms');
  if (!repeat.ok) return t.fail(repeat.code);
  const reread = await d.inbox.receive({ ...old });
  t.true(reread.duplicate);
  t.deepEqual(reread.activationIds, []);
  t.like(await view(d, repeat.activation), { state: 'waitingForCode', code: null, messages: [] });

  // Nobody took this one when it came; an order made later does not get it either.
  const stray = copy(d, 'WhatsApp', 'Your WhatsApp code: 909-090');
  t.deepEqual((await d.inbox.receive(stray)).activationIds, []);
  d.clock.increment(30_000);
  const wa = await ordered(d, req(d.a, 'whatsapp'));
  t.deepEqual((await d.inbox.receive({ ...stray })).activationIds, []);
  t.like(await view(d, wa), { state: 'waitingForReady', code: null });
});

test('an admin’s rule override changes routing once the inbox reloads its rules', async (t) => {
  const d = await farm(t);
  const tg = await ordered(d, req(d.a, 'telegram'));
  await d.store.setRule('telegram', { match: '^tgram$', code: 'tg-(\\d+)-(\\d+)' });
  // Not reloaded yet: the catalogue's rule still applies.
  await d.farm!.deliver(d.phone, 'Telegram', 'Telegram code: 12121');
  t.like(await view(d, tg), { code: '12121' });
  await d.inbox.reloadRules();
  await d.farm!.deliver(d.phone, 'Telegram', 'Telegram code: 34343');
  t.like(await view(d, tg), { code: '12121' });
  t.like(await lastSms(d), { text: 'Telegram code: 34343', activationIds: [] });
  await d.farm!.deliver(d.phone, 'TGRAM', 'login tg-56-78 now');
  t.like(await view(d, tg), { code: '5678' });
});

test('a rule an admin broke falls back to the catalogue’s, so SMS keep flowing', async (t) => {
  const d = await farm(t);
  const wa = await ordered(d, req(d.a, 'whatsapp'));
  await d.store.setRule('whatsapp', { match: '([', code: '(' });
  await d.inbox.reloadRules();
  await d.farm!.deliver(d.phone, 'WhatsApp', 'Your WhatsApp code: 246-801');
  t.like(await view(d, wa), { state: 'codeArrived', code: '246801' });
});
