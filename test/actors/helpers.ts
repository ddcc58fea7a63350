import type { ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock } from 'xstate';
import {
  ActivationRegistry, Inbox, inventory, type ActivationState, type ActivationView, type Log, type SimSighting, type Store,
} from '../../actors/index.ts';
import { SimulatedFarm } from '../../modems/index.ts';
import { SqliteStore } from '../../server/store/index.ts';

/** Helpers for domain tests: a real SQLite store in a temp dir, actors on a SimulatedClock. */

export const T0 = 1_700_000_000_000;
export const TTL = 20 * 60_000;

/** A Log that keeps what it was told, so a test can assert nothing went wrong behind its back. */
export function recordingLog(): Log & { errors: unknown[]; warnings: unknown[] } {
  const errors: unknown[] = [];
  const warnings: unknown[] = [];
  return {
    errors, warnings,
    debug() {}, info() {},
    warn: (obj, msg) => void warnings.push({ ...obj, msg }),
    error: (obj, msg) => void errors.push({ ...obj, msg }),
  };
}

export interface Domain {
  dir: string;
  file: string;
  store: Store;
  clock: SimulatedClock;
  log: ReturnType<typeof recordingLog>;
  registry: ActivationRegistry;
  inbox: Inbox;
  /** Present when the domain was made with a simulated farm. */
  farm: SimulatedFarm | undefined;
  /** A new account with `kopecks` credited through the ledger. */
  account(kopecks?: number): Promise<number>;
  /** A SIM put into the store by hand (online, Russian, unless told). */
  sim(over?: Partial<SimSighting>): Promise<SimSighting>;
}

let sims = 0;
let emails = 0;

/**
 * A store, a registry on a SimulatedClock at T0 and an inbox; with `farm`, a
 * SimulatedFarm wired through `inventory` as server/system.ts wires it.
 */
export async function domain(t: ExecutionContext, opts: { farm?: { channels: number; slots: number } } = {}): Promise<Domain> {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-domain-'));
  const file = join(dir, 'getsms.sqlite');
  const store = new SqliteStore(file);
  const clock = new SimulatedClock();
  clock.set(T0);
  const log = recordingLog();
  const registry = new ActivationRegistry({ store, clock, log, ttlMs: TTL });
  const inbox = new Inbox({ store, registry, log });
  await inbox.reloadRules();
  let farm: SimulatedFarm | undefined;
  if (opts.farm) {
    farm = new SimulatedFarm({ ...opts.farm, now: () => clock.now() });
    await farm.start(inventory({ store, inbox, clock, log }));
  }
  t.teardown(async () => {
    await farm?.stop();
    inbox.stop();
    await registry.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir, file, store, clock, log, registry, inbox, farm,
    async account(kopecks = 100_000) {
      const a = await store.createAccount({
        email: `user${++emails}@domain.test`, role: 'user', keyHash: `key-${emails}-${process.pid}`, dialect: 'getsms', createdAt: T0,
      });
      if (kopecks > 0) {
        await store.moveMoney({ accountId: a.id, amount: kopecks, reason: 'topup', ref: 'account:opening', key: `opening:${a.id}`, at: T0 });
      }
      return a.id;
    },
    async sim(over = {}) {
      const n = ++sims;
      const s: SimSighting = {
        iccid: `8970188${String(n).padStart(12, '0')}`, imsi: `25002${String(n).padStart(10, '0')}`,
        phone: `7911${String(n).padStart(7, '0')}`, country: 'ru', operator: 'mts', channel: 'sim-001', slot: n,
        canForward: false, online: true, at: clock.now(), ...over,
      };
      await store.upsertSim(s);
      return s;
    },
  };
}

/** Resolves with the first news of activation `id` in `state` (subscribe before causing it). */
export function newsOf(registry: ActivationRegistry, id: number, state: ActivationState, ms = 5_000): Promise<ActivationView> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`activation ${id} never reached ${state}`));
    }, ms);
    const off = registry.subscribe((news) => {
      if (news.activation.id === id && news.activation.state === state) {
        clearTimeout(timer);
        off();
        resolve(news.activation);
      }
    });
  });
}

/** The books add up: the ledger sums to the balance, and each entry's balanceAfter is the running sum. */
export async function books(t: ExecutionContext, store: Store, accountId: number): Promise<void> {
  const ledger = await store.ledger(accountId);
  let running = 0;
  for (const e of ledger) {
    running += e.amount;
    t.is(e.balanceAfter, running, `ledger entry ${e.key}`);
  }
  t.is(running, (await store.accountById(accountId))!.balance, 'ledger sum equals balance');
}

/** What the account's ledger holds, by reason. */
export async function entries(store: Store, accountId: number, reason: 'charge' | 'refund' | 'topup' | 'debit') {
  return (await store.ledger(accountId)).filter((e) => e.reason === reason);
}

/**
 * Two server processes on one store: `make` over the domain's store (process A) and over a second connection to
 * its SQLite file (process B), on the domain's clock. Both stop, then B's connection closes, when the test ends.
 */
export function twoProcesses<R extends { stop(): Promise<void> }>(t: ExecutionContext, d: Domain, make: (store: Store) => R): { a: R; b: R } {
  const a = make(d.store);
  const bStore = new SqliteStore(d.file);
  const b = make(bStore);
  t.teardown(async () => {
    await a.stop();
    await b.stop();
    await bStore.close();
  });
  return { a, b };
}

/** Polls until `check` holds (another process's writes land in their own time); throws after `ms`. */
export async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
