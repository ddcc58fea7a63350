import { encodeDeliver } from '../../pdu/index.ts';
import type { SmsToDeliver } from './types.ts';

/**
 * The simulator's SMS-DELIVER encoder: the PDU room's, as a network sends
 * them (GSM-7 with escapes when the text fits, else UCS2; long texts split with
 * an 8-bit reference), stamped +03:00 as the Russian networks most simulated
 * SIMs belong to stamp their SMS.
 */
export function deliverPdus(sms: SmsToDeliver): string[] {
  return encodeDeliver({ from: sms.from, text: sms.text, timestamp: sms.timestamp, offsetMinutes: 180 });
}
