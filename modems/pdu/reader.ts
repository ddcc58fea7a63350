import { PduError } from './errors.ts';

/** Longest PDU we read, in octets: SMSC (12) + the largest self-consistent TPDU (~290) with room to spare. */
export const MAX_PDU_OCTETS = 400;

/** Hex text to octets; anything but an even run of hex digits (outer whitespace aside) is refused. */
export function octetsOfHex(hex: string): Uint8Array {
  const clean = hex.trim();
  if (clean.length > MAX_PDU_OCTETS * 2) throw new PduError('PDU_TOO_LONG', 'PDU', `${clean.length / 2} octets, limit ${MAX_PDU_OCTETS}`);
  if (clean.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(clean)) throw new PduError('PDU_BAD_HEX', 'PDU', 'not an even-length hex string');
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export function hexOf(octets: Uint8Array): string {
  return Buffer.from(octets).toString('hex').toUpperCase();
}

/** A cursor over PDU octets; every read checks the length first and names the field it was reading. */
export class PduReader {
  #at = 0;
  constructor(readonly octets: Uint8Array) {}

  get offset(): number {
    return this.#at;
  }

  get remaining(): number {
    return this.octets.length - this.#at;
  }

  octet(field: string): number {
    if (this.remaining < 1) throw new PduError('PDU_TOO_SHORT', field, `PDU too short, cannot read ${field}`);
    return this.octets[this.#at++]!;
  }

  take(count: number, field: string): Uint8Array {
    if (this.remaining < count) {
      throw new PduError('PDU_TOO_SHORT', field, `PDU too short, cannot read ${field} (${count} octets wanted, ${this.remaining} left)`);
    }
    const slice = this.octets.subarray(this.#at, this.#at + count);
    this.#at += count;
    return slice;
  }
}
