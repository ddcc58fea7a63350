import type { Dialect, SimFilter } from './catalogue/index.ts';
import type { Kopecks } from './money.ts';

/**
 * The Store port: everything the domain keeps. `server/store/sqlite` and
 * `server/store/mongo` implement it and pass one contract suite
 * (test/server/store/contract.ts, its areas in contract-*.ts).
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

  /** Browser sign-in: an account's password hash (`scrypt$…`, salted); the store never sees a password. */
  setPasswordHash(accountId: number, hash: string): Promise<void>;
  passwordHash(accountId: number): Promise<string | undefined>;
  /** A browser session, kept as the SHA-256 of its cookie token; also drops the account's expired sessions. */
  createSession(session: BrowserSession): Promise<void>;
  /** The account a session belongs to, while `now` is before its expiry; an ended or unknown session has none. */
  sessionOwner(tokenHash: string, now: number): Promise<KeyOwner | undefined>;
  /** Ends a session (sign-out); ending one that is gone changes nothing. */
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session of an account but `except` (a new password signs out every other browser); returns how many. */
  endSessions(accountId: number, except?: string): Promise<number>;

  /** Credit (amount > 0) or debit (amount < 0) with its ledger entry; never below zero. */
  moveMoney(move: MoneyMove): Promise<MoneyResult>;
  /** An account's ledger, oldest entry first. */
  ledger(accountId: number): Promise<LedgerEntry[]>;
  /** A page of an account's ledger, newest entry first (`offset` of them skipped), and how many entries it has. */
  ledgerPage(accountId: number, page: { offset: number; limit: number }): Promise<{ entries: LedgerEntry[]; total: number }>;

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
  /** Online: in its channel's active slot; offline: gone, or its channel is down. Either way no longer on standby. */
  setSimOnline(iccid: string, online: boolean, at: number): Promise<void>;
  /** Its channel switched to another slot: the SIM waits in its own, sold only by switching back to it. */
  setSimStandby(iccid: string, at: number): Promise<void>;
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
  /** Every live activation, oldest first; only those on one SIM when `iccid` is given. */
  liveActivations(iccid?: string): Promise<ActivationRecord[]>;
  /** Live activations past their deadline at `now`, and those being settled: what a stopped process may have left. */
  liveActivationsDue(now: number): Promise<ActivationRecord[]>;
  /** Activations that match, newest first, `offset` of them skipped, up to `limit`. */
  activations(query: ActivationQuery): Promise<ActivationRecord[]>;
  /** How many activations match (History's page count). */
  countActivations(filter: ActivationFilter): Promise<number>;
  /** The newest activation of an account on a number and service that received a code. */
  lastCodedActivation(accountId: number, phone: string, service: string): Promise<ActivationRecord | undefined>;
  /** The activation a pool ticket's order made (`ActivationOrder.ticket`); none while it is not made. */
  activationOfTicket(tzid: number): Promise<ActivationRecord | undefined>;
  clearBlacklist(accountId: number): Promise<number>;
  blacklist(accountId: number): Promise<string[]>;

  /** Keeps an SMS once: a second copy with the same fingerprint is reported as a duplicate. */
  saveSms(sms: NewSms): Promise<{ sms: SmsRecord; duplicate: boolean }>;
  linkSms(smsId: number, activationIds: number[]): Promise<void>;
  /** The SIM's newest `limit` SMS, newest first. */
  smsOfSim(iccid: string, limit: number): Promise<SmsRecord[]>;

  /** Keeps a new pool ticket; false when its tzid is taken (the caller draws another). */
  insertPoolTicket(ticket: PoolTicket): Promise<boolean>;
  poolTicket(tzid: number): Promise<PoolTicket | undefined>;
  /**
   * Compare-and-set on a pool ticket: applies `change` only while its state, `triedAt` and `leaseUntil` are
   * still `expected`, so of several processes acting on what they read, one wins; false for the others.
   */
  updatePoolTicket(tzid: number, expected: PoolTicketMark, change: PoolTicketChange): Promise<boolean>;
  /**
   * Drops pool tickets made before `before` that never got a number; returns how many went. A filled one
   * stays: its tzid names its activation for good.
   */
  prunePoolTickets(before: number): Promise<number>;

  /** The price of a 24-hour rent in a country (kopecks); a country without one is not rented out. */
  setRentPrice(country: string, price: Kopecks): Promise<void>;
  rentPrices(): Promise<RentPriceRow[]>;
  /** SIMs that could be rented now under a filter. */
  rentable(filter: SimFilter): Promise<number>;
  /**
   * One rent as one atomic step: pick a SIM that is sold now and that no live
   * activation or rent holds, insert the rent and charge it (ledger key `rent:<id>`).
   */
  openRent(order: RentOrder): Promise<RentResult>;
  /**
   * A rent made longer, charged in the same step (`rent-extend:<id>:<n>`, n = 1, 2 …);
   * refused once the rent is over or its time is up.
   */
  extendRent(extension: RentExtension): Promise<RentExtendResult>;
  /** Writes a rent actor's snapshot with compare-and-set on its version; returns the new version. */
  saveRent(id: number, update: RentUpdate, expectedVersion: number): Promise<number>;
  /** Money back for a rent cancelled early; once per rent (`rent-refund:<id>`). */
  refundRent(refund: RentRefund): Promise<void>;
  rent(id: number): Promise<RentRecord | undefined>;
  /** Every live rent, oldest first; only the one on a SIM when `iccid` is given. */
  liveRents(iccid?: string): Promise<RentRecord[]>;
  /** Rents, newest first, up to `limit`. */
  rents(query: RentQuery): Promise<RentRecord[]>;

  /**
   * Appends to the durable event log the live channel reads. Ids increase in
   * commit order and are never reused, so a reader that remembers the last id
   * it saw (a reconnecting client, another server process polling) misses nothing.
   */
  appendEvent(event: NewLiveEvent): Promise<LiveEvent>;
  /** Several events in one write (a busy server batches), their ids increasing in the given order. */
  appendEvents(events: readonly NewLiveEvent[]): Promise<LiveEvent[]>;
  /**
   * Tells `listener` of the events this store appends, whichever step appended them (an order's, a snapshot's,
   * appendEvents), in id order, once they are durable. Returns the way to stop.
   */
  onAppended(listener: (events: readonly LiveEvent[]) => void): () => void;
  /** Events with ids above `after`, oldest first, up to `limit`; with `accountId`, only that account's. */
  eventsSince(query: EventQuery): Promise<LiveEvent[]>;
  /** The oldest and newest ids the log holds; both 0 when it is empty. */
  eventBounds(): Promise<{ oldest: number; newest: number }>;
  /** Drops events older than `before` and all but the newest `keep`; returns how many went. */
  pruneEvents(rule: { before: number; keep: number }): Promise<number>;

  /** An account's webhook (URL and signing secret); null removes it. */
  setWebhook(accountId: number, hook: { url: string; secret: string } | null, at: number): Promise<void>;
  webhook(accountId: number): Promise<Webhook | undefined>;
  /** Queues a delivery once per key; false when that key was queued before. */
  enqueueWebhook(delivery: NewWebhookDelivery): Promise<boolean>;
  /**
   * Takes up to `limit` pending deliveries due by `now`, counts the attempt and
   * moves their due time to `leaseUntil`: another process (or this one after a
   * crash) takes a delivery up again only when its lease ran out unfinished.
   */
  claimWebhooks(query: { now: number; leaseUntil: number; limit: number }): Promise<WebhookDelivery[]>;
  /** The outcome of an attempt: delivered, due again at `retryAt`, or (retryAt null) given up. */
  finishWebhook(id: number, outcome: WebhookOutcome): Promise<void>;
  /** An account's deliveries, newest first. */
  webhookDeliveries(accountId: number, limit: number): Promise<WebhookDelivery[]>;
  /** Drops delivered and given-up deliveries finished before `before`; returns how many went. */
  pruneWebhooks(before: number): Promise<number>;

  /** Call forwarding asked for on an activation's SIM: inserts or updates that activation's record. */
  saveForwarding(forwarding: ForwardingRecord): Promise<void>;
  forwarding(activationId: number): Promise<ForwardingRecord | undefined>;
  /** Forwarding records, newest first: an account's, on a number, or those still pending. */
  forwardings(query: ForwardingQuery): Promise<ForwardingRecord[]>;

  /**
   * Makes an account a partner (or changes its code or share). Rejects with
   * StoreError `STORE_CONFLICT` when another partner has the code.
   */
  setPartner(partner: NewPartner): Promise<Partner>;
  partner(accountId: number): Promise<Partner | undefined>;
  /** The partner a request's `ref` names; codes are compared without regard to case. */
  partnerByCode(code: string): Promise<Partner | undefined>;
  partners(): Promise<Partner[]>;
  /** A partner's referred activations, newest first, with what each earned. */
  referrals(partnerId: number, limit: number): Promise<Referral[]>;

  /**
   * A remote modem host's token, kept as its SHA-256. Rejects with StoreError
   * `STORE_CONFLICT` while the name has a token that is not revoked; a revoked name may be given a new one.
   */
  createAgentToken(token: NewAgentToken): Promise<AgentToken>;
  /** Revokes a name's token; false when it has none that works. */
  revokeAgentToken(name: string, at: number): Promise<boolean>;
  /** The agent a token hash belongs to while it is not revoked. */
  agentByTokenHash(tokenHash: string): Promise<AgentToken | undefined>;
  /** Every agent token ever made, revoked ones too, by name. */
  agentTokens(): Promise<AgentToken[]>;
}

