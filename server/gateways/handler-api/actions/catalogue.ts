import {
  countries, country, rublesNumber, serviceById, serviceCode, servicesOf, type CountryDef,
} from '../../../../actors/index.ts';
import { json } from '../../answer.ts';
import { fail, filterOf, serviceOf, type Action, type Call } from '../call.ts';

/** The key a dialect names a country by in JSON answers. */
const countryKey = (call: Call, c: CountryDef) =>
  call.dialect === 'getsms' ? c.getsms : String(c.smsActivateId);

/**
 * Free numbers per service: `<code>_0` for every service the dialect knows
 * (zeros included: clients index fixed keys), and `<code>_1` for those sold
 * with forwarding.
 */
export const getNumbersStatus: Action = async (call) => {
  const filter = filterOf(call);
  if (!filter) return fail(call, 'badCountry');
  const free = await call.gw.store.availability({ accountId: call.account.id, filter });
  const answer: Record<string, number> = {};
  for (const s of servicesOf(call.dialect)) {
    const code = serviceCode(call.dialect, s)!;
    const n = free.get(s.id);
    answer[`${code}_0`] = n?.any ?? 0;
    if (s.forwarding) answer[`${code}_1`] = n?.forwarding ?? 0;
  }
  return json(answer);
};

/** `{"<country>":{"<service>":{"cost":21.95,"count":12,"physicalCount":12}}}` for what is on sale. */
export const getPrices: Action = async (call) => {
  const wanted = call.params.get('service');
  const service = wanted === undefined ? undefined : serviceOf(call);
  if (wanted !== undefined && !service) return fail(call, 'badService');
  const filter = filterOf(call);
  if (!filter) return fail(call, 'badCountry');
  const inScope = countries.filter((c) => !filter.country || c.id === filter.country);
  const prices = await call.gw.store.prices();
  const answer: Record<string, Record<string, { cost: number; count: number; physicalCount: number }>> = {};
  for (const c of inScope) {
    const free = await call.gw.store.availability({ accountId: call.account.id, filter: { ...filter, country: c.id } });
    const row: Record<string, { cost: number; count: number; physicalCount: number }> = {};
    for (const p of prices) {
      if (p.country !== c.id || (service && p.service !== service.id)) continue;
      const svc = serviceById(p.service);
      const code = svc && serviceCode(call.dialect, svc);
      if (!code) continue;
      const count = free.get(p.service)?.any ?? 0;
      row[code] = { cost: rublesNumber(p.price), count, physicalCount: count };
    }
    if (Object.keys(row).length > 0) answer[countryKey(call, c)] = row;
  }
  return json(answer);
};

/** sms-activate's country list, keyed by its numeric ids. */
export const getCountries: Action = async () =>
  json(
    Object.fromEntries(
      countries.map((c) => [
        String(c.smsActivateId),
        { id: c.smsActivateId, rus: c.rus, eng: c.eng, chn: c.chn, visible: 1, retry: 1, rent: 0, multiService: 0 },
      ]),
    ),
  );

export const getOperators: Action = async (call) => {
  const filter = filterOf(call);
  const scope = filter?.country ? [country(filter.country)!] : filter ? countries : [];
  if (scope.length === 0) return json({ status: 'error', error: 'OPERATORS_NOT_FOUND' });
  return json({
    status: 'success',
    countryOperators: Object.fromEntries(scope.map((c) => [String(c.smsActivateId), c.operators])),
  });
};
