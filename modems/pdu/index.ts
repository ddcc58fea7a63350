/** The PDU room: SMS-DELIVER decoding and encoding, multipart reassembly, fingerprints. */

/** A PDU that cannot be read (or built); compare its stable `code`. */
export { PduError, type PduErrorCode } from './errors.ts';
/** Reads one SMS-DELIVER PDU (hex, SMSC first) and the TPDU length AT+CMGR reports; throws only PduError. */
export { decodeDeliver, tpduLengthOf, type DecodedPdu, type DecodeOptions } from './deliver.ts';
/** SMS-DELIVER PDUs for a text (the simulator's encoder), and one PDU from fields already coded. */
export { encodeDeliver, buildDeliver, type DeliverInput, type DeliverFields } from './encode.ts';
/** Joins multipart SMSes, with a timeout that still delivers what arrived; says which storage to delete. */
export { Reassembler, type ReassembledSms, type ReassemblerOptions } from './reassembly.ts';
/** The stable identity of a received SMS across re-reads (sha256 hex). */
export { fingerprint, type FingerprintInput } from './fingerprint.ts';
/** The text of user data (septet codes or octets) in an alphabet. */
export { textOf } from './text.ts';
/** Text as packed GSM 7-bit hex with USSD's <CR> fill (TS 23.038 §6.1.2.3), and back; undefined when it cannot be. */
export { packText, unpackText } from './packed-text.ts';
/** How the network typed the sender's address. */
export type { AddressType } from './address.ts';
/** The data coding scheme, read. */
export type { Alphabet, Dcs } from './dcs.ts';
/** The user-data header: its elements, concatenation and national-language shifts. */
export type { Concat, Udh, UdhElement } from './udh.ts';
