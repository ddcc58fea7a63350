import { PduError } from './errors.ts';

/** How the user data is coded. */
export type Alphabet = 'gsm7' | '8bit' | 'ucs2';

export interface Dcs {
  /** The raw TP-DCS octet. */
  value: number;
  alphabet: Alphabet;
  /** Message class 0–3 when the DCS gives one (class 0 is a "flash" SMS). */
  messageClass: number | undefined;
}

const ALPHABET: readonly Alphabet[] = ['gsm7', '8bit', 'ucs2', 'gsm7']; // 11 is reserved: read as the default alphabet

/**
 * TP-DCS (TS 23.038 §4). Reserved codings are read as the GSM 7-bit default
 * alphabet, as the standard tells a receiver to; compressed text is refused.
 */
export function dcsOf(value: number): Dcs {
  const group = value >> 4;
  if (group < 0x8) {
    // 00xx general data coding, 01xx the same marked for automatic deletion
    if (value & 0x20) throw new PduError('PDU_UNSUPPORTED_DCS', 'TP-DCS', `0x${value.toString(16)}: compressed text (TS 23.042) is not supported`);
    return { value, alphabet: ALPHABET[(value >> 2) & 3]!, messageClass: value & 0x10 ? value & 3 : undefined };
  }
  if (group === 0xf) return { value, alphabet: value & 0x04 ? '8bit' : 'gsm7', messageClass: value & 3 };
  if (group === 0xe) return { value, alphabet: 'ucs2', messageClass: undefined }; // message waiting, store, UCS2
  return { value, alphabet: 'gsm7', messageClass: undefined }; // 1100/1101 message waiting, 1000–1011 reserved
}

/** The DCS octet for plain text in `alphabet`, no class. */
export function dcsValue(alphabet: Alphabet): number {
  return alphabet === 'ucs2' ? 0x08 : alphabet === '8bit' ? 0x04 : 0x00;
}
