/**
 * A PDU that cannot be read as an SMS-DELIVER. The `code` is stable (compare
 * it, never the message); `field` names the TP field being read, as
 * ModemManager's "PDU too short, cannot read TP-MTI" does.
 */
export type PduErrorCode =
  | 'PDU_BAD_HEX' //          not an even-length string of hex digits
  | 'PDU_TOO_LONG' //         longer than any SMS-DELIVER can be (a limit, not a parse)
  | 'PDU_TOO_SHORT' //        a header field runs past the end
  | 'PDU_NOT_DELIVER' //      TP-MTI says SMS-SUBMIT or SMS-STATUS-REPORT (e.g. a sent message listed by AT+CMGL=4)
  | 'PDU_BAD_ADDRESS' //      an address length no address can have
  | 'PDU_BAD_SCTS' //         a timestamp digit or field out of range
  | 'PDU_UNSUPPORTED_DCS' //  compressed text (TS 23.042), which nobody sends
  | 'PDU_BAD_UDH' //          the user-data header does not fit its own lengths
  | 'PDU_UDL_MISMATCH' //     TP-UDL disagrees with the user data actually present
  | 'PDU_LENGTH_MISMATCH' //  the TPDU length the modem reported (+CMGR/+CMGL <length>) disagrees
  | 'PDU_BAD_INPUT' //        encoding: a sender, text or option that no PDU can carry
  | 'PDU_INTERNAL'; //        a bug in this codec, caught at the door so callers see one error type

export class PduError extends Error {
  override readonly name = 'PduError';
  constructor(
    readonly code: PduErrorCode,
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}
