import {
  country, getsmsCountry, parseRubles, roles, serviceByCode, serviceById, serviceCode,
  type Account, type CountryDef, type Dialect, type Kopecks, type Role, type ServiceDef, type Store,
} from '../../actors/index.ts';
import { CliError } from './command.ts';

/**
 * The words an admin types and reads, and the domain values they stand for.
 * Dialects are spelled as the world spells them (`sms-activate`), services
 * and countries as the spec's getsms dialect does (`wa`, `uk` = United Kingdom).
 */
export const dialectWords: Record<Dialect, string> = { getsms: 'getsms', smsActivate: 'sms-activate' };

export function dialect(word: string): Dialect {
  const w = word.toLowerCase();
  const found = (Object.keys(dialectWords) as Dialect[]).find((d) => dialectWords[d] === w || d.toLowerCase() === w);
  if (!found) throw new CliError('CLI_BAD_INPUT', `--dialect must be getsms or sms-activate, not "${word}"`);
  return found;
}

export function role(word: string): Role {
  const found = roles.find((r) => r === word.toLowerCase());
  if (!found) throw new CliError('CLI_BAD_INPUT', `--role must be one of ${roles.join(', ')}, not "${word}"`);
  return found;
}

/** `49`, `49.50` → kopecks, at least `min`. */
export function rubles(flag: string, text: string, min: Kopecks): Kopecks {
  const k = parseRubles(text);
  if (k === undefined) throw new CliError('CLI_BAD_INPUT', `--${flag} must be rubles such as 49 or 49.50, not "${text}"`);
  if (k < min) {
    throw new CliError('CLI_BAD_INPUT', `--${flag} must be ${min === 0 ? 'zero or more' : 'more than zero'}, not ${text}`);
  }
  return k;
}

export function email(text: string): string {
  if (!/^[^\s@]+@[^\s@]+$/.test(text)) throw new CliError('CLI_BAD_INPUT', `"${text}" is not an email address`);
  return text;
}

export async function accountOf(store: Store, email: string): Promise<Account> {
  const account = await store.accountByEmail(email);
  if (!account) throw new CliError('CLI_BAD_INPUT', `there is no account ${email} (getsms user list shows them)`);
  return account;
}

/** A service by its getsms code (`wa`, `gm`) or its catalogue id (`whatsapp`, and `qiwi` that getsms has no code for). */
export function service(word: string): ServiceDef {
  const w = word.toLowerCase();
  const found = serviceByCode('getsms', w) ?? serviceById(w);
  if (!found) throw new CliError('CLI_BAD_INPUT', `there is no service "${word}": give a getsms code such as wa or tg, or an id such as whatsapp`);
  return found;
}

/** A country by its getsms word (`ru`, `uk`) or its id (`gb`); operator words and `or` are refused, prices are per country. */
export function countryOf(word: string): CountryDef {
  const w = word.toLowerCase();
  const filter = getsmsCountry(w);
  if (filter?.operators) {
    throw new CliError('CLI_BAD_INPUT', `"${word}" names an operator; prices are per country, so give ${country(filter.country!)!.getsms}`);
  }
  const found = filter?.country ? country(filter.country) : country(w);
  if (!found) throw new CliError('CLI_BAD_INPUT', `there is no country "${word}": give a getsms code such as ru, kz or uk`);
  return found;
}

/** How a service reads in output: its getsms code, else its id. */
export function serviceWord(id: string): string {
  const s = serviceById(id);
  return (s && serviceCode('getsms', s)) ?? id;
}

export function countryWord(id: string): string {
  return country(id)?.getsms ?? id;
}

/** A time as output shows it: UTC to the second. */
export function when(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}
