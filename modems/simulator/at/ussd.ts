import type { SimIdentity } from '../../farm.ts';
import { packText, unpackText } from '../../pdu/index.ts';

/** Currency words of the balance reply per country (the Russian ones answer in Cyrillic, as operators do). */
const balanceWords: Readonly<Record<string, (amount: string) => string>> = {
  ru: (a) => `Баланс: ${a} р.`,
  kz: (a) => `Balans: ${a} tg`,
  ua: (a) => `Баланс: ${a} грн`,
  by: (a) => `Balance: ${a} BYN`,
  pl: (a) => `Saldo: ${a} PLN`,
  gb: (a) => `Balance: £${a}`,
  de: (a) => `Guthaben: ${a} EUR`,
};

/** Own-number USSD codes of Russian operators (what an operator puts in the channel config). */
const numberCodes: Readonly<Record<string, string>> = {
  'ru/mts': '*111*0887#',
  'ru/megafon': '*205#',
  'ru/beeline': '*110*10#',
  'ru/tele2': '*201#',
};

/** Balance codes of Russian operators that are not `*100#` (their help pages); they answer the balance too. */
const balanceCodes: Readonly<Record<string, string>> = {
  'ru/beeline': '*102#',
  'ru/tele2': '*105#',
};

/** The USSD replies a fresh simulated SIM gives: `*100#` (and its operator's own code) balance, and its own-number code. */
export function defaultUssd(sim: SimIdentity): Record<string, string> {
  const amount = (Number(sim.iccid.slice(-5)) / 100).toFixed(2);
  const balance = (balanceWords[sim.country] ?? ((a: string) => `Balance: ${a}`))(amount);
  const script: Record<string, string> = { '*100#': balance };
  const balanceCode = balanceCodes[`${sim.country}/${sim.operator}`];
  if (balanceCode) script[balanceCode] = balance;
  const own = numberCodes[`${sim.country}/${sim.operator}`];
  if (own) script[own] = `Ваш номер: +${sim.phone}`;
  return script;
}

/** GSM 03.38 default alphabet (basic table); text outside it goes out as UCS2. */
const gsm7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

const ucs2Hex = (text: string) => Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase();

/**
 * The `+CUSD: 0,"…",<dcs>` line for a reply. Text the GSM alphabet holds goes
 * out with DCS 15, as text, or packed into hex by a modem that packs (Huawei),
 * unless the host chose `AT+CSCS="UCS2"`; anything else goes out as UCS2 hex
 * with DCS 72, as most modems (Huawei too) print Cyrillic replies.
 */
export function cusdLine(reply: string, cscs: string, packed = false): string {
  const plain = cscs !== 'UCS2' && [...reply].every((c) => gsm7.has(c));
  if (!plain) return `+CUSD: 0,"${ucs2Hex(reply)}",72`;
  return `+CUSD: 0,"${packed ? packText(reply) : reply}",15`;
}

/**
 * The USSD string a host sent: packed 7-bit hex on a modem that packs (a host
 * that sent plain text there gets it read as hex, and no answer, as on the
 * real stick), hex UCS2 when it chose `+CSCS="UCS2"` (and it looks like hex),
 * else as is.
 */
export function ussdRequest(text: string, cscs: string, packed = false): string {
  if (packed) return unpackText(text) ?? '';
  if (cscs !== 'UCS2' || !/^([0-9A-F]{4})+$/i.test(text)) return text;
  return Buffer.from(text, 'hex').swap16().toString('utf16le');
}
