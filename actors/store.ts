import type { Dialect, SimFilter } from './catalogue/index.ts';
import type { Kopecks } from './money.ts';

/**
 * The Store port: everything the domain keeps. `server/store/sqlite` and
 * `server/store/mongo` implement it and pass one contract suite
 * (test/server/store/contract.ts).
 *
 * Each method is one atomic step. Methods that move money or claim a SIM are
 * idempotent by a key, so an effect re-run after a crash changes nothing twice.
 */
export interface Store {
  readonly kind: 'sqlite' | 'mongo';
  close(): Promise<void>;

  /** Rejects with StoreError `STORE_CONFLICT` when the email or key hash belongs to another account. */
  createAccount(account: NewAccount): Promise<Account>;
  accountById(id: number): Promise<Account | undefined>;
  accountByEmail(email: string): Promise<Account | undefined>;
  accountByKeyHash(keyHash: string): Promise<Account | undefined>;
  /**
   * Who holds a key, for authenticating a request: the hot path of every
   * gateway call, so adapters may answer from memory: a change made through
   * this store is seen by the next call, one made by another process (the CLI)
   * within 100 ms.
   */
  keyOwner(keyHash: string): Promise<KeyOwner | undefined>;
  setApiKeyHash(accountId: number, keyHash: string): Promise<void>;
  setDialect(accountId: number, dialect: Dialect): Promise<void>;
  accounts(): Promise<Account[]>;

  /** Credit (amount > 0) or debit (amount < 0) with its ledger entry; never below zero. */
  moveMoney(move: MoneyMove): Promise<MoneyResult>;
  /** An account's ledger, oldest entry first. */
  ledger(accountId: number): Promise<LedgerEntry[]>;

  setPrice(service: string, country: string, price: Kopecks): Promise<void>;
  /** Prices for a service and country; a missing row means "not sold there". */
  prices(): Promise<PriceRow[]>;
  setRule(service: string, rule: { match: string; code?: string | undefined }): Promise<void>;
  rules(): Promise<Map<string, { match: string; code?: string }>>;
  addAnnouncement(text: string, at: number): Promise<Announcement>;
  announcements(): Promise<Announcement[]>;
  setting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  /** A SIM seen in a slot: inserts it or updates where it sits and what it says of itself. */
  upsertSim(sim: SimSighting): Promise<Sim>;
  setSimOnline(iccid: string, online: boolean, at: number): Promise<void>;
  /** An operator tells a SIM's number (when neither AT+CNUM nor the USSD knows it). */
  setSimPhone(iccid: string, phone: string): Promise<boolean>;
  sims(): Promise<Sim[]>;
  simByPhone(phone: string): Promise<Sim | undefined>;
  simByIccid(iccid: string): Promise<Sim | undefined>;
  /** An operator's move of a SIM to another slot, recorded at once; done when the SIM is seen there. */
  recordMove(move: NewSimMove): Promise<SimMove>;
  /** Marks the pending moves of a SIM to this place as done; returns how many. */
  completeMoves(iccid: string, channel: string, slot: number, at: number): Promise<number>;
  moves(query: { pending?: boolean; limit: number }): Promise<SimMove[]>;
  /** The live picture of a modem channel, as its actor last saw it (one row per channel). */
  saveChannel(channel: ChannelRecord): Promise<void>;
  channels(): Promise<ChannelRecord[]>;
  /** SIMs free for each service under a filter, for one account (its blacklist excluded). */
  availability(query: AvailabilityQuery): Promise<Map<string, { any: number; forwarding: number }>>;

  /**
   * One order as one atomic step: pick a free SIM (or the repeat's SIM), claim
   * it for the service, insert the activation and charge its price.
   */
  openActivation(order: ActivationOrder): Promise<OrderResult>;
  /** Writes an actor snapshot with compare-and-set on its version; returns the new version. */
  saveActivation(id: number, update: ActivationUpdate, expectedVersion: number): Promise<number>;
  /** The end of an activation: refund, release or spend the SIM's claim, blacklist; once per activation. */
  settleActivation(settlement: Settlement): Promise<void>;
  activation(id: number): Promise<ActivationRecord | undefined>;
  liveActivations(): Promise<ActivationRecord[]>;
  /** Activations, newest first, up to `limit`. */
  activations(query: ActivationQuery): Promise<ActivationRecord[]>;
  /** The newest activation of an account on a number and service that received a code. */
  lastCodedActivation(accountId: number, phone: string, service: string): Promise<ActivationRecord | undefined>;
  clearBlacklist(accountId: number): Promise<number>;
  blacklist(accountId: number): Promise<string[]>;

  /** Keeps an SMS once: a second copy with the same fingerprint is reported as a duplicate. */
  saveSms(sms: NewSms): Promise<{ sms: SmsRecord; duplicate: boolean }>;
  linkSms(smsId: number, activationIds: number[]): Promise<void>;
  /** The SIM's newest `limit` SMS, newest first. */
  smsOfSim(iccid: string, limit: number): Promise<SmsRecord[]>;
}

export type Role = 'user' | 'operator' | 'admin';
export const roles: readonly Role[] = ['user', 'operator', 'admin'];

export interface NewAccount {
  email: string;
  role: Role;
  keyHash: string;
  dialect: Dialect;
  createdAt: number;
}

export interface Account {
  id: number;
  email: string;
  role: Role;
  balance: Kopecks;
  dialect: Dialect;
  createdAt: number;
}

