/**
 * The GSM 7-bit default alphabet (3GPP TS 23.038 §6.2.1), its extension table
 * (§6.2.1.1) and the Turkish, Spanish and Portuguese national single shift
 * tables (Annex A.2.1–A.2.3, selected by UDH IEI 0x24). National *locking*
 * shift tables (IEI 0x25) are not decoded: such text is read with the default
 * table and the caller sees `lockingShift` in the UDH.
 *
 * node-pdu 2.1.1 has 0x5F as '`' where the standard has '§' (and so encodes a
 * backtick as '§'), and renders an unknown escape as '`'; hence our own tables.
 */

const ESC = 0x1b;

/** Septet → character; 0x1B is the escape, never a character of its own. */
const DEFAULT =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

type ShiftTable = Readonly<Record<number, string>>;

const EXTENSION: ShiftTable = {
  0x0a: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|', 0x65: '€',
};

/** National language identifier → single shift table (TS 23.038 §6.2.1.2.4 and Annex A.2). */
const SINGLE_SHIFT: Readonly<Record<number, ShiftTable>> = {
  0: EXTENSION,
  1: { ...EXTENSION, 0x47: 'Ğ', 0x49: 'İ', 0x53: 'Ş', 0x63: 'ç', 0x67: 'ğ', 0x69: 'ı', 0x73: 'ş' },
  2: { ...EXTENSION, 0x09: 'ç', 0x41: 'Á', 0x49: 'Í', 0x4f: 'Ó', 0x55: 'Ú', 0x61: 'á', 0x69: 'í', 0x6f: 'ó', 0x75: 'ú' },
  3: {
    ...EXTENSION, 0x05: 'ê', 0x09: 'ç', 0x0b: 'Ô', 0x0c: 'ô', 0x0e: 'Á', 0x0f: 'á', 0x12: 'Φ', 0x13: 'Γ', 0x15: 'Ω',
    0x16: 'Π', 0x17: 'Ψ', 0x18: 'Σ', 0x19: 'Θ', 0x1f: 'Ê', 0x41: 'À', 0x49: 'Í', 0x4f: 'Ó', 0x55: 'Ú', 0x5b: 'Ã',
    0x5c: 'Õ', 0x61: 'Â', 0x69: 'í', 0x6f: 'ó', 0x75: 'ú', 0x7b: 'ã', 0x7c: 'õ', 0x7f: 'â',
  },
};

/**
 * Septet codes (one per array element) to text. `singleShift` is the national
 * language of IEI 0x24; an unknown one falls back to the default extension table.
 */
export function textOfSeptets(septets: ArrayLike<number>, singleShift = 0): string {
  const shift = SINGLE_SHIFT[singleShift] ?? EXTENSION;
  let text = '';
  for (let i = 0; i < septets.length; i++) {
    const code = septets[i]! & 0x7f;
    if (code !== ESC) {
      text += DEFAULT[code];
      continue;
    }
    if (++i >= septets.length) break; // a dangling escape (cut-off text): nothing to show
    const next = septets[i]! & 0x7f;
    // §6.2.1.1: ESC ESC is reserved and shown as a space; an undefined escape shows the default-table character.
    text += next === ESC ? ' ' : (shift[next] ?? DEFAULT[next]);
  }
  return text;
}

const CODE_OF = new Map<string, number[]>();
for (let code = 0; code < 128; code++) if (code !== ESC) CODE_OF.set(DEFAULT[code]!, [code]);
for (const [code, ch] of Object.entries(EXTENSION)) CODE_OF.set(ch, [ESC, Number(code)]);

/** Each character of `text` as its septets (one, or ESC and one), or undefined when any is outside default + extension. */
export function septetsOfText(text: string): number[][] | undefined {
  const out: number[][] = [];
  for (const ch of text) {
    const code = CODE_OF.get(ch);
    if (!code) return undefined;
    out.push(code);
  }
  return out;
}

/** `count` septets unpacked from `octets`, starting after `fillBits` padding bits (TS 23.040 §9.2.3.24). */
export function unpackSeptets(octets: Uint8Array, count: number, fillBits = 0): Uint8Array {
  const out = new Uint8Array(Math.max(0, count));
  for (let i = 0; i < out.length; i++) {
    const bit = fillBits + i * 7;
    const at = bit >> 3;
    const pair = (octets[at] ?? 0) | ((octets[at + 1] ?? 0) << 8);
    out[i] = (pair >> (bit & 7)) & 0x7f;
  }
  return out;
}

/** Septets packed into octets, low bits first, after `fillBits` zero bits. */
export function packSeptets(septets: ArrayLike<number>, fillBits = 0): Uint8Array {
  const out = new Uint8Array(Math.ceil((fillBits + septets.length * 7) / 8));
  for (let i = 0; i < septets.length; i++) {
    const bit = fillBits + i * 7;
    const value = (septets[i]! & 0x7f) << (bit & 7);
    out[bit >> 3]! |= value & 0xff;
    if (value > 0xff) out[(bit >> 3) + 1]! |= value >> 8;
  }
  return out;
}
