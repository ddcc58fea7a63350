import { PduError } from './errors.ts';
import type { PduReader } from './reader.ts';

/** A service-centre time stamp: the instant, and the SMSC's offset from UTC that the PDU carried. */
export interface Scts {
  /** Epoch milliseconds. */
  at: number;
  /** Minutes east of UTC (quarter hours in the PDU). */
  offsetMinutes: number;
}

/** A swapped-BCD octet (low nibble is the tens digit); undefined when either nibble is not a digit. */
function swapped(octet: number): number | undefined {
  const tens = octet & 0x0f;
  const units = octet >> 4;
  return tens > 9 || units > 9 ? undefined : tens * 10 + units;
}

const FIELDS = [
  ['year', 0, 99], ['month', 1, 12], ['day', 1, 31], ['hour', 0, 23], ['minute', 0, 59], ['second', 0, 59],
] as const;

/** TP-SCTS, seven swapped semi-octet pairs (TS 23.040 §9.2.3.11); bit 3 of the zone octet is its sign. */
export function readScts(reader: PduReader): Scts {
  const octets = reader.take(7, 'TP-SCTS');
  const values: number[] = [];
  for (const [i, [name, min, max]] of FIELDS.entries()) {
    const value = swapped(octets[i]!);
    if (value === undefined || value < min || value > max) {
      throw new PduError('PDU_BAD_SCTS', `TP-SCTS ${name}`, `octet ${octets[i]!.toString(16).padStart(2, '0')} is not a ${name}`);
    }
    values.push(value);
  }
  const zone = octets[6]!;
  const quarters = swapped(zone & 0xf7);
  if (quarters === undefined) throw new PduError('PDU_BAD_SCTS', 'TP-SCTS zone', `octet ${zone.toString(16)} is not a time zone`);
  const offsetMinutes = (zone & 0x08 ? -1 : 1) * quarters * 15;
  const [yy, month, day, hour, minute, second] = values as [number, number, number, number, number, number];
  const year = yy >= 90 ? 1900 + yy : 2000 + yy; // SMS began in the 1990s
  return { at: Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000, offsetMinutes: offsetMinutes || 0 };
}

const bcd = (value: number) => ((value % 10) << 4) | Math.floor(value / 10);

/** TP-SCTS octets for epoch ms `at`, written as local time at `offsetMinutes` (a multiple of 15, |offset| < 20 h). */
export function sctsOctets(at: number, offsetMinutes = 0): number[] {
  if (!Number.isFinite(at) || !Number.isInteger(offsetMinutes / 15) || Math.abs(offsetMinutes / 15) > 79) {
    throw new PduError('PDU_BAD_INPUT', 'timestamp', 'a finite time and a zone offset in quarter hours within ±79');
  }
  const local = new Date(Math.floor(at / 1000) * 1000 + offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  if (year < 1990 || year > 2089) throw new PduError('PDU_BAD_INPUT', 'timestamp', 'an SCTS year lies in 1990–2089');
  const quarters = Math.abs(offsetMinutes / 15);
  return [
    bcd(year % 100), bcd(local.getUTCMonth() + 1), bcd(local.getUTCDate()),
    bcd(local.getUTCHours()), bcd(local.getUTCMinutes()), bcd(local.getUTCSeconds()),
    bcd(quarters) | (offsetMinutes < 0 ? 0x08 : 0),
  ];
}
