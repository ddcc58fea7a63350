import { readOriginator, readSmsc, type AddressType } from './address.ts';
import { dcsOf, type Dcs } from './dcs.ts';
import { PduError } from './errors.ts';
import { unpackSeptets } from './gsm7.ts';
import { octetsOfHex, PduReader } from './reader.ts';
import { readScts } from './scts.ts';
import { textOf } from './text.ts';
import { readUdh, type Concat, type Udh } from './udh.ts';

/** One SMS-DELIVER PDU, read. */
export interface DecodedPdu {
  /** The service centre, `+` and digits; undefined when the PDU carries none (length 00). */
  smsc: string | undefined;
  /** The TPDU's first octet (TP-MTI, TP-MMS, TP-SRI, TP-UDHI, TP-RP). */
  firstOctet: number;
  /** The sender: `+` and digits when international, digits, or a name ("Telegram"). */
  from: string;
  fromType: AddressType;
  /** TP-PID (0x40 is a "type 0" SMS a phone acknowledges and drops). */
  pid: number;
  dcs: Dcs;
  /** TP-SCTS as epoch milliseconds. */
  scts: number;
  /** The SMSC's offset from UTC in the timestamp, in minutes. */
  sctsOffsetMinutes: number;
  /** The user-data header, when TP-UDHI is set. */
  udh: Udh | undefined;
  /** This part's place in a concatenated message; undefined for a single-part SMS. */
  concat: Concat | undefined;
  /**
   * The user data after the header: one septet code per element for GSM 7-bit,
   * raw octets for 8-bit and UCS2. Reassembly joins these before decoding.
   */
  userData: Uint8Array;
  /** This part's text read alone (a multipart message's text comes from reassembly). */
  text: string;
  /** Octets after the SMSC field: what +CMGR and +CMGL report as <length>. */
  tpduLength: number;
}

export interface DecodeOptions {
  /** The <length> the modem reported with the PDU (+CMGR/+CMGL/+CMT); checked when given. */
  tpduLength?: number;
}

function userDataOf(reader: PduReader, dcs: Dcs, udhi: boolean) {
  const udl = reader.octet('TP-UDL');
  const want = dcs.alphabet === 'gsm7' ? Math.ceil((udl * 7) / 8) : udl;
  if (reader.remaining !== want) {
    const unit = dcs.alphabet === 'gsm7' ? `${udl} septets (${want} octets)` : `${udl} octets`;
    throw new PduError('PDU_UDL_MISMATCH', 'TP-UDL', `says ${unit} but ${reader.remaining} octets of user data are present`);
  }
  const ud = reader.take(want, 'TP-UD');
  const { udh, size } = udhi ? readUdh(ud) : { udh: undefined, size: 0 };
  if (dcs.alphabet !== 'gsm7') return { udh, userData: ud.slice(size) };
  const headerSeptets = Math.ceil((size * 8) / 7); // the header is padded to a septet boundary
  if (headerSeptets > udl) throw new PduError('PDU_BAD_UDH', 'TP-UDHL', `a ${size}-octet header in ${udl} septets`);
  return { udh, userData: unpackSeptets(ud, udl - headerSeptets, headerSeptets * 7) };
}

function read(hex: string, options: DecodeOptions): DecodedPdu {
  const reader = new PduReader(octetsOfHex(hex));
  const smsc = readSmsc(reader);
  const tpduLength = reader.remaining;
  if (options.tpduLength !== undefined && options.tpduLength !== tpduLength) {
    throw new PduError('PDU_LENGTH_MISMATCH', '<length>', `the modem reported ${options.tpduLength} octets, the PDU has ${tpduLength}`);
  }
  const firstOctet = reader.octet('TP-MTI');
  // TS 23.040 §9.2.3.1: a reserved TP-MTI (11) is processed as an SMS-DELIVER.
  const mti = firstOctet & 3;
  if (mti === 1 || mti === 2) {
    throw new PduError('PDU_NOT_DELIVER', 'TP-MTI', mti === 1 ? 'an SMS-SUBMIT, not an SMS-DELIVER' : 'an SMS-STATUS-REPORT, not an SMS-DELIVER');
  }
  const from = readOriginator(reader);
  const pid = reader.octet('TP-PID');
  const dcs = dcsOf(reader.octet('TP-DCS'));
  const scts = readScts(reader);
  const { udh, userData } = userDataOf(reader, dcs, (firstOctet & 0x40) !== 0);
  return {
    smsc: smsc?.text, firstOctet, from: from.text, fromType: from.type, pid, dcs,
    scts: scts.at, sctsOffsetMinutes: scts.offsetMinutes, udh, concat: udh?.concat, userData,
    text: textOf(dcs.alphabet, userData, udh?.singleShift), tpduLength,
  };
}

/** Reads an SMS-DELIVER PDU (hex, SMSC first, as 27.005 PDU mode gives it); throws only PduError. */
export function decodeDeliver(hex: string, options: DecodeOptions = {}): DecodedPdu {
  try {
    return read(hex, options);
  } catch (error) {
    if (error instanceof PduError) throw error;
    throw new PduError('PDU_INTERNAL', 'PDU', 'unexpected failure while decoding', { cause: error });
  }
}

/** The TPDU length (octets after the SMSC field) of a PDU, as AT+CMGR/+CMGL report it. */
export function tpduLengthOf(hex: string): number {
  const octets = octetsOfHex(hex);
  if (octets.length < 1) throw new PduError('PDU_TOO_SHORT', 'SMSC length', 'PDU too short, cannot read SMSC length');
  return Math.max(0, octets.length - 1 - octets[0]!);
}
