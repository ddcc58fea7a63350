import type { NewPartner, Partner, Referral } from '../../../actors/index.ts';
import type { Accounts } from './accounts.ts';
import { insertOnce, isDuplicate } from './ids.ts';
import type { Models } from './models.ts';
import type { ActivationDoc } from './records.ts';

interface PartnerDoc { _id: number; code: string; shareBp: number; createdAt: number; updatedAt: number }
interface ReferralDoc { _id: number; partnerId: number; commission: number; at: number; paidAt: number | null }

/**
 * Partners and their referrals. A referral is written by the order before its
 * version 0 (so a made order has it), with its commission fixed then; the
 * settlement pays it under `commission:<activation id>`, once.
 */
export class Partners {
  readonly #m: Models;
  readonly #accounts: Accounts;

  constructor(m: Models, accounts: Accounts) {
    this.#m = m;
    this.#accounts = accounts;
  }

  /** A code taken by another partner rejects with a duplicate error (STORE_CONFLICT). */
  async set(p: NewPartner): Promise<Partner> {
    const fields = { code: p.code.toLowerCase(), shareBp: p.shareBp, updatedAt: p.at };
    for (;;) {
      if ((await this.#m.partners.updateOne({ _id: p.accountId }, { $set: fields })).matchedCount === 1) break;
      try {
        await this.#m.partners.collection.insertOne({ _id: p.accountId, ...fields, createdAt: p.at } as never);
        break;
      } catch (err) {
        // A racing first write made the partner: update it. Else the code is another partner's.
        if (!isDuplicate(err) || !(await this.#m.partners.exists({ _id: p.accountId }))) throw err;
      }
    }
    return (await this.byAccount(p.accountId))!;
  }

  async byAccount(accountId: number) {
    return partner(await this.#m.partners.findById(accountId).lean<PartnerDoc>());
  }
  async byCode(code: string) {
    return partner(await this.#m.partners.findOne({ code: code.toLowerCase() }).lean<PartnerDoc>());
  }
  async all(): Promise<Partner[]> {
    return (await this.#m.partners.find({}).sort({ _id: 1 }).lean<PartnerDoc[]>()).map((d) => partner(d)!);
  }

  /** Records the referral of a new order; none when the share of its price rounds to nothing. */
  async refer(activationId: number, referral: { partnerId: number; shareBp: number }, price: number, at: number) {
    const commission = Math.floor((price * referral.shareBp) / 10_000);
    if (commission > 0) {
      await insertOnce(this.#m.referrals, { _id: activationId, partnerId: referral.partnerId, commission, at, paidAt: null });
    }
  }

  /** The customer's charge stands: the partner earns its share (the ledger key makes it once). */
  async pay(activationId: number, at: number) {
    const due = await this.#m.referrals.findOne({ _id: activationId, paidAt: null }).lean<ReferralDoc>();
    if (!due) return;
    await this.#accounts.move({
      accountId: due.partnerId, amount: due.commission, reason: 'commission', ref: `activation:${activationId}`,
      key: `commission:${activationId}`, at,
    });
    await this.#m.referrals.updateOne({ _id: activationId, paidAt: null }, { $set: { paidAt: at } });
  }

  /** Newest first; referrals of orders that were never made are left out. */
  async referrals(partnerId: number, limit: number, states: (ids: number[]) => Promise<Map<number, Referral['state']>>): Promise<Referral[]> {
    const docs = await this.#m.referrals.find({ partnerId }).sort({ _id: -1 }).limit(limit + 8).lean<ReferralDoc[]>();
    const ids = docs.map((d) => d._id);
    const [orders, state] = await Promise.all([
      this.#m.activations.find({ _id: { $in: ids } }).lean<ActivationDoc[]>(),
      states(ids),
    ]);
    return docs.flatMap((r) => {
      const a = orders.find((o) => o._id === r._id);
      const s = state.get(r._id);
      return a && s ? [{
        activationId: r._id, partnerId: r.partnerId, service: a.service, country: a.country, price: a.price, state: s,
        commission: r.commission, orderedAt: a.createdAt, paidAt: r.paidAt ?? null,
      }] : [];
    }).slice(0, limit);
  }
}

function partner(d: PartnerDoc | null): Partner | undefined {
  return d ? { accountId: d._id, code: d.code, shareBp: d.shareBp, at: d.updatedAt, createdAt: d.createdAt } : undefined;
}
