import type Router from '@koa/router';
import {
  formatRubles, partnerCode, shareBasisPoints, sharePercent, StoreError, type Referral, type Store,
} from '../../actors/index.ts';
import { atLeast } from './auth.ts';
import { ApiError } from './errors.ts';

/**
 * The partner program over JSON: `GET /api/partner` shows a partner its code,
 * share, earnings and referred orders (never who placed them);
 * `PUT /api/admin/partners {"email","share","code"?}` makes an account a partner.
 */
export function partnerRoutes(router: Router, store: Store) {
  router.get('/partner', async (ctx) => {
    const id = ctx.state.account.id as number;
    const partner = await store.partner(id);
    if (!partner) throw new ApiError(404, 'this account is not a partner; an admin makes partners (getsms user partner)');
    const limit = Math.min(1000, Math.max(1, Number(ctx.query.limit) || 100));
    const referrals = await store.referrals(id, limit);
    const earned = (await store.ledger(id)).filter((e) => e.reason === 'commission').reduce((sum, e) => sum + e.amount, 0);
    ctx.body = {
      partner: { code: partner.code, share: sharePercent(partner.shareBp), since: new Date(partner.createdAt).toISOString() },
      earned: formatRubles(earned),
      referrals: referrals.map(referralJson),
    };
  });

  router.put('/admin/partners', atLeast('admin'), async (ctx) => {
    const body = (ctx.request as { body?: unknown }).body;
    if (body === null || typeof body !== 'object') throw new ApiError(400, 'send JSON {"email","share","code"}');
    const { email, share, code } = body as Record<string, unknown>;
    const account = typeof email === 'string' ? await store.accountByEmail(email) : undefined;
    if (!account) throw new ApiError(404, '"email" must name an account');
    const shareBp = typeof share === 'string' || typeof share === 'number' ? shareBasisPoints(String(share)) : undefined;
    if (shareBp === undefined) throw new ApiError(422, '"share" must be a percent from 0 to 100, such as 10 or 12.5');
    const chosen = code === undefined ? String(account.id) : typeof code === 'string' ? partnerCode(code) : undefined;
    if (!chosen) throw new ApiError(422, '"code" must be 1 to 64 letters, digits, ".", "_", "@" or "-"');
    try {
      const p = await store.setPartner({ accountId: account.id, code: chosen, shareBp, at: Date.now() });
      ctx.body = { partner: { accountId: p.accountId, email: account.email, code: p.code, share: sharePercent(p.shareBp) } };
    } catch (err) {
      if (err instanceof StoreError && err.code === 'STORE_CONFLICT') throw new ApiError(409, `another partner has the code "${chosen}"`);
      throw err;
    }
  });
}

function referralJson(r: Referral) {
  return {
    activationId: r.activationId, service: r.service, country: r.country, price: formatRubles(r.price), state: r.state,
    commission: formatRubles(r.commission), paid: r.paidAt !== null, orderedAt: new Date(r.orderedAt).toISOString(),
    paidAt: r.paidAt === null ? null : new Date(r.paidAt).toISOString(),
  };
}
