import mongoose, { type Connection } from 'mongoose';
import type {
  Account, ActivationFilter, ActivationOrder, ActivationQuery, ActivationUpdate, AvailabilityQuery, BrowserSession, ChannelRecord,
  Dialect, EventQuery, ForwardingQuery, ForwardingRecord, KeyOwner, LiveEvent, MoneyMove, NewAccount, NewLiveEvent, NewPartner,
  NewSimMove, NewSms, NewWebhookDelivery, RentExtension, RentOrder, RentQuery, RentRefund, RentUpdate, Settlement,
  SimFilter, SimSighting, Store, WebhookOutcome,
} from '../../../actors/index.ts';
import type { NewAgentToken, PoolTicket, PoolTicketChange, PoolTicketMark } from '../../../actors/index.ts';
import { Accounts } from './accounts.ts';
import { AgentTokens } from './agents.ts';
import { Activations } from './activations.ts';
import { Catalogue } from './catalogue.ts';
import { EventLog, WebhookOutbox } from './events.ts';
import { AppendedListeners } from '../appended.ts';
import { Farm } from './farm.ts';
import { Forwardings } from './forwardings.ts';
import { guarded } from './ids.ts';
import { Logins } from './logins.ts';
import { EventOutbox } from './outbox.ts';
import { models, type Models } from './models.ts';
import { Partners } from './partners.ts';
import { PoolTickets } from './pool-tickets.ts';
import { availability } from './picture.ts';
import { Rents } from './rents.ts';
import { SmsLog } from './sms.ts';

/** How long an order may stay half made before `reconcile` takes it for abandoned by a crash. */
const abandonedAfterMs = 60_000;
/** How old a version with its events still unrelayed must be before another process relays them (its writer stopped). */
const relayGraceMs = 30_000;

/**
 * The MongoDB Store (mongoose), for farms where several server processes share
 * one database. Nothing here needs a multi-document transaction or an atomic
 * update (see models.ts), so it runs on a MongoDB replica set and on FerretDB 1.x.
 * What it keeps in memory is either checked against the database (key owners,
 * every 100 ms) or only a hint that the database corrects (allocation cursors, ids).
 */
export class MongoStore implements Store {
  readonly kind = 'mongo' as const;
  readonly #conn: Connection;
  readonly #m: Models;
  readonly #accounts: Accounts;
  readonly #activations: Activations;
  readonly #farm: Farm;
  readonly #events: EventLog;
  readonly #webhooks: WebhookOutbox;
  readonly #catalogue: Catalogue;
  readonly #sms: SmsLog;
  readonly #logins: Logins;
  readonly #partners: Partners;
  readonly #rents: Rents;
  readonly #forwardings: Forwardings;
  readonly #agents: AgentTokens;
  readonly #tickets: PoolTickets;
  readonly #outbox: EventOutbox;
  readonly #appended = new AppendedListeners();
  #reconcileTimer: NodeJS.Timeout | undefined;

  constructor(conn: Connection, m: Models) {
    this.#conn = conn;
    this.#m = m;
    this.#accounts = new Accounts(m);
    this.#logins = new Logins(m);
    this.#partners = new Partners(m, this.#accounts);
    this.#events = new EventLog(m);
    this.#outbox = new EventOutbox(m, this.#events, (events) => this.#appended.tell(events));
    this.#activations = new Activations(m, this.#accounts, this.#partners, this.#outbox);
    this.#rents = new Rents(m, this.#accounts, this.#activations.allocation, this.#outbox);
    this.#forwardings = new Forwardings(m);
    this.#agents = new AgentTokens(m);
    this.#tickets = new PoolTickets(m);
    this.#farm = new Farm(m);
    this.#webhooks = new WebhookOutbox(m);
    this.#catalogue = new Catalogue(m);
    this.#sms = new SmsLog(m);
  }

