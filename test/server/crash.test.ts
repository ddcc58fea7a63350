import test from 'ava';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/process.ts';
import { until } from '../helpers/until.ts';

// Long enough that a slow, busy CI machine restarts the server well inside it.
const ttlSeconds = 30;

async function call(url: string, params: Record<string, string>) {
  const res = await fetch(`${url}/stubs/handler_api.php?${new URLSearchParams(params)}`);
  return res.text();
}


function ledgerMatchesBalances(dataDir: string) {
  const db = new Database(join(dataDir, 'getsms.sqlite'), { readonly: true });
  try {
    return db
      .prepare(`SELECT a.id, a.balance, coalesce((SELECT sum(amount) FROM ledger l WHERE l.account_id = a.id), 0) AS total
                FROM accounts a`)
      .all() as { id: number; balance: number; total: number }[];
  } finally {
    db.close();
  }
}

test('a SIGKILLed server resumes every live activation with its deadline, charging nothing twice', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'getsms-crash-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { DATA_DIR: dataDir, ACTIVATION_TTL_SECONDS: String(ttlSeconds), SIM_MODEMS: '4', SIM_SLOTS: '2' };

  const first = await startServerProcess(env);
  t.teardown(() => first.stop());
  const key = first.demoKey!;
  const order = async (service: string) => {
    const answer = await call(first.url, { api_key: key, action: 'getNumber', service, country: 'ru' });
    const m = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(answer);
    if (!m) throw new Error(answer);
    return { id: m[1]!, phone: m[2]! };
  };
  const orderedAt = Date.now();
  const waiting = await order('tg');
  const coded = await order('wa');
  const cancelled = await order('vk');
  t.is(await call(first.url, { api_key: key, action: 'setStatus', id: cancelled.id, status: '-1' }), 'ACCESS_CANCEL');
  const sms = await fetch(`${first.url}/api/simulator/sms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${first.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to: coded.phone, from: 'WhatsApp', text: 'Your WhatsApp code: 481-516' }),
  });
  t.is(sms.status, 202);
  t.is(await call(first.url, { api_key: key, action: 'getStatus', id: coded.id }), 'STATUS_OK:481516');
  const balanceBefore = await call(first.url, { api_key: key, action: 'getBalance' });

  // Let time pass before the crash, so a deadline wrongly re-armed from the restart would fire visibly late.
  await new Promise((r) => setTimeout(r, 4_000));
  const killedAt = Date.now();
  await first.kill();

  const second = await startServerProcess(env);
  t.teardown(() => second.stop());
  t.is(second.demoKey, undefined, 'the restart does not make new accounts');
  t.true(Date.now() < orderedAt + ttlSeconds * 1000, 'the restart took less than the TTL; the test proves nothing otherwise');
  t.is(await call(second.url, { api_key: key, action: 'getStatus', id: waiting.id }), 'STATUS_WAIT_READY');
  t.is(await call(second.url, { api_key: key, action: 'getStatus', id: coded.id }), 'STATUS_OK:481516');
  t.is(await call(second.url, { api_key: key, action: 'getStatus', id: cancelled.id }), 'ACCESS_CANCEL');
  t.is(await call(second.url, { api_key: key, action: 'getBalance' }), balanceBefore);

  // The deadline armed before the crash fires after it: the waiting one expires and is refunded once.
  await until('the deadline', async () =>
    (await call(second.url, { api_key: key, action: 'getStatus', id: waiting.id })) === 'ACCESS_CANCEL' ? true : undefined,
  60_000, 50);
  const expiredAt = Date.now();
  t.true(expiredAt >= orderedAt + ttlSeconds * 1000, 'not before its deadline');
  t.true(expiredAt < killedAt + ttlSeconds * 1000, 'at the deadline armed before the crash, not one re-armed at the restart');
  await second.kill();
  const third = await startServerProcess(env);
  t.teardown(() => third.stop());
  // The code that arrived keeps its charge; at its own deadline the activation finishes.
  await until('the coded activation to finish', async () =>
    (await call(third.url, { api_key: key, action: 'getStatus', id: coded.id })) === 'STATUS_ACCESS:481516' ? true : undefined,
  60_000);
  const prices = { tg: 25, wa: 35 };
  const expected = (1000 - prices.wa).toFixed(2);
  t.is(await call(third.url, { api_key: key, action: 'getBalance' }), `ACCESS_BALANCE:${expected}`);
  await third.stop();
  for (const row of ledgerMatchesBalances(dataDir)) t.is(row.total, row.balance, `account ${row.id}: ledger equals balance`);
});
