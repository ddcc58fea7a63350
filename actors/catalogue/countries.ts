/**
 * Countries and operators as the spec and sms-activate name them.
 * Internal ids are lower-case ISO 3166 codes; operators are sms-activate's
 * spelling (`activ`, not the spec's `aktiv`).
 */
export interface CountryDef {
  id: string;
  /** sms-activate's numeric id. */
  smsActivateId: number;
  /** The spec's code (`uk` is the United Kingdom there). */
  getsms: string;
  rus: string;
  eng: string;
  chn: string;
  /** E.164 country calling code. */
  callingCode: string;
  operators: readonly string[];
  /** Price multiplier against Russia, in percent. */
  pricePercent: number;
}

export const countries: readonly CountryDef[] = [
  { id: 'ru', smsActivateId: 0, getsms: 'ru', rus: 'Россия', eng: 'Russia', chn: '俄罗斯', callingCode: '7', operators: ['beeline', 'mts', 'megafon', 'tele2', 'aiva', 'rostelecom'], pricePercent: 100 },
  { id: 'ua', smsActivateId: 1, getsms: 'ua', rus: 'Украина', eng: 'Ukraine', chn: '乌克兰', callingCode: '380', operators: ['beeline', 'kyivstar', 'djuice', 'mts', 'jeans', 'life', 'utel', 'vodafone'], pricePercent: 80 },
  { id: 'kz', smsActivateId: 2, getsms: 'kz', rus: 'Казахстан', eng: 'Kazakhstan', chn: '哈萨克斯坦', callingCode: '7', operators: ['beeline', 'activ', 'tele2', 'altel'], pricePercent: 140 },
  { id: 'by', smsActivateId: 51, getsms: 'by', rus: 'Беларусь', eng: 'Belarus', chn: '白俄罗斯', callingCode: '375', operators: ['mts', 'a1', 'life'], pricePercent: 120 },
  { id: 'pl', smsActivateId: 15, getsms: 'pl', rus: 'Польша', eng: 'Poland', chn: '波兰', callingCode: '48', operators: ['play', 'orange', 'plus'], pricePercent: 200 },
  { id: 'gb', smsActivateId: 16, getsms: 'uk', rus: 'Великобритания', eng: 'United Kingdom', chn: '英国', callingCode: '44', operators: ['ee', 'vodafone', 'o2', 'three'], pricePercent: 250 },
  { id: 'de', smsActivateId: 43, getsms: 'de', rus: 'Германия', eng: 'Germany', chn: '德国', callingCode: '49', operators: ['telekom', 'vodafone', 'o2'], pricePercent: 250 },
];

/** The spec's `country` words that name one operator (`kz_aktiv` is sms-activate's `activ`). */
export const getsmsOperatorWords: Readonly<Record<string, { country: string; operator: string }>> = {
  ru_beeline: { country: 'ru', operator: 'beeline' },
  ru_mts: { country: 'ru', operator: 'mts' },
  ru_megafon: { country: 'ru', operator: 'megafon' },
  ru_tele2: { country: 'ru', operator: 'tele2' },
  ru_aiva: { country: 'ru', operator: 'aiva' },
  ua_beeline: { country: 'ua', operator: 'beeline' },
  ua_kyivstar: { country: 'ua', operator: 'kyivstar' },
  ua_djuice: { country: 'ua', operator: 'djuice' },
  ua_mts: { country: 'ua', operator: 'mts' },
  ua_jeans: { country: 'ua', operator: 'jeans' },
  ua_life: { country: 'ua', operator: 'life' },
  kz_beeline: { country: 'kz', operator: 'beeline' },
  kz_aktiv: { country: 'kz', operator: 'activ' },
  kz_tele2: { country: 'kz', operator: 'tele2' },
};