  async close() {
    clearInterval(this.#reconcileTimer);
    await this.#conn.close();
  }

  /**
   * Every `everyMs`, voids what a crashed process left half made, as at open. Not only at open: a server
   * restarted within the minute of grace would otherwise leave the order it was making when it died (its
   * charge taken, its SIM held) until some later start. Found by test/faults/kill-loop.test.ts on MongoDB.
   */
  reconcileEvery(everyMs: number) {
    clearInterval(this.#reconcileTimer);
    this.#reconcileTimer = setInterval(() => {
      this.reconcile().catch(() => {}); // tried again at the next turn
    }, everyMs);
    this.#reconcileTimer.unref();
  }

  onAppended(listener: (events: readonly LiveEvent[]) => void) {
    return this.#appended.add(listener);
  }


  /** Voids orders and rents a crashed process left half made, and frees SIMs of ended rents; run at open. */
  reconcile(now = Date.now()): Promise<void> {
    return guarded(async () => {
      await this.#activations.reconcile(now, abandonedAfterMs);
      await this.#rents.reconcile(now, abandonedAfterMs);
      await this.#outbox.relayLeftovers(now, relayGraceMs);
    });
  }

  createAccount(a: NewAccount): Promise<Account> {
    return guarded(() => this.#accounts.create(a));
  }
  accountById(id: number) {
    return guarded(() => this.#accounts.byId(id));
  }
  accountByEmail(email: string) {
    return guarded(() => this.#accounts.byEmail(email));
  }
  accountByKeyHash(keyHash: string) {
    return guarded(() => this.#accounts.byKeyHash(keyHash));
  }
  keyOwner(keyHash: string): Promise<KeyOwner | undefined> {
    return guarded(() => this.#accounts.keyOwner(keyHash));
  }
  setApiKeyHash(accountId: number, keyHash: string) {
    return guarded(() => this.#accounts.setKeyHash(accountId, keyHash));
  }
  setDialect(accountId: number, dialect: Dialect) {
    return guarded(() => this.#accounts.setDialect(accountId, dialect));
  }
  accounts() {
    return guarded(() => this.#accounts.all());
  }

  setPasswordHash(accountId: number, hash: string) {
    return guarded(() => this.#logins.setPasswordHash(accountId, hash));
  }
  passwordHash(accountId: number) {
    return guarded(() => this.#logins.passwordHash(accountId));
  }
  createSession(session: BrowserSession) {
    return guarded(() => this.#logins.create(session));
  }
  sessionOwner(tokenHash: string, now: number) {
    return guarded(() => this.#logins.owner(tokenHash, now));
  }
  deleteSession(tokenHash: string) {
    return guarded(() => this.#logins.delete(tokenHash));
  }
  endSessions(accountId: number, except?: string) {
    return guarded(() => this.#logins.endAll(accountId, except));
  }

  moveMoney(move: MoneyMove) {
    return guarded(() => this.#accounts.move(move));
  }
  ledger(accountId: number) {
    return guarded(() => this.#accounts.ledger(accountId));
  }
  ledgerPage(accountId: number, page: { offset: number; limit: number }) {
    return guarded(() => this.#accounts.ledgerPage(accountId, page));
  }

  setPrice(service: string, country: string, price: number) {
    return guarded(() => this.#catalogue.setPrice(service, country, price));
  }
  prices() {
    return guarded(() => this.#catalogue.prices());
  }
  setRule(service: string, rule: { match: string; code?: string | undefined }) {
    return guarded(() => this.#catalogue.setRule(service, rule));
  }
  rules() {
    return guarded(() => this.#catalogue.rules());
  }
  addAnnouncement(text: string, at: number) {
    return guarded(() => this.#catalogue.addAnnouncement(text, at));
  }
  announcements() {
    return guarded(() => this.#catalogue.announcements());
  }
  setting(key: string) {
    return guarded(() => this.#catalogue.setting(key));
  }
  setSetting(key: string, value: string) {
    return guarded(() => this.#catalogue.setSetting(key, value));
  }

  upsertSim(sim: SimSighting) {
    return guarded(() => this.#farm.upsertSim(sim));
  }
  setSimOnline(iccid: string, online: boolean, at: number) {
    return guarded(() => this.#farm.setOnline(iccid, online, at));
  }
  setSimStandby(iccid: string, at: number) {
    return guarded(() => this.#farm.setStandby(iccid, at));
  }
  setSimPhone(iccid: string, phone: string) {
    return guarded(() => this.#farm.setPhone(iccid, phone));
  }
  sims() {
    return guarded(() => this.#farm.sims());
  }
  simByPhone(phone: string) {
    return guarded(() => this.#farm.simByPhone(phone));
  }
  simByIccid(iccid: string) {
    return guarded(() => this.#farm.simByIccid(iccid));
  }
  recordMove(move: NewSimMove) {
    return guarded(() => this.#farm.recordMove(move));
  }
  completeMoves(iccid: string, channel: string, slot: number, at: number) {
    return guarded(() => this.#farm.completeMoves(iccid, channel, slot, at));
  }
  moves(query: { pending?: boolean; limit: number }) {
    return guarded(() => this.#farm.moves(query));
  }
  saveChannel(channel: ChannelRecord) {
    return guarded(() => this.#farm.saveChannel(channel));
  }
  channels() {
    return guarded(() => this.#farm.channels());
  }
  availability(query: AvailabilityQuery) {
    return guarded(() => availability(this.#m, query));
  }

  openActivation(order: ActivationOrder) {
    return guarded(() => this.#activations.open(order));
  }
  saveActivation(id: number, update: ActivationUpdate, expectedVersion: number) {
    return guarded(() => this.#activations.save(id, update, expectedVersion));
  }
  settleActivation(settlement: Settlement) {
    return guarded(() => this.#activations.settle(settlement));
  }
  activation(id: number) {
    return guarded(() => this.#activations.get(id));
  }
  liveActivationsDue(now: number) {
    return guarded(() => this.#activations.due(now));
  }
  liveActivations(iccid?: string) {
    return guarded(() => this.#activations.live(iccid));
  }
  activations(query: ActivationQuery) {
    return guarded(() => this.#activations.list(query));
  }
  countActivations(filter: ActivationFilter) {
    return guarded(() => this.#activations.count(filter));
  }
  lastCodedActivation(accountId: number, phone: string, service: string) {
    return guarded(() => this.#activations.lastCoded(accountId, phone, service));
  }
  activationOfTicket(tzid: number) {
    return guarded(() => this.#activations.ofTicket(tzid));
  }
  clearBlacklist(accountId: number) {
    return guarded(async () => (await this.#m.blacklist.deleteMany({ accountId })).deletedCount);
  }
  blacklist(accountId: number) {
    return guarded(async () => (await this.#m.blacklist.find({ accountId }).sort({ at: 1 }).lean<{ phone: string }[]>()).map((b) => b.phone));
  }

  saveSms(sms: NewSms) {
    return guarded(() => this.#sms.save(sms));
  }
  linkSms(smsId: number, activationIds: number[]) {
    return guarded(() => this.#sms.link(smsId, activationIds));
  }
  smsOfSim(iccid: string, limit: number) {
    return guarded(() => this.#sms.ofSim(iccid, limit));
  }

  insertPoolTicket(t: PoolTicket) {
    return guarded(() => this.#tickets.insert(t));
  }
  poolTicket(tzid: number) {
    return guarded(() => this.#tickets.get(tzid));
  }
  updatePoolTicket(tzid: number, expected: PoolTicketMark, change: PoolTicketChange) {
    return guarded(() => this.#tickets.update(tzid, expected, change));
  }
  prunePoolTickets(before: number) {
    return guarded(() => this.#tickets.prune(before));
  }

  setRentPrice(country: string, price: number) {
    return guarded(() => this.#catalogue.setRentPrice(country, price));
  }
  rentPrices() {
    return guarded(() => this.#rents.prices());
  }
  rentable(filter: SimFilter) {
    return guarded(() => this.#rents.rentable(filter));
  }
  openRent(order: RentOrder) {
    return guarded(() => this.#rents.open(order));
  }
  extendRent(extension: RentExtension) {
    return guarded(() => this.#rents.extend(extension));
  }
  saveRent(id: number, update: RentUpdate, expectedVersion: number) {
    return guarded(() => this.#rents.save(id, update, expectedVersion));
  }
  refundRent(refund: RentRefund) {
    return guarded(() => this.#rents.refund(refund));
  }
  rent(id: number) {
    return guarded(() => this.#rents.get(id));
  }
  liveRents(iccid?: string) {
    return guarded(() => this.#rents.live(iccid));
  }
  rents(query: RentQuery) {
    return guarded(() => this.#rents.list(query));
  }

  appendEvent(event: NewLiveEvent) {
    return guarded(async () => {
      const stored = await this.#events.append(event);
      this.#appended.tell([stored]);
      return stored;
    });
  }
  appendEvents(events: readonly NewLiveEvent[]) {
    // No multi-document transaction: one insert after another, so ids follow the given order.
    return guarded(async () => {
      const stored = await this.#events.appendMany(events);
      this.#appended.tell(stored);
      return stored;
    });
  }
  eventsSince(query: EventQuery) {
    return guarded(() => this.#events.since(query));
  }
  eventBounds() {
    return guarded(() => this.#events.bounds());
  }
  pruneEvents(rule: { before: number; keep: number }) {
    return guarded(() => this.#events.prune(rule));
  }
  setWebhook(accountId: number, hook: { url: string; secret: string } | null, at: number) {
    return guarded(() => this.#webhooks.set(accountId, hook, at));
  }
  webhook(accountId: number) {
    return guarded(() => this.#webhooks.get(accountId));
  }
  enqueueWebhook(delivery: NewWebhookDelivery) {
    return guarded(() => this.#webhooks.enqueue(delivery));
  }
  claimWebhooks(query: { now: number; leaseUntil: number; limit: number }) {
    return guarded(() => this.#webhooks.claim(query));
  }
  finishWebhook(id: number, outcome: WebhookOutcome) {
    return guarded(() => this.#webhooks.finish(id, outcome));
  }
  webhookDeliveries(accountId: number, limit: number) {
    return guarded(() => this.#webhooks.ofAccount(accountId, limit));
  }
  pruneWebhooks(before: number) {
    return guarded(() => this.#webhooks.prune(before));
  }

  saveForwarding(forwarding: ForwardingRecord) {
    return guarded(() => this.#forwardings.save(forwarding));
  }
  forwarding(activationId: number) {
    return guarded(() => this.#forwardings.get(activationId));
  }
  forwardings(query: ForwardingQuery) {
    return guarded(() => this.#forwardings.find(query));
  }
  setPartner(partner: NewPartner) {
    return guarded(() => this.#partners.set(partner));
  }
  partner(accountId: number) {
    return guarded(() => this.#partners.byAccount(accountId));
  }
  partnerByCode(code: string) {
    return guarded(() => this.#partners.byCode(code));
  }
  partners() {
    return guarded(() => this.#partners.all());
  }
  referrals(partnerId: number, limit: number) {
    return guarded(() => this.#partners.referrals(partnerId, limit, (ids) => this.#activations.states(ids)));
  }
  createAgentToken(token: NewAgentToken) {
    return guarded(() => this.#agents.create(token));
  }
  revokeAgentToken(name: string, at: number) {
    return guarded(() => this.#agents.revoke(name, at));
  }
  agentByTokenHash(tokenHash: string) {
    return guarded(() => this.#agents.byHash(tokenHash));
  }
  agentTokens() {
    return guarded(() => this.#agents.all());
  }
}

/**
 * Connects, builds the indexes, and reconciles what a crash may have left.
 * Rejects with STORE_UNAVAILABLE when the server cannot be reached.
 */
export async function openMongoStore(uri: string, options: { serverSelectionTimeoutMS?: number } = {}): Promise<MongoStore> {
  const conn = mongoose.createConnection(uri, {
    autoIndex: false, // built here, once, and awaited
    autoCreate: false,
    bufferCommands: false, // a lost server fails a call at once (ERROR_SQL) instead of queueing it
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
  });
  try {
    await guarded(async () => {
      await conn.asPromise();
    });
    const m = models(conn);
    await guarded(() => Promise.all(Object.values(m).map((model) => model.createIndexes())));
    const store = new MongoStore(conn, m);
    await store.reconcile();
    store.reconcileEvery(abandonedAfterMs / 4);
    return store;
  } catch (err) {
    await conn.close().catch(() => undefined);
    throw err;
  }
}
