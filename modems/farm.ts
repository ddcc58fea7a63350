/** What a SIM says of itself once a modem has read it. */
export interface SimIdentity {
  iccid: string;
  imsi: string;
  /** Digits with the country calling code, no `+`. */
  phone: string;
  /** Lower-case ISO 3166 country, from the IMSI's MCC. */
  country: string;
  operator: string;
  /** The SIM's operator lets it forward calls (AT+CCFC). */
  canForward: boolean;
}

/** What the hardware tells the domain. */
export type FarmEvent =
  | { type: 'sim.present'; channel: string; slot: number; sim: SimIdentity }
  | { type: 'sim.absent'; channel: string; slot: number; iccid: string }
  | { type: 'sms.received'; sms: IncomingSms };

export interface IncomingSms {
  iccid: string;
  /** The sender as the network gave it: digits or an alphanumeric name. */
  from: string;
  text: string;
  receivedAt: number;
  /** Stable across re-reads of the same message, so a copy read twice is dropped once stored. */
  fingerprint: string;
}

/**
 * A farm handler; for `sms.received` the farm deletes the message from the
 * modem only after the returned promise resolves (store, then delete).
 */
export type FarmListener = (event: FarmEvent) => Promise<void> | void;

/** The driver port: a farm of modem channels, real or simulated. */
export interface ModemFarm {
  readonly kind: 'simulated' | 'serial';
  start(listener: FarmListener): Promise<void>;
  stop(): Promise<void>;
}
