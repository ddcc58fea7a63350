import Database from 'better-sqlite3';
import type {
  Account, ActivationFilter, ActivationOrder, ActivationQuery, ActivationRecord, ActivationUpdate, Announcement,
  AvailabilityQuery, LedgerEntry, MoneyMove, MoneyResult, NewAccount, NewSms, OrderResult, PriceRow,
  Settlement, Sim, SimSighting, SmsRecord, Store, KeyOwner, ChannelRecord, NewSimMove, SimMove,
} from '../../../actors/index.ts';
import { StoreError } from '../../../actors/index.ts';
import type { ForwardingQuery, ForwardingRecord, NewPartner } from '../../../actors/index.ts';
import type { NewAgentToken, PoolTicket, PoolTicketChange, PoolTicketMark } from '../../../actors/index.ts';
import type {
  BrowserSession, Dialect, EventQuery, LiveEvent, NewLiveEvent, NewWebhookDelivery, WebhookOutcome,
} from '../../../actors/index.ts';
import type {
  RentExtendResult, RentExtension, RentOrder, RentPriceRow, RentQuery, RentRefund, RentResult, RentUpdate, SimFilter,
} from '../../../actors/index.ts';
import { settlingStates } from '../../../actors/index.ts';
import { EventLog, WebhookOutbox } from './events.ts';
import { AppendedListeners } from '../appended.ts';
import { ForwardingBook } from './forwardings.ts';
import { PartnerBook } from './partners.ts';
import { BrowserLogins } from './sessions.ts';
import { AgentTokens } from './agents.ts';
import { Ledger } from './money.ts';
import { PoolTickets } from './pool-tickets.ts';
import { RentBook } from './rents.ts';
import { allocation, filterParams, freeSim, servable, simRow } from './sims-sql.ts';
import { guarded, storeFault } from './faults.ts';
import { migrate } from './schema.ts';
import * as rows from './rows.ts';

