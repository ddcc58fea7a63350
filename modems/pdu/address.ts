import { PduError } from './errors.ts';
import { packSeptets, septetsOfText, textOfSeptets, unpackSeptets } from './gsm7.ts';
import type { PduReader } from './reader.ts';

/** How the network typed an address (TS 23.040 §9.1.2.5, type of number). */
export type AddressType = 'international' | 'national' | 'alphanumeric' | 'unknown' | 'other';

export interface Address {
  /** `+` and digits when international, the digits otherwise, or the sender's name ("Telegram"). */
  text: string;
  type: AddressType;
  /** The raw type-of-address octet. */
  toa: number;
}

const TON: Record<number, AddressType> = { 0: 'unknown', 1: 'international', 2: 'national', 5: 'alphanumeric' };
const BCD = '0123456789*#abc';
/** An address field holds at most 10 octets of value: 20 semi-octets (TS 23.040 §9.1.2.5). */
const MAX_SEMI_OCTETS = 20;
/** The SMSC address (TS 24.011 RP-Address) is at most 11 octets with its type. */
const MAX_SMSC_OCTETS = 11;

function digitsOf(octets: Uint8Array, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    const nibble = (octets[i >> 1]! >> ((i & 1) * 4)) & 0x0f;
    if (nibble === 0x0f) break; // filler: an odd count ends with F
    out += BCD[nibble];
  }
  return out;
}

function addressOf(toa: number, value: string): Address {
  const type = TON[(toa >> 4) & 7] ?? 'other';
  return { text: type === 'international' && value !== '' ? `+${value}` : value, type, toa };
}

/** The SMSC address that 27.005 PDU mode puts first: a length in octets (0 = none), a type, BCD digits. */
export function readSmsc(reader: PduReader): Address | undefined {
  const length = reader.octet('SMSC length');
  if (length === 0) return undefined;
  if (length > MAX_SMSC_OCTETS) throw new PduError('PDU_BAD_ADDRESS', 'SMSC length', `${length} octets, at most ${MAX_SMSC_OCTETS}`);
  const toa = reader.octet('SMSC type');
  return addressOf(toa, digitsOf(reader.take(length - 1, 'SMSC digits'), (length - 1) * 2));
}

/** TP-OA: a length in semi-octets, a type, then BCD digits or (type 5) GSM 7-bit packed letters. */
export function readOriginator(reader: PduReader): Address {
  const semiOctets = reader.octet('TP-OA length');
  if (semiOctets > MAX_SEMI_OCTETS) throw new PduError('PDU_BAD_ADDRESS', 'TP-OA length', `${semiOctets} semi-octets, at most ${MAX_SEMI_OCTETS}`);
  const toa = reader.octet('TP-OA type');
  const value = reader.take(Math.ceil(semiOctets / 2), 'TP-OA digits');
  if (((toa >> 4) & 7) === 5) return addressOf(toa, textOfSeptets(unpackSeptets(value, Math.floor((semiOctets * 4) / 7))));
  return addressOf(toa, digitsOf(value, semiOctets));
}

function bcdOf(digits: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < digits.length; i += 2) {
    const low = BCD.indexOf(digits[i]!);
    const high = i + 1 < digits.length ? BCD.indexOf(digits[i + 1]!) : 0x0f;
    out.push((high << 4) | low);
  }
  return out;
}

const NUMBER = /^\+?[0-9*#]{1,20}$/;

/** The SMSC field for `smsc` ("+79168999100"), or the single 00 octet that means "none". */
export function smscOctets(smsc: string | undefined): number[] {
  if (!smsc) return [0];
  if (!NUMBER.test(smsc) || smsc.replace('+', '').length > (MAX_SMSC_OCTETS - 1) * 2) {
    throw new PduError('PDU_BAD_INPUT', 'smsc', 'an SMSC is "+" and up to 20 digits');
  }
  const digits = smsc.replace('+', '');
  const bcd = bcdOf(digits);
  return [bcd.length + 1, smsc.startsWith('+') ? 0x91 : 0x81, ...bcd];
}

/** TP-OA for `from`: "+7916…" (international), "8916…" or "900" (unknown type), else alphanumeric ("Telegram"). */
export function originatorOctets(from: string): number[] {
  if (NUMBER.test(from)) {
    const digits = from.replace('+', '');
    return [digits.length, from.startsWith('+') ? 0x91 : 0x81, ...bcdOf(digits)];
  }
  const chars = septetsOfText(from);
  const septets = chars?.flat() ?? [];
  const semiOctets = Math.ceil((septets.length * 7) / 4);
  if (!chars || septets.length === 0 || semiOctets > MAX_SEMI_OCTETS) {
    throw new PduError('PDU_BAD_INPUT', 'from', 'an alphanumeric sender is 1–11 GSM 7-bit characters');
  }
  return [semiOctets, 0xd0, ...packSeptets(septets)];
}
