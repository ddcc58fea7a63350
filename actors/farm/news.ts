import type { ChannelRecord, SimMove, SmsRecord } from '../store.ts';

/** How a SIM's place changed: it reads in its slot, waits in an inactive one, is gone, or is being / was moved. */
export type SimChange = 'online' | 'standby' | 'offline' | 'moveRequested' | 'moved';

/**
 * What the farm tells the rest of the system (the live channel's operator
 * topics), each after the store has it: a channel's new picture, a SIM that
 * changed place or state, an SMS the inbox stored and who took it.
 */
export type FarmNews =
  | { type: 'channel.changed'; channel: ChannelRecord }
  | { type: 'sim.changed'; iccid: string; change: SimChange; move?: SimMove }
  | { type: 'sms.stored'; sms: SmsRecord; activationIds: number[]; rentIds: number[] };

/** Hears farm news; it must not throw (the farm goes on whatever a listener does). */
export type FarmNewsListener = (news: FarmNews) => void;
