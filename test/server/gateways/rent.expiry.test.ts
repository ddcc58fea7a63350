import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestSystem } from '../../helpers/system.ts';
import { until } from '../../helpers/until.ts';
import { tinyFarm, tinyFarmRuPhone } from './handler-api.helpers.ts';

/*
 * A rent ends by itself when its time is up, across a restart: its end is an
 * absolute time in the store, re-armed when the rent actor is restored.
 * RENT_HOUR_MS=500 makes getRentOneDay's 24 hours last 12 seconds. Nothing
 * here depends on how fast the machine is: the restart may take any time, and
 * what is asserted is that the rent never ends before its stored end.
 */
const env = { ...tinyFarm, RENT_HOUR_MS: '500' };

test('a day\'s rent ends by itself at its end, also across a restart, with no refund; the number is for sale again', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'getsms-rent-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startTestSystem({ ...env, DATA_DIR: dataDir });
  let closed = false;
  t.teardown(async () => {
    if (!closed) await first.close();
  });
  await first.store.setRentPrice('ru', 15_000);
  const { key } = await first.account({ rubles: 200 });
  t.is(await first.api({ api_key: key, action: 'getRentOneDay' }), `success: ${tinyFarmRuPhone}`);
  const [rent] = await first.store.liveRents();
  t.is(rent!.endsAt - rent!.createdAt, 24 * 500);
  await first.close();
  closed = true;

  const second = await startTestSystem({ ...env, DATA_DIR: dataDir });
  t.teardown(() => second.close());
  const ask = (action: string, more: Record<string, string> = {}) => second.api({ api_key: key, action, ...more });
  if (Date.now() < rent!.endsAt - 1_000) {
    // Restarted well before its end: the rent is back, and still receives.
    t.regex(await ask('getRentList'), new RegExp(`"number":${tinyFarmRuPhone}`));
    await second.sms(tinyFarmRuPhone, 'Anyone', 'after the restart');
    t.regex(await ask('getRentNumberSMS', { number: tinyFarmRuPhone }), /after the restart/);
  } else {
    t.log('the restart took longer than the rent: only its end is checked');
  }
  const endedAt = await until('the rent ended', async () => ((await ask('getRentList')) === 'RENT_LIST_EMPTY' ? Date.now() : undefined), 60_000, 50);
  t.true(endedAt >= rent!.endsAt, 'never before its end');
  t.like(await second.store.rent(rent!.id), { state: 'expired', live: false });
  t.is(await ask('getRentNumberSMS', { number: tinyFarmRuPhone }), 'WRONG_NUMBER');
  t.is(await ask('getBalance'), 'ACCESS_BALANCE:50.00', 'a rent that ran its time is not refunded');
  t.is(await ask('getRentOneDay'), 'too low balance', 'the number is free again, but 50.00 is not a day');
  const other = await second.account({ rubles: 150 });
  t.is(await second.api({ api_key: other.key, action: 'getRentOneDay' }), `success: ${tinyFarmRuPhone}`, 'the number is rented out again');
});
