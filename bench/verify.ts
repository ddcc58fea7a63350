import Database from 'better-sqlite3';

/** What the database itself says after the order phase, read with a read-only connection. */
export interface StoreCheck {
  activations: number;
  /** (iccid, service) pairs sold more than once as first orders (repeats excluded: none are made here). */
  pairsSoldTwice: number;
  /** Extra sales beyond the first on those pairs: the double allocations. */
  doubleAllocations: number;
  /** (iccid, service) pairs with more than one live activation. */
  pairsLiveTwice: number;
  /** Live activations whose SIM claim (sim_services row) is not theirs. */
  liveWithoutClaim: number;
  /** Accounts whose balance is not the sum of their ledger, or not the last entry's balance_after. */
  ledgerMismatches: { accountId: number; balance: number; ledgerSum: number; lastBalanceAfter: number | null }[];
  /** Charges in the ledger against the prices of paid activations. */
  charges: { ledger: number; activations: number; ledgerCount: number; activationCount: number };
  ok: boolean;
}

export function checkStore(file: string): StoreCheck {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const one = <T>(sql: string) => db.prepare(sql).get() as T;
    const activations = one<{ n: number }>('SELECT count(*) AS n FROM activations').n;
    const sold = one<{ pairs: number; extra: number | null }>(`
      SELECT count(*) AS pairs, sum(n - 1) AS extra FROM (
        SELECT count(*) AS n FROM activations WHERE repeat_of IS NULL AND chain_of IS NULL
        GROUP BY iccid, service HAVING count(*) > 1)`);
    const live = one<{ pairs: number }>(`
      SELECT count(*) AS pairs FROM (
        SELECT 1 FROM activations WHERE live = 1 GROUP BY iccid, service HAVING count(*) > 1)`);
    const unclaimed = one<{ n: number }>(`
      SELECT count(*) AS n FROM activations a WHERE a.live = 1 AND NOT EXISTS (
        SELECT 1 FROM sim_services c WHERE c.iccid = a.iccid AND c.service = a.service AND c.activation_id = a.id)`);
    const ledgerMismatches = db.prepare(`
      SELECT a.id AS accountId, a.balance AS balance, coalesce(sum(l.amount), 0) AS ledgerSum,
        (SELECT balance_after FROM ledger WHERE account_id = a.id ORDER BY id DESC LIMIT 1) AS lastBalanceAfter
      FROM accounts a LEFT JOIN ledger l ON l.account_id = a.id
      GROUP BY a.id
      HAVING ledgerSum != a.balance OR coalesce(lastBalanceAfter, 0) != a.balance`).all() as StoreCheck['ledgerMismatches'];
    const ledgerCharges = one<{ n: number; total: number | null }>(
      `SELECT count(*) AS n, -sum(amount) AS total FROM ledger WHERE reason = 'charge'`);
    const paid = one<{ n: number; total: number | null }>(
      'SELECT count(*) AS n, sum(price) AS total FROM activations WHERE price > 0');
    const charges = {
      ledger: ledgerCharges.total ?? 0, activations: paid.total ?? 0, ledgerCount: ledgerCharges.n, activationCount: paid.n,
    };
    const doubleAllocations = sold.extra ?? 0;
    return {
      activations, pairsSoldTwice: sold.pairs, doubleAllocations, pairsLiveTwice: live.pairs, liveWithoutClaim: unclaimed.n,
      ledgerMismatches, charges,
      ok: doubleAllocations === 0 && live.pairs === 0 && unclaimed.n === 0 && ledgerMismatches.length === 0 &&
        charges.ledger === charges.activations && charges.ledgerCount === charges.activationCount,
    };
  } finally {
    db.close();
  }
}
