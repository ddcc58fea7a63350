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
import { rentCost, settlingStates } from '../../../actors/index.ts';
import { EventLog, WebhookOutbox } from './events.ts';
import { AppendedListeners } from '../appended.ts';
import { ForwardingBook } from './forwardings.ts';
import { PartnerBook } from './partners.ts';
import { BrowserLogins } from './sessions.ts';
import { AgentTokens } from './agents.ts';
import { PoolTickets } from './pool-tickets.ts';
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
    return this.#tx(() => this.#move(move));
  }
  #move(m: MoneyMove): MoneyResult {
    const before = this.#q.ledgerByKey.get(m.key) as { account_id: number } | undefined;
    const account = this.#q.accountById.get(m.accountId) as { balance: number } | undefined;
    if (!account) return { ok: false, code: 'noAccount' };
    if (before) return { ok: true, balance: account.balance, applied: false };
    const balance = account.balance + m.amount;
    if (balance < 0) return { ok: false, code: 'insufficientFunds' };
    this.#q.setBalance.run(balance, m.accountId);
    this.#q.insertLedger.run({ ...m, note: m.note ?? '', balanceAfter: balance });
    return { ok: true, balance, applied: true };
  }
  async ledger(accountId: number): Promise<LedgerEntry[]> {
    return this.#q.ledger.all(accountId).map(rows.ledger);
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
    if (order.repeat?.chained) {
      const done = this.#q.activationByChain.get(order.repeat.previousId);
      if (done) return { ok: true, activation: rows.activation(done) };
    }
    if (order.ticket !== undefined) {
      const done = this.#q.activationByTicket.get(order.ticket);
      if (done) return { ok: true, activation: rows.activation(done) };
    }
    const pick = order.repeat
      ? (this.#q.simForRepeat.get({ iccid: order.repeat.iccid, service: order.service }) as rows.Pick | undefined)
      : this.#allocate(order);
    if (!pick) return { ok: false, code: 'noNumbers' };
    if (order.repeat && pick.holder !== null) return { ok: false, code: 'busy' };
    const price = order.repeat ? 0 : pick.price;
    const account = this.#q.accountById.get(order.accountId) as { balance: number } | undefined;
    if (!account || account.balance < price) return { ok: false, code: 'noBalance' };
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
      const charged = this.#move({
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
        this.#move({
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
        this.#move({
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
    this.#q.setRentPrice.run(country, price);
  }
  async rentPrices(): Promise<RentPriceRow[]> {
    return this.#q.rentPrices.all() as RentPriceRow[];
  }
  async rentable(filter: SimFilter) {
    const { country, operators } = filterParams(0, filter);
    return this.#q.rentable.get({ country, operators }) as number;
  }
  async openRent(order: RentOrder): Promise<RentResult> {
    const appended: LiveEvent[] = [];
    const result = this.#tx(() => {
      const { country, operators } = filterParams(order.accountId, order.filter);
      const pick = this.#q.rentPick.get({ country, operators }) as rows.Pick | undefined;
      if (!pick) return { ok: false, code: 'noNumbers' } as const;
      const price = rentCost(pick.price, order.hours);
      const account = this.#q.accountById.get(order.accountId) as { balance: number } | undefined;
      if (!account || account.balance < price) return { ok: false, code: 'noBalance' } as const;
      const id = Number(this.#q.insertRent.run({
        accountId: order.accountId, iccid: pick.iccid, phone: pick.phone, country: pick.country, operator: pick.operator,
        service: order.service, dialect: order.dialect, price, hours: order.hours, createdAt: order.createdAt,
        endsAt: order.endsAt,
      }).lastInsertRowid);
      if (price > 0) {
        const charged = this.#move({
          accountId: order.accountId, amount: -price, reason: 'charge', ref: `rent:${id}`, key: `rent:${id}`, at: order.createdAt,
        });
        if (!charged.ok) throw new StoreError('STORE_CORRUPT', 'balance changed inside the rent transaction');
      }
      const rent = rows.rent(this.#q.rentById.get(id));
      if (order.announce) appended.push(...order.announce(rent).map((e) => this.#events.append(e)));
      return { ok: true, rent } as const;
    });
    this.#appended.tell(appended);
    return result;
  }
  async extendRent(x: RentExtension): Promise<RentExtendResult> {
    return this.#tx(() => {
      const found = rows.maybe(rows.rent, this.#q.rentById.get(x.rentId));
      if (!found || found.accountId !== x.accountId) return { ok: false, code: 'noRent' } as const;
      // Only while renting: a rent being cancelled has its refund decided (another process may still think it renting).
      if (!found.live || found.state !== 'renting' || x.at >= found.endsAt) return { ok: false, code: 'ended' } as const;
      const day = this.#q.rentPriceOf.get(found.country) as number | undefined;
      if (day === undefined) return { ok: false, code: 'noPrice' } as const;
      const price = rentCost(day, x.hours);
      if (price > 0) {
        const charged = this.#move({
          accountId: x.accountId, amount: -price, reason: 'charge', ref: `rent:${found.id}`,
          key: `rent-extend:${found.id}:${found.extensions + 1}`, at: x.at,
        });
        if (!charged.ok) return { ok: false, code: 'noBalance' } as const;
      }
      this.#q.extendRent.run({ id: found.id, addMs: x.addMs, hours: x.hours, price, at: x.at });
      return { ok: true, rent: rows.rent(this.#q.rentById.get(found.id)), charged: price } as const;
    });
  }
  async saveRent(id: number, u: RentUpdate, expectedVersion: number) {
    const write = () => {
      const done = this.#q.saveRent.run({
        id, expectedVersion, state: u.state, live: u.live ? 1 : 0, messages: JSON.stringify(u.messages),
        snapshot: JSON.stringify(u.snapshot), at: u.at,
      });
      if (done.changes !== 1) throw new StoreError('STORE_CONFLICT', `rent ${id} is not at version ${expectedVersion}, or its end was moved`);
      return (u.events ?? []).map((e) => this.#events.append(e));
    };
    this.#appended.tell(u.events?.length ? this.#tx(write) : write());
    return expectedVersion + 1;
  }
  async refundRent(r: RentRefund) {
    this.#tx(() => {
      if (r.amount <= 0) return;
      const done = this.#move({
        accountId: r.accountId, amount: r.amount, reason: 'refund', ref: `rent:${r.rentId}`, key: `rent-refund:${r.rentId}`, at: r.at,
      });
      if (!done.ok) throw new StoreError('STORE_CORRUPT', `rent ${r.rentId} refund refused: ${done.code}`);
    });
  }
  async rent(id: number) {
    return rows.maybe(rows.rent, this.#q.rentById.get(id));
  }
  async liveRents(iccid?: string) {
    return this.#q.liveRents.all({ iccid: iccid ?? null }).map(rows.rent);
  }
  async rents(query: RentQuery) {
    return this.#q.rents
      .all({ accountId: query.accountId ?? null, live: query.live === undefined ? null : query.live ? 1 : 0, limit: query.limit })
      .map(rows.rent);
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

function filterParams(accountId: number, filter: { country?: string; operators?: string[] }) {
  return {
    accountId,
    country: filter.country ?? null,
    operators: filter.operators?.length ? JSON.stringify(filter.operators) : null,
  };
}

/** How stale a key may be after another process changed it. */
const ownersCheckMs = 100;

/** A SIM with the services it was used for (a code arrived, or a client marked it used). */
const simRow = `SELECT s.*, (SELECT json_group_array(c.service) FROM sim_services c WHERE c.iccid = s.iccid AND c.used = 1)
  AS used_for FROM sims s`;

/** No live rent holds the SIM: a rented SIM's every SMS is the renter's. */
const notRented = 'NOT EXISTS (SELECT 1 FROM rents r WHERE r.iccid = s.iccid AND r.live = 1)';

/**
 * A SIM that can take an order now. A channel serves one slot at a time: a SIM
 * in its active slot is sold unless a live activation waits for a standby SIM
 * of that channel; a standby SIM is sold only from a ready channel none of
 * whose other SIMs a live activation holds (the sale then switches the channel).
 * A live rent holds its SIM, and its SIM's channel, as an activation does.
 */
// INDEXED BY: the partial index of standby SIMs is almost always empty; the planner would rather walk a channel's SIMs.
const activeServable = `
  (s.online = 1 AND NOT EXISTS (SELECT 1 FROM sims o INDEXED BY sims_standby_by_channel JOIN sim_services h ON h.iccid = o.iccid
      WHERE o.channel = s.channel AND o.standby = 1 AND h.activation_id IS NOT NULL)
    AND NOT EXISTS (SELECT 1 FROM sims o INDEXED BY sims_standby_by_channel JOIN rents r ON r.iccid = o.iccid
      WHERE o.channel = s.channel AND o.standby = 1 AND r.live = 1)
    AND ${notRented})`;
const standbyServable = `
  (s.standby = 1 AND s.phone <> ''
    AND EXISTS (SELECT 1 FROM channels ch WHERE ch.id = s.channel AND ch.state = 'ready')
    AND NOT EXISTS (SELECT 1 FROM sims o JOIN sim_services h ON h.iccid = o.iccid
      WHERE o.channel = s.channel AND o.iccid <> s.iccid AND h.activation_id IS NOT NULL)
    AND NOT EXISTS (SELECT 1 FROM sims o JOIN rents r ON r.iccid = o.iccid
      WHERE o.channel = s.channel AND o.iccid <> s.iccid AND r.live = 1)
    AND ${notRented})`;
const servable = `(${activeServable} OR ${standbyServable})`;

const freeSim = (where = servable) => `
  ${where}
  AND (@country IS NULL OR s.country = @country)
  AND (@operators IS NULL OR s.operator IN (SELECT value FROM json_each(@operators)))
  AND NOT EXISTS (SELECT 1 FROM blacklist b WHERE b.account_id = @accountId AND b.phone = s.phone)`;

/** A SIM a rent may take: sold now (see servable), and no live activation holds it for any service. */
const rentableSim = `
  ${servable}
  AND (@country IS NULL OR s.country = @country)
  AND (@operators IS NULL OR s.operator IN (SELECT value FROM json_each(@operators)))
  AND NOT EXISTS (SELECT 1 FROM sim_services h WHERE h.iccid = s.iccid AND h.activation_id IS NOT NULL)`;

/**
 * The allocation query, walking sims in rowid order from a cursor: through the
 * country index when the order names a country. CROSS JOIN keeps sims the
 * outer loop, so rows come in order straight from a b-tree, never sorted.
 * SIMs in active slots go first; a standby SIM only when none is left.
 */
const allocation = (inCountry: boolean, from: '>' | '<=', standby: boolean) => `
  SELECT s.rowid AS seq, s.iccid, s.phone, s.country, s.operator, pr.price, NULL AS holder
  FROM sims s CROSS JOIN prices pr
  WHERE ${inCountry ? 's.country = @country AND' : ''} s.rowid ${from} @after
    AND pr.service = @service AND pr.country = s.country
    AND ${freeSim(standby ? standbyServable : activeServable)} AND (@forwarding = 0 OR s.can_forward = 1)
    AND NOT EXISTS (SELECT 1 FROM sim_services c WHERE c.iccid = s.iccid AND c.service = @service)
  ORDER BY s.rowid LIMIT 1`;

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
    setBalance: p('UPDATE accounts SET balance = ? WHERE id = ?'),
    ledgerByKey: p('SELECT account_id FROM ledger WHERE key = ?'),
    insertLedger: p(`INSERT INTO ledger (account_id, amount, balance_after, reason, ref, key, note, at)
      VALUES (@accountId, @amount, @balanceAfter, @reason, @ref, @key, @note, @at)`),
    ledger: p('SELECT * FROM ledger WHERE account_id = ? ORDER BY id'),
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
    setRentPrice: p(`INSERT INTO rent_prices (country, price) VALUES (?, ?)
      ON CONFLICT (country) DO UPDATE SET price = excluded.price`),
    rentPrices: p('SELECT country, price FROM rent_prices ORDER BY country'),
    rentPriceOf: p('SELECT price FROM rent_prices WHERE country = ?').pluck(),
    // SIMs in active slots first; a standby SIM only when none is left (the rent then switches its channel).
    rentPick: p(`SELECT s.iccid, s.phone, s.country, s.operator, rp.price, NULL AS holder
      FROM sims s JOIN rent_prices rp ON rp.country = s.country
      WHERE ${rentableSim}
      ORDER BY s.standby, s.rowid LIMIT 1`),
    rentable: p(`SELECT count(*) FROM sims s JOIN rent_prices rp ON rp.country = s.country WHERE ${rentableSim}`).pluck(),
    insertRent: p(`INSERT INTO rents (account_id, iccid, phone, country, operator, service, dialect, price, hours,
        created_at, ends_at, state, live, updated_at)
      VALUES (@accountId, @iccid, @phone, @country, @operator, @service, @dialect, @price, @hours,
        @createdAt, @endsAt, 'renting', 1, @createdAt)`),
    rentById: p('SELECT * FROM rents WHERE id = ?'),
    extendRent: p(`UPDATE rents SET ends_at = ends_at + @addMs, hours = hours + @hours, price = price + @price,
        extensions = extensions + 1, updated_at = @at WHERE id = @id`),
    // An end is refused once an extension moved it later: an actor that had not heard of it conflicts instead.
    saveRent: p(`UPDATE rents SET state = @state, live = @live, messages = @messages, snapshot = @snapshot,
        version = version + 1, updated_at = @at
      WHERE id = @id AND version = @expectedVersion AND (@state != 'expired' OR ends_at <= @at)`),
    liveRents: p('SELECT * FROM rents WHERE live = 1 AND (@iccid IS NULL OR iccid = @iccid) ORDER BY id'),
    rents: p(`SELECT * FROM rents
      WHERE (@accountId IS NULL OR account_id = @accountId) AND (@live IS NULL OR live = @live)
      ORDER BY id DESC LIMIT @limit`),
  };
}
