import type { Alphabet } from './dcs.ts';
import { textOfSeptets } from './gsm7.ts';

const utf16be = new TextDecoder('utf-16be'); // not fatal: a lone surrogate or odd octet reads as U+FFFD

/**
 * Text of user data: septet codes for GSM 7-bit, octets otherwise. UCS2 is
 * read as UTF-16 (surrogate pairs included), as ModemManager does; callers
 * join the octets of all parts first, because a pair can straddle two parts.
 */
export function textOf(alphabet: Alphabet, units: Uint8Array, singleShift?: number): string {
  if (alphabet === 'gsm7') return textOfSeptets(units, singleShift);
  if (alphabet === 'ucs2') return utf16be.decode(units);
  return Buffer.from(units).toString('latin1'); // 8-bit data: one character per octet
}
