import type { SimIdentity } from '../../farm.ts';

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

/** The USSD replies a fresh simulated SIM gives: `*100#` balance, and the operator's own-number code. */
export function defaultUssd(sim: SimIdentity): Record<string, string> {
  const amount = (Number(sim.iccid.slice(-5)) / 100).toFixed(2);
  const script: Record<string, string> = {
    '*100#': (balanceWords[sim.country] ?? ((a: string) => `Balance: ${a}`))(amount),
  };
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
 * out as text with DCS 15 unless the host chose `AT+CSCS="UCS2"`; anything
 * else goes out as UCS2 hex with DCS 72, as most modems print Cyrillic replies.
 */
export function cusdLine(reply: string, cscs: string): string {
  const plain = cscs !== 'UCS2' && [...reply].every((c) => gsm7.has(c));
  return plain ? `+CUSD: 0,"${reply}",15` : `+CUSD: 0,"${ucs2Hex(reply)}",72`;
}

/** The USSD string a host sent: hex UCS2 when it chose `+CSCS="UCS2"` (and it looks like hex), else as is. */
export function ussdRequest(text: string, cscs: string): string {
  if (cscs !== 'UCS2' || !/^([0-9A-F]{4})+$/i.test(text)) return text;
  return Buffer.from(text, 'hex').swap16().toString('utf16le');
}
