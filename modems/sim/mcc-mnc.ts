/**
 * Country and operator of a SIM from its IMSI (MCC + MNC, ITU-T E.212).
 * Only the networks getsms sells numbers of; operators use sms-activate's names.
 */
interface Network {
  country: string;
  callingCode: string;
  operators: Readonly<Record<string, string>>;
}

export const networks: Readonly<Record<string, Network>> = {
  '250': { country: 'ru', callingCode: '7', operators: { '01': 'mts', '02': 'megafon', '99': 'beeline', '20': 'tele2' } },
  '255': { country: 'ua', callingCode: '380', operators: { '01': 'mts', '03': 'kyivstar', '06': 'life' } },
  '401': { country: 'kz', callingCode: '7', operators: { '01': 'beeline', '02': 'activ', '77': 'tele2', '07': 'altel' } },
  '257': { country: 'by', callingCode: '375', operators: { '01': 'a1', '02': 'mts', '04': 'life' } },
  '260': { country: 'pl', callingCode: '48', operators: { '01': 'plus', '03': 'orange', '06': 'play' } },
  '234': { country: 'gb', callingCode: '44', operators: { '10': 'o2', '15': 'vodafone', '20': 'three', '30': 'ee' } },
  '262': { country: 'de', callingCode: '49', operators: { '01': 'telekom', '02': 'vodafone', '03': 'o2' } },
};

/** Country and operator an IMSI names, if its network is known. */
export function networkOf(imsi: string): { country: string; operator: string } | undefined {
  const net = networks[imsi.slice(0, 3)];
  const operator = net?.operators[imsi.slice(3, 5)];
  return net && operator ? { country: net.country, operator } : undefined;
}
