import test from 'ava';
import type { Store } from '../../../actors/index.ts';
import { run } from '../../../server/cli/index.ts';
import { startTestSystem, type TestSystem } from '../../helpers/system.ts';
import { until } from '../../helpers/until.ts';

const numberOf = (answer: string) => /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(answer)?.slice(1) as [string, string] | undefined;

/** The command line, in this process, on the system's data directory. */
async function cli(sys: TestSystem, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: { DATA_DIR: sys.dataDir } });
  return { code, out, err };
}

async function api<T>(sys: TestSystem, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sys.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Every account's ledger sums to its balance, entry by entry. */
async function booksAddUp(store: Store, accountId: number): Promise<boolean> {
  let running = 0;
  for (const e of await store.ledger(accountId)) {
    running += e.amount;
    if (e.balanceAfter !== running) return false;
  }
  return running === (await store.accountById(accountId))!.balance;
}

test('a partner earns its share of every order its ref= sent that finished with a code, once, paid by the platform', async (t) => {
  const sys = await startTestSystem();
  t.teardown(() => sys.close());
  const partner = await sys.account({ rubles: 0, email: 'author@partner.test' });
  const made = await cli(sys, 'user', 'partner', '--email', 'author@partner.test', '--share', '12.5', '--code', 'MySoft');
  t.is(made.code, 0, made.err);
  t.regex(made.out, /ref=mysoft earns 12\.5 %/);

  const buyer = await sys.account({ rubles: 1000 });
  const price = (await sys.store.prices()).find((p) => p.service === 'telegram' && p.country === 'ru')!.price;
  const commission = Math.floor((price * 1250) / 10_000);

  // Finished with a code: paid. Software sends its ref in any case, on every request.
  const [paid, phone] = numberOf(await sys.api({ api_key: buyer.key, action: 'getNumber', service: 'tg', country: 'ru', ref: 'mysoft' }))!;
  await sys.sms(phone, 'Telegram', 'Telegram code: 12345');
  await until('the code', async () => ((await sys.api({ api_key: buyer.key, action: 'getStatus', id: paid })) === 'STATUS_OK:12345' ? true : undefined));
  t.is(await sys.api({ api_key: buyer.key, action: 'setStatus', id: paid, status: 6, ref: 'MySoft' }), 'ACCESS_ACTIVATION');
  // Cancelled: nothing. An unknown ref: an order like any other.
  const [cancelled] = numberOf(await sys.api({ api_key: buyer.key, action: 'getNumber', service: 'tg', country: 'ru', ref: 'mysoft' }))!;
  t.is(await sys.api({ api_key: buyer.key, action: 'setStatus', id: cancelled, status: -1 }), 'ACCESS_CANCEL');
  const unknown = await sys.api({ api_key: buyer.key, action: 'getNumber', service: 'tg', country: 'ru', ref: 'nobody-we-know' });
  t.truthy(numberOf(unknown), unknown);

  const ledger = await sys.store.ledger(partner.id);
  t.deepEqual(ledger.map((e) => [e.reason, e.amount, e.ref]), [['commission', commission, `activation:${paid}`]]);
  const spent = (await sys.store.accountById(buyer.id))!.balance;
  t.is(spent, 100_000 - 2 * price, 'the buyer pays the price of the finished order and the open one, never a commission');
  t.true(await booksAddUp(sys.store, partner.id));
  t.true(await booksAddUp(sys.store, buyer.id));

  // The partner sees its referred orders and earnings; the buyer's identity is not in them.
  const seen = await api<{ partner: { code: string; share: string }; earned: string; referrals: Record<string, unknown>[] }>(sys, partner.key, 'GET', '/api/partner');
  t.is(seen.status, 200);
  t.like(seen.body, { partner: { code: 'mysoft', share: '12.5' }, earned: (commission / 100).toFixed(2) });
  t.deepEqual(seen.body.referrals.map((r) => [r.activationId, r.state, r.paid]), [[Number(cancelled), 'cancelled', false], [Number(paid), 'finished', true]]);
  t.false(JSON.stringify(seen.body).includes(phone), 'no buyer\'s number');
  t.is((await api(sys, buyer.key, 'GET', '/api/partner')).status, 404, 'not a partner');

  const list = await cli(sys, 'partner', 'list', '--json');
  t.like(JSON.parse(list.out), [{ accountId: partner.id, code: 'mysoft', share: '12.5', earned: (commission / 100).toFixed(2) }]);
});

test('the default partner code is the account id; a partner\'s own orders and expired ones earn nothing; a taken code is refused', async (t) => {
  const sys = await startTestSystem({ ACTIVATION_TTL_SECONDS: '1' });
  t.teardown(() => sys.close());
  const admin = await sys.account({ role: 'admin' });
  const partner = await sys.account({ rubles: 500, email: 'numeric@partner.test' });
  await sys.account({ rubles: 0, email: 'second@partner.test' });
  const made = await api<{ partner: { code: string; share: string } }>(sys, admin.key, 'PUT', '/api/admin/partners', { email: 'numeric@partner.test', share: 10 });
  t.is(made.status, 200);
  t.is(made.body.partner.code, String(partner.id), 'like BAS\'s ref=20111');
  t.is((await api(sys, partner.key, 'PUT', '/api/admin/partners', { email: 'second@partner.test', share: 10 })).status, 403);
  const taken = await cli(sys, 'user', 'partner', '--email', 'second@partner.test', '--share', '5', '--code', String(partner.id));
  t.is(taken.code, 2);
  t.regex(taken.err, /another partner has the code/);
  t.is((await cli(sys, 'user', 'partner', '--email', 'second@partner.test', '--share', '101')).code, 2);

  const buyer = await sys.account({ rubles: 1000 });
  const ids = [
    numberOf(await sys.api({ api_key: buyer.key, action: 'getNumber', service: 'tg', country: 'ru', ref: String(partner.id) }))![0],
    numberOf(await sys.api({ api_key: partner.key, action: 'getNumber', service: 'tg', country: 'ru', ref: String(partner.id) }))![0],
  ];
  // One second without a code: both expire and are refunded.
  await until('both expired', async () => {
    const states = await Promise.all(ids.map(async (id) => (await sys.store.activation(Number(id)))!.state));
    return states.every((s) => s === 'expired') ? true : undefined;
  }, 60_000);
  t.deepEqual((await sys.store.ledger(partner.id)).map((e) => e.reason), ['topup', 'charge', 'refund'], 'no commission on its own order');
  t.is((await sys.store.accountById(buyer.id))!.balance, 100_000, 'refunded');
  const seen = await api<{ referrals: { activationId: number; paid: boolean; state: string }[]; earned: string }>(sys, partner.key, 'GET', '/api/partner');
  t.deepEqual(seen.body.referrals.map((r) => [r.activationId, r.state, r.paid]), [[Number(ids[0]), 'expired', false]]);
  t.is(seen.body.earned, '0.00');
});
