import type { IncomingSms, SimIdentity } from './farm.ts';

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

/** How a channel switches its active SIM slot: 3GPP `+CSUS`, Quectel `+QUIMSLOT`, SIMCom `+SMSIMCFG`. */
export type SlotDialect = 'csus' | 'quimslot' | 'smsimcfg';

export interface ModemChannelEvents {
  /** The modem says an SMS was stored (+CMTI): sweep now. */
  indication: [];
  /** The port is gone (unplugged, closed, errored). */
  lost: [reason: string];
  /** A whole SMS the modem pushed (+CMT) instead of storing it: nothing on the SIM to delete, store it now. */
  pushed: [sms: IncomingSms];
  /** The modem says the SIM in its active slot went (`ready` false) or came (+CPIN, ^SIMST): read it again now. */
  sim: [ready: boolean];
}

/**
 * One modem channel as the domain drives it (the driver port). It knows
 * serial ports, AT and PDUs, and nothing of services, prices or users.
 */
export interface ModemChannel {
  readonly id: string;
  /** The remote modem host (agent) the channel's modem is plugged into; absent: this process. */
  readonly host?: string;
  open(): Promise<void>;
  close(): Promise<void>;
  initialise(): Promise<void>;
  readSim(slot: number): Promise<SimCheck>;
  register(): Promise<Registration>;
  /**
   * Reads every SMS the SIM stores, hands each whole message to `store`, and
   * deletes its parts from the modem only once `store` has resolved.
   */
  sweep(iccid: string, store: (sms: IncomingSms) => Promise<void>): Promise<number>;
  switchSlot(slot: number): Promise<void>;
  /** Sends a USSD code (`*100#`) and resolves with the network's reply text. */
  ussd(code: string): Promise<string>;
  /** Sets unconditional call forwarding to a number (international digits), or clears it with null. */
  setForwarding(number: string | null): Promise<void>;
  /** The number calls are forwarded to unconditionally, or null. */
  forwarding(): Promise<string | null>;
  on<E extends keyof ModemChannelEvents>(event: E, listener: (...args: ModemChannelEvents[E]) => void): this;
}
