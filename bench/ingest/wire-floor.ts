import { tpduLength } from '../../modems/simulator/at/sim-storage.ts';

/** The bench's line rate: 115200 baud, 8N1. */
export const baud = 115_200;

/** One byte on the wire at `baud`, 8N1 (10 bits: start, 8 data, stop), in ms. */
export const byteMs = (10 * 1000) / baud;

/** getsms's bytes for one single-part SMS stored at `index`: URC, AT+CMGL=4 + answer, AT+CMGD + OK (echo off). */
export function wireBytes(pdu: string, index: number): number {
  const urc = `\r\n+CMTI: "SM",${index}\r\n`;
  const list = 'AT+CMGL=4\r';
  const answer = `\r\n+CMGL: ${index},0,,${tpduLength(pdu)}\r\n${pdu}\r\n\r\nOK\r\n`;
  const del = `AT+CMGD=${index}\r` + '\r\nOK\r\n';
  return urc.length + list.length + answer.length + del.length;
}
