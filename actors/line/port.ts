import type { Sim } from '../store.ts';

/** The SIM a line operation goes through: its identity and the channel it sits in. */
export type LineSim = Pick<Sim, 'iccid' | 'channel'>;

/**
 * What the domain asks of a SIM's modem beyond SMS: a USSD request and call
 * forwarding. Real modems answer through their channel (AT+CUSD, AT+CCFC);
 * the in-process simulator answers for its SIMs. Failures reject with a LineError.
 */
export interface SimLines {
  /** The network's reply to a USSD code sent from the SIM. */
  ussd(sim: LineSim, code: string): Promise<string>;
  /** Unconditional forwarding of the SIM's calls to `to` (digits with the country code); null clears it. */
  setForwarding(sim: LineSim, to: string | null): Promise<void>;
}

/** Why a line operation failed: the SIM is not reachable now, its network took too long, or said no. */
export class LineError extends Error {
  constructor(
    readonly code: 'LINE_OFFLINE' | 'LINE_TIMEOUT' | 'LINE_REFUSED',
    message: string,
  ) {
    super(message);
    this.name = 'LineError';
  }
}

/** `work`, or a LINE_TIMEOUT rejection after `ms` (the work itself is left to finish or fail on its own). */
export function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LineError('LINE_TIMEOUT', `${what}: no answer within ${ms} ms`)), ms);
  });
  work.catch(() => {}); // observed by the race; a late failure must not go unhandled
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
