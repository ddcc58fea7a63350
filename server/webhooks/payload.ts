import { country, serviceById, serviceCode, type LiveEvent } from '../../actors/index.ts';

/**
 * sms-activate's webhook body (protocol-notes §1.5), so receivers written for
 * it (pydantic `activationId:int, service:str, text:str, code:str,
 * country:int, receivedAt:str`) parse ours unchanged: its service codes,
 * its numeric country ids, Moscow wall-clock time.
 */
export interface SmsActivatePayload {
  activationId: number;
  service: string;
  text: string;
  code: string;
  country: number;
  receivedAt: string;
}

/** The payload for an `sms.received` event; undefined for any other event. */
export function smsPayload(e: LiveEvent): SmsActivatePayload | undefined {
  if (e.type !== 'sms.received') return undefined;
  const d = e.data as { activationId?: unknown; service?: unknown; text?: unknown; code?: unknown; country?: unknown; receivedAt?: unknown };
  if (typeof d.activationId !== 'number' || typeof d.service !== 'string' || typeof d.country !== 'string') return undefined;
  const service = serviceById(d.service);
  const at = typeof d.receivedAt === 'string' ? Date.parse(d.receivedAt) : e.at;
  return {
    activationId: d.activationId,
    service: (service && serviceCode('smsActivate', service)) ?? d.service,
    text: typeof d.text === 'string' ? d.text : '',
    code: typeof d.code === 'string' ? d.code : '',
    // Every country the catalogue sells has an sms-activate id; -1 would mean one was added without it.
    country: country(d.country)?.smsActivateId ?? -1,
    receivedAt: moscowTime(Number.isFinite(at) ? at : e.at),
  };
}

/** `2023-01-01 12:00:00`, Moscow time, as sms-activate writes times. */
function moscowTime(ms: number): string {
  return new Date(ms + 3 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
