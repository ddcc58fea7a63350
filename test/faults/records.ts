import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Store } from '../../actors/index.ts';
import { openMongoStore } from '../../server/store/index.ts';

/** What the crash suite's invariants read, from either store. */
export interface Picture {
  /** Per account: its balance, and the sum of its ledger. */
  accounts: { id: number; balance: number; total: number }[];
  activations: Map<number, { id: number; phone: string; price: number; code: string | null; live: boolean; state: string; expiresAt: number }>;
  ledger: { key: string; amount: number; reason: string; ref: string }[];
  rents: { id: number; price: number }[];
  smsTexts: string[];
  /** The live event log's activation events: which activation each names, and the code an `sms.received` carries. */
  events: { type: string; activationId: number | undefined; code: string | undefined }[];
}

/** The database behind a server under test, read from the test process (never written). */
export interface Records {
  picture(): Promise<Picture>;
  /** Live activations and rents whose deadline passed before `before`. */
  overdue(before: number): Promise<string[]>;
  liveActivationIds(): Promise<Set<number>>;
  /** How many activations and rents are live, and the latest of their deadlines. */
  live(): Promise<{ count: number; lastDeadline: number | null }>;
  /** The account's balance and its newest ledger entry's id. */
  balance(accountId: number): Promise<{ balance: number; last: number }>;
  /** The balances the account's ledger passed through after entry `after`. */
  balancesAfter(accountId: number, after: number): Promise<number[]>;
  close(): Promise<void>;
}

/** SQLite, read read-only; a picture is one read transaction (a consistent snapshot). */
export function sqliteRecords(dataDir: string): Records {
  const open = () => new Database(join(dataDir, 'getsms.sqlite'), { readonly: true, fileMustExist: true });
  const read = <T>(fn: (db: Database.Database) => T): T => {
    const db = open();
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    async picture() {
      return read((db) => {
        db.exec('BEGIN');
        try {
          const accounts = db.prepare(`SELECT a.id, a.balance, coalesce((SELECT sum(amount) FROM ledger l WHERE l.account_id = a.id), 0) AS total FROM accounts a`).all() as Picture['accounts'];
          const rows = db.prepare('SELECT id, phone, price, code, live, state, expires_at FROM activations').all() as { id: number; phone: string; price: number; code: string | null; live: number; state: string; expires_at: number }[];
          const activations = new Map(rows.map((a) => [a.id, { id: a.id, phone: a.phone, price: a.price, code: a.code, live: a.live === 1, state: a.state, expiresAt: a.expires_at }]));
          const ledger = db.prepare('SELECT key, amount, reason, ref FROM ledger').all() as Picture['ledger'];
          const rents = db.prepare('SELECT id, price FROM rents').all() as Picture['rents'];
          const smsTexts = (db.prepare('SELECT text FROM sms').all() as { text: string }[]).map((s) => s.text);
          const events = (db.prepare("SELECT type, data FROM events WHERE topic = 'activation'").all() as { type: string; data: string }[])
            .map((e) => eventOf(e.type, JSON.parse(e.data) as Record<string, unknown>));
          return { accounts, activations, ledger, rents, smsTexts, events };
        } finally {
          db.exec('COMMIT');
        }
      });
    },
    async overdue(before) {
      return read((db) => [
        ...(db.prepare('SELECT id FROM activations WHERE live = 1 AND expires_at < ?').all(before) as { id: number }[]).map((r) => `activation ${r.id}`),
        ...(db.prepare('SELECT id FROM rents WHERE live = 1 AND ends_at < ?').all(before) as { id: number }[]).map((r) => `rent ${r.id}`),
      ]);
    },
    async liveActivationIds() {
      return read((db) => new Set((db.prepare('SELECT id FROM activations WHERE live = 1').all() as { id: number }[]).map((r) => r.id)));
    },
    async live() {
      return read((db) => db.prepare(`SELECT (SELECT count(*) FROM activations WHERE live = 1) + (SELECT count(*) FROM rents WHERE live = 1) AS count,
        (SELECT max(m) FROM (SELECT max(expires_at) AS m FROM activations WHERE live = 1 UNION ALL SELECT max(ends_at) FROM rents WHERE live = 1)) AS lastDeadline`)
        .get() as { count: number; lastDeadline: number | null });
    },
    async balance(accountId) {
      return read((db) => db.prepare('SELECT a.balance, (SELECT coalesce(max(id), 0) FROM ledger) AS last FROM accounts a WHERE a.id = ?').get(accountId) as { balance: number; last: number });
    },
    async balancesAfter(accountId, after) {
      return read((db) => (db.prepare('SELECT balance_after FROM ledger WHERE account_id = ? AND id > ?').all(accountId, after) as { balance_after: number }[]).map((r) => r.balance_after));
    },
    async close() {},
  };
}

