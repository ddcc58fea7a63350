import { country, formatRubles, rublesNumber, serviceById, serviceCode } from '../../../../actors/index.ts';
import { json, word } from '../../answer.ts';
import { moscowTime, type Action } from '../call.ts';
import { statusNumber } from '../words.ts';

export const getBalance: Action = async (call) => {
  // Read from the store, not the session: a top-up from the CLI shows at once.
  const account = await call.gw.store.accountById(call.account.id);
  return word(`ACCESS_BALANCE:${formatRubles(account?.balance ?? 0)}`);
};

export const cleanblacklist: Action = async (call) => {
  await call.gw.store.clearBlacklist(call.account.id);
  // A NO_NUMBERS remembered while the blacklist hid numbers would hide them for the rest of its window.
  call.gw.noNumbers.forget(call.account.id);
  return word('OK');
};

/** sms-activate's list of the caller's live activations. */
export const getActiveActivations: Action = async (call) => {
  const live = await call.gw.store.activations({ accountId: call.account.id, live: true, limit: 1000 });
  if (live.length === 0) return json({ status: 'error', error: 'NO_ACTIVATIONS' });
  const views = await Promise.all(live.map((r) => call.gw.registry.view(call.account.id, r.id)));
  return json({
    status: 'success',
    activeActivations: views.flatMap((a) => {
      if (!a) return [];
      const svc = serviceById(a.service);
      const c = country(a.country);
      return [{
        activationId: String(a.id),
        serviceCode: (svc && serviceCode('smsActivate', svc)) ?? a.service,
        phoneNumber: a.phone,
        activationCost: rublesNumber(a.price),
        activationStatus: statusNumber[a.state],
        smsCode: a.messages.length ? a.messages.map((m) => m.code) : null,
        smsText: a.messages.length ? a.messages.map((m) => m.text).join('\n') : null,
        activationTime: moscowTime(a.createdAt),
        discount: '0.00',
        repeated: a.repeatOf === null ? '0' : '1',
        countryCode: String(c?.smsActivateId ?? ''),
        countryName: c?.eng ?? a.country,
        canGetAnotherSms: '1',
        currency: 643,
      }];
    }),
  });
};
