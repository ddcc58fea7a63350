import { createHash } from 'node:crypto';

/** What identifies one received SMS across re-reads: the same SMS read twice gives the same four values. */
export interface FingerprintInput {
  iccid: string;
  from: string;
  /** Service-centre timestamp, epoch ms: set by the network, so a re-read after a crash has the same one. */
  scts: number;
  text: string;
}

/**
 * sha256 (hex) of the receiving SIM, sender, SCTS and text of a (reassembled)
 * message. Storage indexes and read times are left out on purpose: they change
 * when a message is read again after a crash, the SMS does not. Two SMSes alike
 * in all four (same text from the same sender in the same second) count as one.
 */
export function fingerprint({ iccid, from, scts, text }: FingerprintInput): string {
  return createHash('sha256').update(JSON.stringify(['sms/1', iccid, from, scts, text])).digest('hex');
}