/**
 * MongoDB, read through a Store of the test's own (as the CLI reads it). There is no snapshot across
 * collections: the ledger is read before the activations, so a refund seen has its settling state stored
 * (the registry stores it first); the balance is the newest ledger entry's, as the adapter defines it.
 */
export async function mongoRecords(uri: string): Promise<Records> {
  const store: Store = await openMongoStore(uri);
  const ledgerOf = async (accountId: number) => (await store.ledger(accountId)).sort((a, b) => a.id - b.id);
  const all = { limit: 1_000_000 };
  return {
    async picture() {
      const accounts: Picture['accounts'] = [];
      const ledger: Picture['ledger'] = [];
      for (const account of await store.accounts()) {
        const entries = await ledgerOf(account.id);
        let total = 0;
        let balance = 0;
        for (const e of entries) {
          total += e.amount;
          // A broken chain shows as a balance that is not the sum.
          balance = e.balanceAfter === total ? total : e.balanceAfter;
          ledger.push({ key: e.key, amount: e.amount, reason: e.reason, ref: e.ref });
        }
        accounts.push({ id: account.id, balance, total });
      }
      const activations = new Map((await store.activations(all)).map((a) => [a.id, {
        id: a.id, phone: a.phone, price: a.price, code: a.code, live: a.live, state: a.state, expiresAt: a.expiresAt,
      }]));
      const rents = (await store.rents(all)).map((r) => ({ id: r.id, price: r.price }));
      const smsTexts: string[] = [];
      for (const sim of await store.sims()) for (const s of await store.smsOfSim(sim.iccid, 1_000_000)) smsTexts.push(s.text);
      const events: Picture['events'] = [];
      for (let after = 0; ;) {
        const page = await store.eventsSince({ after, limit: 1_000 });
        if (page.length === 0) break;
        for (const e of page) if (e.topic === 'activation') events.push(eventOf(e.type, e.data));
        after = page.at(-1)!.id;
      }
      return { accounts, activations, ledger, rents, smsTexts, events };
    },
    async overdue(before) {
      return [
        ...(await store.liveActivations()).filter((a) => a.expiresAt < before).map((a) => `activation ${a.id}`),
        ...(await store.liveRents()).filter((r) => r.endsAt < before).map((r) => `rent ${r.id}`),
      ];
    },
    async liveActivationIds() {
      return new Set((await store.liveActivations()).map((a) => a.id));
    },
    async live() {
      const deadlines = [...(await store.liveActivations()).map((a) => a.expiresAt), ...(await store.liveRents()).map((r) => r.endsAt)];
      return { count: deadlines.length, lastDeadline: deadlines.length ? Math.max(...deadlines) : null };
    },
    async balance(accountId) {
      const entries = await ledgerOf(accountId);
      return { balance: entries.at(-1)?.balanceAfter ?? 0, last: entries.at(-1)?.id ?? 0 };
    },
    async balancesAfter(accountId, after) {
      return (await ledgerOf(accountId)).filter((e) => e.id > after).map((e) => e.balanceAfter);
    },
    close: () => store.close(),
  };
}

function eventOf(type: string, data: Record<string, unknown>): Picture['events'][number] {
  return {
    type,
    activationId: typeof data.activationId === 'number' ? data.activationId : undefined,
    code: typeof data.code === 'string' ? data.code : undefined,
  };
}
