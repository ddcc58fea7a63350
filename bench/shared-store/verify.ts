import { openMongoStore } from '../../server/store/index.ts';
import { checkStore } from '../verify.ts';

/** What the store says once the servers of one configuration have stopped; the same questions on both stores. */
export interface Verdict {
  activations: number;
  /** Sales beyond the first of one SIM for one service (repeats excluded: none are made here). */
  doubleAllocations: number;
  /** Accounts whose balance is not the sum of their ledger. */
  ledgerMismatches: { accountId: number; balance: number; ledgerSum: number }[];
  /** Σ charges in the ledger against Σ prices of paid activations. */
  charges: { ledger: number; activations: number };
  /** Anything else the SQLite check found (live activations without their claim, a SIM live twice). */
  other: string[];
  ok: boolean;
}

/** The SQLite file, read with a read-only connection (bench/verify.ts). */
export function verifySqlite(file: string): Verdict {
  const c = checkStore(file);
  const other = [
    ...(c.pairsLiveTwice > 0 ? [`${c.pairsLiveTwice} SIM×service pair(s) live twice`] : []),
    ...(c.liveWithoutClaim > 0 ? [`${c.liveWithoutClaim} live activation(s) without their SIM claim`] : []),
    ...(c.charges.ledgerCount !== c.charges.activationCount
      ? [`${c.charges.ledgerCount} charges in the ledger for ${c.charges.activationCount} paid activations`] : []),
  ];
  return {
    activations: c.activations, doubleAllocations: c.doubleAllocations,
    ledgerMismatches: c.ledgerMismatches.map(({ accountId, balance, ledgerSum }) => ({ accountId, balance, ledgerSum })),
    charges: { ledger: c.charges.ledger, activations: c.charges.activations }, other, ok: c.ok,
  };
}

/**
 * The MongoDB database through the Store's own reads (no server is running any more). On MongoDB the balance
 * is the newest ledger entry's `balanceAfter`, so Σ amounts = balance checks that the chain of entries adds up.
 */
export async function verifyMongo(uri: string): Promise<Verdict> {
  const store = await openMongoStore(uri);
  try {
    const ledgerMismatches: Verdict['ledgerMismatches'] = [];
    let charged = 0;
    for (const account of await store.accounts()) {
      const ledger = await store.ledger(account.id);
      const ledgerSum = ledger.reduce((s, e) => s + e.amount, 0);
      charged -= ledger.filter((e) => e.reason === 'charge').reduce((s, e) => s + e.amount, 0);
      if (ledgerSum !== account.balance) ledgerMismatches.push({ accountId: account.id, balance: account.balance, ledgerSum });
    }
    const all = await store.activations({ limit: Number.MAX_SAFE_INTEGER });
    const sold = new Map<string, number>();
    for (const a of all) {
      if (a.repeatOf !== null) continue;
      const key = `${a.iccid}|${a.service}`;
      sold.set(key, (sold.get(key) ?? 0) + 1);
    }
    const doubleAllocations = [...sold.values()].reduce((s, n) => s + n - 1, 0);
    const paid = all.filter((a) => a.price > 0).reduce((s, a) => s + a.price, 0);
    return {
      activations: all.length, doubleAllocations, ledgerMismatches, charges: { ledger: charged, activations: paid }, other: [],
      ok: doubleAllocations === 0 && ledgerMismatches.length === 0 && charged === paid,
    };
  } finally {
    await store.close();
  }
}
