import { country, referralFor, rublesNumber, type ActivationView } from '../../../../actors/index.ts';
import { json, word, type Answer } from '../../answer.ts';
import { fail, filterOf, moscowTime, serviceOf, type Action, type Call } from '../call.ts';

/** The most SMS one count=N order may ask for. */
const maxCount = 20;
/** sms-activate's JSON answers carry a currency; ours is the ruble (ISO 4217 643). */
const rub = 643;

type Ordered = { ok: true; activation: ActivationView } | { ok: false; answer: Answer };

async function order(call: Call): Promise<Ordered> {
  const service = serviceOf(call);
  if (!service) return { ok: false, answer: fail(call, 'badService') };
  const filter = filterOf(call);
  if (!filter) return { ok: false, answer: fail(call, 'badCountry') };
  const forwarding = call.params.get('forward') === '1';
  const countParam = call.params.id('count');
  const count = Math.min(maxCount, Math.max(1, countParam ?? 1));
  const cacheKey = `${service.id}|${filter.country ?? ''}|${filter.operators?.join(',') ?? ''}|${forwarding}`;
  const { registry, noNumbers } = call.gw;
  if (noNumbers.has(call.account.id, cacheKey)) return { ok: false, answer: fail(call, 'noNumbers') };
  // A partner's software says whose it is (`ref=`); an unknown ref is ignored.
  const referral = await referralFor(call.gw.store, call.params.get('ref'), call.account.id);
  const outcome = await registry.order({
    accountId: call.account.id, service: service.id, filter, forwarding, dialect: call.dialect, count, referral,
  });
  if (outcome.ok) return outcome;
  if (outcome.code === 'noNumbers') noNumbers.remember(call.account.id, cacheKey);
  return { ok: false, answer: fail(call, outcome.code) };
}

export const accessNumber = (a: ActivationView) => word(`ACCESS_NUMBER:${a.id}:${a.phone}`);

export const getNumber: Action = async (call) => {
  const r = await order(call);
  return r.ok ? accessNumber(r.activation) : r.answer;
};

/** sms-activate's JSON order: the same order, described for pydantic and TypeScript clients. */
export const getNumberV2: Action = async (call) => {
  const r = await order(call);
  if (!r.ok) return r.answer;
  const a = r.activation;
  return json({
    activationId: a.id,
    phoneNumber: a.phone,
    activationCost: rublesNumber(a.price),
    currency: rub,
    countryCode: String(country(a.country)?.smsActivateId ?? ''),
    canGetAnotherSms: '1',
    activationTime: moscowTime(a.createdAt),
    activationEndTime: moscowTime(a.expiresAt),
    activationOperator: a.operator,
  });
};

/** A free repeat SMS on a number this account already got this service's code on. */
export const getRepeat: Action = async (call) => {
  const service = serviceOf(call);
  if (!service) return fail(call, 'badService');
  const number = call.params.get('number')?.replace(/^\+/, '');
  if (!number || !/^\d{5,15}$/.test(number)) return fail(call, 'noNumbers');
  const r = await call.gw.registry.repeat(call.account.id, number, service.id, call.dialect);
  return r.ok ? accessNumber(r.activation) : fail(call, r.code);
};