export interface NewAgentToken {
  /** The agent's name: 1–32 letters, digits, `.`, `_`, `-`; its channels are `<name>/<channel>`. */
  name: string;
  tokenHash: string;
  createdAt: number;
}

export interface AgentToken extends NewAgentToken {
  revokedAt: number | null;
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

export interface BrowserSession {
  tokenHash: string;
  accountId: number;
  createdAt: number;
  expiresAt: number;
}

/** `commission`: a partner's share of an activation its software sold (paid by the platform, not the customer). */
export type LedgerReason = 'charge' | 'refund' | 'topup' | 'debit' | 'commission';

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
  /**
   * In an inactive slot of its channel (offline meanwhile). A channel serves one slot at a time, so such a SIM
   * is sold only while no live activation holds another SIM of its channel, and the sale switches the channel.
   */
  standby?: boolean;
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
  /**
   * The partner whose software placed the order (`ref=`) and its share in basis points: the store records
   * the commission (the share of the price, rounded down) with the order, and `settleActivation` pays it
   * once the customer's charge stands.
   */
  referral?: { partnerId: number; shareBp: number };
  /**
   * The pool ticket this order tries to fill (sms-reg's TZ_INPOOL): a ticket gets one activation at most, and
   * ordering again for it answers the one made, so a try repeated after a crash never charges twice.
   */
  ticket?: number;
  /** What the new activation tells subscribers, appended with the order in one atomic step (see ActivationUpdate.events). */
  announce?: (opened: ActivationRecord) => readonly NewLiveEvent[];
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
  /** What the change tells subscribers: appended in the same atomic step (an outbox), so a crash keeps both or neither. */
  events?: readonly NewLiveEvent[];
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
  service?: string;
  /** Only those made at or after this time (ms). */
  createdFrom?: number;
  /** Only those made before this time (ms). */
  createdBefore?: number;
  /** Skips the newest `offset` that match: a page further back. */
  offset?: number;
  limit: number;
}

