/**
 * A USSD reply's text from `+CUSD: <m>,"<str>",<dcs>` (27.007 §7.15, the DCS of
 * 23.038 §5): DCS 72 (or any UCS2 group) carries UTF-16BE as hex; the GSM
 * default alphabet (15, 0x0F) comes as text in the TE character set.
 */
export function ussdText(str: string, dcs: number | undefined): string {
  const ucs2 = dcs !== undefined && (dcs === 72 || (dcs & 0xcc) === 0x48 || dcs === 0x11);
  if (ucs2 && /^([0-9A-Fa-f]{4})+$/.test(str)) return Buffer.from(str, 'hex').swap16().toString('utf16le');
  return str;
}

/** A USSD code as modems take it: digits, `*` and `#` only, so nothing can break out of the quoted AT argument. */
export function isUssdCode(code: string): boolean {
  return /^[0-9*#]{2,32}$/.test(code);
}
