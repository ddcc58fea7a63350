import type { RentNews } from '../../actors/index.ts';

/**
 * sms-activate's rent webhook body (protocol-notes §1.5, its blog "wh-rps"):
 * one per SMS a rented number receives.
 */
export interface RentSmsPayload {
  rentId: string;
  sms: { phoneFrom: string; text: string; date: string };
}

/** One payload per SMS the news says the rent received (none for other news). */
export function rentSmsPayloads(news: RentNews): { smsId: number; payload: RentSmsPayload }[] {
  if (news.type !== 'rent.changed') return [];
  return news.received.map((m) => ({
    smsId: m.smsId,
    payload: { rentId: String(news.rent.id), sms: { phoneFrom: m.from, text: m.text, date: moscowTime(m.at) } },
  }));
}

/** `2025-06-17 16:01:10`, Moscow time, as sms-activate writes times. */
function moscowTime(ms: number): string {
  return new Date(ms + 3 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
