import test from 'ava';
import { accessNumber, buy, smsActivateHost, systemFor } from './handler-api.helpers.ts';
import { getNum, reg, regBalance, regError, state } from './sms-reg.helpers.ts';

/*
 * One activation, two gateways: an order made through API #2 is watched and
 * moved through API #1 (handler_api.php) and the other way round, because a
 * tzid is the activation's id and both gateways translate the same actor.
 */

test('ordered with getNum, read with getStatus, moved with setStatus, read back with getState', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const tzid = await getNum(t, sys, key, 'telegram', 'ru');
  const api1 = (params: Record<string, string | number>) => sys.api({ api_key: key, ...params });

  t.is(await api1({ action: 'getStatus', id: tzid }), 'STATUS_WAIT_READY', 'TZ_NUM_PREPARE is status 0');
  t.is(await api1({ action: 'setStatus', id: tzid, status: 1 }), 'ACCESS_READY');
  const waiting = await state(t, sys, key, tzid);
  t.is(waiting.response, 'TZ_NUM_WAIT');

  await sys.sms(waiting.number as string, 'Telegram', 'Telegram code: 24680');
  t.is(await api1({ action: 'getStatus', id: tzid }), 'STATUS_OK:24680');
  t.like(await state(t, sys, key, tzid), { response: 'TZ_NUM_ANSWER', msg: '24680' });

  t.is(await api1({ action: 'setStatus', id: tzid, status: 3 }), 'ACCESS_RETRY_GET');
  t.like(await state(t, sys, key, tzid), { response: 'TZ_NUM_WAIT2' });
  t.is(await api1({ action: 'getStatus', id: tzid }), 'STATUS_WAIT_RETRY');

  t.deepEqual(await reg(t, sys, 'setOperationOk', { apikey: key, tzid }), { response: '1', tzid });
  t.is(await api1({ action: 'getStatus', id: tzid }), 'STATUS_ACCESS:24680');
  t.is(await api1({ action: 'getBalance' }), 'ACCESS_BALANCE:975.00', 'one charge, whichever gateway asks');
});

test('ordered with getNumber, read with getState, moved with setReady and setOperationOk, read back with getStatus', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const { id, phone } = await buy(t, sys, key, { service: 'vk', country: 'ru' });

  t.deepEqual(await state(t, sys, key, id), { response: 'TZ_NUM_PREPARE', service: 'vk', number: phone });
  t.deepEqual(await reg(t, sys, 'setReady', { apikey: key, tzid: id }), { response: '1' });
  t.is(await sys.api({ api_key: key, action: 'getStatus', id }), 'STATUS_WAIT_CODE');

  await sys.sms(phone, 'VK', 'VK: 11223 - vash kod dlya registracii');
  t.deepEqual(await reg(t, sys, 'setOperationOk', { apikey: key, tzid: id }), { response: '1', tzid: id });
  t.is(await sys.api({ api_key: key, action: 'getStatus', id }), 'STATUS_ACCESS:11223');
  t.deepEqual(await state(t, sys, key, id), { response: 'TZ_OVER_OK', service: 'vk', number: phone, msg: '11223' });
});

test('a cancel and a "number used" on one side read as the matching end on the other', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();

  const cancelled = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: cancelled.id, status: -1 }), 'ACCESS_CANCEL');
  t.like(await state(t, sys, key, cancelled.id), { response: 'TZ_DELETED', service: 'telegram' });

  const rejected = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: rejected.id, status: 10 }), 'ACCESS_ERROR_NUMBER_GET');
  t.like(await state(t, sys, key, rejected.id), { response: 'TZ_OVER_GR' });

  const over = await getNum(t, sys, key, 'vk', 'ru');
  t.deepEqual(await reg(t, sys, 'setOperationOver', { apikey: key, tzid: over }), { response: '1', tzid: over });
  t.is(await sys.api({ api_key: key, action: 'getStatus', id: over }), 'ACCESS_CANCEL');
  t.is(await sys.api({ api_key: key, action: 'getStatus', id: over }, { host: smsActivateHost }), 'STATUS_CANCEL');

  const used = await getNum(t, sys, key, 'vk', 'ru');
  t.deepEqual(await reg(t, sys, 'setOperationUsed', { apikey: key, tzid: used }), { response: '1', tzid: used });
  t.is(await sys.api({ api_key: key, action: 'getStatus', id: used }), 'STATUS_ERROR_NUMBER');
  t.is(await regBalance(t, sys, key), '1000.00', 'every one of them refunded');
});

test('an sms-activate client\'s order (no "ready" step) reads TZ_NUM_WAIT at once; sms-activate-only services keep their id', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  const tg = accessNumber(t, await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 0 }));
  t.deepEqual(await state(t, sys, key, tg.id), { response: 'TZ_NUM_WAIT', service: 'telegram', number: tg.phone });
  const qiwi = accessNumber(t, await sys.api({ api_key: key, action: 'getNumber', service: 'qw', country: 0 }));
  t.like(await state(t, sys, key, qiwi.id), { response: 'TZ_NUM_WAIT', service: 'qiwi' });
  // …and a code set through API #2's words reaches the sms-activate client.
  await sys.sms(tg.phone, 'Telegram', 'Telegram code: 55555');
  t.deepEqual(await reg(t, sys, 'setOperationRevise', { apikey: key, tzid: tg.id }), { response: '1', tzid: tg.id });
  t.is(await sys.api({ api_key: key, action: 'getStatus', id: tg.id }), 'STATUS_WAIT_RETRY:55555');
});

test('getNumRepeat and getRepeat share the rule: one open repeat per number and service', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const tzid = await getNum(t, sys, key, 'telegram', 'ru');
  const { number } = await state(t, sys, key, tzid);
  await sys.sms(number as string, 'Telegram', 'Telegram code: 70707');
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: tzid, status: 6 }), 'ACCESS_ACTIVATION');
  const repeat = accessNumber(t, await sys.api({ api_key: key, action: 'getRepeat', service: 'tg', number: number as string }));
  t.deepEqual(await reg(t, sys, 'getNumRepeat', { apikey: key, tzid }), { response: '3' });
  t.deepEqual(await state(t, sys, key, repeat.id), { response: 'TZ_NUM_WAIT', service: 'telegram', number });
});

test('another account\'s tzid, and an API #1 id of another account, are "There is no TZID value"', async (t) => {
  const sys = await systemFor(t);
  const owner = await sys.account();
  const stranger = await sys.account();
  const tzid = await getNum(t, sys, owner.key, 'telegram', 'ru');
  const { id } = await buy(t, sys, owner.key, { service: 'vk', country: 'ru' });
  for (const op of [tzid, id]) {
    for (const method of ['getState', 'setReady', 'setOperationOk', 'setOperationRevise', 'setOperationUsed', 'setOperationOver', 'getNumRepeat']) {
      t.deepEqual(await reg(t, sys, method, { apikey: stranger.key, tzid: op }), regError('There is no TZID value'), method);
    }
  }
  t.is(await sys.api({ api_key: stranger.key, action: 'getStatus', id: tzid }), 'NO_ACTIVATION');
  t.like(await state(t, sys, owner.key, tzid), { response: 'TZ_NUM_PREPARE' }, 'untouched');
  t.is(await regBalance(t, sys, stranger.key), '1000.00');
});
