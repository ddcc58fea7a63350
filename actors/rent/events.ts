import type { RentSms } from '../store.ts';

/** What happens to a rent: an SMS, a longer time, a client's finish or cancel, a restart. */
export type RentEvent =
  | { type: 'sms.received'; sms: RentSms }
  /** The store charged an extension; the rent now ends at `endsAt` and has cost `price` in all. */
  | { type: 'rent.extended'; endsAt: number; price: number }
  | { type: 'client.finish' }
  /** `at`: when the client asked; an early cancel is refunded. */
  | { type: 'client.cancel'; at: number }
  | { type: 'resume' };
