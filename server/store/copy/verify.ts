import { openMongoStore } from '../mongo/index.ts';
import { plan, type Table, type TableCopy } from './plan.ts';
import type { MongoTarget } from './target.ts';

/** The source's side of the verification, read in the copy's snapshot. */
export interface SourceFacts {
  rows: Map<Table, number>;
  accounts: { id: number; email: string; balance: number }[];
  liveActivations: number;
  liveRents: number;
  events: { oldest: number; newest: number };
}

/** One number counted on both sides. */
export interface Check {
  /** What is counted: `accounts → accounts`, `live activations (Store)`. */
  name: string;
  source: number;
  target: number;
}

/** An account's money on both sides: all three agree in a good copy. */
export interface AccountCheck {
  id: number;
  email: string;
  sourceBalance: number;
  /** As the MongoDB Store reports it (the newest ledger entry's balanceAfter); null: the account is missing. */
  targetBalance: number | null;
  /** The sum of the account's ledger amounts on MongoDB. */
  ledgerSum: number;
  /** All three are the same. */
  agrees: boolean;
}

export interface Verification {
  checks: Check[];
  accounts: AccountCheck[];
  /** Every check and every account agrees. */
  ok: boolean;
}

/**
 * Counts the target's documents against the source's rows, and reads the
 * target back through the MongoDB Store itself, as the server will: its
 * live activations and rents, its event log's ends, and every account's
 * balance and ledger.
 */
export async function verify(uri: string, target: MongoTarget, facts: SourceFacts): Promise<Verification> {
  const checks: Check[] = [];
  for (const [table, rows] of facts.rows) {
    const rule: TableCopy = plan[table];
    checks.push({ name: `${table} → ${target.m[rule.into].collection.name}`, source: rows, target: await (rule.counted?.(target.m) ?? target.count(rule.into)) });
  }
  const rowsOf = (table: Table) => facts.rows.get(table) ?? 0;
  checks.push(
    { name: 'activations → activationVersions', source: rowsOf('activations'), target: await target.count('versions') },
    { name: 'rents → rentVersions', source: rowsOf('rents'), target: await target.count('rentVersions') },
    { name: 'sims → simSeqs', source: rowsOf('sims'), target: await target.count('simSeqs') },
    { name: 'live rents → rent holds', source: facts.liveRents, target: await target.count('claims', { kind: 'rent' }) },
  );
  const store = await openMongoStore(uri);
  try {
    const bounds = await store.eventBounds();
    checks.push(
      { name: 'live activations (Store)', source: facts.liveActivations, target: (await store.liveActivations()).length },
      { name: 'live rents (Store)', source: facts.liveRents, target: (await store.liveRents()).length },
      { name: 'oldest event id (Store)', source: facts.events.oldest, target: bounds.oldest },
      { name: 'newest event id (Store)', source: facts.events.newest, target: bounds.newest },
    );
    const balances = new Map((await store.accounts()).map((a) => [a.id, a.balance]));
    const accounts: AccountCheck[] = [];
    for (const a of facts.accounts) {
      const targetBalance = balances.get(a.id) ?? null;
      const ledgerSum = (await store.ledger(a.id)).reduce((sum, e) => sum + e.amount, 0);
      accounts.push({
        id: a.id, email: a.email, sourceBalance: a.balance, targetBalance, ledgerSum,
        agrees: targetBalance === a.balance && ledgerSum === a.balance,
      });
    }
    const ok = checks.every((c) => c.source === c.target) && accounts.every((a) => a.agrees);
    return { checks, accounts, ok };
  } finally {
    await store.close();
  }
}
