import { PduError } from './errors.ts';

/** One information element of a user-data header. */
export interface UdhElement {
  iei: number;
  data: Uint8Array;
}

/** Where a part sits in a concatenated message (IEI 0x00: 8-bit reference, 0x08: 16-bit). */
export interface Concat {
  ref: number;
  refBits: 8 | 16;
  total: number;
  /** 1-based. */
  part: number;
}

export interface Udh {
  elements: UdhElement[];
  concat: Concat | undefined;
  /** National language of a single shift (IEI 0x24), if any. */
  singleShift: number | undefined;
  /** National language of a locking shift (IEI 0x25), if any: noted, not decoded. */
  lockingShift: number | undefined;
}

/** IE lengths fixed by TS 23.040 §9.2.3.24; an element of another length is malformed. */
const FIXED_LENGTH: Record<number, number> = { 0x00: 3, 0x08: 4, 0x24: 1, 0x25: 1 };

function concatOf(iei: number, d: Uint8Array): Concat | undefined {
  const [ref, total, part] = iei === 0x00 ? [d[0]!, d[1]!, d[2]!] : [(d[0]! << 8) | d[1]!, d[2]!, d[3]!];
  // §9.2.3.24.1: a zero count or number, or a number past the count, voids the element.
  if (total === 0 || part === 0 || part > total) return undefined;
  return { ref, refBits: iei === 0x00 ? 8 : 16, total, part };
}

/** The UDH at the start of `ud` (TP-UDHL then elements); returns it and its size including the UDHL octet. */
export function readUdh(ud: Uint8Array): { udh: Udh; size: number } {
  if (ud.length < 1) throw new PduError('PDU_BAD_UDH', 'TP-UDHL', 'TP-UDHI is set but there is no user data');
  const udhl = ud[0]!;
  if (udhl + 1 > ud.length) throw new PduError('PDU_BAD_UDH', 'TP-UDHL', `header of ${udhl} octets in ${ud.length - 1} of user data`);
  const udh: Udh = { elements: [], concat: undefined, singleShift: undefined, lockingShift: undefined };
  let at = 1;
  while (at < udhl + 1) {
    if (at + 2 > udhl + 1) throw new PduError('PDU_BAD_UDH', 'UDH IE', `element header at octet ${at} runs past TP-UDHL`);
    const iei = ud[at]!;
    const length = ud[at + 1]!;
    if (at + 2 + length > udhl + 1) throw new PduError('PDU_BAD_UDH', `UDH IE 0x${iei.toString(16)}`, `length ${length} runs past TP-UDHL`);
    const data = ud.slice(at + 2, at + 2 + length);
    at += 2 + length;
    udh.elements.push({ iei, data });
    const fixed = FIXED_LENGTH[iei];
    if (fixed !== undefined && fixed !== length) continue; // malformed known element: kept, not interpreted
    if (iei === 0x00 || iei === 0x08) udh.concat = concatOf(iei, data) ?? udh.concat;
    else if (iei === 0x24) udh.singleShift = data[0];
    else if (iei === 0x25) udh.lockingShift = data[0];
  }
  return { udh, size: udhl + 1 };
}

/** The UDH octets (TP-UDHL first) for `elements`. */
export function udhOctets(elements: readonly UdhElement[]): number[] {
  const body = elements.flatMap((e) => [e.iei, e.data.length, ...e.data]);
  if (body.length > 139) throw new PduError('PDU_BAD_INPUT', 'udh', 'a user-data header fits in 139 octets');
  return [body.length, ...body];
}

/** The concatenation element for `concat`. */
export function concatElement(concat: Concat): UdhElement {
  const { ref, refBits, total, part } = concat;
  return refBits === 8
    ? { iei: 0x00, data: Uint8Array.of(ref & 0xff, total, part) }
    : { iei: 0x08, data: Uint8Array.of((ref >> 8) & 0xff, ref & 0xff, total, part) };
}
