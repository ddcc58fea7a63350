import type { ReceivedSms } from '../store.ts';

/** What happens to an activation: a client's setStatus, an SMS, a restart. */
export type ActivationEvent =
  | { type: 'client.ready' }
  | { type: 'client.retry' }
  | { type: 'client.finish' }
  | { type: 'client.cancel' }
  | { type: 'client.numberUsed' }
  | { type: 'sms.received'; sms: ReceivedSms }
  | { type: 'resume' };

/** The commands a client may send (setStatus), as domain events. */
export type ClientCommand = Extract<ActivationEvent, { type: `client.${string}` }>['type'];
