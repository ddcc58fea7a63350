import type { ExecutionContext } from 'ava';
import type { ActivationOrder, ActivationRecord, RentOrder, RentRecord, Settlement, SimSighting, Store } from '../../../actors/index.ts';

/** The store contract's fixtures and checks, shared by its areas (contract-*.ts). */

export const T0 = 1_700_000_000_000;
export const TTL = 20 * 60_000;
export const TG = 2_500; // kopecks
export const WA = 3_500;

// ── fixtures ──────────────────────────────────────────────────────────────

let sims = 0;
let emails = 0;

/** A SIM sighting with a fresh ICCID and phone; Russian, online, no forwarding unless told. */
export function sim(over: Partial<SimSighting> = {}): SimSighting {
  const n = ++sims;
  return {
    iccid: `8970199${String(n).padStart(12, '0')}`, imsi: `25001${String(n).padStart(10, '0')}`,
    phone: `7900${String(n).padStart(7, '0')}`, country: 'ru', operator: 'mts', channel: 'ch-1', slot: n,
    canForward: false, online: true, at: T0, ...over,
  };
}

/** A new account with an opening balance (kopecks) credited through the ledger. */
export async function account(store: Store, kopecks: number): Promise<number> {
  const a = await store.createAccount({
    email: `user${++emails}@contract.test`, role: 'user', keyHash: `key-${emails}`, dialect: 'getsms', createdAt: T0,
  });
  if (kopecks > 0) {
    const r = await store.moveMoney({ accountId: a.id, amount: kopecks, reason: 'topup', ref: 'account:opening', key: `opening:${a.id}`, at: T0 });
    if (!r.ok) throw new Error(`opening balance refused: ${r.code}`);
  }
  return a.id;
}

export function move(accountId: number, amount: number, key: string, reason: 'topup' | 'debit') {
  return { accountId, amount, reason, ref: 'admin:test', key, note: 'why', at: T0 };
}

export const HOUR = 3_600_000;
export const DAY = 14_400; // a day's rent in kopecks: 600 an hour

export function rentOrder(accountId: number, over: Partial<RentOrder> = {}): RentOrder {
  return { accountId, filter: {}, service: 'full', dialect: 'getsms', hours: 24, createdAt: T0, endsAt: T0 + (over.hours ?? 24) * HOUR, ...over };
}

export async function rented(store: Store, o: RentOrder): Promise<RentRecord> {
  const r = await store.openRent(o);
  if (!r.ok) throw new Error(`rent refused: ${r.code}`);
  return r.rent;
}

export function order(accountId: number, service: string, over: Partial<ActivationOrder> = {}): ActivationOrder {
  return {
    accountId, service, filter: {}, forwarding: false, dialect: 'getsms', createdAt: T0, expiresAt: T0 + TTL,
    remaining: 0, initialState: 'waitingForReady', ...over,
  } as ActivationOrder;
}

export async function opened(store: Store, o: ActivationOrder): Promise<ActivationRecord> {
  const r = await store.openActivation(o);
  if (!r.ok) throw new Error(`order refused: ${r.code}`);
  return r.activation;
}

export function settle(a: ActivationRecord, over: Partial<Settlement>): Settlement {
  return {
    activationId: a.id, accountId: a.accountId, iccid: a.iccid, phone: a.phone, service: a.service, refund: 0,
    claim: 'release', blacklist: false, at: T0 + 60_000, ...over,
  };
}

export function counts(m: Map<string, { any: number; forwarding: number }>, services: string[]) {
  return Object.fromEntries(services.map((s) => [s, m.get(s) ?? { any: 0, forwarding: 0 }]));
}

export function sortPrices<T extends { service: string; country: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.service.localeCompare(b.service) || a.country.localeCompare(b.country));
}

/** The books add up: the ledger sums to the balance, each entry's balanceAfter is the running sum, keys are unique. */
export async function books(t: ExecutionContext, store: Store, accountId: number) {
  const ledger = await store.ledger(accountId);
  let running = 0;
  for (const e of [...ledger].sort((a, b) => a.id - b.id)) {
    running += e.amount;
    t.is(e.balanceAfter, running, `ledger entry ${e.key}`);
  }
  t.is(running, (await store.accountById(accountId))!.balance, 'ledger sum equals balance');
  t.is(new Set(ledger.map((e) => e.key)).size, ledger.length);
}