/** An account as a request sees it: no balance (that is read where money matters). */
export type KeyOwner = Pick<Account, 'id' | 'email' | 'role' | 'dialect'>;

export type LedgerReason = 'charge' | 'refund' | 'topup' | 'debit';

export interface MoneyMove {
  accountId: number;
  amount: Kopecks;
  reason: LedgerReason;
  /** What the movement is about: `activation:123`, `admin:cli`. */
  ref: string;
  /** Idempotency key: a second move with the same key changes nothing. */
  key: string;
  note?: string;
  at: number;
}

export type MoneyResult =
  | { ok: true; balance: Kopecks; applied: boolean }
  | { ok: false; code: 'insufficientFunds' | 'noAccount' };

export interface LedgerEntry {
  id: number;
  accountId: number;
  amount: Kopecks;
  balanceAfter: Kopecks;
  reason: LedgerReason;
  ref: string;
  key: string;
  note: string;
  at: number;
}

export interface PriceRow {
  service: string;
  country: string;
  price: Kopecks;
}

export interface Announcement {
  id: number;
  text: string;
  at: number;
}

export interface SimSighting {
  iccid: string;
  imsi: string;
  phone: string;
  country: string;
  operator: string;
  channel: string;
  slot: number;
  canForward: boolean;
  online: boolean;
  at: number;
}

export interface Sim extends SimSighting {
  seenAt: number;
  /** Services this SIM may never be sold for again (a code arrived, or a client said "already used"). */
  usedFor: string[];
}

export interface NewSimMove {
  iccid: string;
  from: { channel: string; slot: number };
  to: { channel: string; slot: number };
  requestedBy: number;
  at: number;
}

export interface SimMove extends NewSimMove {
  id: number;
  /** When the SIM was seen in its new slot; null while it is moving. */
  doneAt: number | null;
}

/** What operators see of a modem channel; kept so it outlives the process and other processes can read it. */
export interface ChannelRecord {
  id: string;
  state: string;
  slot: number;
  iccid: string | null;
  phone: string | null;
  operator: string | null;
  registered: boolean;
  signalDbm: number | null;
  lastError: string | null;
  updatedAt: number;
}

export interface AvailabilityQuery {
  accountId: number;
  filter: SimFilter;
}

/** An order for a number; `repeat` pins the SIM (a free repeat or the next SMS of a count=N order). */
export interface ActivationOrder {
  accountId: number;
  service: string;
  filter: SimFilter;
  forwarding: boolean;
  dialect: Dialect;
  createdAt: number;
  expiresAt: number;
  /** How many more activations follow on the same number when this one finishes (count=N). */
  remaining: number;
  /** The state the new activation rests in first; the store writes it with the order. */
  initialState: ActivationState;
  /** A free order on a known SIM: a client's repeat, or the next SMS of a count=N order (`chained`, once per previous). */
  repeat?: { iccid: string; previousId: number; chained: boolean };
}

export type OrderResult =
  | { ok: true; activation: ActivationRecord }
  | { ok: false; code: 'noNumbers' | 'noBalance' | 'busy' };

/** The domain's activation states; gateways translate them into protocol words. */
export type ActivationState =
  | 'waitingForReady'
  | 'waitingForCode'
  | 'codeArrived'
  | 'waitingForRetry'
  | 'waitingForResend'
  | 'cancelling'
  | 'rejecting'
  | 'expiring'
  | 'finishing'
  | 'cancelled'
  | 'rejected'
  | 'expired'
  | 'finished';

export interface ReceivedSms {
  smsId: number;
  from: string;
  text: string;
  code: string;
  at: number;
}

/** What the store keeps of an activation beside its snapshot: queryable projections. */
export interface ActivationRecord {
  id: number;
  accountId: number;
  service: string;
  iccid: string;
  phone: string;
  country: string;
  operator: string;
  price: Kopecks;
  forwarding: boolean;
  dialect: Dialect;
  createdAt: number;
  expiresAt: number;
  remaining: number;
  repeatOf: number | null;
  state: ActivationState;
  live: boolean;
  code: string | null;
  messages: ReceivedSms[];
  /** The activation a count=N order continued with, once this one finished. */
  nextId: number | null;
  snapshot: unknown;
  version: number;
}

/** What changes as an activation moves: its state and what it received, with the snapshot. */
export type ActivationUpdate = Pick<ActivationRecord, 'state' | 'live' | 'code' | 'messages' | 'nextId' | 'snapshot'> & {
  at: number;
};

export interface Settlement {
  activationId: number;
  accountId: number;
  iccid: string;
  phone: string;
  service: string;
  /** Kopecks back to the account; 0 when the code arrived. */
  refund: Kopecks;
  /** `used`: the SIM may never again be sold for this service; `release`: it may. */
  claim: 'used' | 'release';
  blacklist: boolean;
  at: number;
}

export interface ActivationQuery {
  accountId?: number;
  live?: boolean;
  limit: number;
}

export interface NewSms {
  fingerprint: string;
  iccid: string;
  phone: string;
  sender: string;
  text: string;
  receivedAt: number;
}

export interface SmsRecord extends NewSms {
  id: number;
  activationIds: number[];
}

/** Store failures carry a stable code; gateways answer ERROR_SQL for them. */
export class StoreError extends Error {
  constructor(
    readonly code: 'STORE_CONFLICT' | 'STORE_UNAVAILABLE' | 'STORE_CORRUPT',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
