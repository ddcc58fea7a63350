import { packSeptets, septetsOfText, textOfSeptets, unpackSeptets } from './gsm7.ts';

const CR = 0x0d;

/**
 * Text as packed GSM 7-bit octets in upper-case hex, the way USSD and cell
 * broadcast pack it (TS 23.038 §6.1.2.3): with no length field to say where the
 * text ends, 7 spare bits at the end would read as '@', so a <CR> fills them;
 * a text that itself ends in <CR> on an octet boundary gets a second one
 * (§6.1.2.3.1). Undefined when a character is outside the default alphabet
 * and its extension table.
 */
export function packText(text: string): string | undefined {
  const septets = septetsOfText(text)?.flat();
  if (!septets) return undefined;
  if (septets.length % 8 === 7) septets.push(CR);
  else if (septets.length % 8 === 0 && septets.at(-1) === CR) septets.push(CR);
  return Buffer.from(packSeptets(septets)).toString('hex').toUpperCase();
}

/**
 * The text of packed GSM 7-bit octets in hex (the inverse of packText), or
 * undefined when the string is not a well-formed packing: odd length, a
 * non-hex digit, or set bits where the packing leaves zero fill.
 */
export function unpackText(hex: string): string | undefined {
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(hex)) return undefined;
  const octets = Buffer.from(hex, 'hex');
  const count = Math.floor((octets.length * 8) / 7);
  const fillBits = octets.length * 8 - count * 7;
  if (fillBits > 0 && octets.at(-1)! >> (8 - fillBits) !== 0) return undefined;
  let septets = unpackSeptets(octets, count);
  // 7 spare bits hold the <CR> filler (§6.1.2.3.1); only then can the last septet be padding.
  if (octets.length % 7 === 0 && septets.at(-1) === CR) septets = septets.subarray(0, -1);
  return textOfSeptets(septets);
}
