import { randomInt } from 'node:crypto';
import { originatorOctets, smscOctets } from './address.ts';
import { dcsOf, dcsValue } from './dcs.ts';
import { PduError } from './errors.ts';
import { packSeptets, septetsOfText } from './gsm7.ts';
import { hexOf } from './reader.ts';
import { sctsOctets } from './scts.ts';
import { concatElement, udhOctets, type UdhElement } from './udh.ts';

/** The fields of one SMS-DELIVER, user data already split and coded. */
export interface DeliverFields {
  /** "+79168999100"; none (00) when absent. */
  smsc?: string;
  /** "+7916…", "8916…", "900" or an alphanumeric name of up to 11 GSM characters. */
  from: string;
  pid?: number;
  /** TP-DCS octet; decides whether `userData` is septets or octets. */
  dcs: number;
  /** SCTS instant, epoch ms. */
  timestamp: number;
  /** SCTS zone, minutes east of UTC (multiple of 15). Default 0. */
  offsetMinutes?: number;
  udh?: readonly UdhElement[];
  /** Septet codes for a GSM 7-bit DCS, octets otherwise; after the header. */
  userData: ArrayLike<number>;
}

/** One SMS-DELIVER PDU as hex, SMSC first, from fields already coded. */
export function buildDeliver(fields: DeliverFields): string {
  const { alphabet } = dcsOf(fields.dcs);
  const header = fields.udh?.length ? udhOctets(fields.udh) : [];
  let udl: number;
  let ud: number[];
  if (alphabet === 'gsm7') {
    const headerSeptets = Math.ceil((header.length * 8) / 7);
    udl = headerSeptets + fields.userData.length;
    if (udl > 160) throw new PduError('PDU_BAD_INPUT', 'userData', `${udl} septets, at most 160`);
    ud = [...header, ...packSeptets(fields.userData, headerSeptets * 7 - header.length * 8)];
  } else {
    ud = [...header, ...Array.from(fields.userData)];
    udl = ud.length;
    if (udl > 140) throw new PduError('PDU_BAD_INPUT', 'userData', `${udl} octets, at most 140`);
  }
  // 0x04: TP-MTI deliver, TP-MMS "no more messages waiting", as service centres send it; 0x40 is TP-UDHI.
  const firstOctet = 0x04 | (header.length ? 0x40 : 0);
  return hexOf(Uint8Array.from([
    ...smscOctets(fields.smsc), firstOctet, ...originatorOctets(fields.from), (fields.pid ?? 0) & 0xff,
    fields.dcs & 0xff, ...sctsOctets(fields.timestamp, fields.offsetMinutes), udl, ...ud,
  ]));
}

/** What to say and who says it; `encodeDeliver` picks the alphabet and splits. */
export interface DeliverInput {
  from: string;
  text: string;
  /** SCTS instant. */
  timestamp: number | Date;
  smsc?: string;
  /** SCTS zone, minutes east of UTC (multiple of 15). Default 0. */
  offsetMinutes?: number;
  /** Force UCS2 for text that would fit GSM 7-bit (many senders do). Default: GSM 7-bit when it fits. */
  alphabet?: 'gsm7' | 'ucs2';
  /** Concatenation of a long text: reference (random by default) and its width (8 by default). */
  parts?: { ref?: number; refBits?: 8 | 16 };
}

/** Greedy split of `units` (each an array of code units never cut) into pieces of at most `size`. */
function split(units: number[][], size: number): number[][] {
  const pieces: number[][] = [[]];
  for (const unit of units) {
    if (pieces.at(-1)!.length + unit.length > size) pieces.push([]);
    pieces.at(-1)!.push(...unit);
  }
  return pieces;
}

/** UTF-16 code units of `text`, a surrogate pair kept together so that no part ends in half a character. */
function utf16Units(text: string): number[][] {
  return Array.from(text, (ch) => Array.from({ length: ch.length }, (_, i) => ch.charCodeAt(i)));
}

const toBytes = (units: number[]) => units.flatMap((u) => [u >> 8, u & 0xff]);

/**
 * SMS-DELIVER PDUs (hex) for a text: GSM 7-bit when every character is in the
 * default alphabet or its extension, else UCS2; a text longer than one SMS is
 * split into concatenated parts (UDH IEI 0x00, or 0x08 with refBits 16), an
 * escape pair or a surrogate pair never cut between parts.
 */
export function encodeDeliver(input: DeliverInput): string[] {
  const refBits = input.parts?.refBits ?? 8;
  if (refBits !== 8 && refBits !== 16) throw new PduError('PDU_BAD_INPUT', 'parts.refBits', 'a reference is 8 or 16 bits');
  const ref = input.parts?.ref ?? randomInt(0, refBits === 8 ? 0x100 : 0x10000);
  if (!Number.isInteger(ref) || ref < 0 || ref >= 2 ** refBits) throw new PduError('PDU_BAD_INPUT', 'parts.ref', `a reference fits in ${refBits} bits`);
  const gsm = input.alphabet === 'ucs2' ? undefined : septetsOfText(input.text);
  if (input.alphabet === 'gsm7' && !gsm) throw new PduError('PDU_BAD_INPUT', 'text', 'a character outside the GSM 7-bit alphabet');
  const headerOctets = refBits === 8 ? 6 : 7;
  let pieces: number[][];
  if (gsm) {
    const single = gsm.flat().length <= 160;
    pieces = single ? [gsm.flat()] : split(gsm, 160 - Math.ceil((headerOctets * 8) / 7));
  } else {
    const units = utf16Units(input.text);
    const single = input.text.length * 2 <= 140;
    pieces = (single ? [units.flat()] : split(units, Math.floor((140 - headerOctets) / 2))).map(toBytes);
  }
  if (pieces.length > 255) throw new PduError('PDU_BAD_INPUT', 'text', `${pieces.length} parts, at most 255`);
  const timestamp = input.timestamp instanceof Date ? input.timestamp.getTime() : input.timestamp;
  const base = { smsc: input.smsc, from: input.from, timestamp, offsetMinutes: input.offsetMinutes, dcs: dcsValue(gsm ? 'gsm7' : 'ucs2') };
  return pieces.map((userData, i) => buildDeliver({
    ...base,
    userData,
    udh: pieces.length > 1 ? [concatElement({ ref, refBits, total: pieces.length, part: i + 1 })] : undefined,
  }));
}
