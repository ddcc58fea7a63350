import type {
  KeyOwner, ActivationRegistry, Clock, Dialect, Forwarder, NumberBalance, RentRegistry, ServiceDef, SimFilter, Store,
} from '../../../actors/index.ts';
import { country, countryBySmsActivateId, getsmsCountry, serviceByCode } from '../../../actors/index.ts';
import type { Config } from '../../config.ts';
import { word, type Answer } from '../answer.ts';
import type { Params } from '../params.ts';
import { NoNumbersCache } from './no-numbers.ts';
import { errors } from './words.ts';

/** What the gateway's actions reach: the domain and a few protocol-level settings. */
export interface Gateway {
  store: Store;
  registry: ActivationRegistry;
  rents: RentRegistry;
  clock: Clock;
  config: Config;
  noNumbers: NoNumbersCache;
  /** Call forwarding and number balance over USSD; absent where no farm runs (nothing can forward then). */
  lines?: { forwarder: Forwarder; balance: NumberBalance } | undefined;
}

/** One authenticated request: who asks, in which dialect, with which parameters. */
export interface Call {
  params: Params;
  account: KeyOwner;
  dialect: Dialect;
  gw: Gateway;
}

export type Action = (call: Call) => Promise<Answer>;

/** The dialect's error word as an answer. */
export const fail = (call: Call, e: keyof typeof errors): Answer => word(errors[e][call.dialect]);

/**
 * The `service` parameter in the caller's dialect. Either dialect's codes are
 * read only in their own dialect: `uk` is MeetMe to a getsms client and Airbnb
 * to an sms-activate one.
 */
export function serviceOf(call: Call, name = 'service'): ServiceDef | undefined {
  const code = call.params.get(name);
  return code === undefined ? undefined : serviceByCode(call.dialect, code);
}

/**
 * `country` (+ sms-activate's `operator`): the spec's words (`ru`, `ru_beeline`,
 * `uk`, `or`) or sms-activate's numeric ids, in either dialect; absent = any.
 */
export function filterOf(call: Call): SimFilter | undefined {
  const raw = call.params.get('country');
  let filter: SimFilter | undefined;
  if (raw === undefined || raw === 'any') filter = {};
  else if (/^\d{1,4}$/.test(raw)) {
    const c = countryBySmsActivateId(Number(raw));
    filter = c ? { country: c.id } : undefined;
  } else filter = getsmsCountry(raw.toLowerCase());
  if (!filter) return undefined;
  const operators = call.params.get('operator')?.toLowerCase().split(',').map((o) => o.trim()).filter((o) => o && o !== 'any');
  if (operators?.length) {
    const known = filter.country ? country(filter.country)?.operators : undefined;
    if (known && operators.some((o) => !known.includes(o))) return undefined;
    filter = { ...filter, operators };
  }
  return filter;
}

/** Moscow wall-clock time, as sms-activate's JSON answers write it: `2022-06-01 17:30:57`. */
export function moscowTime(ms: number): string {
  return new Date(ms + 3 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
