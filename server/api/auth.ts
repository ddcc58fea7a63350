import type { Context, Next } from 'koa';
import { apiKeyHash, type KeyOwner, type Role, type Store } from '../../actors/index.ts';
import { ApiError } from './errors.ts';

/** `Authorization: Bearer <api key>` → ctx.state.account; refuses with 401 before any handler runs. */
export function bearer(store: Store) {
  return async (ctx: Context, next: Next) => {
    const header = ctx.get('authorization');
    const m = /^Bearer\s+(\S{1,256})$/i.exec(header);
    if (!m) throw new ApiError(401, 'send your API key as "Authorization: Bearer <key>"');
    const account = await store.keyOwner(apiKeyHash(m[1]!));
    if (!account) throw new ApiError(401, 'unknown API key');
    ctx.state.account = account;
    await next();
  };
}

const rank: Record<Role, number> = { user: 0, operator: 1, admin: 2 };

/** Only accounts of at least this role get through. */
export function atLeast(role: Role) {
  return async (ctx: Context, next: Next) => {
    const account = ctx.state.account as KeyOwner;
    if (rank[account.role] < rank[role]) throw new ApiError(403, `this needs the ${role} role`);
    await next();
  };
}
