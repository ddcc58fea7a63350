export type { Registration, SimCheck } from '../../modems/index.ts';

/** What happens to a modem channel: its port, its SIM, an SMS indication, an operator's request. */
export type ChannelEvent =
  | { type: 'port.lost'; reason: string }
  | { type: 'sms.indicated' }
  | { type: 'sim.changed' }
  | { type: 'slot.switch'; slot: number }
  | { type: 'signal.changed'; dbm: number | null };