/** Which activations to count: a query without its page. */
export type ActivationFilter = Omit<ActivationQuery, 'offset' | 'limit'>;

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

/** What a live event is about: operators subscribe to the farm's topics, everyone to their activations and rents. */
export type EventTopic = 'activation' | 'rent' | 'channel' | 'sim' | 'sms';

export interface NewLiveEvent {
  at: number;
  topic: EventTopic;
  /** `noun.verb`: `activation.opened`, `activation.changed`, `sms.received`. */
  type: string;
  /** Whose event it is; null for farm events only operators see. */
  accountId: number | null;
  /** The event's fields, JSON. */
  data: Readonly<Record<string, unknown>>;
}

export interface LiveEvent extends NewLiveEvent {
  id: number;
}

export interface EventQuery {
  after: number;
  limit: number;
  accountId?: number;
}

export interface Webhook {
  accountId: number;
  url: string;
  /** The HMAC-SHA256 key deliveries are signed with. */
  secret: string;
  updatedAt: number;
}

export interface NewWebhookDelivery {
  /** Idempotency key: `sms:<activation id>:<sms id>`. */
  key: string;
  accountId: number;
  url: string;
  /** The exact JSON body that is POSTed (and signed). */
  body: string;
  createdAt: number;
  dueAt: number;
}

export interface WebhookDelivery extends NewWebhookDelivery {
  id: number;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError: string | null;
  doneAt: number | null;
}

export type WebhookOutcome =
  | { delivered: true; at: number }
  | { delivered: false; error: string; retryAt: number | null; at: number };

/** The price of renting a number in a country for 24 hours. */
export interface RentPriceRow {
  country: string;
  price: Kopecks;
}

/** A number rented for a time: every SMS the SIM receives meanwhile is the renter's. */
export interface RentOrder {
  accountId: number;
  filter: SimFilter;
  /** What the client named (sms-activate's service code, `full` = any); a rent receives every SMS all the same. */
  service: string;
  dialect: Dialect;
  /** Rented hours; the price is the country's 24-hour price times hours / 24, rounded up to a kopeck. */
  hours: number;
  createdAt: number;
  endsAt: number;
  /** What the new rent tells the renter, appended with the order in one atomic step. */
  announce?: (opened: RentRecord) => readonly NewLiveEvent[];
}