/**
 * The embedded Store: one SQLite file in WAL mode. better-sqlite3 is
 * synchronous, so every method is one transaction that no other request can
 * interleave with; other processes (the CLI) wait on the busy timeout.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly #db: Database.Database;
  readonly #q: ReturnType<typeof statements>;
  readonly #events: EventLog;
  readonly #webhooks: WebhookOutbox;
  readonly #forwardings: ForwardingBook;
  readonly #partners: PartnerBook;
  readonly #logins: BrowserLogins;
  readonly #agents: AgentTokens;
  readonly #tickets: PoolTickets;
  readonly #ledger: Ledger;
  readonly #rents: RentBook;
  /** Key hash → owner, valid while no other process committed (PRAGMA data_version) and we changed no key. */
  readonly #owners = new Map<string, KeyOwner | null>();
  #dataVersion = -1;
  #checkedAt = -Infinity;
  /** Per service and country: the sims rowid the last allocation took. */
  readonly #cursors = new Map<string, number>();
  readonly #appended = new AppendedListeners();
  readonly #byShape = new Map<string, Database.Statement>();

  constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable across a process crash
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma('foreign_keys = ON');
    try {
      migrate(this.#db);
    } catch (err) {
      this.#db.close(); // a refused data directory is not left open
      throw err;
    }
    this.#q = statements(this.#db);
    this.#events = new EventLog(this.#db);
    this.#webhooks = new WebhookOutbox(this.#db);
    this.#forwardings = new ForwardingBook(this.#db);
    this.#partners = new PartnerBook(this.#db);
    this.#logins = new BrowserLogins(this.#db);
    this.#agents = new AgentTokens(this.#db);
    this.#tickets = new PoolTickets(this.#db);
    this.#ledger = new Ledger(this.#db);
    this.#rents = new RentBook(this.#db, this.#ledger);
  }

  async close() {
    this.#db.close();
  }

  async createAccount(a: NewAccount): Promise<Account> {
    this.#owners.clear();
    return this.#tx(() => rows.account(this.#q.accountById.get(this.#q.insertAccount.run(a).lastInsertRowid)));
  }
  async accountById(id: number) {
    return rows.maybe(rows.account, this.#q.accountById.get(id));
  }
  async accountByEmail(email: string) {
    return rows.maybe(rows.account, this.#q.accountByEmail.get(email));
  }
  async accountByKeyHash(keyHash: string) {
    return rows.maybe(rows.account, this.#q.accountByKey.get(keyHash));
  }
  async keyOwner(keyHash: string): Promise<KeyOwner | undefined> {
    // data_version moves when another connection (the CLI) commits; our own key changes clear the map.
    // It is read at most every ownersCheckMs: each read takes WAL locks, which cost a getStatus as much as Koa does.
    const now = performance.now();
    if (now - this.#checkedAt >= ownersCheckMs) {
      this.#checkedAt = now;
      const version = this.#q.dataVersion.get() as number;
      if (version !== this.#dataVersion) {
        this.#owners.clear();
        this.#dataVersion = version;
      }
    }
    let owner = this.#owners.get(keyHash);
    if (owner === undefined) {
      const row = this.#q.ownerByKey.get(keyHash) as KeyOwner | undefined;
      owner = row ? { id: row.id, email: row.email, role: row.role, dialect: row.dialect } : null;
      if (this.#owners.size >= 100_000) this.#owners.clear(); // bounded: unknown keys are cached too
      this.#owners.set(keyHash, owner);
    }
    return owner ?? undefined;
  }
  async setApiKeyHash(accountId: number, keyHash: string) {
    this.#owners.clear();
    this.#tx(() => this.#q.setKey.run(keyHash, accountId));
  }
  async setDialect(accountId: number, dialect: Dialect) {
    this.#owners.clear();
    this.#q.setDialect.run(dialect, accountId);
  }
  async accounts() {
    return this.#q.accounts.all().map(rows.account);
  }

  async setPasswordHash(accountId: number, hash: string) {
    this.#tx(() => this.#logins.setPasswordHash(accountId, hash));
  }
  async passwordHash(accountId: number) {
    return this.#logins.passwordHash(accountId);
  }
  async createSession(session: BrowserSession) {
    this.#tx(() => this.#logins.create(session));
  }
  async sessionOwner(tokenHash: string, now: number) {
    return this.#logins.owner(tokenHash, now);
  }
  async deleteSession(tokenHash: string) {
    this.#logins.delete(tokenHash);
  }
  async endSessions(accountId: number, except?: string) {
    return this.#logins.endAll(accountId, except);
  }

  async moveMoney(move: MoneyMove): Promise<MoneyResult> {
    return this.#tx(() => this.#ledger.move(move));
  }
  async ledger(accountId: number): Promise<LedgerEntry[]> {
    return this.#ledger.entries(accountId);
  }
  async ledgerPage(accountId: number, page: { offset: number; limit: number }) {
    // One read transaction: the page and its total agree.
    return this.#db.transaction(() => this.#ledger.page(accountId, page))();
  }

  async setPrice(service: string, country: string, price: number) {
    this.#q.setPrice.run(service, country, price);
  }
  async prices(): Promise<PriceRow[]> {
    return this.#q.prices.all() as PriceRow[];
  }
  async setRule(service: string, rule: { match: string; code?: string | undefined }) {
    this.#q.setRule.run(service, rule.match, rule.code ?? null);
  }
  async rules() {
    const all = this.#q.rules.all() as { service: string; match: string; code: string | null }[];
    return new Map(all.map((r) => [r.service, r.code === null ? { match: r.match } : { match: r.match, code: r.code }]));
  }
  async addAnnouncement(text: string, at: number): Promise<Announcement> {
    const id = Number(this.#q.insertAnnouncement.run(text, at).lastInsertRowid);
    return { id, text, at };
  }
  async announcements() {
    return this.#q.announcements.all() as Announcement[];
  }
  async setting(key: string) {
    return (this.#q.setting.get(key) as { value: string } | undefined)?.value;
  }
  async setSetting(key: string, value: string) {
    this.#q.setSetting.run(key, value);
  }

  async upsertSim(s: SimSighting): Promise<Sim> {
    this.#q.upsertSim.run({ ...s, canForward: s.canForward ? 1 : 0, online: s.online ? 1 : 0, standby: !s.online && s.standby ? 1 : 0 });
    return rows.sim(this.#q.simByIccid.get(s.iccid));
  }
  async setSimPhone(iccid: string, phone: string) {
    return this.#q.setSimPhone.run(phone, iccid).changes === 1;
  }
  async setSimOnline(iccid: string, online: boolean, at: number) {
    this.#q.setSimOnline.run(online ? 1 : 0, at, iccid);
  }
  async setSimStandby(iccid: string, at: number) {
    this.#q.setSimStandby.run(at, iccid);
  }
  async recordMove(m: NewSimMove): Promise<SimMove> {
    const id = Number(this.#q.insertMove.run({
      iccid: m.iccid, fromChannel: m.from.channel, fromSlot: m.from.slot, toChannel: m.to.channel, toSlot: m.to.slot,
      requestedBy: m.requestedBy, at: m.at,
    }).lastInsertRowid);
    return { ...m, id, doneAt: null };
  }
  async completeMoves(iccid: string, channel: string, slot: number, at: number) {
    return this.#q.completeMoves.run(at, iccid, channel, slot).changes;
  }
  async moves(query: { pending?: boolean; limit: number }): Promise<SimMove[]> {
    return this.#q.moves.all({ pending: query.pending ? 1 : 0, limit: query.limit }).map(rows.move);
  }
  async saveChannel(c: ChannelRecord) {
    this.#q.saveChannel.run({ ...c, registered: c.registered ? 1 : 0 });
  }
  async channels(): Promise<ChannelRecord[]> {
    return this.#q.channels.all().map(rows.channel);
  }
  async sims() {
    return this.#q.sims.all().map(rows.sim);
  }
  async simByPhone(phone: string) {
    return rows.maybe(rows.sim, this.#q.simByPhone.get(phone));
  }
  async simByIccid(iccid: string) {
    return rows.maybe(rows.sim, this.#q.simByIccid.get(iccid));
  }
  async availability(query: AvailabilityQuery) {
    const counts = this.#q.availability.all(filterParams(query.accountId, query.filter)) as {
      service: string; n: number; f: number;
    }[];
    return new Map(counts.map((c) => [c.service, { any: c.n, forwarding: c.f }]));
  }

  async openActivation(order: ActivationOrder): Promise<OrderResult> {
    const appended: LiveEvent[] = [];
    const result = this.#tx(() => {
      const r = this.#open(order);
      // Only an order made now announces itself (a chained one made before already did).
      if (r.ok && r.made && order.announce) appended.push(...order.announce(r.activation).map((e) => this.#events.append(e)));
      return r;
    });
    this.#appended.tell(appended);
    return result.ok ? { ok: true, activation: result.activation } : result;
  }
  #open(order: ActivationOrder): OrderResult & { made?: boolean } {
    // Made once: a count=N order's next step, or a pool ticket's order, answers the one made before.
    const done = order.repeat?.chained
      ? this.#q.activationByChain.get(order.repeat.previousId)
      : order.ticket === undefined ? undefined : this.#q.activationByTicket.get(order.ticket);
    if (done) return { ok: true, activation: rows.activation(done) };
    const pick = order.repeat
      ? (this.#q.simForRepeat.get({ iccid: order.repeat.iccid, service: order.service }) as rows.Pick | undefined)
      : this.#allocate(order);
    if (!pick) return { ok: false, code: 'noNumbers' };
    if (order.repeat && pick.holder !== null) return { ok: false, code: 'busy' };
    const price = order.repeat ? 0 : pick.price;
    const balance = this.#ledger.balance(order.accountId);
    if (balance === undefined || balance < price) return { ok: false, code: 'noBalance' };
    const id = Number(
      this.#q.insertActivation.run({
        accountId: order.accountId, service: order.service, iccid: pick.iccid, phone: pick.phone,
        country: pick.country, operator: pick.operator, price, forwarding: order.forwarding ? 1 : 0,
        dialect: order.dialect, createdAt: order.createdAt, expiresAt: order.expiresAt, remaining: order.remaining,
        repeatOf: order.repeat?.previousId ?? null, chainOf: order.repeat?.chained ? order.repeat.previousId : null,
        ticket: order.ticket ?? null,
        state: order.initialState,
      }).lastInsertRowid,
    );
    if (order.repeat) this.#q.claimRepeat.run({ iccid: pick.iccid, service: order.service, id });
    else this.#q.claim.run(pick.iccid, order.service, id);
    if (order.referral) this.#partners.refer(id, order.referral, price, order.createdAt);
    if (price > 0) {
      const charged = this.#ledger.move({
        accountId: order.accountId, amount: -price, reason: 'charge', ref: `activation:${id}`,
        key: `charge:${id}`, at: order.createdAt,
      });
      if (!charged.ok) throw new StoreError('STORE_CORRUPT', 'balance changed inside the order transaction');
    }
    return { ok: true, activation: rows.activation(this.#q.activationById.get(id)), made: true };
  }

  /**
   * A free SIM for the order. The search for each service and country goes on
   * from the SIM it gave last and wraps around, so SIMs already sold for the
   * service are not scanned again and again as the farm fills up.
   */
  #allocate(order: ActivationOrder): rows.Pick | undefined {
    const cursor = `${order.service}|${order.filter.country ?? ''}`;
    const after = this.#cursors.get(cursor) ?? 0;
    const params = {
      ...filterParams(order.accountId, order.filter), service: order.service, forwarding: order.forwarding ? 1 : 0, after,
    };
    const [onward, wrapped, standby] = order.filter.country
      ? [this.#q.allocateInCountryAfter, this.#q.allocateInCountryUpTo, this.#q.allocateStandbyInCountry]
      : [this.#q.allocateAfter, this.#q.allocateUpTo, this.#q.allocateStandby];
    const pick = (onward.get(params) ?? (after > 0 ? wrapped.get(params) : undefined)) as
      | (rows.Pick & { seq: number })
      | undefined;
    if (pick) {
      this.#cursors.set(cursor, pick.seq);
      return pick;
    }
    // Rare (the farm's active SIMs are all taken): a plain walk, no cursor.
    return standby.get({ ...params, after: 0 }) as rows.Pick | undefined;
  }

  async saveActivation(id: number, u: ActivationUpdate, expectedVersion: number) {
    const write = () => {
      const done = this.#q.saveActivation.run({
        id, expectedVersion, state: u.state, live: u.live ? 1 : 0, code: u.code,
        messages: JSON.stringify(u.messages), nextId: u.nextId, snapshot: JSON.stringify(u.snapshot), at: u.at,
      });
      if (done.changes !== 1) throw new StoreError('STORE_CONFLICT', `activation ${id} is not at version ${expectedVersion}`);
      return (u.events ?? []).map((e) => this.#events.append(e));
    };
    // Without events one statement is atomic already: no transaction to pay for.
    this.#appended.tell(u.events?.length ? this.#tx(write) : write());
    return expectedVersion + 1;
  }

  async settleActivation(s: Settlement): Promise<void> {
    this.#tx(() => {
      if (s.refund > 0) {
        this.#ledger.move({
          accountId: s.accountId, amount: s.refund, reason: 'refund', ref: `activation:${s.activationId}`,
          key: `refund:${s.activationId}`, at: s.at,
        });
      }
      if (s.claim === 'used') this.#q.spendClaim.run(s.iccid, s.service, s.activationId);
      else {
        this.#q.releaseClaim.run(s.iccid, s.service, s.activationId);
        // A repeat's SIM stays used for the service; it only stops holding it.
        this.#q.dropHolder.run(s.iccid, s.service, s.activationId);
      }
      if (s.blacklist) this.#q.blacklistAdd.run(s.accountId, s.phone, s.at);
      // The customer's charge stands (no refund): the partner whose software sold it earns its share, once.
      const due = s.refund === 0 ? this.#partners.due(s.activationId) : undefined;
      if (due) {
        this.#ledger.move({
          accountId: due.partnerId, amount: due.commission, reason: 'commission', ref: `activation:${s.activationId}`,
          key: `commission:${s.activationId}`, at: s.at,
        });
        this.#partners.markPaid(s.activationId, s.at);
      }
    });
  }
  async activation(id: number) {
    return rows.maybe(rows.activation, this.#q.activationById.get(id));
  }
  async liveActivationsDue(now: number) {
    return this.#q.liveActivationsDue.all({ now, settling: JSON.stringify(settlingStates) }).map(rows.activation);
  }
  async liveActivations(iccid?: string) {
    return this.#q.liveActivations.all({ iccid: iccid ?? null }).map(rows.activation);
  }
  async activations(query: ActivationQuery) {
    const { where, params } = activationWhere(query);
    const statement = this.#shaped(`SELECT * FROM activations ${where} ORDER BY id DESC LIMIT @limit OFFSET @offset`);
    return statement.all({ ...params, limit: query.limit, offset: query.offset ?? 0 }).map(rows.activation);
  }
  async countActivations(filter: ActivationFilter) {
    const { where, params } = activationWhere(filter);
    return this.#shaped(`SELECT count(*) FROM activations ${where}`).pluck().get(params) as number;
  }
  /** A statement whose text depends on which filters a query has, prepared once per shape (so indexes are used). */
  #shaped(sql: string): Database.Statement {
    let statement = this.#byShape.get(sql);
    if (!statement) this.#byShape.set(sql, (statement = guarded(this.#db.prepare(sql))));
    return statement;
  }
  async lastCodedActivation(accountId: number, phone: string, service: string) {
    return rows.maybe(rows.activation, this.#q.lastCoded.get(accountId, phone, service));
  }
  async activationOfTicket(tzid: number) {
    return rows.maybe(rows.activation, this.#q.activationByTicket.get(tzid));
  }
  async clearBlacklist(accountId: number) {
    return this.#q.blacklistClear.run(accountId).changes;
  }
  async blacklist(accountId: number) {
    return (this.#q.blacklist.all(accountId) as { phone: string }[]).map((r) => r.phone);
  }

  async saveSms(sms: NewSms): Promise<{ sms: SmsRecord; duplicate: boolean }> {
    return this.#tx(() => {
      const inserted = this.#q.insertSms.run(sms).changes === 1;
      return { sms: rows.sms(this.#q.smsByFingerprint.get(sms.fingerprint)), duplicate: !inserted };
    });
  }
  async linkSms(smsId: number, activationIds: number[]) {
    this.#q.linkSms.run(JSON.stringify(activationIds), smsId);
  }
  async smsOfSim(iccid: string, limit: number) {
    return this.#q.smsOfSim.all(iccid, limit).map(rows.sms);
  }

  async insertPoolTicket(t: PoolTicket) {
    return this.#tickets.insert(t);
  }
  async poolTicket(tzid: number) {
    return this.#tickets.get(tzid);
  }
  async updatePoolTicket(tzid: number, expected: PoolTicketMark, change: PoolTicketChange) {
    return this.#tickets.update(tzid, expected, change);
  }
  async prunePoolTickets(before: number) {
    return this.#tickets.prune(before);
  }

  async setRentPrice(country: string, price: number) {
    this.#rents.setPrice(country, price);
  }
  async rentPrices(): Promise<RentPriceRow[]> {
    return this.#rents.prices();
  }
  async rentable(filter: SimFilter) {
    return this.#rents.rentable(filter);
  }
  async openRent(order: RentOrder): Promise<RentResult> {
    const appended: LiveEvent[] = [];
    const result = this.#tx(() => {
      const r = this.#rents.open(order);
      if (r.ok && order.announce) appended.push(...order.announce(r.rent).map((e) => this.#events.append(e)));
      return r;
    });
    this.#appended.tell(appended);
    return result;
  }
  async extendRent(x: RentExtension): Promise<RentExtendResult> {
    return this.#tx(() => this.#rents.extend(x));
  }
  async saveRent(id: number, u: RentUpdate, expectedVersion: number) {
    const write = () => {
      this.#rents.save(id, u, expectedVersion);
      return (u.events ?? []).map((e) => this.#events.append(e));
    };
    // Without events one statement is atomic already: no transaction to pay for.
    this.#appended.tell(u.events?.length ? this.#tx(write) : write());
    return expectedVersion + 1;
  }
  async refundRent(r: RentRefund) {
    this.#tx(() => this.#rents.refund(r));
  }
  async rent(id: number) {
    return this.#rents.get(id);
  }
  async liveRents(iccid?: string) {
    return this.#rents.live(iccid);
  }
  async rents(query: RentQuery) {
    return this.#rents.list(query);
  }

  async appendEvent(event: NewLiveEvent) {
    const stored = this.#tx(() => this.#events.append(event));
    this.#appended.tell([stored]);
    return stored;
  }
  async appendEvents(events: readonly NewLiveEvent[]) {
    const stored = this.#tx(() => events.map((e) => this.#events.append(e)));
    this.#appended.tell(stored);
    return stored;
  }
  onAppended(listener: (events: readonly LiveEvent[]) => void) {
    return this.#appended.add(listener);
  }
  async eventsSince(query: EventQuery) {
    return this.#events.since(query);
  }
  async eventBounds() {
    return this.#events.bounds();
  }
  async pruneEvents(rule: { before: number; keep: number }) {
    return this.#tx(() => this.#events.prune(rule));
  }
  async setWebhook(accountId: number, hook: { url: string; secret: string } | null, at: number) {
    this.#tx(() => this.#webhooks.set(accountId, hook, at));
  }
  async webhook(accountId: number) {
    return this.#webhooks.get(accountId);
  }
  async enqueueWebhook(delivery: NewWebhookDelivery) {
    return this.#tx(() => this.#webhooks.enqueue(delivery));
  }
  async claimWebhooks(query: { now: number; leaseUntil: number; limit: number }) {
    return this.#tx(() => this.#webhooks.claim(query));
  }
  async finishWebhook(id: number, outcome: WebhookOutcome) {
    this.#tx(() => this.#webhooks.finish(id, outcome));
  }
  async webhookDeliveries(accountId: number, limit: number) {
    return this.#webhooks.ofAccount(accountId, limit);
  }
  async pruneWebhooks(before: number) {
    return this.#tx(() => this.#webhooks.prune(before));
  }

  async saveForwarding(f: ForwardingRecord) {
    this.#tx(() => this.#forwardings.save(f));
  }
  async forwarding(activationId: number) {
    return this.#forwardings.get(activationId);
  }
  async forwardings(query: ForwardingQuery) {
    return this.#forwardings.find(query);
  }
  async setPartner(p: NewPartner) {
    return this.#tx(() => this.#partners.set(p));
  }
  async partner(accountId: number) {
    return this.#partners.byAccount(accountId);
  }
  async partnerByCode(code: string) {
    return this.#partners.byCode(code);
  }
  async partners() {
    return this.#partners.all();
  }
  async referrals(partnerId: number, limit: number) {
    return this.#partners.referrals(partnerId, limit);
  }
  async createAgentToken(t: NewAgentToken) {
    return this.#tx(() => this.#agents.create(t));
  }
  async revokeAgentToken(name: string, at: number) {
    return this.#tx(() => this.#agents.revoke(name, at));
  }
  async agentByTokenHash(tokenHash: string) {
    return this.#agents.byHash(tokenHash);
  }
  async agentTokens() {
    return this.#agents.all();
  }

  /**
   * Runs `fn` as one IMMEDIATE transaction; a locked or failing database becomes a StoreError,
   * a taken unique value (an email, a key hash) a STORE_CONFLICT.
   */
  #tx<T>(fn: () => T): T {
    try {
      return this.#db.transaction(fn).immediate();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw storeFault(err, 'STORE_UNAVAILABLE');
    }
  }
}

/** The WHERE clause of an activation query: only the filters it has, so SQLite picks the index they allow. */
function activationWhere(f: ActivationFilter): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  const add = (clause: string, name: string, value: unknown) => {
    clauses.push(clause);
    params[name] = value;
  };
  if (f.accountId !== undefined) add('account_id = @accountId', 'accountId', f.accountId);
  if (f.live !== undefined) add('live = @live', 'live', f.live ? 1 : 0);
  if (f.service !== undefined) add('service = @service', 'service', f.service);
  if (f.createdFrom !== undefined) add('created_at >= @createdFrom', 'createdFrom', f.createdFrom);
  if (f.createdBefore !== undefined) add('created_at < @createdBefore', 'createdBefore', f.createdBefore);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** How stale a key may be after another process changed it. */
const ownersCheckMs = 100;

function statements(db: Database.Database) {
  const p = (sql: string) => guarded(db.prepare(sql));
  return {
    insertAccount: p(`INSERT INTO accounts (email, role, key_hash, dialect, created_at)
      VALUES (@email, @role, @keyHash, @dialect, @createdAt)`),
    accountById: p('SELECT * FROM accounts WHERE id = ?'),
    accountByEmail: p('SELECT * FROM accounts WHERE email = ?'),
    accountByKey: p('SELECT * FROM accounts WHERE key_hash = ?'),
    ownerByKey: p('SELECT id, email, role, dialect FROM accounts WHERE key_hash = ?'),
    dataVersion: p('PRAGMA data_version').pluck(),
    accounts: p('SELECT * FROM accounts ORDER BY id'),
    setKey: p('UPDATE accounts SET key_hash = ? WHERE id = ?'),
    setDialect: p('UPDATE accounts SET dialect = ? WHERE id = ?'),
    setPrice: p(`INSERT INTO prices (service, country, price) VALUES (?, ?, ?)
      ON CONFLICT (service, country) DO UPDATE SET price = excluded.price`),
    prices: p('SELECT service, country, price FROM prices ORDER BY service, country'),
    setRule: p(`INSERT INTO service_rules (service, match, code) VALUES (?, ?, ?)
      ON CONFLICT (service) DO UPDATE SET match = excluded.match, code = excluded.code`),
    rules: p('SELECT service, match, code FROM service_rules'),
    insertAnnouncement: p('INSERT INTO announcements (text, at) VALUES (?, ?)'),
    announcements: p('SELECT id, text, at FROM announcements ORDER BY id DESC'),
    setting: p('SELECT value FROM settings WHERE key = ?'),
    setSetting: p(`INSERT INTO settings (key, value) VALUES (?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
    upsertSim: p(`INSERT INTO sims (iccid, imsi, phone, country, operator, channel, slot, can_forward, online, standby, seen_at)
      VALUES (@iccid, @imsi, @phone, @country, @operator, @channel, @slot, @canForward, @online, @standby, @at)
      ON CONFLICT (iccid) DO UPDATE SET imsi = excluded.imsi, phone = excluded.phone, country = excluded.country,
        operator = excluded.operator, channel = excluded.channel, slot = excluded.slot,
        can_forward = excluded.can_forward, online = excluded.online, standby = excluded.standby, seen_at = excluded.seen_at`),
    saveChannel: p(`INSERT INTO channels (id, state, slot, iccid, phone, operator, registered, signal_dbm, last_error, updated_at)
      VALUES (@id, @state, @slot, @iccid, @phone, @operator, @registered, @signalDbm, @lastError, @updatedAt)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, slot = excluded.slot, iccid = excluded.iccid,
        phone = excluded.phone, operator = excluded.operator, registered = excluded.registered,
        signal_dbm = excluded.signal_dbm, last_error = excluded.last_error, updated_at = excluded.updated_at`),
    channels: p('SELECT * FROM channels ORDER BY id'),
    insertMove: p(`INSERT INTO sim_moves (iccid, from_channel, from_slot, to_channel, to_slot, requested_by, at)
      VALUES (@iccid, @fromChannel, @fromSlot, @toChannel, @toSlot, @requestedBy, @at)`),
    completeMoves: p(`UPDATE sim_moves SET done_at = ? WHERE iccid = ? AND to_channel = ? AND to_slot = ? AND done_at IS NULL`),
    moves: p(`SELECT * FROM sim_moves WHERE (@pending = 0 OR done_at IS NULL) ORDER BY id DESC LIMIT @limit`),
    setSimPhone: p('UPDATE sims SET phone = ? WHERE iccid = ?'),
    setSimOnline: p('UPDATE sims SET online = ?, standby = 0, seen_at = ? WHERE iccid = ?'),
    setSimStandby: p('UPDATE sims SET online = 0, standby = 1, seen_at = ? WHERE iccid = ?'),
    sims: p(`${simRow} ORDER BY channel, slot`),
    simByPhone: p(`${simRow} WHERE phone = ? ORDER BY seen_at DESC LIMIT 1`),
    simByIccid: p(`${simRow} WHERE iccid = ?`),
    availability: p(`SELECT pr.service, count(*) AS n, coalesce(sum(s.can_forward), 0) AS f
      FROM sims s JOIN prices pr ON pr.country = s.country
      WHERE ${freeSim()}
        AND NOT EXISTS (SELECT 1 FROM sim_services c WHERE c.iccid = s.iccid AND c.service = pr.service)
      GROUP BY pr.service`),
    allocateAfter: p(allocation(false, '>', false)),
    allocateUpTo: p(allocation(false, '<=', false)),
    allocateInCountryAfter: p(allocation(true, '>', false)),
    allocateInCountryUpTo: p(allocation(true, '<=', false)),
    allocateStandby: p(allocation(false, '>', true)),
    allocateStandbyInCountry: p(allocation(true, '>', true)),
    simForRepeat: p(`SELECT s.iccid, s.phone, s.country, s.operator, 0 AS price,
        (SELECT c.activation_id FROM sim_services c WHERE c.iccid = s.iccid AND c.service = @service) AS holder
      FROM sims s WHERE s.iccid = @iccid AND ${servable}`),
    claim: p('INSERT INTO sim_services (iccid, service, activation_id, used) VALUES (?, ?, ?, 0)'),
    claimRepeat: p(`INSERT INTO sim_services (iccid, service, activation_id, used) VALUES (@iccid, @service, @id, 1)
      ON CONFLICT (iccid, service) DO UPDATE SET activation_id = @id`),
    spendClaim: p('UPDATE sim_services SET activation_id = NULL, used = 1 WHERE iccid = ? AND service = ? AND activation_id = ?'),
    releaseClaim: p('DELETE FROM sim_services WHERE iccid = ? AND service = ? AND activation_id = ? AND used = 0'),
    dropHolder: p('UPDATE sim_services SET activation_id = NULL WHERE iccid = ? AND service = ? AND activation_id = ?'),
    blacklistAdd: p('INSERT OR IGNORE INTO blacklist (account_id, phone, at) VALUES (?, ?, ?)'),
    blacklistClear: p('DELETE FROM blacklist WHERE account_id = ?'),
    blacklist: p('SELECT phone FROM blacklist WHERE account_id = ? ORDER BY at'),
    insertActivation: p(`INSERT INTO activations (account_id, service, iccid, phone, country, operator, price, forwarding,
        dialect, created_at, expires_at, remaining, repeat_of, chain_of, ticket, state, live, updated_at)
      VALUES (@accountId, @service, @iccid, @phone, @country, @operator, @price, @forwarding, @dialect, @createdAt,
        @expiresAt, @remaining, @repeatOf, @chainOf, @ticket, @state, 1, @createdAt)`),
    activationById: p('SELECT * FROM activations WHERE id = ?'),
    activationByChain: p('SELECT * FROM activations WHERE chain_of = ?'),
    activationByTicket: p('SELECT * FROM activations WHERE ticket = ?'),
    liveActivations: p('SELECT * FROM activations WHERE live = 1 AND (@iccid IS NULL OR iccid = @iccid) ORDER BY id'),
    liveActivationsDue: p(`SELECT * FROM activations WHERE live = 1
      AND (expires_at <= @now OR state IN (SELECT value FROM json_each(@settling))) ORDER BY id`),
    lastCoded: p(`SELECT * FROM activations WHERE account_id = ? AND phone = ? AND service = ? AND code IS NOT NULL
      ORDER BY id DESC LIMIT 1`),
    saveActivation: p(`UPDATE activations SET state = @state, live = @live, code = @code, messages = @messages,
        next_id = @nextId, snapshot = @snapshot, version = version + 1, updated_at = @at
      WHERE id = @id AND version = @expectedVersion`),
    insertSms: p(`INSERT OR IGNORE INTO sms (fingerprint, iccid, phone, sender, text, received_at)
      VALUES (@fingerprint, @iccid, @phone, @sender, @text, @receivedAt)`),
    smsByFingerprint: p('SELECT * FROM sms WHERE fingerprint = ?'),
    linkSms: p('UPDATE sms SET activation_ids = ? WHERE id = ?'),
    smsOfSim: p('SELECT * FROM sms WHERE iccid = ? ORDER BY id DESC LIMIT ?'),
  };
}
