import type { SimIdentity } from '../../modems/index.ts';

/** What happens to a modem channel: its port, its SIM, an SMS indication, an operator's request. */
export type ChannelEvent =
  | { type: 'port.lost'; reason: string }
  | { type: 'sms.indicated' }
  | { type: 'slot.switch'; slot: number }
  | { type: 'signal.changed'; dbm: number | null };

/** What reading the SIM found. */
export type SimCheck =
  | { status: 'ready'; sim: SimIdentity }
  | { status: 'absent' | 'locked' | 'busy' };

/** What asking the network found. */
export interface Registration {
  registered: boolean;
  operator: string | null;
  signalDbm: number | null;
}