export type RentResult = { ok: true; rent: RentRecord } | { ok: false; code: 'noNumbers' | 'noBalance' };

export interface RentExtension {
  rentId: number;
  accountId: number;
  hours: number;
  /** How much later the rent ends (hours in the configured hour length). */
  addMs: number;
  at: number;
}

export type RentExtendResult =
  | { ok: true; rent: RentRecord; charged: Kopecks }
  | { ok: false; code: 'noRent' | 'ended' | 'noBalance' | 'noPrice' };

/** The rent's states; gateways translate them into protocol words. */
export type RentState = 'renting' | 'cancelling' | 'cancelled' | 'finished' | 'expired';

export interface RentSms {
  smsId: number;
  from: string;
  text: string;
  at: number;
}

export interface RentRecord {
  id: number;
  accountId: number;
  iccid: string;
  phone: string;
  country: string;
  operator: string;
  service: string;
  dialect: Dialect;
  /** Everything charged so far: the rent and its extensions. */
  price: Kopecks;
  hours: number;
  extensions: number;
  createdAt: number;
  endsAt: number;
  state: RentState;
  live: boolean;
  /** Oldest first. */
  messages: RentSms[];
  snapshot: unknown;
  version: number;
}

export type RentUpdate = Pick<RentRecord, 'state' | 'live' | 'messages' | 'snapshot'> & {
  at: number;
  /** What the change tells the renter, appended in the same atomic step (see ActivationUpdate.events). */
  events?: readonly NewLiveEvent[];
};

export interface RentRefund {
  rentId: number;
  accountId: number;
  amount: Kopecks;
  at: number;
}

/**
 * sms-reg's pool (API #2): an order the farm could not fill at once waits as a ticket, `TZ_INPOOL`, and is
 * tried again while its owner asks about it, until `until`. Kept in the store so that any process answers
 * for it; a try is leased (`leaseUntil`) so that only one process at a time places its order.
 */
export interface PoolTicket {
  /** The id getNum answered: 2,000,000,000 and above, a range activation ids never reach. */
  tzid: number;
  accountId: number;
  service: string;
  filter: SimFilter;
  createdAt: number;
  /** The end of the pool window: no try begins after it. */
  until: number;
  state: PoolTicketState;
  /** The activation that filled it (state `filled`). */
  activationId: number | null;
  /** When the newest try began. */
  triedAt: number;
  /** While a try runs: when others may take it for abandoned (its process died). 0 when none runs. */
  leaseUntil: number;
}

export type PoolTicketState = 'looking' | 'filled' | 'noNumbers' | 'noBalance' | 'withdrawn';
/** What a compare-and-set on a ticket compares. */
export type PoolTicketMark = Pick<PoolTicket, 'state' | 'triedAt' | 'leaseUntil'>;
export type PoolTicketChange = Partial<Pick<PoolTicket, 'state' | 'activationId' | 'triedAt' | 'leaseUntil'>>;

export interface RentQuery {
  accountId?: number;
  live?: boolean;
  limit: number;
}

/** Unconditional call forwarding asked for on an activation's SIM, and whether the network took it. */
export interface ForwardingRecord {
  activationId: number;
  accountId: number;
  iccid: string;
  /** The SIM's number (the one that forwards). */
  phone: string;
  /** Where calls go: digits with the country code. */
  to: string;
  state: 'pending' | 'set' | 'failed';
  /** Why it failed (a sentence for the client), else null. */
  error: string | null;
  attempts: number;
  requestedAt: number;
  doneAt: number | null;
}

export interface ForwardingQuery {
  accountId?: number;
  phone?: string;
  state?: ForwardingRecord['state'];
  limit: number;
}

export interface NewPartner {
  accountId: number;
  /** What software sends as `ref=`: 1–64 letters, digits, `.`, `_`, `@`, `-`. */
  code: string;
  /** The partner's share of each price, in basis points (1000 = 10 %). */
  shareBp: number;
  at: number;
}

export interface Partner extends NewPartner {
  createdAt: number;
}

/** An activation ordered with a partner's `ref`: its commission, and when it was paid (null: not, or never). */
export interface Referral {
  activationId: number;
  partnerId: number;
  service: string;
  country: string;
  price: Kopecks;
  state: ActivationState;
  commission: Kopecks;
  orderedAt: number;
  paidAt: number | null;
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
