import type Database from 'better-sqlite3';
import type {
  RentExtendResult, RentExtension, RentOrder, RentPriceRow, RentQuery, RentRecord, RentRefund, RentUpdate, SimFilter,
} from '../../../actors/index.ts';
import { rentCost, StoreError } from '../../../actors/index.ts';
import { guarded } from './faults.ts';
import type { Ledger } from './money.ts';
import * as rows from './rows.ts';
import { filterParams, rentableSim } from './sims-sql.ts';

type Opened = { ok: true; rent: RentRecord } | { ok: false; code: 'noNumbers' | 'noBalance' };

/** Number rent: day prices per country, and the rents (actor snapshots, like activations). Writes run inside the caller's transaction. */
export class RentBook {
  readonly #q: ReturnType<typeof statements>;
  readonly #ledger: Ledger;

  constructor(db: Database.Database, ledger: Ledger) {
    this.#q = statements(db);
    this.#ledger = ledger;
  }

  setPrice(country: string, price: number) {
    this.#q.setPrice.run(country, price);
  }
  prices(): RentPriceRow[] {
    return this.#q.prices.all() as RentPriceRow[];
  }
  rentable(filter: SimFilter): number {
    const { country, operators } = filterParams(0, filter);
    return this.#q.rentable.get({ country, operators }) as number;
  }

  /** Picks a SIM on sale that nothing holds, inserts the rent and charges it (`rent:<id>`). */
  open(order: RentOrder): Opened {
    const { country, operators } = filterParams(order.accountId, order.filter);
    const pick = this.#q.pick.get({ country, operators }) as rows.Pick | undefined;
    if (!pick) return { ok: false, code: 'noNumbers' };
    const price = rentCost(pick.price, order.hours);
    const balance = this.#ledger.balance(order.accountId);
    if (balance === undefined || balance < price) return { ok: false, code: 'noBalance' };
    const id = Number(this.#q.insert.run({
      accountId: order.accountId, iccid: pick.iccid, phone: pick.phone, country: pick.country, operator: pick.operator,
      service: order.service, dialect: order.dialect, price, hours: order.hours, createdAt: order.createdAt,
      endsAt: order.endsAt,
    }).lastInsertRowid);
    if (price > 0) {
      const charged = this.#ledger.move({
        accountId: order.accountId, amount: -price, reason: 'charge', ref: `rent:${id}`, key: `rent:${id}`, at: order.createdAt,
      });
      if (!charged.ok) throw new StoreError('STORE_CORRUPT', 'balance changed inside the rent transaction');
    }
    return { ok: true, rent: rows.rent(this.#q.byId.get(id)) };
  }

  extend(x: RentExtension): RentExtendResult {
    const found = rows.maybe(rows.rent, this.#q.byId.get(x.rentId));
    if (!found || found.accountId !== x.accountId) return { ok: false, code: 'noRent' };
    // Only while renting: a rent being cancelled has its refund decided (another process may still think it renting).
    if (!found.live || found.state !== 'renting' || x.at >= found.endsAt) return { ok: false, code: 'ended' };
    const day = this.#q.priceOf.get(found.country) as number | undefined;
    if (day === undefined) return { ok: false, code: 'noPrice' };
    const price = rentCost(day, x.hours);
    if (price > 0) {
      const charged = this.#ledger.move({
        accountId: x.accountId, amount: -price, reason: 'charge', ref: `rent:${found.id}`,
        key: `rent-extend:${found.id}:${found.extensions + 1}`, at: x.at,
      });
      if (!charged.ok) return { ok: false, code: 'noBalance' };
    }
    this.#q.extend.run({ id: found.id, addMs: x.addMs, hours: x.hours, price, at: x.at });
    return { ok: true, rent: rows.rent(this.#q.byId.get(found.id)), charged: price };
  }

  /** Compare-and-set on the version; STORE_CONFLICT when another writer went first or an extension moved the end. */
  save(id: number, u: RentUpdate, expectedVersion: number) {
    const done = this.#q.save.run({
      id, expectedVersion, state: u.state, live: u.live ? 1 : 0, messages: JSON.stringify(u.messages),
      snapshot: JSON.stringify(u.snapshot), at: u.at,
    });
    if (done.changes !== 1) throw new StoreError('STORE_CONFLICT', `rent ${id} is not at version ${expectedVersion}, or its end was moved`);
  }

  refund(r: RentRefund) {
    if (r.amount <= 0) return;
    const done = this.#ledger.move({
      accountId: r.accountId, amount: r.amount, reason: 'refund', ref: `rent:${r.rentId}`, key: `rent-refund:${r.rentId}`, at: r.at,
    });
    if (!done.ok) throw new StoreError('STORE_CORRUPT', `rent ${r.rentId} refund refused: ${done.code}`);
  }

  get(id: number): RentRecord | undefined {
    return rows.maybe(rows.rent, this.#q.byId.get(id));
  }
  live(iccid?: string): RentRecord[] {
    return this.#q.live.all({ iccid: iccid ?? null }).map(rows.rent);
  }
  list(query: RentQuery): RentRecord[] {
    return this.#q.list
      .all({ accountId: query.accountId ?? null, live: query.live === undefined ? null : query.live ? 1 : 0, limit: query.limit })
      .map(rows.rent);
  }
}

function statements(db: Database.Database) {
  const p = (sql: string) => guarded(db.prepare(sql));
  return {
    setPrice: p(`INSERT INTO rent_prices (country, price) VALUES (?, ?)
      ON CONFLICT (country) DO UPDATE SET price = excluded.price`),
    prices: p('SELECT country, price FROM rent_prices ORDER BY country'),
    priceOf: p('SELECT price FROM rent_prices WHERE country = ?').pluck(),
    // SIMs in active slots first; a standby SIM only when none is left (the rent then switches its channel).
    pick: p(`SELECT s.iccid, s.phone, s.country, s.operator, rp.price, NULL AS holder
      FROM sims s JOIN rent_prices rp ON rp.country = s.country
      WHERE ${rentableSim}
      ORDER BY s.standby, s.rowid LIMIT 1`),
    rentable: p(`SELECT count(*) FROM sims s JOIN rent_prices rp ON rp.country = s.country WHERE ${rentableSim}`).pluck(),
    insert: p(`INSERT INTO rents (account_id, iccid, phone, country, operator, service, dialect, price, hours,
        created_at, ends_at, state, live, updated_at)
      VALUES (@accountId, @iccid, @phone, @country, @operator, @service, @dialect, @price, @hours,
        @createdAt, @endsAt, 'renting', 1, @createdAt)`),
    byId: p('SELECT * FROM rents WHERE id = ?'),
    extend: p(`UPDATE rents SET ends_at = ends_at + @addMs, hours = hours + @hours, price = price + @price,
        extensions = extensions + 1, updated_at = @at WHERE id = @id`),
    // An end is refused once an extension moved it later: an actor that had not heard of it conflicts instead.
    save: p(`UPDATE rents SET state = @state, live = @live, messages = @messages, snapshot = @snapshot,
        version = version + 1, updated_at = @at
      WHERE id = @id AND version = @expectedVersion AND (@state != 'expired' OR ends_at <= @at)`),
    live: p('SELECT * FROM rents WHERE live = 1 AND (@iccid IS NULL OR iccid = @iccid) ORDER BY id'),
    list: p(`SELECT * FROM rents
      WHERE (@accountId IS NULL OR account_id = @accountId) AND (@live IS NULL OR live = @live)
      ORDER BY id DESC LIMIT @limit`),
  };
}
