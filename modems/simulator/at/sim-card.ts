import type { SimIdentity } from '../../farm.ts';
import { SimStorage, type StoredMessage } from './sim-storage.ts';
import { defaultUssd } from './ussd.ts';

/** One call-forwarding rule on the network side of a SIM (27.007 +CCFC). */
export interface Forwarding {
  active: boolean;
  number: string;
  /** 145 international (`+…`), 129 otherwise. */
  type: number;
  /** 27.007 `<class>`; 1 = voice. */
  class: number;
  /** No-reply timer (reason 2), seconds. */
  time?: number;
}

/** An SMS the host sent from this SIM with `AT+CMGS`. */
export interface SentMessage {
  mr: number;
  pdu: string;
  at: number;
}

export interface SimCardOptions {
  capacity?: number;
  /** Whether the SIM carries its MSISDN, so `AT+CNUM` shows it; many prepaid SIMs don't. */
  numberOnSim?: boolean;
  ussd?: Record<string, string>;
}

/**
 * A SIM card as JSON, to carry it from one farm to another (a farm on another
 * host): what the card holds (identity, SMS memory) and what its network
 * account holds (USSD replies, forwarding), as the card is the account's key.
 */
export interface SimCardPicture {
  identity: SimIdentity;
  capacity: number;
  numberOnSim: boolean;
  ussd: Record<string, string>;
  forwarding: [reason: number, rule: Forwarding][];
  stored: StoredMessage[];
}

/**
 * A simulated SIM: its identity, its SMS memory, and what its network account
 * holds (USSD replies, call forwarding, sent messages). It moves between slots
 * and channels as a whole, as a physical card does.
 */
export class SimCard {
  readonly storage: SimStorage;
  numberOnSim: boolean;
  /** USSD code → reply text. */
  readonly ussd: Record<string, string>;
  /** +CCFC `<reason>` (0 unconditional, 1 busy, 2 no reply, 3 not reachable) → rule. */
  readonly forwarding = new Map<number, Forwarding>();
  readonly sent: SentMessage[] = [];
  #mr = 0;

  constructor(readonly identity: SimIdentity, options: SimCardOptions = {}) {
    this.storage = new SimStorage(options.capacity ?? 30);
    this.numberOnSim = options.numberOnSim ?? true;
    this.ussd = { ...defaultUssd(identity), ...options.ussd };
  }

  /** The card as JSON (its sent log stays behind: it is the farm's record, not the card's). */
  picture(): SimCardPicture {
    return {
      identity: { ...this.identity }, capacity: this.storage.capacity, numberOnSim: this.numberOnSim, ussd: { ...this.ussd },
      forwarding: [...this.forwarding].map(([reason, rule]) => [reason, { ...rule }]),
      stored: this.storage.snapshot().map(({ stat, pdu }) => ({ stat, pdu })),
    };
  }

  /** The card a picture shows, its messages in the same order. */
  static from(p: SimCardPicture): SimCard {
    const card = new SimCard(p.identity, { capacity: p.capacity, numberOnSim: p.numberOnSim, ussd: p.ussd });
    for (const [reason, rule] of p.forwarding) card.forwarding.set(reason, { ...rule });
    for (const m of p.stored) card.storage.store(m.pdu, m.stat);
    return card;
  }

  /** Records an outgoing PDU and returns its TP message reference (0…255, wrapping). */
  send(pdu: string, now: number): number {
    const mr = this.#mr;
    this.#mr = (this.#mr + 1) % 256;
    this.sent.push({ mr, pdu, at: now });
    if (this.sent.length > 1_000) this.sent.shift(); // a bound: the log is for tests and operators
    return mr;
  }
}
