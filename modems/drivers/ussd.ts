import { AtError, type AtRunner } from '../at/index.ts';
import { packText, unpackText } from '../pdu/index.ts';

/**
 * How a modem carries GSM 7-bit USSD strings in `AT+CUSD` and `+CUSD`: as text
 * in the TE character set, as 27.007 §7.15 says, or as the packed septets in
 * hex, as Huawei firmwares do (`+CUSD: 0,"AA180C3602",15` is "*100#").
 * ModemManager's huawei plugin packs and unpacks every USSD string; gammu
 * marks such models ENCODED_USSD. Neither guesses from the string itself.
 */
export type UssdWire = 'text' | 'packed';

/** Makers whose firmware packs USSD strings (ModemManager's huawei plugin, gammu's ENCODED_USSD models). */
const packingMakers: readonly RegExp[] = [/huawei/i];

/** TS 23.038 §5 (the CBS data coding scheme USSD uses): the GSM 7-bit default alphabet. */
function isGsm7(dcs: number | undefined): boolean {
  if (dcs === undefined || dcs <= 0x10) return true; // 27.007's default 0; 0000xxxx a language; 0x10 language-prefixed
  if ((dcs & 0xc0) === 0x40) return (dcs & 0x2c) === 0; // 01xx general coding, uncompressed, alphabet 00
  return (dcs & 0xf4) === 0xf0; // 1111 with bit 2 clear: default alphabet with a class
}

function isUcs2(dcs: number | undefined): boolean {
  return dcs !== undefined && (dcs === 72 || (dcs & 0xcc) === 0x48 || dcs === 0x11);
}

/**
 * From a modem we could not identify, hex is unpacked only when reading it as
 * text makes less sense: upper-case hex digits mixing 0–9 and A–F (a packing
 * nearly always does; "1234", "CAFE" and a voucher number do not), a
 * well-formed packing (checked by unpackText), and plain printable text inside.
 */
function looksPacked(str: string, unpacked: string): boolean {
  return /^[0-9A-F]+$/.test(str) && /[A-F]/.test(str) && /[0-9]/.test(str) && /^[\x20-\x7e\r\n]+$/.test(unpacked);
}

/**
 * A USSD reply's text from `+CUSD: <m>,"<str>",<dcs>` (27.007 §7.15, the DCS
 * of 23.038 §5): a UCS2 DCS (72 …) carries UTF-16BE as hex; the GSM default
 * alphabet (15, 0x0F) comes as text, or packed in hex from a modem whose
 * `wire` is `packed`. A string that is not a well-formed packing stays text
 * whatever the modem (a firmware that answers in text after all).
 */
export function ussdText(str: string, dcs: number | undefined, wire?: UssdWire): string {
  if (isUcs2(dcs) && /^([0-9A-Fa-f]{4})+$/.test(str)) return Buffer.from(str, 'hex').swap16().toString('utf16le');
  if (wire === 'text' || !isGsm7(dcs)) return str;
  const unpacked = unpackText(str);
  if (unpacked === undefined) return str;
  return wire === 'packed' || looksPacked(str, unpacked) ? unpacked : str;
}

/** The `<str>` of `AT+CUSD=1,"<str>",15` for a code: packed hex for a modem that packs, else the code as it is. */
export function ussdRequest(code: string, wire: UssdWire | undefined): string {
  return wire === 'packed' ? (packText(code) ?? code) : code;
}

/**
 * Asks the modem how it carries USSD: `AT+CGMI` names the maker; a packing
 * maker's later firmwares have `AT^USSDMODE` (0: the modem codes the text
 * itself, 1: transparent, packed hex), older ones (E173, E1550) lack it and
 * always pack. Undefined when the modem does not say who made it.
 */
export async function ussdWireOf(at: AtRunner): Promise<UssdWire | undefined> {
  const maker = await answerOf(at, 'AT+CGMI', '+CGMI:');
  if (!maker) return undefined;
  if (!packingMakers.some((m) => m.test(maker))) return 'text';
  const mode = await answerOf(at, 'AT^USSDMODE?', '^USSDMODE:');
  return mode === '0' ? 'text' : 'packed';
}

/** The first answer line of `command` without its prefix; undefined when the modem refuses it. */
async function answerOf(at: AtRunner, command: string, prefix: string): Promise<string | undefined> {
  try {
    const { lines } = await at.run(command, { timeoutMs: 2_000 });
    return lines.map((l) => (l.startsWith(prefix) ? l.slice(prefix.length) : l).trim()).find((l) => l !== '');
  } catch (err) {
    if (err instanceof AtError && (err.code === 'AT_ERROR' || err.code === 'AT_CME')) return undefined;
    throw err;
  }
}

/** A USSD code as modems take it: digits, `*` and `#` only, so nothing can break out of the quoted AT argument. */
export function isUssdCode(code: string): boolean {
  return /^[0-9*#]{2,32}$/.test(code);
}
