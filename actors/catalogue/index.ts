import { countries, getsmsOperatorWords, type CountryDef } from './countries.ts';
import { services, type ServiceDef, type ServiceRule } from './services.ts';

export type { CountryDef, ServiceDef, ServiceRule };
export { countries, services };
export { balanceUssdCodes, balanceUssdSetting } from './operators.ts';

/** The two spellings of handler_api.php that clients speak. */
export type Dialect = 'getsms' | 'smsActivate';
export const dialects: readonly Dialect[] = ['getsms', 'smsActivate'];

const byId = new Map(services.map((s) => [s.id, s]));
const byGetsmsCode = new Map<string, ServiceDef>();
const bySmsActivateCode = new Map<string, ServiceDef>();
const bySmsRegName = new Map<string, ServiceDef>();
for (const s of services) {
  for (const c of s.getsms ?? []) byGetsmsCode.set(c, s);
  if (s.smsActivate) bySmsActivateCode.set(s.smsActivate, s);
  for (const n of s.smsReg ?? []) bySmsRegName.set(n.toLowerCase(), s);
}

/** The service a dialect's code names, if any. */
export function serviceByCode(dialect: Dialect, code: string): ServiceDef | undefined {
  return (dialect === 'getsms' ? byGetsmsCode : bySmsActivateCode).get(code);
}

/** The service an API #2 (sms-reg) name names; names are case-insensitive (`Viber`). */
export function serviceBySmsRegName(name: string): ServiceDef | undefined {
  return bySmsRegName.get(name.toLowerCase());
}

export function serviceById(id: string): ServiceDef | undefined {
  return byId.get(id);
}

/** The code a dialect shows for a service (getsms: the last alias, as the spec's getNumbersStatus does). */
export function serviceCode(dialect: Dialect, service: ServiceDef): string | undefined {
  return dialect === 'getsms' ? service.getsms?.at(-1) : service.smsActivate;
}

/** Services a dialect can name, in catalogue order. */
export function servicesOf(dialect: Dialect): ServiceDef[] {
  return services.filter((s) => serviceCode(dialect, s) !== undefined);
}

const countryById = new Map(countries.map((c) => [c.id, c]));
const countryBySaId = new Map(countries.map((c) => [c.smsActivateId, c]));
const countryByGetsms = new Map(countries.map((c) => [c.getsms, c]));

export function country(id: string): CountryDef | undefined {
  return countryById.get(id);
}

export function countryBySmsActivateId(id: number): CountryDef | undefined {
  return countryBySaId.get(id);
}

/** Which SIMs an order may take: a country and operators, each unset for "any". */
export interface SimFilter {
  country?: string;
  operators?: string[];
}

/**
 * The spec's `country` word (`ru`, `ru_beeline`, `uk`, `or`) as a filter;
 * undefined when the word names nothing we know.
 */
export function getsmsCountry(word: string): SimFilter | undefined {
  if (word === 'or' || word === 'all') return {};
  const op = getsmsOperatorWords[word];
  if (op) return { country: op.country, operators: [op.operator] };
  const c = countryByGetsms.get(word);
  return c ? { country: c.id } : undefined;
}

/** The default price of a service in a country, kopecks, rounded to whole rubles. */
export function defaultPrice(service: ServiceDef, c: CountryDef): number {
  if (service.id === 'whatsapp' && c.id === 'kz') return 4900; // the spec's announcement: WhatsApp (KZ) - 49 руб.
  return Math.round((service.basePrice * c.pricePercent) / 100 / 100) * 100;
}
