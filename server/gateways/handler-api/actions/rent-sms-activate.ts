import {
  country, countryBySmsActivateId, rentCost, rentHours, rublesNumber, serviceByCode, type RentView, type SimFilter,
} from '../../../../actors/index.ts';
import { json, type Answer } from '../../answer.ts';
import { filterOf, moscowTime, type Action, type Call } from '../call.ts';
import { rentAlreadyOver, rentCommand, rentEndedStatus, rentErrors } from '../rent-words.ts';

/*
 * sms-activate's rent actions (protocol-notes §1.3): JSON in, JSON out, every
 * error wrapped. A rent here is `full`: it receives every SMS whoever sends
 * it, whatever service the client named.
 */

/** The ruble (ISO 4217 643): what our JSON answers count in. */
const rub = 643;
/** sms-activate's default rent time when a client names none. */
const defaultHours = 4;

const failure = (message: string): Answer => json({ status: 'error', message });

/** `rent_time` in hours: sms-activate's range, its default when absent; undefined when out of range. */
function hoursOf(call: Call): number | undefined {
  if (call.params.get('rent_time') === undefined) return defaultHours;
  const h = call.params.id('rent_time');
  return h !== undefined && h >= rentHours.min && h <= rentHours.max ? h : undefined;
}

/** `2020-01-31T12:01:52`, Moscow time, as getRentNumber writes `endDate`. */
const endDate = (ms: number) => moscowTime(ms).replace(' ', 'T');

const phoneOf = (r: RentView) => ({ id: r.id, endDate: endDate(r.endsAt), number: r.phone });

/** The caller's rent named by `id`, live or over, or the answer that says there is none. */
async function rentOf(call: Call): Promise<RentView | Answer> {
  const id = call.params.id('id');
  const rent = id === undefined ? undefined : await call.gw.rents.view(call.account.id, id);
  return rent ?? failure(rentErrors.noRent);
}

const isAnswer = (v: RentView | Answer): v is Answer => 'text' in v || 'json' in v;

/** What a rent costs per country and how many numbers could be rented; absent `country` = Russia, as sms-activate. */
export const getRentServicesAndCountries: Action = async (call) => {
  const hours = hoursOf(call);
  if (hours === undefined) return failure(rentErrors.badTime);
  const filter: SimFilter | undefined = call.params.get('country') === undefined ? { country: countryBySmsActivateId(0)!.id } : filterOf(call);
  if (!filter?.country) return failure(rentErrors.badCountry);
  const prices = await call.gw.store.rentPrices();
  const day = prices.find((p) => p.country === filter.country)?.price;
  const rented = prices.flatMap((p) => country(p.country)?.smsActivateId ?? []);
  const services = day === undefined
    ? {}
    : { full: { cost: rublesNumber(rentCost(day, hours)), quant: await call.gw.store.rentable(filter) } };
  return json({
    countries: Object.fromEntries(rented.map((id, i) => [String(i), id])),
    operators: Object.fromEntries(['any', ...(country(filter.country)?.operators ?? [])].map((o, i) => [String(i), o])),
    services,
    currency: rub,
  });
};

/** A number for `rent_time` hours; `service` is any sms-activate code or `full` (all SMS come all the same). */
export const getRentNumber: Action = async (call) => {
  const service = call.params.get('service') ?? 'full';
  if (service !== 'full' && !serviceByCode('smsActivate', service)) return failure(rentErrors.badService);
  const hours = hoursOf(call);
  if (hours === undefined) return failure(rentErrors.badTime);
  const filter = filterOf(call);
  if (!filter) return failure(rentErrors.badCountry);
  const r = await call.gw.rents.rent({ accountId: call.account.id, filter, service, dialect: call.dialect, hours });
  if (!r.ok) return failure(r.code === 'noBalance' ? rentErrors.noBalance : rentErrors.noNumbers);
  return json({ status: 'success', phone: phoneOf(r.rent) });
};

/** The rent's SMS, newest first (`page` from 0, `size` per page); an ended rent says how it ended. */
export const getRentStatus: Action = async (call) => {
  const rent = await rentOf(call);
  if (isAnswer(rent)) return rent;
  const ended = rentEndedStatus[rent.state];
  if (ended) return failure(ended);
  if (rent.messages.length === 0) return failure(rentErrors.waitingForSms);
  const newest = [...rent.messages].reverse();
  const size = call.params.id('size') || newest.length;
  const page = call.params.id('page') ?? 0;
  const shown = newest.slice(page * size, page * size + size);
  return json({
    status: 'success',
    quantity: String(newest.length),
    values: Object.fromEntries(shown.map((m, i) => [String(i), { phoneFrom: m.from, text: m.text, service: rent.service, date: moscowTime(m.at) }])),
  });
};

/** 1 = finish now (no refund), 2 = cancel (refunded in full within 20 minutes of the start if no SMS came). */
export const setRentStatus: Action = async (call) => {
  const id = call.params.id('id');
  if (id === undefined) return failure(rentErrors.noRent);
  const command = rentCommand[call.params.get('status') ?? ''];
  if (!command) return (await call.gw.rents.view(call.account.id, id)) ? failure(rentErrors.badStatus) : failure(rentErrors.noRent);
  const r = await call.gw.rents.command(call.account.id, id, command);
  if (r.ok) return json({ status: 'success' });
  if (r.code === 'noRent') return failure(rentErrors.noRent);
  if (r.code === 'cantCancel') return failure(rentErrors.cantCancel);
  const over = await call.gw.rents.view(call.account.id, id);
  return failure(rentAlreadyOver[over?.state ?? 'finished']);
};

/** The caller's live rents, sms-activate's shape. */
export const getRentListOfSmsActivate: Action = async (call) => {
  const rents = await call.gw.rents.ofAccount(call.account.id);
  if (rents.length === 0) return failure(rentErrors.noNumbers);
  return json({
    status: 'success',
    values: Object.fromEntries(rents.map((r, i) => [String(i), { id: String(r.id), phone: r.phone }])),
  });
};

/** A live rent made `rent_time` hours longer, charged now at the country's rent price. */
export const continueRentNumber: Action = async (call) => {
  const id = call.params.id('id');
  if (id === undefined) return failure(rentErrors.noRent);
  const hours = hoursOf(call);
  if (hours === undefined) return failure(rentErrors.badTime);
  const r = await call.gw.rents.extend(call.account.id, id, hours);
  if (r.ok) return json({ status: 'success', phone: phoneOf(r.rent) });
  const word = { noRent: rentErrors.noRent, ended: rentErrors.ended, noBalance: rentErrors.noBalance, noPrice: rentErrors.notOnSale }[r.code];
  return failure(word);
};

/** What continueRentNumber would charge. */
export const getContinueRentPriceNumber: Action = async (call) => {
  const rent = await rentOf(call);
  if (isAnswer(rent)) return rent;
  if (!rent.live) return failure(rentErrors.ended);
  const hours = hoursOf(call);
  if (hours === undefined) return failure(rentErrors.badTime);
  const day = (await call.gw.store.rentPrices()).find((p) => p.country === rent.country)?.price;
  if (day === undefined) return failure(rentErrors.notOnSale);
  return json({ status: 'success', price: rublesNumber(rentCost(day, hours)), currency: rub });
};
