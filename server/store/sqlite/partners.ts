import type Database from 'better-sqlite3';
import type {
  ActivationState, NewPartner, Partner, Referral,
} from '../../../actors/index.ts';

type Row = Record<string, unknown>;

/**
 * Partners and their referrals. A referral is written in the order's
 * transaction with its commission fixed then (a later change of share does
 * not touch orders already placed); `pay` runs in the settlement's.
 */
export class PartnerBook {
  readonly #q: ReturnType<typeof partnerStatements>;

  constructor(db: Database.Database) {
    this.#q = partnerStatements(db);
  }

  set(p: NewPartner): Partner {
    this.#q.set.run({ ...p, code: p.code.toLowerCase() });
    return partner(this.#q.byAccount.get(p.accountId));
  }

  byAccount(accountId: number): Partner | undefined {
    const r = this.#q.byAccount.get(accountId);
    return r === undefined ? undefined : partner(r);
  }

  byCode(code: string): Partner | undefined {
    const r = this.#q.byCode.get(code.toLowerCase());
    return r === undefined ? undefined : partner(r);
  }

  all(): Partner[] {
    return this.#q.all.all().map(partner);
  }

  /** Records the referral of a new activation; none when the share of its price rounds to nothing. */
  refer(activationId: number, referral: { partnerId: number; shareBp: number }, price: number, at: number) {
    const commission = Math.floor((price * referral.shareBp) / 10_000);
    if (commission > 0) this.#q.refer.run(activationId, referral.partnerId, commission, at);
  }

  /** The unpaid commission of an activation (undefined when it has none), to be paid by the caller's transaction. */
  due(activationId: number): { partnerId: number; commission: number } | undefined {
    const r = this.#q.due.get(activationId) as { partner_id: number; commission: number } | undefined;
    return r && { partnerId: r.partner_id, commission: r.commission };
  }

  markPaid(activationId: number, at: number) {
    this.#q.paid.run(at, activationId);
  }

  referrals(partnerId: number, limit: number): Referral[] {
    return this.#q.referrals.all(partnerId, limit).map((row) => {
      const r = row as Row;
      return {
        activationId: r.activation_id as number, partnerId: r.partner_id as number, service: r.service as string,
        country: r.country as string, price: r.price as number, state: r.state as ActivationState,
        commission: r.commission as number, orderedAt: r.created_at as number, paidAt: (r.paid_at as number | null) ?? null,
      };
    });
  }
}

function partner(row: unknown): Partner {
  const r = row as Row;
  return {
    accountId: r.account_id as number, code: r.code as string, shareBp: r.share_bp as number,
    at: r.updated_at as number, createdAt: r.created_at as number,
  };
}

function partnerStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    set: p(`INSERT INTO partners (account_id, code, share_bp, created_at, updated_at) VALUES (@accountId, @code, @shareBp, @at, @at)
      ON CONFLICT (account_id) DO UPDATE SET code = excluded.code, share_bp = excluded.share_bp, updated_at = excluded.updated_at`),
    byAccount: p('SELECT * FROM partners WHERE account_id = ?'),
    byCode: p('SELECT * FROM partners WHERE code = ?'),
    all: p('SELECT * FROM partners ORDER BY account_id'),
    refer: p('INSERT OR IGNORE INTO referrals (activation_id, partner_id, commission, at) VALUES (?, ?, ?, ?)'),
    due: p('SELECT partner_id, commission FROM referrals WHERE activation_id = ? AND paid_at IS NULL'),
    paid: p('UPDATE referrals SET paid_at = ? WHERE activation_id = ?'),
    referrals: p(`SELECT r.activation_id, r.partner_id, r.commission, r.paid_at, a.service, a.country, a.price, a.state, a.created_at
      FROM referrals r JOIN activations a ON a.id = r.activation_id
      WHERE r.partner_id = ? ORDER BY r.activation_id DESC LIMIT ?`),
  };
}
